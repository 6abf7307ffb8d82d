//! The IIN Japan API: [`Application::build`] turns [`Settings`] into a running server. `main` and
//! the end-to-end tests build it the same way.

// The schema's merged root objects nest deeply in the release build's async types.
#![recursion_limit = "256"]

pub mod auth;
pub mod cli;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
mod http;
pub mod seed;
pub mod settings;
pub mod telemetry;

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, web};
use auth::{jwks::KeyStore, token::Verifier};
use domain::events::EventBus;
use sea_orm::{DatabaseConnection, DbErr};
pub use settings::Settings;
use tracing_actix_web::TracingLogger;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("token verification: {0}")]
    Keys(#[from] auth::jwks::JwksError),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects, migrates, seeds an empty database, and binds — ready to run.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db = db::connect(&settings.database).await?;
        db::prepare(&db, settings.seed_when_empty).await?;
        Self::with_database(settings, db).await
    }

    /// Binds on a database that is already prepared.
    pub async fn with_database(
        settings: Settings,
        mut db: DatabaseConnection,
    ) -> Result<Self, StartupError> {
        let metrics = http::metrics::Metrics::new();
        metrics.observe_statements(&mut db);
        let keys = match &settings.auth.jwks {
            Some(source) => {
                let auth = &settings.auth;
                let keys = KeyStore::load(
                    source.clone(),
                    auth.algorithms.clone(),
                    auth.jwks_min_refresh,
                )
                .await?;
                keys.spawn_refresh(settings.auth.jwks_refresh);
                Some(keys)
            }
            None => None,
        };
        let events = EventBus::new(db.get_database_backend());
        events.spawn_listener(&db);
        let referral_policy = domain::referrals::ReferralPolicy::new(settings.referral_expiry_days);
        let institutions = std::sync::Arc::new(http::Institutions::default());
        institutions.follow(&events);
        let replica = match &settings.database.replica_url {
            Some(url) => Some(db::replica::Replica::start(
                &settings.database,
                url,
                &db,
                metrics.replica_in_use(),
                |replica| metrics.observe_statements(replica),
            )?),
            None => None,
        };
        let responses = http::response_cache::ResponseCache::new(
            settings.http.response_cache_mb,
            settings.http.cache_max_age,
            metrics.response_cache(),
        );
        let listener = TcpListener::bind(settings.listen)?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(http::AppState {
            schemas: http::Schemas::build(|serving| {
                graphql::build_schema(
                    db.clone(),
                    events.clone(),
                    &settings.http.limits,
                    referral_policy,
                    serving,
                )
            }),
            events,
            db,
            http: settings.http.clone(),
            verifier: Verifier::new(&settings.auth, keys),
            network_institution: settings.auth.network_institution.clone(),
            metrics,
            turns: tokio::sync::Semaphore::new(settings.http.limits.max_concurrent_operations),
            institutions,
            rate: http::RateLimiter::new(settings.http.rate_limit.clone()),
            responses,
            documents: http::documents::Documents::default(),
            replica,
        });
        let cors = settings.http.cors_origins.clone();
        let cors_headers = settings.http.cors_allow_headers.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(actix_web::middleware::from_fn(http::metrics::measure))
                .wrap(actix_web::middleware::from_fn(
                    http::replies::small_stays_identity,
                ))
                .wrap(http::cors(&cors, &cors_headers))
                // gzip or brotli as `Accept-Encoding` asks, for replies of 1 KiB or more.
                .wrap(actix_web::middleware::Compress::default())
                .wrap(actix_web::middleware::from_fn(http::replies::stamp))
                .wrap(TracingLogger::<http::replies::RequestSpan>::new())
                .configure(http::routes)
        })
        .workers(settings.workers)
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
