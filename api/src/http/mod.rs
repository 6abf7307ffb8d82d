//! Routes: `/graphql` (POST and GET; WebSocket subscriptions; GraphiQL for browsers), GraphiQL's
//! assets under `/graphiql/`, `/healthz`, `/readyz`, `/metrics`.

mod admission;
mod auth;
pub mod documents;
mod graphiql;
mod graphql;
mod health;
mod input_text;
mod limits;
pub mod metrics;
mod rate;
mod refusal;
pub mod replies;
pub mod response_cache;
mod subscriptions;
mod variables;

pub use auth::Institutions;
pub use rate::RateLimiter;

use actix_web::{guard, web};
use sea_orm::DatabaseConnection;

use crate::{
    auth::token::Verifier,
    graphql::{AppSchema, Serving},
    settings::HttpSettings,
};

/// The schema, four times: the same types and resolvers, with and without "did you mean"
/// suggestions in validation errors, and with and without the extension that stores a newly
/// registered persisted query (async-graphql sets both per schema; see [`Serving`]). Callers to
/// whom introspection is closed get a schema without suggestions, so that misspelt names reveal
/// nothing either; only a request that registers a document gets one with the extension.
/// Measured: a schema costs about 0.7 MB and 25 ms at start (debug build), nothing per request;
/// rewriting error messages instead would depend on async-graphql's wording.
pub struct Schemas {
    open: AppSchema,
    without_suggestions: AppSchema,
    open_storing: AppSchema,
    without_suggestions_storing: AppSchema,
}

impl Schemas {
    /// Builds the schema for each way of serving.
    pub fn build(mut build: impl FnMut(Serving) -> AppSchema) -> Self {
        let mut with = |suggestions, stores_documents| {
            build(Serving {
                suggestions,
                stores_documents,
            })
        };
        Self {
            open: with(true, false),
            without_suggestions: with(false, false),
            open_storing: with(true, true),
            without_suggestions_storing: with(false, true),
        }
    }

    pub fn get(&self, serving: Serving) -> &AppSchema {
        match (serving.suggestions, serving.stores_documents) {
            (true, false) => &self.open,
            (false, false) => &self.without_suggestions,
            (true, true) => &self.open_storing,
            (false, true) => &self.without_suggestions_storing,
        }
    }
}

pub struct AppState {
    pub schemas: Schemas,
    pub db: DatabaseConnection,
    pub http: HttpSettings,
    pub verifier: Verifier,
    /// The only institution where `network_admin` is honoured.
    pub network_institution: String,
    pub metrics: metrics::Metrics,
    /// One permit per operation allowed to execute at once (`IIN_MAX_CONCURRENT_OPERATIONS`).
    pub turns: tokio::sync::Semaphore,
    /// Institutions' ids by code, as tokens name them.
    pub institutions: std::sync::Arc<Institutions>,
    /// Every instance's events: sockets end when their institution is suspended.
    pub events: crate::domain::events::EventBus,
    /// Requests per minute per client (`IIN_RATE_LIMIT_*`).
    pub rate: rate::RateLimiter,
    /// Anonymous replies kept in memory (`IIN_RESPONSE_CACHE_MB`).
    pub responses: response_cache::ResponseCache,
    /// Parsed documents, by their text.
    pub documents: documents::Documents,
    /// The read replica (`DATABASE_REPLICA_URL`), if there is one.
    pub replica: Option<crate::db::replica::Replica>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(
                web::get()
                    .guard(guard::fn_guard(|ctx| {
                        ctx.head()
                            .headers()
                            .get("upgrade")
                            .and_then(|v| v.to_str().ok())
                            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
                    }))
                    .to(subscriptions::websocket),
            )
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .route(web::route().to(graphql::method_not_allowed)),
    )
    .route("/graphiql/{name}", web::get().to(graphiql::asset))
    .route("/metrics", web::get().to(metrics::metrics))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz));
}

/// Cross-origin access for partner websites' browsers: any origin by default (no cookies are
/// used, a token travels in a header), or only the listed ones. A preflight asking for a header
/// not in `IIN_CORS_ALLOW_HEADERS` is refused, so the defaults cover what real clients send.
pub fn cors(origins: &[String], allow_headers: &[String]) -> actix_cors::Cors {
    use actix_web::http::{Method, header};
    let cors = actix_cors::Cors::default()
        .allowed_methods([Method::GET, Method::POST])
        .allowed_headers(allow_headers.iter().map(String::as_str))
        .expose_headers([
            header::ETAG,
            header::WWW_AUTHENTICATE,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        cors.allow_any_origin()
    } else {
        origins
            .iter()
            .fold(cors, |cors, origin| cors.allowed_origin(origin))
    }
}
