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
use async_graphql::{
    ServerError,
    http::GraphiQLSource,
    parser::types::{DocumentOperations, OperationType},
};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::{AppState, auth::authenticate};
use crate::{auth::Caller, domain::persisted, error::ErrorCode, graphql::loaders};

const BEARER_CHALLENGE: &str = "Bearer realm=\"iin-api\"";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Why a request ends before execution; answered in the GraphQL error shape.
pub(super) struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The refusal as a plain JSON reply, for endpoints that do not negotiate a media type.
    pub(super) fn respond_json(self) -> HttpResponse {
        self.respond(MediaType::Json)
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    fn respond(self, media: MediaType) -> HttpResponse {
        let body =
            json!({ "errors": [{ "message": self.message, "extensions": { "code": self.code } }] });
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, media.content_type()));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.insert_header((header::ALLOW, "GET, POST"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, BEARER_CHALLENGE));
        }
        response.body(body.to_string())
    }
}

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
            "NOT_ACCEPTABLE",
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

/// The parameters of one GraphQL request, whichever way they came.
struct Params {
    /// The document; absent when a persisted query is named by its hash.
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Map<String, Value>>,
    /// `extensions.persistedQuery.sha256Hash` (APQ, version 1).
    persisted: Option<String>,
}

fn params_from_json(value: Value) -> Result<Params, &'static str> {
    let Value::Object(mut object) = value else {
        return Err("a request must be a JSON object");
    };
    let query = match object.remove("query") {
        Some(Value::String(query)) => Some(query),
        None | Some(Value::Null) => None,
        Some(_) => return Err("`query` must be a string"),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err("`operationName` must be a string or null"),
    };
    let variables = match object.remove("variables") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => return Err("`variables` must be an object or null"),
    };
    let persisted = match object.remove("extensions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(extensions)) => match extensions.get("persistedQuery") {
            None => None,
            Some(apq) => match (
                apq.get("version").and_then(Value::as_i64),
                apq.get("sha256Hash").and_then(Value::as_str),
            ) {
                (Some(1), Some(hash))
                    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    Some(hash.to_ascii_lowercase())
                }
                _ => {
                    return Err(
                        "`extensions.persistedQuery` needs version 1 and a sha256Hash of 64 hex digits",
                    );
                }
            },
        },
        Some(_) => return Err("`extensions` must be an object or null"),
    };
    if query.is_none() && persisted.is_none() {
        return Err("`query` is required");
    }
    Ok(Params {
        query,
        operation_name,
        variables,
        persisted,
    })
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
    params_from_json(Value::Object(object))
}

/// Checks `Content-Type: application/json` (UTF-8, the default, or said explicitly).
fn check_content_type(req: &HttpRequest) -> Result<(), Refusal> {
    let unsupported = || {
        Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
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
) -> Result<web::BytesMut, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
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
    match read_post(&req, payload, &state).await {
        Ok(Posted::One(params)) => execute(&state, caller, params, media, Via::Post).await,
        Ok(Posted::Batch(batch)) => execute_batch(&state, caller, batch, media).await,
        Err(refusal) => refusal.respond(media),
    }
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
    let body = read_body(req, payload, state.http.max_body_bytes).await?;
    if body.is_empty() {
        return Err(Refusal::bad_request("the request body is empty"));
    }
    let value = serde_json::from_slice(&body)
        .map_err(|_| Refusal::bad_request("the request body is not valid JSON"))?;
    let Value::Array(requests) = value else {
        return params_from_json(value)
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
            "BATCH_TOO_LARGE",
            format!("a batch may hold at most {max} operations"),
        ));
    }
    requests
        .into_iter()
        .map(params_from_json)
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
        .insert_header((header::VARY, "Accept, Authorization"))
        .body(Value::Array(answers).to_string())
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if state.http.graphiql && req.query_string().is_empty() && wants_html(&req) {
        let page = GraphiQLSource::build()
            .endpoint("/graphql")
            .title("IIN Japan API")
            .finish();
        return HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(page);
    }
    let media = match negotiate(&req) {
        Ok(media) => media,
        Err(refusal) => return refusal.respond(MediaType::Json),
    };
    let caller = match authenticate(&req, &state).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal.respond(media),
    };
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

fn not_allowed() -> Refusal {
    Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "use POST, or GET for queries",
    )
}

/// Whether the operation the request selects is a query (GET may only run queries).
fn selects_query(
    doc: &async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> bool {
    let operation = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        // Ambiguous or unknown: execution reports it.
        (DocumentOperations::Multiple(_), None) => None,
    };
    operation.is_none_or(|op| op.node.ty == OperationType::Query)
}

enum Rejected {
    /// A request error in the GraphQL shape, with its code.
    Request(String, &'static str),
    Refused(Refusal),
}

/// The document to run: the one sent, or the persisted one its hash names. Sent with its hash,
/// it is checked and stored for later requests. With the safelist on, only registered documents
/// run.
async fn document(state: &AppState, params: &Params) -> Result<String, Rejected> {
    let unavailable = |err: sea_orm::DbErr| {
        tracing::error!(error = %err, "persisted query store failed");
        Rejected::Refused(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "try again shortly",
        ))
    };
    let not_allowed = || {
        Rejected::Request(
            "only registered operations run here (safelist)".to_owned(),
            "OPERATION_NOT_ALLOWED",
        )
    };
    let safelist = state.http.safelist;
    match (&params.query, &params.persisted) {
        (None, Some(hash)) => match persisted::find(&state.db, hash)
            .await
            .map_err(unavailable)?
        {
            Some(row) if safelist && !row.registered => Err(not_allowed()),
            Some(row) => Ok(row.query),
            // Clients look for this exact message before sending the document itself.
            None => Err(Rejected::Request(
                "PersistedQueryNotFound".to_owned(),
                "PERSISTED_QUERY_NOT_FOUND",
            )),
        },
        (Some(query), sent_hash) => {
            let hash = persisted::hash(query);
            if sent_hash.as_ref().is_some_and(|sent| *sent != hash) {
                return Err(Rejected::Refused(Refusal::bad_request(
                    "`extensions.persistedQuery.sha256Hash` is not the hash of `query`",
                )));
            }
            if safelist {
                let registered = persisted::find(&state.db, &hash)
                    .await
                    .map_err(unavailable)?;
                if !registered.is_some_and(|row| row.registered) {
                    return Err(not_allowed());
                }
            } else if sent_hash.is_some() {
                persisted::store(&state.db, &hash, query)
                    .await
                    .map_err(unavailable)?;
            }
            Ok(query.clone())
        }
        (None, None) => Err(Rejected::Refused(Refusal::bad_request(
            "`query` is required",
        ))),
    }
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
    let via_get = matches!(via, Via::Get { .. });
    let anonymous = caller.principal().is_none();
    let document = match document(state, &params).await {
        Ok(document) => document,
        Err(Rejected::Request(message, code)) => {
            return request_error(state, media, vec![ServerError::new(message, None)], code);
        }
        Err(Rejected::Refused(refusal)) => return refusal.respond(media),
    };
    let mut request = async_graphql::Request::new(document);
    if let Some(name) = &params.operation_name {
        request = request.operation_name(name.clone());
    }
    if let Some(variables) = params.variables {
        request = request.variables(async_graphql::Variables::from_json(Value::Object(
            variables,
        )));
    }

    let limits = &state.http.limits;
    if !super::limits::tokens_within(&request.query, limits.max_tokens) {
        let message = format!("the document has more than {} tokens", limits.max_tokens);
        return request_error(
            state,
            media,
            vec![ServerError::new(message, None)],
            "QUERY_TOO_LARGE",
        );
    }
    let (query, aliases) = match request.parsed_query() {
        Err(error) => return request_error(state, media, vec![error], "GRAPHQL_PARSE_FAILED"),
        Ok(doc) => (
            selects_query(doc, params.operation_name.as_deref()),
            super::limits::aliases(doc),
        ),
    };
    if via_get && !query {
        return not_allowed().respond(media);
    }
    if aliases > limits.max_aliases {
        let message = format!("the document uses more than {} aliases", limits.max_aliases);
        return request_error(
            state,
            media,
            vec![ServerError::new(message, None)],
            "QUERY_TOO_LARGE",
        );
    }
    // A query reads each row once per request; a mutation must see what it has just written.
    let caching = if query {
        loaders::Caching::PerRequest
    } else {
        loaders::Caching::Off
    };
    request = request
        .data(loaders::for_request(
            &state.db,
            caller.clone(),
            state.http.dataloader_delay,
            caching,
        ))
        .data(caller);
    if !limits.introspection_for_anonymous && anonymous {
        request = request.disable_introspection();
    }

    // Operations beyond the concurrency limit wait for a turn; the wait counts in the timeout.
    let run = async {
        let waiting = state.metrics.waiting();
        let _turn = state.turns.acquire().await;
        drop(waiting);
        let _running = state.metrics.running();
        state.schema.execute(request).await
    };
    let Ok(response) = tokio::time::timeout(limits.timeout, run).await else {
        tracing::warn!(timeout = ?limits.timeout, "request timed out");
        return Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "TIMEOUT",
            "the request took too long",
        )
        .respond(media);
    };

    // Errors without a path come from before execution (validation, variable coercion): the
    // request as a whole failed. Field errors always carry their path.
    if response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
    {
        return request_error(state, media, response.errors, "GRAPHQL_VALIDATION_FAILED");
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
    let text = if failed {
        let mut data = serde_json::to_value(&response.data).unwrap_or(Value::Null);
        null_failed_fields(&mut data, &response.errors);
        let mut body = Map::new();
        body.insert("data".into(), data);
        body.insert("errors".into(), errors_json(response.errors, None));
        if !response.extensions.is_empty() {
            body.insert(
                "extensions".into(),
                serde_json::to_value(&response.extensions).unwrap_or(Value::Null),
            );
        }
        count_errors(state, body.get("errors"));
        Value::Object(body).to_string()
    } else {
        // Most replies: written straight from the result, without an intermediate tree.
        serde_json::to_string(&SuccessBody {
            data: &response.data,
            extensions: &response.extensions,
        })
        .unwrap_or_default()
    };
    let mut reply = success_or_unauthorized(unauthenticated);
    reply.insert_header((header::CONTENT_TYPE, media.content_type()));
    reply.insert_header((header::VARY, "Accept, Authorization"));
    // Partner websites' anonymous GET queries may be cached, and revalidated by ETag; anything
    // that depends on a caller, or that failed, may not.
    match via {
        Via::Get { if_none_match } if anonymous && !failed => {
            let etag = etag(&text);
            let cache = format!("public, max-age={}", state.http.cache_max_age.as_secs());
            reply.insert_header((header::CACHE_CONTROL, cache.clone()));
            reply.insert_header((header::ETAG, etag.clone()));
            if if_none_match
                .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
            {
                return HttpResponse::NotModified()
                    .insert_header((header::ETAG, etag))
                    .insert_header((header::CACHE_CONTROL, cache))
                    .insert_header((header::VARY, "Accept, Authorization"))
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

/// A strong validator of a reply body.
fn etag(body: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
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

fn errors_json(errors: Vec<ServerError>, default_code: Option<&str>) -> Value {
    let errors = errors
        .into_iter()
        .map(|mut error| {
            if let Some(code) = default_code {
                let extensions = error.extensions.get_or_insert_with(Default::default);
                if extensions.get("code").is_none() {
                    extensions.set("code", code);
                }
            }
            serde_json::to_value(&error).unwrap_or(Value::Null)
        })
        .collect();
    Value::Array(errors)
}

/// async-graphql's own limit checks, named by stable codes.
fn limit_code(error: &ServerError) -> Option<&'static str> {
    match error.message.as_str() {
        "Query is too complex." => Some("QUERY_TOO_COMPLEX"),
        "Query is nested too deep." => Some("QUERY_TOO_DEEP"),
        _ => None,
    }
}

fn request_error(
    state: &AppState,
    media: MediaType,
    mut errors: Vec<ServerError>,
    code: &str,
) -> HttpResponse {
    for error in &mut errors {
        if let Some(limit) = limit_code(error) {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", limit);
        }
    }
    let status = match media {
        MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    };
    let errors = errors_json(errors, Some(code));
    count_errors(state, Some(&errors));
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .body(json!({ "errors": errors }).to_string())
}
