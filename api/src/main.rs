//! `iin-api`: see [`iin_api::cli`].

// The schema's merged root objects nest deeply in the release build's async types.
#![recursion_limit = "256"]

use std::process::ExitCode;

use clap::Parser;
use iin_api::{cli, telemetry};

/// mimalloc rather than the C library's allocator: a request builds and drops thousands of small
/// values (rows, GraphQL values, JSON), and this cut the server's CPU per request by 13 to 19 %
/// in the benchmark (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let _telemetry = telemetry::init();
    match cli::run(
        args,
        |name| std::env::var(name).ok(),
        &mut std::io::stdout(),
    )
    .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("iin-api: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
