//! Logging, set up once: `tracing` to stderr (stdout stays clean for commands that print), as
//! text or as JSON (`IIN_LOG_FORMAT=json`), filtered by `RUST_LOG` (default `info`). Text carries
//! ANSI colours only when stderr is a terminal, so files and log collectors get plain lines.

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("IIN_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // A second initialisation (tests) keeps the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
