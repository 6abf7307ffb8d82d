//! All configuration, from the environment, in one typed value validated at start. `main` and the
//! tests build the application from the same struct (tests change the port and the database).

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

use jsonwebtoken::Algorithm;

use crate::auth::jwks::JwksSource;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `IIN_LISTEN`: where to listen (default `127.0.0.1:8080`; port 0 picks a free port).
    pub listen: SocketAddr,
    pub database: DatabaseSettings,
    pub http: HttpSettings,
    pub auth: AuthSettings,
    /// `IIN_SEED_WHEN_EMPTY`: load the source document's data into an empty database at start
    /// (default `true`).
    pub seed_when_empty: bool,
    /// `IIN_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: usize,
    /// `IIN_SHUTDOWN_TIMEOUT_SECS`: how long in-flight requests may finish after SIGTERM (default 10).
    pub shutdown_timeout: Duration,
    /// `IIN_REFERRAL_EXPIRY_DAYS`: a financing referral the bank has not acknowledged within this
    /// many days reads as `EXPIRED` (default 60, at least 1).
    pub referral_expiry_days: u32,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `DATABASE_URL`: `sqlite://FILE?mode=rwc` (default `sqlite://iin-api.sqlite?mode=rwc`) or
    /// `postgres://USER@HOST/DB`.
    pub url: String,
    /// `IIN_DB_MAX_CONNECTIONS` (default: `IIN_MAX_CONCURRENT_OPERATIONS`, 16).
    pub max_connections: u32,
    /// `IIN_DB_ACQUIRE_TIMEOUT_MS`: how long a request waits for a connection (default 3000).
    pub acquire_timeout: Duration,
    /// `IIN_DB_STATEMENT_TIMEOUT_MS`: PostgreSQL `statement_timeout` (default 5000).
    pub statement_timeout: Duration,
    /// `DATABASE_REPLICA_URL`: a PostgreSQL streaming replica of `DATABASE_URL` that queries of
    /// anonymous callers and of plain members read from (none by default).
    pub replica_url: Option<String>,
    /// `IIN_REPLICA_MAX_LAG_MS`: a replica further behind the primary than this is skipped until
    /// it catches up (default 5000).
    pub replica_max_lag: Duration,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// `IIN_MAX_BODY_BYTES`: the largest request body accepted (default 65536).
    pub max_body_bytes: usize,
    /// `IIN_GRAPHIQL`: serve GraphiQL to browsers that GET `/graphql` (default `true`).
    pub graphiql: bool,
    /// `IIN_DATALOADER_DELAY_MS`: how long a request's loaders gather keys before one batched
    /// query (default 1). Lists load their relations ahead (`graphql::prefetch`), so this only
    /// paces fields outside lists and in mutations.
    pub dataloader_delay: Duration,
    /// `IIN_CACHE_MAX_AGE_SECS`: how long shared caches may keep an anonymous GET reply
    /// (default 60); also the longest the response cache keeps a reply.
    pub cache_max_age: Duration,
    /// `IIN_RESPONSE_CACHE_MB`: megabytes of anonymous replies kept in this process's response
    /// cache (default 64; 0 turns the cache off).
    pub response_cache_mb: u64,
    /// `IIN_CORS_ORIGINS`: origins whose browsers may call the API, comma-separated, or `*`
    /// (default `*`).
    pub cors_origins: Vec<String>,
    /// `IIN_CORS_ALLOW_HEADERS`: request headers a partner's browser may send, comma-separated
    /// (default [`DEFAULT_CORS_ALLOW_HEADERS`]: what Apollo Client, urql, Relay and W3C tracing
    /// send); stored lowercase.
    pub cors_allow_headers: Vec<String>,
    /// `IIN_SAFELIST`: only operations registered with `iin-api safelist add` run (default
    /// `false`: any document, and APQ clients register theirs).
    pub safelist: bool,
    /// `IIN_BODY_TIMEOUT_MS`: how long a request body may take to arrive; a slower one is cut
    /// off with 408 (default 10000).
    pub body_timeout: Duration,
    /// Automatic persisted queries: who may register documents, and how many are kept.
    pub apq: ApqSettings,
    pub rate_limit: RateLimitSettings,
    pub limits: QueryLimits,
}

/// Requests each client may make per minute, counted in this process (0: no limit).
#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    /// `IIN_RATE_LIMIT_PER_MINUTE`: per token subject (default 600).
    pub per_minute: u32,
    /// `IIN_RATE_LIMIT_ANONYMOUS_PER_MINUTE`: per client address, for callers without a token
    /// (default 300).
    pub anonymous_per_minute: u32,
    /// `IIN_TRUSTED_PROXIES`: addresses or networks (`10.0.0.0/8`) of the proxies whose
    /// `X-Forwarded-For` names the client; none by default (the peer is the client).
    pub trusted_proxies: Vec<IpNetwork>,
}

/// An IP address, or a network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    pub address: IpAddr,
    pub prefix: u8,
}

impl IpNetwork {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNetwork {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let address: IpAddr = address.parse().map_err(|_| ())?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse().map_err(|_| ())?,
            None => max,
        };
        if prefix > max {
            return Err(());
        }
        Ok(Self { address, prefix })
    }
}

/// Who may register automatic persisted queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApqRegister {
    /// Any caller, anonymous ones included.
    Everyone,
    /// Callers with a token.
    Members,
    /// Nobody: only documents already stored (or on the safelist) run by hash.
    Off,
}

/// The automatic persisted-query store: bounded, the oldest documents evicted first. Safelisted
/// (registered) documents are never evicted and do not count.
#[derive(Debug, Clone)]
pub struct ApqSettings {
    /// `IIN_APQ_REGISTER`: `everyone` (default), `members` or `off`.
    pub register: ApqRegister,
    /// `IIN_APQ_MAX_ENTRIES`: documents kept (default 1000).
    pub max_entries: usize,
    /// `IIN_APQ_MAX_BYTES`: their total size in bytes (default 4194304).
    pub max_bytes: usize,
}

/// What one request may cost; over a limit, it is refused before it runs.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// `IIN_MAX_TOKENS`: lexical tokens in the document (default 2000).
    pub max_tokens: usize,
    /// `IIN_MAX_ALIASES`: aliased fields (default 30).
    pub max_aliases: usize,
    /// `IIN_MAX_DEPTH`: nesting depth (default 15).
    pub max_depth: usize,
    /// `IIN_MAX_COMPLEXITY`: fields counted with connections at `first`/`last` (default 20)
    /// times their selection (default 10000).
    pub max_complexity: usize,
    /// `IIN_MAX_BATCH_SIZE`: operations in one POST sent as a JSON array (default 1: a batch may
    /// hold only one).
    pub max_batch_size: usize,
    /// `IIN_REQUEST_TIMEOUT_MS`: execution time, waiting for a turn included (default 10000).
    pub timeout: Duration,
    /// `IIN_MAX_CONCURRENT_OPERATIONS`: operations executing at once; the rest wait their turn, in
    /// order of arrival (default 16). Two cores gain nothing from more, while each operation in
    /// flight holds its rows and its reply in memory.
    pub max_concurrent_operations: usize,
    /// `IIN_INTROSPECTION`: `everyone` (default) or `members` (closed to anonymous callers).
    pub introspection_for_anonymous: bool,
}

#[derive(Clone)]
pub struct AuthSettings {
    /// `IIN_JWT_SECRET`: the HS256 secret (at least 32 bytes); none by default.
    pub jwt_secret: Option<String>,
    /// `IIN_JWKS_FILE` or `IIN_JWKS_URL`: public keys for RS256/ES256 tokens.
    pub jwks: Option<JwksSource>,
    /// `IIN_JWKS_REFRESH_SECS`: how often the JWKS is re-read (default 300).
    pub jwks_refresh: Duration,
    /// `IIN_JWKS_MIN_REFRESH_SECS`: a token with an unknown `kid` re-reads the JWKS early, at most
    /// this often (default 30).
    pub jwks_min_refresh: Duration,
    /// `IIN_JWT_ALGORITHMS`: accepted algorithms, comma-separated, among HS256, RS256 and ES256
    /// (default: HS256 with a secret, RS256 and ES256 with a JWKS).
    pub algorithms: Vec<Algorithm>,
    /// `IIN_JWT_ISSUER`: when set, tokens must carry exactly this `iss`.
    pub issuer: Option<String>,
    /// `IIN_JWT_AUDIENCE`: when set, tokens must carry this `aud`.
    pub audience: Option<String>,
    /// `IIN_JWT_LEEWAY_SECS`: clock skew allowed on `exp` and `nbf` (default 5, at most 60).
    pub leeway: Duration,
    /// `IIN_NETWORK_INSTITUTION`: the only institution where `network_admin` is honoured
    /// (default `iin-japan`).
    pub network_institution: String,
    /// `IIN_JWT_TYPES`: the header `typ` values accepted when a token has one, compared
    /// case-insensitively (default `JWT,at+jwt`); stored lowercase.
    pub token_types: Vec<String>,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("jwks", &self.jwks)
            .field("algorithms", &self.algorithms)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .field("network_institution", &self.network_institution)
            .field("token_types", &self.token_types)
            .finish()
    }
}

pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct SettingsError {
    pub name: &'static str,
    pub problem: String,
}

/// The request headers browsers may send cross-origin by default: the token and the body's type,
/// conditional GETs, Apollo's client awareness, W3C trace context, request ids, and the
/// institution a request acts for (`IIN-Institution`).
pub const DEFAULT_CORS_ALLOW_HEADERS: &str = "authorization,content-type,accept,if-none-match,\
apollographql-client-name,apollographql-client-version,traceparent,tracestate,baggage,x-request-id,\
iin-institution";

pub const DEFAULT_DATABASE_URL: &str = "sqlite://iin-api.sqlite?mode=rwc";

impl Settings {
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
        // As many connections as operations may run at once, so that none of them waits for a
        // connection while the database has room (measured in BENCHMARKS.md: ten made the
        // evaluation feed and the directory page 10–25 % slower at 16 requests in flight).
        let max_concurrent_operations = parse("IIN_MAX_CONCURRENT_OPERATIONS", "16")?.max(1);
        let max_connections = parse(
            "IIN_DB_MAX_CONNECTIONS",
            &max_concurrent_operations.to_string(),
        )?;
        if max_connections == 0 {
            return Err(SettingsError {
                name: "IIN_DB_MAX_CONNECTIONS",
                problem: "must be at least 1".to_owned(),
            });
        }
        let replica_url = get("DATABASE_REPLICA_URL");
        if let Some(replica) = &replica_url
            && !(url.starts_with("postgres") && replica.starts_with("postgres"))
        {
            return Err(SettingsError {
                name: "DATABASE_REPLICA_URL",
                problem: "a replica is a postgres:// URL, beside a postgres:// DATABASE_URL"
                    .to_owned(),
            });
        }
        let workers = match get("IIN_WORKERS") {
            Some(_) => parse("IIN_WORKERS", "1")? as usize,
            None => std::thread::available_parallelism().map_or(2, |n| n.get()),
        };

        let auth = auth_settings(&get, &parse)?;

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
                replica_url,
                replica_max_lag: Duration::from_millis(parse("IIN_REPLICA_MAX_LAG_MS", "5000")?),
            },
            http: HttpSettings {
                max_body_bytes: parse("IIN_MAX_BODY_BYTES", "65536")? as usize,
                graphiql: boolean("IIN_GRAPHIQL", true)?,
                dataloader_delay: Duration::from_millis(parse("IIN_DATALOADER_DELAY_MS", "1")?),
                cache_max_age: Duration::from_secs(parse("IIN_CACHE_MAX_AGE_SECS", "60")?),
                response_cache_mb: parse("IIN_RESPONSE_CACHE_MB", "64")?,
                cors_origins: get("IIN_CORS_ORIGINS")
                    .unwrap_or_else(|| "*".to_owned())
                    .split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect(),
                cors_allow_headers: header_names(
                    "IIN_CORS_ALLOW_HEADERS",
                    &get("IIN_CORS_ALLOW_HEADERS")
                        .unwrap_or_else(|| DEFAULT_CORS_ALLOW_HEADERS.to_owned()),
                )?,
                safelist: boolean("IIN_SAFELIST", false)?,
                body_timeout: Duration::from_millis(parse("IIN_BODY_TIMEOUT_MS", "10000")?.max(1)),
                apq: ApqSettings {
                    register: match get("IIN_APQ_REGISTER").as_deref().map(str::trim) {
                        None | Some("everyone") => ApqRegister::Everyone,
                        Some("members") => ApqRegister::Members,
                        Some("off") => ApqRegister::Off,
                        Some(other) => {
                            return Err(SettingsError {
                                name: "IIN_APQ_REGISTER",
                                problem: format!(
                                    "expected everyone, members or off, got {other:?}"
                                ),
                            });
                        }
                    },
                    max_entries: parse("IIN_APQ_MAX_ENTRIES", "1000")? as usize,
                    max_bytes: parse("IIN_APQ_MAX_BYTES", "4194304")? as usize,
                },
                rate_limit: RateLimitSettings {
                    per_minute: parse("IIN_RATE_LIMIT_PER_MINUTE", "600")?.min(u64::from(u32::MAX))
                        as u32,
                    anonymous_per_minute: parse("IIN_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "300")?
                        .min(u64::from(u32::MAX)) as u32,
                    trusted_proxies: get("IIN_TRUSTED_PROXIES")
                        .unwrap_or_default()
                        .split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| {
                            p.parse().map_err(|()| SettingsError {
                                name: "IIN_TRUSTED_PROXIES",
                                problem: format!("{p:?} is not an IP address or network"),
                            })
                        })
                        .collect::<Result<_, _>>()?,
                },
                limits: QueryLimits {
                    max_tokens: parse("IIN_MAX_TOKENS", "2000")? as usize,
                    max_aliases: parse("IIN_MAX_ALIASES", "30")? as usize,
                    max_depth: parse("IIN_MAX_DEPTH", "15")? as usize,
                    max_complexity: parse("IIN_MAX_COMPLEXITY", "10000")? as usize,
                    max_batch_size: parse("IIN_MAX_BATCH_SIZE", "1")?.max(1) as usize,
                    timeout: Duration::from_millis(
                        parse("IIN_REQUEST_TIMEOUT_MS", "10000")?.max(1),
                    ),
                    max_concurrent_operations: max_concurrent_operations as usize,
                    introspection_for_anonymous: match get("IIN_INTROSPECTION")
                        .as_deref()
                        .map(str::trim)
                    {
                        None | Some("everyone") => true,
                        Some("members") => false,
                        Some(other) => {
                            return Err(SettingsError {
                                name: "IIN_INTROSPECTION",
                                problem: format!("expected everyone or members, got {other:?}"),
                            });
                        }
                    },
                },
            },
            auth,
            seed_when_empty: boolean("IIN_SEED_WHEN_EMPTY", true)?,
            workers: workers.max(1),
            shutdown_timeout: Duration::from_secs(parse("IIN_SHUTDOWN_TIMEOUT_SECS", "10")?),
            referral_expiry_days: match parse("IIN_REFERRAL_EXPIRY_DAYS", "60")? {
                days @ 1..=36_500 => days as u32,
                _ => {
                    return Err(SettingsError {
                        name: "IIN_REFERRAL_EXPIRY_DAYS",
                        problem: "expected a number of days from 1 to 36500".to_owned(),
                    });
                }
            },
        })
    }
}

/// A comma-separated list of HTTP header names, lowercase; a name that is not one is refused.
fn header_names(name: &'static str, list: &str) -> Result<Vec<String>, SettingsError> {
    list.split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .map(|h| {
            actix_web::http::header::HeaderName::from_bytes(h.as_bytes())
                .map(|_| h.clone())
                .map_err(|_| SettingsError {
                    name,
                    problem: format!("{h:?} is not a header name"),
                })
        })
        .collect()
}

fn auth_settings(
    get: &dyn Fn(&'static str) -> Option<String>,
    parse: &dyn Fn(&'static str, &str) -> Result<u64, SettingsError>,
) -> Result<AuthSettings, SettingsError> {
    let refuse = |name, problem: &str| SettingsError {
        name,
        problem: problem.to_owned(),
    };
    let jwt_secret = get("IIN_JWT_SECRET");
    if jwt_secret
        .as_ref()
        .is_some_and(|s| s.len() < MIN_SECRET_BYTES)
    {
        return Err(refuse(
            "IIN_JWT_SECRET",
            "an HS256 secret must be at least 32 bytes",
        ));
    }
    let jwks = match (get("IIN_JWKS_FILE"), get("IIN_JWKS_URL")) {
        (Some(_), Some(_)) => {
            return Err(refuse(
                "IIN_JWKS_URL",
                "set IIN_JWKS_FILE or IIN_JWKS_URL, not both",
            ));
        }
        (Some(file), None) => Some(JwksSource::File(PathBuf::from(file))),
        (None, Some(url)) if url.starts_with("https://") || url.starts_with("http://") => {
            Some(JwksSource::Url(url))
        }
        (None, Some(_)) => return Err(refuse("IIN_JWKS_URL", "expected an https:// URL")),
        (None, None) => None,
    };
    let algorithms = match get("IIN_JWT_ALGORITHMS") {
        Some(list) => list
            .split(',')
            .map(|name| match name.trim() {
                "HS256" => Ok(Algorithm::HS256),
                "RS256" => Ok(Algorithm::RS256),
                "ES256" => Ok(Algorithm::ES256),
                other => Err(refuse(
                    "IIN_JWT_ALGORITHMS",
                    &format!("{other:?} is not one of HS256, RS256, ES256"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => {
            let mut defaults = Vec::new();
            if jwt_secret.is_some() {
                defaults.push(Algorithm::HS256);
            }
            if jwks.is_some() {
                defaults.extend([Algorithm::RS256, Algorithm::ES256]);
            }
            defaults
        }
    };
    if algorithms.contains(&Algorithm::HS256) && jwt_secret.is_none() {
        return Err(refuse("IIN_JWT_ALGORITHMS", "HS256 needs IIN_JWT_SECRET"));
    }
    if algorithms.iter().any(|a| *a != Algorithm::HS256) && jwks.is_none() {
        return Err(refuse(
            "IIN_JWT_ALGORITHMS",
            "RS256 and ES256 need IIN_JWKS_FILE or IIN_JWKS_URL",
        ));
    }
    let leeway = parse("IIN_JWT_LEEWAY_SECS", "5")?;
    if leeway > 60 {
        return Err(refuse("IIN_JWT_LEEWAY_SECS", "at most 60 seconds"));
    }
    Ok(AuthSettings {
        jwt_secret,
        jwks,
        jwks_refresh: Duration::from_secs(parse("IIN_JWKS_REFRESH_SECS", "300")?.max(10)),
        jwks_min_refresh: Duration::from_secs(parse("IIN_JWKS_MIN_REFRESH_SECS", "30")?),
        algorithms,
        issuer: get("IIN_JWT_ISSUER"),
        audience: get("IIN_JWT_AUDIENCE"),
        leeway: Duration::from_secs(leeway),
        network_institution: get("IIN_NETWORK_INSTITUTION")
            .unwrap_or_else(|| "iin-japan".to_owned()),
        token_types: get("IIN_JWT_TYPES")
            .unwrap_or_else(|| "JWT,at+jwt".to_owned())
            .split(',')
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
    })
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
    fn the_pool_holds_a_connection_for_each_operation_that_may_run() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.database.max_connections, 16);
        assert_eq!(s.http.limits.max_concurrent_operations, 16);
        let s = settings(&[("IIN_MAX_CONCURRENT_OPERATIONS", "40")]).unwrap();
        assert_eq!(s.database.max_connections, 40);
        let s = settings(&[
            ("IIN_MAX_CONCURRENT_OPERATIONS", "40"),
            ("IIN_DB_MAX_CONNECTIONS", "12"),
        ])
        .unwrap();
        assert_eq!(s.database.max_connections, 12);
        assert_eq!(s.http.limits.max_concurrent_operations, 40);
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
        assert_eq!(
            settings(&[("IIN_APQ_REGISTER", "anyone")])
                .unwrap_err()
                .name,
            "IIN_APQ_REGISTER"
        );
    }

    #[test]
    fn the_response_cache_and_the_replica_are_configured_by_their_variables() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.http.response_cache_mb, 64);
        assert_eq!(s.database.replica_url, None);
        assert_eq!(s.database.replica_max_lag, Duration::from_millis(5000));
        let s = settings(&[
            ("IIN_RESPONSE_CACHE_MB", "0"),
            ("DATABASE_URL", "postgres://api@primary/iin"),
            ("DATABASE_REPLICA_URL", "postgres://api@replica/iin"),
            ("IIN_REPLICA_MAX_LAG_MS", "800"),
        ])
        .unwrap();
        assert_eq!(s.http.response_cache_mb, 0);
        assert_eq!(
            s.database.replica_url.as_deref(),
            Some("postgres://api@replica/iin")
        );
        assert_eq!(s.database.replica_max_lag, Duration::from_millis(800));
        // A replica of SQLite does not exist.
        assert_eq!(
            settings(&[("DATABASE_REPLICA_URL", "postgres://api@replica/iin")])
                .unwrap_err()
                .name,
            "DATABASE_REPLICA_URL"
        );
        assert_eq!(
            settings(&[("IIN_RESPONSE_CACHE_MB", "lots")])
                .unwrap_err()
                .name,
            "IIN_RESPONSE_CACHE_MB"
        );
    }

    #[test]
    fn apq_registration_and_token_types_have_safe_defaults() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.http.apq.register, ApqRegister::Everyone);
        assert_eq!(s.auth.token_types, ["jwt", "at+jwt"]);
        assert_eq!(s.http.body_timeout, Duration::from_secs(10));
        let s = settings(&[
            ("IIN_APQ_REGISTER", "members"),
            ("IIN_JWT_TYPES", " JWT , "),
        ])
        .unwrap();
        assert_eq!(s.http.apq.register, ApqRegister::Members);
        assert_eq!(s.auth.token_types, ["jwt"]);
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let s = settings(&[("IIN_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7, ::1")]).unwrap();
        let proxies = &s.http.rate_limit.trusted_proxies;
        assert!(proxies[0].contains("10.1.2.3".parse().unwrap()));
        assert!(!proxies[0].contains("11.1.2.3".parse().unwrap()));
        assert!(proxies[0].contains("::ffff:10.9.9.9".parse().unwrap()));
        assert!(proxies[1].contains("192.168.1.7".parse().unwrap()));
        assert!(!proxies[1].contains("192.168.1.8".parse().unwrap()));
        assert!(proxies[2].contains("::1".parse().unwrap()));
        assert_eq!(s.http.rate_limit.per_minute, 600);
        assert_eq!(s.http.rate_limit.anonymous_per_minute, 300);
        for bad in ["10.0.0.0/33", "proxy.local", "1.2.3.4/x"] {
            assert_eq!(
                settings(&[("IIN_TRUSTED_PROXIES", bad)]).unwrap_err().name,
                "IIN_TRUSTED_PROXIES"
            );
        }
    }

    #[test]
    fn cors_headers_default_to_what_clients_send_and_are_checked() {
        let s = settings(&[]).unwrap();
        for header in ["apollographql-client-name", "traceparent", "x-request-id"] {
            assert!(s.http.cors_allow_headers.iter().any(|h| h == header));
        }
        let s = settings(&[("IIN_CORS_ALLOW_HEADERS", "Authorization, X-Custom")]).unwrap();
        assert_eq!(s.http.cors_allow_headers, ["authorization", "x-custom"]);
        assert_eq!(
            settings(&[("IIN_CORS_ALLOW_HEADERS", "bad header")])
                .unwrap_err()
                .name,
            "IIN_CORS_ALLOW_HEADERS"
        );
    }
}
