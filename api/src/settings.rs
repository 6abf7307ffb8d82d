//! All configuration, from the environment, in one typed value validated at start. `main` and the
//! tests build the application from the same struct (tests change the port and the database).

use std::{env, net::SocketAddr, time::Duration};

#[derive(Debug, Clone)]
pub struct Settings {
    /// `IIN_LISTEN`: where to listen (default `127.0.0.1:8080`; port 0 picks a free port).
    pub listen: SocketAddr,
    pub database: DatabaseSettings,
    pub http: HttpSettings,
    /// `IIN_SEED_WHEN_EMPTY`: load the source document's data into an empty database at start
    /// (default `true`).
    pub seed_when_empty: bool,
    /// `IIN_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: usize,
    /// `IIN_SHUTDOWN_TIMEOUT_SECS`: how long in-flight requests may finish after SIGTERM (default 10).
    pub shutdown_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `DATABASE_URL`: `sqlite://FILE?mode=rwc` (default `sqlite://iin-api.sqlite?mode=rwc`) or
    /// `postgres://USER@HOST/DB`.
    pub url: String,
    /// `IIN_DB_MAX_CONNECTIONS` (default 10).
    pub max_connections: u32,
    /// `IIN_DB_ACQUIRE_TIMEOUT_MS`: how long a request waits for a connection (default 3000).
    pub acquire_timeout: Duration,
    /// `IIN_DB_STATEMENT_TIMEOUT_MS`: PostgreSQL `statement_timeout` (default 5000).
    pub statement_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// `IIN_MAX_BODY_BYTES`: the largest request body accepted (default 65536).
    pub max_body_bytes: usize,
    /// `IIN_GRAPHIQL`: serve GraphiQL to browsers that GET `/graphql` (default `true`).
    pub graphiql: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct SettingsError {
    pub name: &'static str,
    pub problem: String,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://iin-api.sqlite?mode=rwc";

impl Settings {
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Reads settings through `lookup`, so that tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let parse = |name: &'static str, default: &str| -> Result<u64, SettingsError> {
            let text = get(name).unwrap_or_else(|| default.to_owned());
            text.trim().parse().map_err(|_| SettingsError {
                name,
                problem: format!("expected a whole number, got {text:?}"),
            })
        };
        let boolean = |name: &'static str, default: bool| -> Result<bool, SettingsError> {
            match get(name).as_deref().map(str::trim) {
                None => Ok(default),
                Some("1" | "true" | "yes" | "on") => Ok(true),
                Some("0" | "false" | "no" | "off") => Ok(false),
                Some(other) => Err(SettingsError {
                    name,
                    problem: format!("expected true or false, got {other:?}"),
                }),
            }
        };

        let listen_text = get("IIN_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen = listen_text.parse().map_err(|_| SettingsError {
            name: "IIN_LISTEN",
            problem: format!("expected HOST:PORT such as 127.0.0.1:8080, got {listen_text:?}"),
        })?;
        let url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(SettingsError {
                name: "DATABASE_URL",
                problem: "expected a sqlite: or postgres:// URL".to_owned(),
            });
        }
        let max_connections = parse("IIN_DB_MAX_CONNECTIONS", "10")?;
        if max_connections == 0 {
            return Err(SettingsError {
                name: "IIN_DB_MAX_CONNECTIONS",
                problem: "must be at least 1".to_owned(),
            });
        }
        let workers = match get("IIN_WORKERS") {
            Some(_) => parse("IIN_WORKERS", "1")? as usize,
            None => std::thread::available_parallelism().map_or(2, |n| n.get()),
        };

        Ok(Self {
            listen,
            database: DatabaseSettings {
                url,
                max_connections: max_connections.min(u64::from(u32::MAX)) as u32,
                acquire_timeout: Duration::from_millis(parse("IIN_DB_ACQUIRE_TIMEOUT_MS", "3000")?),
                statement_timeout: Duration::from_millis(parse(
                    "IIN_DB_STATEMENT_TIMEOUT_MS",
                    "5000",
                )?),
            },
            http: HttpSettings {
                max_body_bytes: parse("IIN_MAX_BODY_BYTES", "65536")? as usize,
                graphiql: boolean("IIN_GRAPHIQL", true)?,
            },
            seed_when_empty: boolean("IIN_SEED_WHEN_EMPTY", true)?,
            workers: workers.max(1),
            shutdown_timeout: Duration::from_secs(parse("IIN_SHUTDOWN_TIMEOUT_SECS", "10")?),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| env.get(name).cloned())
    }

    #[test]
    fn defaults_run_on_a_local_sqlite_file() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database.url, DEFAULT_DATABASE_URL);
        assert_eq!(s.database.acquire_timeout, Duration::from_secs(3));
        assert!(s.seed_when_empty && s.http.graphiql);
    }

    #[test]
    fn bad_values_name_their_variable() {
        assert_eq!(
            settings(&[("IIN_LISTEN", "8080")]).unwrap_err().name,
            "IIN_LISTEN"
        );
        assert_eq!(
            settings(&[("DATABASE_URL", "mysql://x")]).unwrap_err().name,
            "DATABASE_URL"
        );
        assert_eq!(
            settings(&[("IIN_MAX_BODY_BYTES", "lots")])
                .unwrap_err()
                .name,
            "IIN_MAX_BODY_BYTES"
        );
        assert_eq!(
            settings(&[("IIN_GRAPHIQL", "maybe")]).unwrap_err().name,
            "IIN_GRAPHIQL"
        );
        assert_eq!(
            settings(&[("IIN_DB_MAX_CONNECTIONS", "0")])
                .unwrap_err()
                .name,
            "IIN_DB_MAX_CONNECTIONS"
        );
    }
}
