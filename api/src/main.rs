//! `iin-api`: see [`iin_api::cli`].

use std::process::ExitCode;

use clap::Parser;
use iin_api::{cli, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    let args = cli::Cli::parse();
    telemetry::init();
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
