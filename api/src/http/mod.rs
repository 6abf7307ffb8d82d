//! Routes: `/graphql` (POST and GET; WebSocket subscriptions; GraphiQL for browsers), `/healthz`,
//! `/readyz`.

mod auth;
mod graphql;
mod health;
mod limits;
mod subscriptions;

use actix_web::{guard, web};
use sea_orm::DatabaseConnection;

use crate::{auth::token::Verifier, graphql::AppSchema, settings::HttpSettings};

pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    pub http: HttpSettings,
    pub verifier: Verifier,
    /// The only institution where `network_admin` is honoured.
    pub network_institution: String,
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
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz));
}
