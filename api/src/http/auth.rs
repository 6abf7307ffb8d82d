//! Authentication in transport: `Authorization: Bearer <jwt>` becomes a [`Caller`]. No header is
//! an anonymous caller; a header that does not verify ends the request with 401 before anything
//! runs. Tokens are never logged; the reason a token was refused is, at debug level.

use std::{collections::HashMap, sync::RwLock};

use actix_web::{HttpRequest, http::StatusCode, http::header};

use super::{AppState, graphql::Refusal};
use crate::{
    auth::{Caller, Principal, Role},
    domain::directory,
    error::ErrorCode,
};

fn unauthenticated(message: &str) -> Refusal {
    Refusal::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated.as_str(),
        message,
    )
}

pub async fn authenticate(req: &HttpRequest, state: &AppState) -> Result<Caller, Refusal> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| unauthenticated("send the token as Authorization: Bearer <token>"))?;
    authenticate_token(state, token).await
}

/// Verifies a bearer token and finds the institution it acts for.
pub async fn authenticate_token(state: &AppState, token: &str) -> Result<Caller, Refusal> {
    let claims = state.verifier.verify(token).await.map_err(|reason| {
        tracing::debug!(%reason, "token refused");
        unauthenticated("invalid token")
    })?;
    let roles = claims.known_roles();
    if roles.is_empty() {
        return Err(unauthenticated("the token grants no role this API knows"));
    }
    if roles.contains(&Role::NetworkAdmin) && claims.institution != state.network_institution {
        tracing::debug!(institution = %claims.institution, "network_admin claimed outside the network");
        return Err(unauthenticated("invalid token"));
    }
    let institution_id = match state.institutions.get(&claims.institution) {
        Some(id) => id,
        None => {
            let institution = directory::organization_by_code(&state.db, &claims.institution)
                .await
                .map_err(|err| {
                    tracing::error!(error = %err, "institution lookup failed");
                    Refusal::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        ErrorCode::ServiceUnavailable.as_str(),
                        "try again shortly",
                    )
                })?
                .ok_or_else(|| {
                    unauthenticated("the token's institution is not in the directory")
                })?;
            state
                .institutions
                .remember(&institution.code, institution.id);
            institution.id
        }
    };
    Ok(Caller::Authenticated(Principal {
        subject: claims.sub,
        institution_id,
        institution_code: claims.institution,
        roles,
    }))
}

/// The directory id of each institution tokens have named. An organisation's code never changes
/// and organisations are not deleted, so an id found once stays right for the life of the
/// process, and a token costs no statement after its institution's first. Codes not found are
/// not remembered (the organisation may be created meanwhile), so the map holds at most one entry
/// per organisation.
#[derive(Default)]
pub struct Institutions(RwLock<HashMap<String, i64>>);

impl Institutions {
    fn get(&self, code: &str) -> Option<i64> {
        self.0.read().ok()?.get(code).copied()
    }

    fn remember(&self, code: &str, id: i64) {
        if let Ok(mut known) = self.0.write() {
            known.insert(code.to_owned(), id);
        }
    }
}
