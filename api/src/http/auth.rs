//! Authentication in transport: `Authorization: Bearer <jwt>` becomes a [`Caller`]. No header is
//! an anonymous caller; a header that does not verify ends the request with 401 before anything
//! runs. Tokens are never logged; the reason a token was refused is, at debug level.

use std::{
    collections::HashMap,
    sync::{
        RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

use actix_web::{HttpRequest, http::StatusCode, http::header};

use entity::enums::Membership;

use super::{AppState, refusal::Refusal};
use crate::{
    auth::{Affiliation, Caller, Principal, Role},
    domain::{directory, events::EventBus},
    error::ErrorCode,
};

fn unauthenticated(message: &str) -> Refusal {
    Refusal::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        message,
    )
}

pub async fn authenticate(req: &HttpRequest, state: &AppState) -> Result<Caller, Refusal> {
    Ok(authenticate_session(req, state).await?.caller)
}

/// The header that names the institution a request acts for, when the token gives roles at
/// several (graphql-ws clients send it in `connectionParams` instead).
pub const INSTITUTION_HEADER: &str = "IIN-Institution";

/// A caller and how long its token lasts: what a long-lived connection needs to end on time.
pub struct Session {
    pub caller: Caller,
    /// The token's `exp` (seconds since the epoch); `None` for an anonymous caller.
    pub expires_at: Option<u64>,
}

impl Session {
    pub(super) fn anonymous() -> Self {
        Self {
            caller: Caller::Anonymous,
            expires_at: None,
        }
    }
}

/// Like [`authenticate`], with the token's expiry.
pub async fn authenticate_session(req: &HttpRequest, state: &AppState) -> Result<Session, Refusal> {
    let Some(token) = bearer(req)? else {
        return Ok(Session::anonymous());
    };
    token_session(state, &token, chosen_institution(req)?.as_deref()).await
}

/// The bearer token of a request, if it sends one; a malformed `Authorization` header is a 401.
pub fn bearer(req: &HttpRequest) -> Result<Option<String>, Refusal> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .map(|token| Some(token.to_owned()))
        .ok_or_else(|| unauthenticated("send the token as Authorization: Bearer <token>"))
}

/// The institution the request's `IIN-Institution` header names, if it has one.
pub fn chosen_institution(req: &HttpRequest) -> Result<Option<String>, Refusal> {
    let Some(value) = req.headers().get(INSTITUTION_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(|code| Some(code.to_owned()))
        .ok_or_else(|| {
            Refusal::institution_required(format!(
                "{INSTITUTION_HEADER} must name an institution by its directory code"
            ))
        })
}

/// Verifies a bearer token and decides the one institution the request acts for: the only one
/// the token names, or the one `chosen` (the `IIN-Institution` header, or graphql-ws
/// `connectionParams`) names among the token's affiliations. Every transport comes here: a token
/// with several affiliations and no choice is a 400 (`INSTITUTION_REQUIRED`), a choice the token
/// does not hold a 403 (`INSTITUTION_NOT_HELD`). A suspended institution's tokens are refused.
pub async fn token_session(
    state: &AppState,
    token: &str,
    chosen: Option<&str>,
) -> Result<Session, Refusal> {
    let claims = state.verifier.verify(token).await.map_err(|reason| {
        tracing::debug!(%reason, "token refused");
        unauthenticated("invalid token")
    })?;
    let affiliations = claims.affiliations();
    if affiliations.iter().any(|(code, roles)| {
        roles.contains(&Role::NetworkAdmin) && *code != state.network_institution
    }) {
        tracing::debug!("network_admin claimed outside the network");
        return Err(unauthenticated("invalid token"));
    }
    let (code, roles) = match chosen {
        Some(chosen) => affiliations
            .iter()
            .find(|(code, _)| code == chosen)
            .ok_or_else(|| {
                Refusal::institution_not_held(format!(
                    "the token gives no roles at {chosen:?}, the institution {INSTITUTION_HEADER} \
                     names"
                ))
            })?,
        None => match affiliations.as_slice() {
            [only] => only,
            _ => {
                let codes: Vec<&str> = affiliations.iter().map(|(c, _)| c.as_str()).collect();
                return Err(Refusal::institution_required(format!(
                    "the token gives roles at several institutions ({}): name the one this \
                     request acts for in the {INSTITUTION_HEADER} header",
                    codes.join(", ")
                )));
            }
        },
    };
    if roles.is_empty() {
        return Err(unauthenticated("the token grants no role this API knows"));
    }
    let (institution_id, membership) = match state.institutions.get(code) {
        Some(known) => known,
        None => {
            let generation = state.institutions.generation();
            let institution = directory::organization_by_code(&state.db, code)
                .await
                .map_err(|err| {
                    tracing::error!(error = %err, "institution lookup failed");
                    Refusal::unavailable()
                })?
                .ok_or_else(|| {
                    unauthenticated("the token's institution is not in the directory")
                })?;
            state.institutions.remember(
                generation,
                &institution.code,
                (institution.id, institution.membership),
            );
            (institution.id, institution.membership)
        }
    };
    if membership == Membership::Suspended {
        tracing::debug!(institution = %code, "the token's institution is suspended");
        return Err(unauthenticated("the token's institution is suspended"));
    }
    Ok(Session {
        caller: Caller::Authenticated(Principal {
            subject: claims.sub.clone(),
            institution_id,
            member: directory::grants_member_rights(membership)
                || *code == state.network_institution,
            institution_code: code.clone(),
            roles: roles.clone(),
            affiliations: affiliations
                .iter()
                .map(|(code, roles)| Affiliation {
                    institution_code: code.clone(),
                    roles: roles.clone(),
                })
                .collect(),
        }),
        expires_at: Some(claims.exp),
    })
}

/// The directory id of each institution tokens have named, and its membership (suspended, or
/// giving members' rights or not). An organisation's code never changes and organisations are not
/// deleted, so a token costs no statement after its institution's first. A membership change reaches every
/// instance as an [`InstitutionEvent`](crate::domain::events::InstitutionEvent), and the
/// institution is forgotten, to be read afresh. Codes not found are not remembered (the
/// organisation may be created meanwhile), so the map holds at most one entry per organisation.
#[derive(Default)]
pub struct Institutions {
    known: RwLock<HashMap<String, (i64, Membership)>>,
    /// Bumped whenever anything is forgotten: a lookup that started before does not remember
    /// what it read, which may predate the change.
    generation: AtomicU64,
}

impl Institutions {
    fn get(&self, code: &str) -> Option<(i64, Membership)> {
        self.known.read().ok()?.get(code).copied()
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn remember(&self, generation: u64, code: &str, known: (i64, Membership)) {
        if let Ok(mut map) = self.known.write()
            && self.generation() == generation
        {
            map.insert(code.to_owned(), known);
        }
    }

    fn forget(&self, code: Option<&str>) {
        if let Ok(mut map) = self.known.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            match code {
                Some(code) => {
                    map.remove(code);
                }
                None => map.clear(),
            }
        }
    }

    /// Forgets each institution whose membership changes, on any instance, for as long as the
    /// process runs.
    pub fn follow(self: &std::sync::Arc<Self>, events: &EventBus) {
        let mut changes = events.subscribe_institutions();
        let institutions = std::sync::Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let change = changes.recv().await;
                let Some(institutions) = institutions.upgrade() else {
                    return;
                };
                match change {
                    Ok(event) => institutions.forget(Some(&event.code)),
                    // Some changes went unseen: forget everything.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        institutions.forget(None)
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }
}
