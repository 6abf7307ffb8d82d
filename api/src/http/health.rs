use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The process can serve: the database answers within two seconds.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check: database unavailable");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable" }))
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer in time");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable" }))
        }
    }
}
