//! GraphQL over HTTP, as the GraphQL-over-HTTP specification asks:
//!
//! - POST `application/json` bodies; GET with URL parameters, for queries only (a mutation by GET
//!   is 405);
//! - the response type follows `Accept`: `application/graphql-response+json` or `application/json`
//!   (also for `*/*` and no `Accept`); anything else is 406;
//! - a request that cannot run (bad JSON, bad parameters, a document that does not parse or
//!   validate, variables that do not coerce) is answered without `data`, with status 400 under
//!   `application/graphql-response+json` and 200 under legacy `application/json` (bad JSON and bad
//!   parameters are 400 under both);
//! - bodies are limited (413) before and while they are read; a batch (a JSON array of requests)
//!   holds at most `IIN_MAX_BATCH_SIZE` operations, run one after the other, each as if alone.
//!
//! [`request`] reads a request, [`response`] writes an answer; here they meet: each operation
//! passes admission ([`super::admission`]) and comes back as an [`Answer`].

mod request;
mod response;

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};

use super::{
    AppState,
    admission::{self, Params, Ran, Reads, Refused, Transport},
    auth::authenticate,
    refusal::{MediaType, Refusal},
    response_cache::Key,
};
use crate::{auth::Caller, error::ErrorCode};
use async_graphql::parser::types::OperationType;
use request::{Posted, negotiate, params_from_url, read_post, wants_html};
use response::{Answer, Outcome, success_or_unauthorized};
pub(super) use response::{etag, matches_weakly};

pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let media = match negotiate(&req) {
        Ok(media) => media,
        Err(refusal) => return refusal.respond(MediaType::Json),
    };
    let caller = match authenticate(&req, &state).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal.respond(media),
    };
    if let Err(refusal) = rate_limit(&req, &state, &caller) {
        return refusal.respond(media);
    }
    match read_post(&req, payload, &state).await {
        Ok(Posted::One(params)) => {
            let mut reads = Reads::ReplicaWhenInUse;
            execute(&state, caller, params, media, Transport::Post, &mut reads)
                .await
                .respond(&state, None)
        }
        Ok(Posted::Batch(batch)) => execute_batch(&state, caller, batch, media).await,
        Err(refusal) => refusal.respond(media),
    }
}

/// Takes the request from the caller's allowance (`IIN_RATE_LIMIT_*`); a refusal is counted.
fn rate_limit(req: &HttpRequest, state: &AppState, caller: &Caller) -> Result<(), Refusal> {
    state
        .rate
        .admit(caller, state.rate.client_ip(req))
        .inspect_err(|refusal| state.metrics.error(refusal.code().as_str()))
}

/// Runs a batch's operations in order, each answered as if it came alone, and gathers the
/// answers into one array. Needing a token anywhere makes the whole reply a 401, as it would alone.
async fn execute_batch(
    state: &AppState,
    caller: Caller,
    batch: Vec<Params>,
    media: MediaType,
) -> HttpResponse {
    let mut body = String::from("[");
    let mut unauthenticated = false;
    // Once a mutation has run, the rest of the request reads the primary.
    let mut reads = Reads::ReplicaWhenInUse;
    for (i, params) in batch.into_iter().enumerate() {
        let answer = execute(
            state,
            caller.clone(),
            params,
            media,
            Transport::Post,
            &mut reads,
        )
        .await;
        let (text, needs_token) = answer.batch_item(state);
        unauthenticated |= needs_token;
        if i > 0 {
            body.push(',');
        }
        body.push_str(&text);
    }
    body.push(']');
    let mut reply = success_or_unauthorized(unauthenticated);
    reply
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, response::VARY))
        .body(body)
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if state.http.graphiql && req.query_string().is_empty() && wants_html(&req) {
        return super::graphiql::page();
    }
    let media = match negotiate(&req) {
        Ok(media) => media,
        Err(refusal) => return refusal.respond(MediaType::Json),
    };
    let caller = match authenticate(&req, &state).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal.respond(media),
    };
    if let Err(refusal) = rate_limit(&req, &state, &caller) {
        return refusal.respond(media);
    }
    match params_from_url(req.query_string()) {
        Ok(params) => {
            let if_none_match = req
                .headers()
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok());
            let mut reads = Reads::ReplicaWhenInUse;
            execute(&state, caller, params, media, Transport::Get, &mut reads)
                .await
                .respond(&state, if_none_match)
        }
        Err(message) => Refusal::bad_request(message).respond(media),
    }
}

pub async fn method_not_allowed() -> HttpResponse {
    not_allowed().respond(MediaType::Json)
}

pub(super) fn not_allowed() -> Refusal {
    Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "use POST, or GET for queries",
    )
}

/// Runs one operation (POST, GET, or one of a batch's) through admission and the schema; an
/// anonymous caller's is answered from the response cache when it can be
/// ([`super::response_cache`]): each of a batch's operations as if it came alone. `reads` says
/// where queries may read (see `db::replica`), and becomes the primary once this operation is
/// anything but a query: the rest of the request reads what it wrote.
async fn execute(
    state: &AppState,
    caller: Caller,
    params: Params,
    media: MediaType,
    transport: Transport,
    reads: &mut Reads,
) -> Answer {
    let anonymous = caller.principal().is_none();
    let public = transport == Transport::Get && anonymous;
    // Read before anything runs: a write that commits after this ends the generation, and
    // what is computed now is never served in the next one.
    let generation = state.events.generation();
    let key = (anonymous && state.responses.enabled()).then(|| Key::of(&params));
    if let Some(key) = &key
        && let Some(cached) = state.responses.get(key, generation)
    {
        return Answer {
            media,
            outcome: Outcome::Cached(cached),
            public,
        };
    }
    // What the cache keeps is computed on the primary: see `db::replica`.
    let here = if key.is_some() {
        Reads::Primary
    } else {
        *reads
    };
    let Ran { response, kind } = match admission::run(state, &caller, params, transport, here).await
    {
        Ok(ran) => ran,
        Err(Refused::Request(errors, code)) => return Answer::failed(media, errors, code),
        Err(Refused::Status(refusal)) => return Answer::refused(media, refusal),
    };
    if kind != Some(OperationType::Query) {
        *reads = Reads::Primary;
    }
    if admission::failed_before_execution(&response) {
        return Answer::failed(media, response.errors, ErrorCode::GraphqlValidationFailed);
    }
    if let Some(key) = key
        && kind == Some(OperationType::Query)
        && response.errors.is_empty()
        && let Ok(text) = response::success_text(&response)
    {
        return Answer {
            media,
            outcome: Outcome::Cached(state.responses.put(key, text, generation)),
            public,
        };
    }
    Answer {
        media,
        outcome: Outcome::Ran(response),
        public,
    }
}
