//! `iin-api`: serve (the default), migrate, seed, export-schema.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use iin_api::{Application, Settings, db, graphql, seed, telemetry};
use migration::{Migrator, MigratorTrait};

#[derive(Parser)]
#[command(
    name = "iin-api",
    version,
    about = "The GraphQL API of the Innovation Initiative Network Japan"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, seed an empty database, and serve /graphql (the default).
    Serve,
    /// Apply, revert or list schema migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Load the source document's directory (idempotent: a second run changes nothing).
    Seed,
    /// Print the schema's SDL (what `schema.graphql` holds).
    ExportSchema,
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the latest migrations.
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::ExportSchema = command {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    match run(command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            tracing::info!(port = app.port(), address = %settings.listen.ip(), "serving /graphql");
            app.run_until_stopped().await?;
        }
        Command::Migrate { action } => {
            let db = db::connect(&settings.database).await?;
            match action {
                MigrateAction::Up => Migrator::up(&db, None).await?,
                MigrateAction::Down { steps } => Migrator::down(&db, Some(steps)).await?,
                MigrateAction::Status => {
                    for migration in Migrator::get_migration_with_status(&db).await? {
                        println!("{:<8} {}", migration.status().to_string(), migration.name());
                    }
                }
            }
        }
        Command::Seed => {
            let db = db::connect(&settings.database).await?;
            Migrator::up(&db, None).await?;
            let report = seed::load_source(&db).await?;
            println!(
                "seed: {} inserted, {} updated",
                report.inserted, report.updated
            );
        }
        Command::ExportSchema => unreachable!("handled before settings are read"),
    }
    Ok(())
}
