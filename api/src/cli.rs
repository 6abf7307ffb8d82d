//! The command line: `serve` (the default), `migrate`, `seed`, `export-schema`. Kept apart from
//! `main` so that tests run the very same commands, with their own environment and output.

use std::{io::Write, time::Duration};

use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{
    Application, Settings,
    auth::{Role, token},
    db,
    domain::directory,
    graphql, seed,
    settings::SettingsError,
};

/// The longest a development token may live.
const MAX_TOKEN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

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
    /// Ask the server at IIN_LISTEN (0.0.0.0 asks 127.0.0.1) whether it is ready (`/readyz`):
    /// exit 0 when it answers 200 within two seconds, 1 otherwise. For container health checks.
    Healthcheck,
    /// Apply, revert or list schema migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Load the source document's directory (idempotent: a second run changes nothing); with
    /// --synthetic, also deterministic synthetic data for benchmarks.
    Seed {
        /// Add synthetic organisations, coordinators, awards, SMEs and evaluations.
        #[arg(long)]
        synthetic: bool,
        /// Scale 1 is 1,000 organisations, 5,000 coordinators, 10,000 awards, 20,000 SMEs and
        /// 100,000 evaluations.
        #[arg(long, default_value_t = 1.0, requires = "synthetic")]
        scale: f64,
    },
    /// Print the schema's SDL (what `schema.graphql` holds).
    ExportSchema,
    /// Register operations for the safelist (IIN_SAFELIST): each FILE holds one GraphQL document;
    /// prints each one's SHA-256, the hash APQ clients send.
    Safelist {
        #[command(subcommand)]
        action: SafelistAction,
    },
    /// Run one operation in-process and print the SQL statements it issues, values inlined, one
    /// per line: a pgbench script (the benchmark's ceiling). Includes the institution lookup an
    /// authenticated request makes.
    TraceSql(TraceSql),
    /// Print a signed HS256 token (secret from IIN_JWT_SECRET) on the last line, for development.
    /// Reads the directory only: it never migrates or seeds the database.
    Token {
        /// The subject: who the token speaks for.
        #[arg(long)]
        sub: String,
        /// The institution's directory code, e.g. aist.
        #[arg(long, required_unless_present = "affiliations", requires = "roles")]
        institution: Option<String>,
        /// A role at the institution: member, evaluator, org_admin, registrar, network_admin.
        #[arg(long = "role", requires = "institution")]
        roles: Vec<String>,
        /// Instead of --institution and --role: roles at one of several institutions, as
        /// CODE:ROLE[,ROLE] (repeatable). The token carries an `affiliations` claim; each request
        /// names the institution it acts for in the IIN-Institution header.
        #[arg(
            long = "affiliation",
            value_name = "CODE:ROLE[,ROLE]",
            conflicts_with_all = ["institution", "roles"]
        )]
        affiliations: Vec<String>,
        /// How long the token is valid, e.g. 30m, 8h, 7d (at most 30 days).
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: Duration,
    },
}

/// Arguments of `trace-sql`.
#[derive(clap::Args)]
pub struct TraceSql {
    /// A file holding one GraphQL document.
    pub query: std::path::PathBuf,
    /// The operation's variables, as a JSON object.
    #[arg(long, default_value = "{}")]
    pub variables: String,
    /// Run as a user acting for this institution (its directory code); anonymous without it.
    #[arg(long, requires = "roles")]
    pub institution: Option<String>,
    /// A role at the institution.
    #[arg(long = "role", requires = "institution")]
    pub roles: Vec<String>,
}

#[derive(Subcommand)]
pub enum SafelistAction {
    /// Register the documents in these files.
    Add {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
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
    #[error("{0}")]
    Refused(String),
    #[error("not ready: {0}")]
    Unhealthy(String),
}

impl CliError {
    /// 2 for configuration mistakes, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Settings(_) | Self::Refused(_) => 2,
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
    if let Command::Healthcheck = command {
        // Only where to ask is needed: the rest of the settings (a secret…) may be absent here.
        let listen = env("IIN_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        return healthcheck(&listen, out).await;
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
        Command::Seed { synthetic, scale } => {
            let db = db::connect(&settings.database).await?;
            Migrator::up(&db, None).await?;
            let report = seed::load_source(&db).await?;
            writeln!(
                out,
                "seed: {} inserted, {} updated",
                report.inserted, report.updated
            )?;
            if synthetic {
                if !(scale > 0.0 && scale <= 100.0) {
                    return Err(CliError::Refused(
                        "--scale must be above 0 and at most 100".into(),
                    ));
                }
                let counts = seed::synthetic::Counts::at_scale(scale);
                if seed::synthetic::load(&db, counts).await? {
                    writeln!(out, "synthetic: {counts:?}")?;
                } else {
                    writeln!(out, "synthetic: already loaded")?;
                }
            }
        }
        Command::Token {
            sub,
            institution,
            roles,
            affiliations,
            ttl,
        } => {
            let several = !affiliations.is_empty();
            let held: Vec<(String, Vec<Role>)> = match institution {
                Some(institution) => vec![(institution, parse_roles(&roles)?)],
                None => affiliations
                    .iter()
                    .map(|a| parse_affiliation(a))
                    .collect::<Result<_, _>>()?,
            };
            if ttl.is_zero() || ttl > MAX_TOKEN_TTL {
                return Err(CliError::Refused(
                    "--ttl must be between 1s and 30 days".into(),
                ));
            }
            if sub.trim().is_empty() {
                return Err(CliError::Refused("--sub must not be empty".into()));
            }
            for (i, (code, _)) in held.iter().enumerate() {
                if held[..i].iter().any(|(earlier, _)| earlier == code) {
                    return Err(CliError::Refused(format!(
                        "--affiliation names {code:?} twice: give its roles once"
                    )));
                }
            }
            for (institution, roles) in &held {
                if roles.contains(&Role::NetworkAdmin)
                    && *institution != settings.auth.network_institution
                {
                    return Err(CliError::Refused(format!(
                        "network_admin is held only at {}",
                        settings.auth.network_institution
                    )));
                }
            }
            // Only reads the directory: a database it is pointed at is never migrated or seeded.
            let db = db::connect(&settings.database).await?;
            for (institution, _) in &held {
                let found = directory::organization_by_code(&db, institution)
                    .await
                    .map_err(|_| {
                        CliError::Refused(
                            "the directory cannot be read: migrate and seed the database first \
                             (iin-api serve, or iin-api seed)"
                                .into(),
                        )
                    })?;
                if found.is_none() {
                    return Err(CliError::Refused(format!(
                        "unknown institution {institution:?}"
                    )));
                }
            }
            let signed = match held.as_slice() {
                [(institution, roles)] if !several => {
                    token::issue_hs256(&settings.auth, &sub, institution, roles, ttl)
                }
                _ => token::issue_hs256_affiliations(&settings.auth, &sub, &held, ttl),
            }
            .map_err(|_| {
                CliError::Refused("set IIN_JWT_SECRET (at least 32 bytes) to sign tokens".into())
            })?;
            writeln!(out, "{signed}")?;
        }
        Command::Safelist {
            action: SafelistAction::Add { files },
        } => {
            let db = db::connect(&settings.database).await?;
            db::prepare(&db, settings.seed_when_empty).await?;
            for file in files {
                let document = std::fs::read_to_string(&file)?;
                async_graphql::parser::parse_query(&document).map_err(|e| {
                    CliError::Refused(format!("{}: not a GraphQL document: {e}", file.display()))
                })?;
                let hash = crate::domain::persisted::register(&db, &document).await?;
                writeln!(out, "{hash}  {}", file.display())?;
            }
        }
        Command::TraceSql(trace) => {
            for statement in trace_sql(&settings, trace).await? {
                writeln!(out, "{statement};")?;
            }
        }
        Command::ExportSchema | Command::Healthcheck => {
            unreachable!("answered before settings are read")
        }
    }
    Ok(())
}

/// `CODE:ROLE[,ROLE]`, as `--affiliation` takes it.
fn parse_affiliation(text: &str) -> Result<(String, Vec<Role>), CliError> {
    let (code, roles) = text
        .split_once(':')
        .map(|(code, roles)| (code.trim(), roles))
        .filter(|(code, roles)| !code.is_empty() && !roles.trim().is_empty())
        .ok_or_else(|| {
            CliError::Refused(format!(
                "--affiliation {text:?}: write it as CODE:ROLE[,ROLE], e.g. aist:member,registrar"
            ))
        })?;
    let names: Vec<String> = roles.split(',').map(|r| r.trim().to_owned()).collect();
    Ok((code.to_owned(), parse_roles(&names)?))
}

fn parse_roles(names: &[String]) -> Result<Vec<Role>, CliError> {
    names
        .iter()
        .map(|name| {
            Role::parse(name).ok_or_else(|| {
                let known: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
                CliError::Refused(format!(
                    "unknown role {name:?}: one of {}",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// Runs the operation as the server would (same schema, limits and loaders) and answers the SQL
/// it issued, with the values inlined.
async fn trace_sql(settings: &Settings, trace: TraceSql) -> Result<Vec<String>, CliError> {
    use std::sync::{Arc, Mutex};

    use crate::auth::{Caller, Principal};

    let document = std::fs::read_to_string(&trace.query)?;
    let variables: serde_json::Value = serde_json::from_str(&trace.variables)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| CliError::Refused("--variables must be a JSON object".into()))?;
    let mut roles = parse_roles(&trace.roles)?;
    roles.sort();
    roles.dedup();

    let mut db = db::connect(&settings.database).await?;
    // A running server knows a token's institution after its first request: the trace, like
    // the server's steady state, leaves that lookup out.
    let caller = match trace.institution {
        None => Caller::Anonymous,
        Some(code) => {
            let institution = directory::organization_by_code(&db, &code)
                .await
                .map_err(|e| CliError::Refused(format!("looking up {code:?}: {e}")))?
                .ok_or_else(|| CliError::Refused(format!("unknown institution {code:?}")))?;
            Caller::Authenticated(Principal {
                subject: "trace-sql".into(),
                institution_id: institution.id,
                member: directory::grants_member_rights(institution.membership)
                    || institution.code == settings.auth.network_institution,
                affiliations: vec![crate::auth::Affiliation {
                    institution_code: institution.code.clone(),
                    roles: roles.clone(),
                }],
                institution_code: institution.code,
                roles,
            })
        }
    };
    let statements = Arc::new(Mutex::new(Vec::new()));
    let sink = statements.clone();
    db.set_metric_callback(move |info| {
        if let Ok(mut list) = sink.lock() {
            list.push(info.statement.to_string());
        }
    });

    let events = crate::domain::events::EventBus::new(db.get_database_backend());
    let schema = graphql::build_schema(
        db.clone(),
        events,
        &settings.http.limits,
        crate::domain::referrals::ReferralPolicy::new(settings.referral_expiry_days),
        graphql::Serving {
            suggestions: true,
            stores_documents: false,
        },
    );
    let request = async_graphql::Request::new(document)
        .variables(async_graphql::Variables::from_json(variables))
        .data(graphql::loaders::for_request(
            &db,
            caller.clone(),
            settings.http.dataloader_delay,
            graphql::loaders::Caching::PerRequest,
        ))
        .data(caller);
    let response = schema.execute(request).await;
    if let Some(error) = response.errors.first() {
        return Err(CliError::Refused(format!(
            "the operation failed: {}",
            error.message
        )));
    }
    let list = statements
        .lock()
        .map(|list| list.clone())
        .unwrap_or_default();
    Ok(list)
}

/// `GET /readyz` on the address the server listens on.
async fn healthcheck(listen: &str, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let mut address: std::net::SocketAddr = listen
        .parse()
        .map_err(|_| CliError::Refused(format!("IIN_LISTEN is not HOST:PORT: {listen:?}")))?;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{address}/readyz");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| CliError::Unhealthy(e.to_string()))?;
    let reply = client
        .get(&url)
        .send()
        .await
        .map_err(|e| CliError::Unhealthy(format!("{url}: {e}")))?;
    if reply.status().is_success() {
        writeln!(out, "ready: {url}")?;
        Ok(())
    } else {
        Err(CliError::Unhealthy(format!("{url}: {}", reply.status())))
    }
}
