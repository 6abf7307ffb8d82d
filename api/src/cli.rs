//! The command line: `serve` (the default), `migrate`, `seed`, `export-schema`. Kept apart from
//! `main` so that tests run the very same commands, with their own environment and output.

use std::io::Write;

use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{Application, Settings, db, graphql, seed, settings::SettingsError};

#[derive(Parser)]
#[command(
    name = "iin-api",
    version,
    about = "The GraphQL API of the Innovation Initiative Network Japan"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
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
pub enum MigrateAction {
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

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("configuration: {0}")]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Startup(#[from] crate::StartupError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    /// 2 for configuration mistakes, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Settings(_) => 2,
            _ => 1,
        }
    }
}

/// Runs one command with settings read through `env`, writing its output to `out`.
pub async fn run(
    cli: Cli,
    env: impl Fn(&str) -> Option<String>,
    out: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::ExportSchema = command {
        write!(out, "{}", graphql::sdl())?;
        return Ok(());
    }
    let settings = Settings::from_lookup(env)?;
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
                        writeln!(
                            out,
                            "{:<8} {}",
                            migration.status().to_string(),
                            migration.name()
                        )?;
                    }
                }
            }
        }
        Command::Seed => {
            let db = db::connect(&settings.database).await?;
            Migrator::up(&db, None).await?;
            let report = seed::load_source(&db).await?;
            writeln!(
                out,
                "seed: {} inserted, {} updated",
                report.inserted, report.updated
            )?;
        }
        Command::ExportSchema => unreachable!("answered before settings are read"),
    }
    Ok(())
}
