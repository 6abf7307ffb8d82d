//! Writing an answer: what one operation came to ([`Answer`]: it ran, it was answered from the
//! response cache, it could not run, or it was refused), as a reply of its own or as one item of
//! a batch's array.
//!
//! - A reply that ran is 200, or 401 with the bearer challenge when a field needed a token; its
//!   failed fields are present as `null` beside their errors.
//! - A request that could not run is answered without `data`: 400 under
//!   `application/graphql-response+json`, 200 under legacy `application/json`.
//! - Partner websites' anonymous GET queries that ran without errors may be cached by shared
//!   caches and revalidated by a weak ETag (304); anything else is `no-store`.

use std::sync::Arc;

use actix_web::{
    HttpResponse,
    http::{StatusCode, header},
    web::Bytes,
};
use async_graphql::ServerError;
use serde_json::{Map, Value, json};

use super::super::{
    AppState, admission,
    refusal::{BEARER_CHALLENGE, MediaType, Refusal},
    response_cache::Cached,
};
use crate::error::ErrorCode;

/// What a reply depends on besides the request's document: the media type asked for, the
/// caller, and the institution it acts for.
pub(super) const VARY: &str = "Accept, Authorization, IIN-Institution";
/// [`VARY`], for replies the compression middleware may encode.
const VARY_ENCODED: &str = "Accept, Authorization, IIN-Institution, Accept-Encoding";

/// What one operation came to, before it is written.
pub(in crate::http) struct Answer {
    pub media: MediaType,
    pub outcome: Outcome,
    /// Shared caches may keep the reply: an anonymous GET (when it ran without errors).
    pub public: bool,
}

pub(in crate::http) enum Outcome {
    /// It ran: its data, with the errors of the fields that failed.
    Ran(async_graphql::Response),
    /// It ran without errors, now or earlier, for an anonymous caller: the response cache's
    /// copy, with its validator.
    Cached(Arc<Cached>),
    /// It could not run (parse, validation, variables): its errors, coded.
    Failed(Vec<ServerError>),
    /// It was refused with an HTTP status of its own.
    Refused(Refusal),
}

impl Answer {
    /// A request error: errors without a code get `code`.
    pub(super) fn failed(media: MediaType, mut errors: Vec<ServerError>, code: ErrorCode) -> Self {
        admission::label(&mut errors, code);
        Self {
            media,
            outcome: Outcome::Failed(errors),
            public: false,
        }
    }

    pub(super) fn refused(media: MediaType, refusal: Refusal) -> Self {
        Self {
            media,
            outcome: Outcome::Refused(refusal),
            public: false,
        }
    }

    /// Written as a reply of its own; `if_none_match` may turn a public reply into a 304.
    pub(super) fn respond(self, state: &AppState, if_none_match: Option<&str>) -> HttpResponse {
        let media = self.media;
        match self.written(state) {
            Written::Refused(refusal) => refusal.respond(media),
            Written::Failed(text) => {
                let status = match media {
                    MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
                    MediaType::Json => StatusCode::OK,
                };
                HttpResponse::build(status)
                    .insert_header((header::CONTENT_TYPE, media.content_type()))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .body(text)
            }
            Written::Ran {
                text,
                etag: known,
                unauthenticated,
                public,
            } => {
                let mut reply = success_or_unauthorized(unauthenticated);
                reply.insert_header((header::CONTENT_TYPE, media.content_type()));
                reply.insert_header((header::VARY, VARY_ENCODED));
                if public {
                    let etag = known.unwrap_or_else(|| etag(&text));
                    let cache = format!("public, max-age={}", state.http.cache_max_age.as_secs());
                    reply.insert_header((header::CACHE_CONTROL, cache.clone()));
                    reply.insert_header((header::ETAG, etag.clone()));
                    if if_none_match.is_some_and(|tags| matches_weakly(tags, &etag)) {
                        return not_modified(etag, cache);
                    }
                } else {
                    reply.insert_header((header::CACHE_CONTROL, "no-store"));
                }
                reply.body(text)
            }
        }
    }

    /// Written as one item of a batch: its JSON text, and whether it needed a token.
    pub(super) fn batch_item(self, state: &AppState) -> (String, bool) {
        match self.written(state) {
            Written::Refused(refusal) => {
                let unauthenticated = refusal.status() == StatusCode::UNAUTHORIZED;
                (refusal.body(), unauthenticated)
            }
            Written::Failed(text) => (text, false),
            Written::Ran {
                text,
                unauthenticated,
                ..
            } => (String::from_utf8_lossy(&text).into_owned(), unauthenticated),
        }
    }

    /// The JSON text, its errors counted.
    fn written(self, state: &AppState) -> Written {
        match self.outcome {
            Outcome::Refused(refusal) => Written::Refused(refusal),
            Outcome::Cached(cached) => Written::Ran {
                text: cached.text.clone(),
                etag: Some(cached.etag.clone()),
                unauthenticated: false,
                public: self.public,
            },
            Outcome::Failed(errors) => {
                let errors = errors_json(errors);
                count_errors(state, Some(&errors));
                Written::Failed(json!({ "errors": errors }).to_string())
            }
            Outcome::Ran(response) => {
                let unauthenticated = unauthenticated(&response);
                let failed = !response.errors.is_empty();
                match ran_text(state, response) {
                    Ok(text) => Written::Ran {
                        text: Bytes::from(text),
                        etag: None,
                        unauthenticated,
                        public: self.public && !failed,
                    },
                    // A reply that cannot be written is a server fault, never an empty 200.
                    Err(err) => {
                        tracing::error!(error = %err, "a reply could not be serialised");
                        state.metrics.error(ErrorCode::InternalServerError.as_str());
                        Written::Refused(Refusal::new(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            ErrorCode::InternalServerError,
                            "the reply could not be written",
                        ))
                    }
                }
            }
        }
    }
}

/// An answer as JSON text.
enum Written {
    Ran {
        text: Bytes,
        /// Known already, for a cached reply.
        etag: Option<String>,
        unauthenticated: bool,
        public: bool,
    },
    Failed(String),
    Refused(Refusal),
}

/// A field that needs a token, asked without one: the request as a whole is unauthorised.
fn unauthenticated(response: &async_graphql::Response) -> bool {
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|code| {
                *code == async_graphql::Value::from(ErrorCode::Unauthenticated.as_str())
            })
    })
}

/// The text of a reply without errors: written straight from the result, without an
/// intermediate tree.
pub(super) fn success_text(response: &async_graphql::Response) -> serde_json::Result<String> {
    serde_json::to_string(&SuccessBody {
        data: &response.data,
        extensions: &response.extensions,
    })
}

/// The text of a reply that ran; its errors are counted.
fn ran_text(state: &AppState, response: async_graphql::Response) -> serde_json::Result<String> {
    if response.errors.is_empty() {
        // Most replies.
        return success_text(&response);
    }
    let mut data = serde_json::to_value(&response.data)?;
    null_failed_fields(&mut data, &response.errors);
    let mut body = Map::new();
    body.insert("data".into(), data);
    body.insert("errors".into(), errors_json(response.errors));
    if !response.extensions.is_empty() {
        body.insert(
            "extensions".into(),
            serde_json::to_value(&response.extensions)?,
        );
    }
    count_errors(state, body.get("errors"));
    Ok(Value::Object(body).to_string())
}

/// 304: the client's copy is current.
fn not_modified(etag: String, cache: String) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, VARY_ENCODED))
        .finish()
}

/// A reply that ran: 200, or 401 with the bearer challenge when a field needed a token.
pub(super) fn success_or_unauthorized(unauthenticated: bool) -> actix_web::HttpResponseBuilder {
    if unauthenticated {
        let mut reply = HttpResponse::Unauthorized();
        reply.insert_header((header::WWW_AUTHENTICATE, BEARER_CHALLENGE));
        reply
    } else {
        HttpResponse::Ok()
    }
}

/// A reply without errors.
#[derive(serde::Serialize)]
struct SuccessBody<'a> {
    data: &'a async_graphql::Value,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// Counts the codes of the errors in a reply.
fn count_errors(state: &AppState, errors: Option<&Value>) {
    for error in errors.and_then(Value::as_array).into_iter().flatten() {
        let code = error["extensions"]["code"].as_str().unwrap_or("UNCODED");
        state.metrics.error(code);
    }
}

/// Whether `If-None-Match` names `etag`, by the weak comparison RFC 9110 (§13.1.2) asks for
/// there: `W/"x"` matches `"x"` (a proxy that compresses, such as nginx, weakens the tags it
/// passes on), and `*` matches any.
pub(in crate::http) fn matches_weakly(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let etag = opaque(etag);
    if_none_match
        .split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == etag)
}

/// A weak validator of a reply body, computed on its JSON text before any compression. Weak, so
/// that it stays right whichever representation carries it: a strong ETag names one exact byte
/// sequence, and the gzip, brotli and identity forms of a reply differ (RFC 9110 §8.8.3.3). One
/// tag for the three keeps 304s and the ETag they repeat consistent whatever a client accepts;
/// `If-None-Match` compares weakly anyway, and nothing here serves byte ranges, the one use
/// strong tags have.
pub(in crate::http) fn etag(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// async-graphql leaves a field that failed out of its parent object; the specification (and
/// Relay) expect it present as `null` beside its error. Puts those nulls back, where the parent
/// object exists.
fn null_failed_fields(data: &mut Value, errors: &[ServerError]) {
    use async_graphql::PathSegment;
    for error in errors {
        let Some((PathSegment::Field(name), parents)) = error.path.split_last() else {
            continue;
        };
        let parent = parents
            .iter()
            .try_fold(&mut *data, |node, segment| match (segment, node) {
                (PathSegment::Field(key), Value::Object(map)) => map.get_mut(key.as_str()),
                (PathSegment::Index(index), Value::Array(list)) => list.get_mut(*index),
                _ => None,
            });
        if let Some(Value::Object(map)) = parent {
            map.entry(name.clone()).or_insert(Value::Null);
        }
    }
}

fn errors_json(errors: Vec<ServerError>) -> Value {
    Value::Array(
        errors
            .into_iter()
            .map(|error| serde_json::to_value(&error).unwrap_or(Value::Null))
            .collect(),
    )
}
