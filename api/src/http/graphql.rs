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

use std::collections::HashMap;

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::ServerError;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::{
    AppState,
    admission::{self, Params, Refused, Transport},
    auth::authenticate,
    refusal::{BEARER_CHALLENGE, MediaType, Refusal},
};
use crate::{auth::Caller, error::ErrorCode};

/// Picks the response media type from `Accept`, by preference (q) and then order.
fn negotiate(req: &HttpRequest) -> Result<MediaType, Refusal> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Ok(MediaType::Json);
    };
    let mut offers: Vec<(f32, MediaType)> = Vec::new();
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut quality = 1.0_f32;
        let mut utf8 = true;
        for param in parts {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "q" => quality = value.trim().parse().unwrap_or(0.0),
                "charset" => utf8 = value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8"),
                _ => {}
            }
        }
        let media = match essence.as_str() {
            "application/graphql-response+json" => MediaType::GraphqlResponseJson,
            "application/json" | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if quality > 0.0 && utf8 {
            offers.push((quality, media));
        }
    }
    // A stable sort keeps the client's order among equal preferences.
    offers.sort_by(|a, b| b.0.total_cmp(&a.0));
    offers.first().map(|(_, media)| *media).ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            ErrorCode::NotAcceptable,
            "this endpoint answers application/graphql-response+json or application/json",
        )
    })
}

fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/html"))
}

fn params_from_url(query_string: &str) -> Result<Params, &'static str> {
    let pairs: HashMap<String, String> =
        web::Query::<HashMap<String, String>>::from_query(query_string)
            .map_err(|_| "the URL parameters are malformed")?
            .into_inner();
    let mut object = Map::new();
    if let Some(query) = pairs.get("query") {
        object.insert("query".into(), Value::String(query.clone()));
    }
    if let Some(name) = pairs.get("operationName") {
        object.insert("operationName".into(), Value::String(name.clone()));
    }
    for key in ["variables", "extensions"] {
        if let Some(text) = pairs.get(key) {
            let value = serde_json::from_str(text).map_err(|_| match key {
                "variables" => "`variables` must be URL-encoded JSON",
                _ => "`extensions` must be URL-encoded JSON",
            })?;
            object.insert(key.into(), value);
        }
    }
    Params::from_json(Value::Object(object))
}

/// Checks `Content-Type: application/json` (UTF-8, the default, or said explicitly).
fn check_content_type(req: &HttpRequest) -> Result<(), Refusal> {
    let unsupported = || {
        Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the request as Content-Type: application/json",
        )
    };
    let value = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unsupported)?;
    let mut parts = value.split(';').map(str::trim);
    if !parts
        .next()
        .unwrap_or_default()
        .eq_ignore_ascii_case("application/json")
    {
        return Err(unsupported());
    }
    for param in parts {
        if let Some((name, charset)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
            && !charset
                .trim()
                .trim_matches('"')
                .eq_ignore_ascii_case("utf-8")
        {
            return Err(unsupported());
        }
    }
    Ok(())
}

async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<web::BytesMut, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    // The whole body must arrive within the timeout, however it trickles in: a client that
    // sends a byte now and then must not hold a worker's connection for ever.
    let read = async {
        let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0));
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|_| Refusal::bad_request("the request body could not be read"))?;
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| {
            Err(Refusal::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                format!(
                    "the request body did not arrive within {} ms",
                    timeout.as_millis()
                ),
            ))
        })
}

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
        Ok(Posted::One(params)) => execute(&state, caller, params, media, Via::Post).await,
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

/// A POST body: one request, or a batch of them.
enum Posted {
    One(Params),
    Batch(Vec<Params>),
}

async fn read_post(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<Posted, Refusal> {
    check_content_type(req)?;
    let body = read_body(
        req,
        payload,
        state.http.max_body_bytes,
        state.http.body_timeout,
    )
    .await?;
    if body.is_empty() {
        return Err(Refusal::bad_request("the request body is empty"));
    }
    let value = serde_json::from_slice(&body)
        .map_err(|_| Refusal::bad_request("the request body is not valid JSON"))?;
    let Value::Array(requests) = value else {
        return Params::from_json(value)
            .map(Posted::One)
            .map_err(Refusal::bad_request);
    };
    let max = state.http.limits.max_batch_size;
    if requests.is_empty() {
        return Err(Refusal::bad_request("the batch is empty"));
    }
    if requests.len() > max {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BatchTooLarge,
            format!("a batch may hold at most {max} operations"),
        ));
    }
    requests
        .into_iter()
        .map(Params::from_json)
        .collect::<Result<_, _>>()
        .map(Posted::Batch)
        .map_err(Refusal::bad_request)
}

/// Runs a batch's operations in order, each answered as if it came alone, and gathers the
/// answers into one array. Needing a token anywhere makes the whole reply a 401, as it would alone.
async fn execute_batch(
    state: &AppState,
    caller: Caller,
    batch: Vec<Params>,
    media: MediaType,
) -> HttpResponse {
    let mut answers = Vec::with_capacity(batch.len());
    let mut unauthenticated = false;
    for params in batch {
        let reply = execute(state, caller.clone(), params, media, Via::Post).await;
        unauthenticated |= reply.status() == StatusCode::UNAUTHORIZED;
        let body = actix_web::body::to_bytes(reply.into_body())
            .await
            .unwrap_or_default();
        answers.push(serde_json::from_slice(&body).unwrap_or(Value::Null));
    }
    let mut reply = success_or_unauthorized(unauthenticated);
    reply
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept, Authorization, IIN-Institution"))
        .body(Value::Array(answers).to_string())
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
            execute(&state, caller, params, media, Via::Get { if_none_match }).await
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

/// How a request came: POST, or GET with the `If-None-Match` it may carry.
enum Via<'a> {
    Post,
    Get { if_none_match: Option<&'a str> },
}

async fn execute(
    state: &AppState,
    caller: Caller,
    params: Params,
    media: MediaType,
    via: Via<'_>,
) -> HttpResponse {
    let anonymous = caller.principal().is_none();
    let transport = match via {
        Via::Post => Transport::Post,
        Via::Get { .. } => Transport::Get,
    };
    let response = match admission::run(state, &caller, params, transport).await {
        Ok(response) => response,
        Err(Refused::Request(errors, code)) => return request_error(state, media, errors, code),
        Err(Refused::Status(refusal)) => return refusal.respond(media),
    };
    if admission::failed_before_execution(&response) {
        return request_error(
            state,
            media,
            response.errors,
            ErrorCode::GraphqlValidationFailed,
        );
    }

    // A field that needs a token, asked without one: the request as a whole is unauthorised.
    let unauthenticated = response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|code| {
                *code == async_graphql::Value::from(ErrorCode::Unauthenticated.as_str())
            })
    });
    let failed = !response.errors.is_empty();
    let written = if failed {
        (|| {
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
        })()
    } else {
        // Most replies: written straight from the result, without an intermediate tree.
        serde_json::to_string(&SuccessBody {
            data: &response.data,
            extensions: &response.extensions,
        })
    };
    let text = match written {
        Ok(text) => text,
        // A reply that cannot be written is a server fault, never an empty 200.
        Err(err) => {
            tracing::error!(error = %err, "a reply could not be serialised");
            state.metrics.error(ErrorCode::InternalServerError.as_str());
            return Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalServerError,
                "the reply could not be written",
            )
            .respond(media);
        }
    };
    let mut reply = success_or_unauthorized(unauthenticated);
    reply.insert_header((header::CONTENT_TYPE, media.content_type()));
    reply.insert_header((
        header::VARY,
        "Accept, Authorization, IIN-Institution, Accept-Encoding",
    ));
    // Partner websites' anonymous GET queries may be cached, and revalidated by ETag; anything
    // that depends on a caller, or that failed, may not.
    match via {
        Via::Get { if_none_match } if anonymous && !failed => {
            let etag = etag(text.as_bytes());
            let cache = format!("public, max-age={}", state.http.cache_max_age.as_secs());
            reply.insert_header((header::CACHE_CONTROL, cache.clone()));
            reply.insert_header((header::ETAG, etag.clone()));
            if if_none_match.is_some_and(|tags| matches_weakly(tags, &etag)) {
                return HttpResponse::NotModified()
                    .insert_header((header::ETAG, etag))
                    .insert_header((header::CACHE_CONTROL, cache))
                    .insert_header((
                        header::VARY,
                        "Accept, Authorization, IIN-Institution, Accept-Encoding",
                    ))
                    .finish();
            }
        }
        _ => {
            reply.insert_header((header::CACHE_CONTROL, "no-store"));
        }
    }
    reply.body(text)
}

/// A reply that ran: 200, or 401 with the bearer challenge when a field needed a token.
fn success_or_unauthorized(unauthenticated: bool) -> actix_web::HttpResponseBuilder {
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
pub(super) fn matches_weakly(if_none_match: &str, etag: &str) -> bool {
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
pub(super) fn etag(body: &[u8]) -> String {
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

fn request_error(
    state: &AppState,
    media: MediaType,
    mut errors: Vec<ServerError>,
    code: ErrorCode,
) -> HttpResponse {
    admission::label(&mut errors, code);
    let status = match media {
        MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    };
    let errors = errors_json(errors);
    count_errors(state, Some(&errors));
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(json!({ "errors": errors }).to_string())
}
