//! Admission: the checks every GraphQL operation passes before it runs, written once for every
//! transport (POST, GET, a batch's operations, graphql-ws `subscribe`), always in this order and
//! with the same codes:
//!
//! 1. the document: sent, or named by its APQ hash (`PERSISTED_QUERY_NOT_FOUND`); with the
//!    safelist on only registered documents run (`OPERATION_NOT_ALLOWED`); a new APQ hash may be
//!    registered only by whom `IIN_APQ_REGISTER` allows (`PERSISTED_QUERY_NOT_ALLOWED`);
//! 2. lexical tokens, counted before parsing (`QUERY_TOO_LARGE`);
//! 3. parsing (`GRAPHQL_PARSE_FAILED`); GET runs queries only (405);
//! 4. aliases (`QUERY_TOO_LARGE`);
//! 5. control characters in string inputs ([`super::input_text`], `BAD_USER_INPUT` naming the
//!    argument; a refused mutation is audited);
//! 6. introspection, and "did you mean" suggestions with it, closed to anonymous callers under
//!    `IIN_INTROSPECTION=members`;
//! 7. in the schema: depth, complexity and validation (`QUERY_TOO_DEEP`, `QUERY_TOO_COMPLEX`,
//!    `GRAPHQL_VALIDATION_FAILED`); a new APQ document is stored only once it has passed all of
//!    the above ([`crate::graphql::persisted`]);
//! 8. a turn among `IIN_MAX_CONCURRENT_OPERATIONS`, and execution.
//!
//! Steps 1–8 run under `IIN_REQUEST_TIMEOUT_MS` (`TIMEOUT`). A subscription is long-lived: the
//! deadline covers its setup (steps 1–6), and its stream holds no turn, so that open
//! subscriptions never starve queries.

use std::time::Instant;

use actix_web::http::StatusCode;
use async_graphql::{
    Pos, Response, ServerError,
    parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection},
};
use futures_util::{StreamExt, stream::BoxStream};
use serde_json::{Map, Value};

use super::{AppState, input_text, limits, refusal::Refusal};
use crate::{
    auth::Caller,
    db::replica,
    domain::{audit, persisted},
    error::ErrorCode,
    graphql::{AppSchema, ReplicaReads, Serving, loaders, persisted::Pending},
    settings::ApqRegister,
};

/// The parameters of one GraphQL request, whichever way they came.
pub(super) struct Params {
    /// The document; absent when a persisted query is named by its hash.
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Option<Map<String, Value>>,
    /// `extensions.persistedQuery.sha256Hash` (APQ, version 1).
    pub persisted: Option<String>,
}

impl Params {
    /// Reads a request object (`query`, `operationName`, `variables`, `extensions`).
    pub fn from_json(value: Value) -> Result<Self, &'static str> {
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
        Ok(Self {
            query,
            operation_name,
            variables,
            persisted,
        })
    }

    /// The payload of a graphql-ws `subscribe` message, as async-graphql read it.
    fn from_request(request: async_graphql::Request) -> Result<Self, &'static str> {
        let mut object = Map::new();
        // graphql-ws payloads that name a persisted query leave `query` empty.
        if !request.query.is_empty() {
            object.insert("query".into(), Value::String(request.query));
        }
        if let Some(name) = request.operation_name {
            object.insert("operationName".into(), Value::String(name));
        }
        let variables = request
            .variables
            .into_value()
            .into_json()
            .unwrap_or_default();
        object.insert("variables".into(), variables);
        let extensions: Map<String, Value> = request
            .extensions
            .0
            .into_iter()
            .filter_map(|(key, value)| Some((key, value.into_json().ok()?)))
            .collect();
        object.insert("extensions".into(), Value::Object(extensions));
        Self::from_json(Value::Object(object))
    }
}

/// How an operation came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transport {
    Post,
    /// GET runs queries only.
    Get,
    WebSocket,
}

/// Where a query may read: the primary, or the replica while it is in use (for the callers
/// that may read it, see [`crate::db::replica`]). Mutations and subscriptions read the primary
/// whatever is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reads {
    Primary,
    ReplicaWhenInUse,
}

/// An operation that ran: its response, and the type of operation it was.
pub(super) struct Ran {
    pub response: Response,
    pub kind: Option<OperationType>,
}

/// Why an operation does not run.
pub(super) enum Refused {
    /// A request error in the GraphQL shape; errors without a code get this one.
    Request(Vec<ServerError>, ErrorCode),
    /// Refused with an HTTP status of its own.
    Status(Refusal),
}

impl Refused {
    fn request(message: impl Into<String>, code: ErrorCode) -> Self {
        Self::Request(vec![ServerError::new(message, None)], code)
    }

    fn unavailable(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "persisted query store failed");
        Self::Status(Refusal::unavailable())
    }

    fn timeout(state: &AppState) -> Self {
        tracing::warn!(timeout = ?state.http.limits.timeout, "request timed out");
        Self::Status(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Timeout,
            "the request took too long",
        ))
    }

    /// The refusal as a GraphQL response, for transports without HTTP statuses.
    pub(super) fn into_response(self) -> Response {
        match self {
            Self::Request(mut errors, code) => {
                label(&mut errors, code);
                Response::from_errors(errors)
            }
            Self::Status(refusal) => {
                let mut error = ServerError::new(refusal.message(), None);
                error
                    .extensions
                    .get_or_insert_with(Default::default)
                    .set("code", refusal.code().as_str());
                Response::from_errors(vec![error])
            }
        }
    }
}

/// async-graphql's own limit checks, named by stable codes.
fn limit_code(error: &ServerError) -> Option<ErrorCode> {
    match error.message.as_str() {
        "Query is too complex." => Some(ErrorCode::QueryTooComplex),
        "Query is nested too deep." => Some(ErrorCode::QueryTooDeep),
        _ => None,
    }
}

/// A value the type system refused (an `Int` out of range, an unknown enum value, a string where
/// an object belongs), inline or through a variable: the caller's input, named by its argument
/// path when async-graphql's message gives one (`Invalid value for argument "filter.kind", …`).
pub(super) fn refused_value(error: &ServerError) -> Option<Option<String>> {
    let message = error.message.as_str();
    if let Some(rest) = message.strip_prefix("Invalid value for argument ") {
        let field = rest
            .strip_prefix('"')
            .and_then(|rest| rest.split_once('"'))
            .map(|(field, _)| field.to_owned());
        return Some(field);
    }
    (message.starts_with("Failed to parse \"") || message.starts_with("Expected input type \""))
        .then_some(None)
}

/// Gives each error of a request that could not run its code: async-graphql's limits by name,
/// refused values `BAD_USER_INPUT` (with the argument as `field`), the rest `default`, unless
/// they carry one already.
pub(super) fn label(errors: &mut [ServerError], default: ErrorCode) {
    for error in errors {
        let limit = limit_code(error);
        let refused = refused_value(error);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        match (limit, refused) {
            (Some(code), _) => extensions.set("code", code),
            (None, _) if extensions.get("code").is_some() => {}
            (None, Some(field)) => {
                extensions.set("code", ErrorCode::BadUserInput.as_str());
                if let Some(field) = field {
                    extensions.set("field", field);
                }
            }
            (None, None) => extensions.set("code", default),
        }
    }
}

/// A parse error in one line: where, and what was expected (the parser's own message draws the
/// line with a caret under it, over several lines).
fn one_line(mut error: ServerError) -> ServerError {
    if error.message.contains('\n') {
        let reason = error
            .message
            .lines()
            .rev()
            .find_map(|line| line.trim().strip_prefix("= "))
            .unwrap_or("unexpected input")
            .to_owned();
        error.message = match error.locations.first() {
            Some(at) => format!(
                "syntax error at line {}, column {}: {reason}",
                at.line, at.column
            ),
            None => format!("syntax error: {reason}"),
        };
    }
    error
}

/// Whether a response failed as a whole before execution (validation, variable coercion):
/// errors without a path, and no data. Field errors always carry their path.
pub(super) fn failed_before_execution(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// An operation that passed steps 1–6, ready for the schema.
pub(super) struct Admitted {
    pub request: async_graphql::Request,
    /// The selected operation's type (`None` when the document does not say which one runs:
    /// the schema reports it).
    pub kind: Option<OperationType>,
    /// Introspection and suggestions are closed to this caller.
    closed: bool,
    /// The request registers a persisted query, to be stored once it passes validation.
    registers: bool,
}

impl Admitted {
    fn schema<'a>(&self, state: &'a AppState) -> &'a AppSchema {
        state.schemas.get(Serving {
            suggestions: !self.closed,
            stores_documents: self.registers,
        })
    }
}

/// Runs one operation through every check and the schema, within the deadline.
pub(super) async fn run(
    state: &AppState,
    caller: &Caller,
    params: Params,
    transport: Transport,
    reads: Reads,
) -> Result<Ran, Refused> {
    let deadline = Instant::now() + state.http.limits.timeout;
    let work = async {
        let admitted = admit(state, caller, params, transport, reads).await?;
        let kind = admitted.kind;
        let response = execute(state, admitted).await;
        Ok(Ran { response, kind })
    };
    tokio::time::timeout_at(deadline.into(), work)
        .await
        .unwrap_or_else(|_| Err(Refused::timeout(state)))
}

/// An operation sent over graphql-ws: its answers as a stream (one answer for a query or a
/// mutation; the events of a subscription), every request-level error coded as over HTTP.
pub(super) fn stream(
    state: actix_web::web::Data<AppState>,
    caller: Caller,
    request: async_graphql::Request,
) -> BoxStream<'static, Response> {
    let counter = state.clone();
    let count = move |response: &Response| count_errors(&counter.metrics, response);
    let answers = async move {
        let params = match Params::from_request(request) {
            Ok(params) => params,
            Err(message) => {
                let refused = Refused::Status(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadRequest,
                    message,
                ));
                return futures_util::stream::once(async { refused.into_response() }).boxed();
            }
        };
        let deadline = Instant::now() + state.http.limits.timeout;
        let setup = tokio::time::timeout_at(
            deadline.into(),
            admit(
                &state,
                &caller,
                params,
                Transport::WebSocket,
                Reads::ReplicaWhenInUse,
            ),
        );
        let admitted = match setup.await {
            Ok(Ok(admitted)) => admitted,
            Ok(Err(refused)) => {
                return futures_util::stream::once(async { refused.into_response() }).boxed();
            }
            Err(_) => {
                let refused = Refused::timeout(&state);
                return futures_util::stream::once(async { refused.into_response() }).boxed();
            }
        };
        if admitted.kind == Some(OperationType::Subscription) {
            let schema = admitted.schema(&state).clone();
            return schema.execute_stream(admitted.request).map(coded).boxed();
        }
        let answer = tokio::time::timeout_at(deadline.into(), execute(&state, admitted))
            .await
            .map(coded)
            .unwrap_or_else(|_| Refused::timeout(&state).into_response());
        futures_util::stream::once(async { answer }).boxed()
    };
    futures_util::stream::once(answers)
        .flatten()
        .inspect(count)
        .boxed()
}

/// Counts a socket's errors by code, as HTTP counts its replies'.
fn count_errors(metrics: &super::metrics::Metrics, response: &Response) {
    for error in &response.errors {
        match error.extensions.as_ref().and_then(|x| x.get("code")) {
            Some(async_graphql::Value::String(code)) => metrics.error(code),
            _ => metrics.error("UNCODED"),
        }
    }
}

/// A response with the codes HTTP would give its request-level errors.
fn coded(mut response: Response) -> Response {
    if failed_before_execution(&response) {
        label(&mut response.errors, ErrorCode::GraphqlValidationFailed);
    }
    response
}

/// Steps 1–6.
async fn admit(
    state: &AppState,
    caller: &Caller,
    params: Params,
    transport: Transport,
    reads: Reads,
) -> Result<Admitted, Refused> {
    let (document, new_hash) = document(state, caller, &params).await?;
    let limits = &state.http.limits;
    // A document seen before was within the token limit then, and parses to the same tree.
    let parsed = match state.documents.get(&document) {
        Some(parsed) => parsed,
        None => {
            if !limits::tokens_within(&document, limits.max_tokens) {
                let message = format!("the document has more than {} tokens", limits.max_tokens);
                return Err(Refused::request(message, ErrorCode::QueryTooLarge));
            }
            let parsed = async_graphql::parser::parse_query(&document).map_err(|error| {
                Refused::Request(vec![one_line(error.into())], ErrorCode::GraphqlParseFailed)
            })?;
            state.documents.keep(&document, &parsed);
            parsed
        }
    };
    let variables = params
        .variables
        .map(|variables| async_graphql::Variables::from_json(Value::Object(variables)))
        .unwrap_or_default();
    let doc = &parsed;
    let kind = operation_type(doc, params.operation_name.as_deref());
    if transport == Transport::Get && kind.is_some_and(|kind| kind != OperationType::Query) {
        return Err(Refused::Status(super::graphql::not_allowed()));
    }
    let aliases = limits::aliases(doc);
    if aliases > limits.max_aliases {
        let message = format!("the document uses more than {} aliases", limits.max_aliases);
        return Err(Refused::request(message, ErrorCode::QueryTooLarge));
    }
    if let Err(refusal) = input_text::check(doc, &variables) {
        if kind == Some(OperationType::Mutation) {
            audit_refused(state, caller, doc, params.operation_name.as_deref()).await;
        }
        let error = async_graphql::Error::from(refusal).into_server_error(Pos::default());
        return Err(Refused::Request(vec![error], ErrorCode::BadUserInput));
    }
    let mut request = async_graphql::Request::new(document).variables(variables);
    request.set_parsed_query(parsed);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }

    // A query reads each row once per request; a mutation must see what it has just written,
    // and a subscription's loaders live as long as it does.
    let caching = if kind == Some(OperationType::Query) {
        loaders::Caching::PerRequest
    } else {
        loaders::Caching::Off
    };
    // The one place a request's database is chosen: resolvers (`graphql::context::db`) and
    // loaders read where this says.
    let replica = state
        .replica
        .as_ref()
        .filter(|_| {
            reads == Reads::ReplicaWhenInUse
                && kind == Some(OperationType::Query)
                && replica::may_read_replica(caller)
        })
        .and_then(|replica| replica.reads());
    if let Some(replica) = replica {
        request = request.data(ReplicaReads(replica.clone()));
    }
    request = request
        .data(loaders::for_request(
            replica.unwrap_or(&state.db),
            caller.clone(),
            state.http.dataloader_delay,
            caching,
        ))
        .data(caller.clone());
    let closed = !limits.introspection_for_anonymous && caller.principal().is_none();
    if closed {
        request = request.disable_introspection();
    }
    let registers = new_hash.is_some();
    if let Some(hash) = new_hash {
        let query = request.query.clone();
        request = request.data(Pending {
            hash,
            query,
            bounds: persisted::Bounds {
                max_entries: state.http.apq.max_entries,
                max_bytes: state.http.apq.max_bytes,
            },
            metrics: state.metrics.apq(),
        });
    }
    Ok(Admitted {
        request,
        kind,
        closed,
        registers,
    })
}

/// Step 8: a turn, and the schema. Operations beyond the concurrency limit wait for a turn, in
/// order of arrival; the wait counts in the deadline.
async fn execute(state: &AppState, admitted: Admitted) -> Response {
    let schema = admitted.schema(state);
    let waiting = state.metrics.waiting();
    let _turn = state.turns.acquire().await;
    drop(waiting);
    let _running = state.metrics.running();
    // Kept for naming a variable at fault, should the request be refused.
    let query = admitted.request.query.clone();
    let mut response = schema.execute(admitted.request).await;
    if admitted.kind != Some(OperationType::Query) {
        // Whatever it committed is visible now: the response cache must not answer from before
        // it (other instances hear of it through the channel; see `domain::audit`).
        state.events.written();
    }
    if failed_before_execution(&response) {
        super::variables::name_variables(&mut response.errors, &query);
    }
    response
}

/// The type of the operation the request selects, when the document says.
fn operation_type(doc: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    let operation = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        // Ambiguous or unknown: execution reports it.
        (DocumentOperations::Multiple(_), None) => None,
    };
    operation.map(|op| op.node.ty)
}

/// A mutation refused for its input is still audited: one entry per mutation field it asked
/// for, with the refusal's code, as the domain's `audited` records a refusal.
async fn audit_refused(
    state: &AppState,
    caller: &Caller,
    doc: &ExecutableDocument,
    name: Option<&str>,
) {
    let operation = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) => ops.values().next(),
    };
    let Some(operation) = operation else { return };
    for item in &operation.node.selection_set.node.items {
        if let Selection::Field(field) = &item.node {
            let name = field.node.name.node.as_str();
            if let Err(err) =
                audit::refused(&state.db, caller, name, ErrorCode::BadUserInput.as_str()).await
            {
                tracing::error!(error = %err, "audit of a refused mutation failed");
            }
        }
    }
}

/// Step 1: the document to run, and the APQ hash to store it under once it passes, if it is
/// new. Sent with its hash, a document is checked against it.
async fn document(
    state: &AppState,
    caller: &Caller,
    params: &Params,
) -> Result<(String, Option<String>), Refused> {
    let not_allowed = || {
        Refused::request(
            "only registered operations run here (safelist)",
            ErrorCode::OperationNotAllowed,
        )
    };
    let safelist = state.http.safelist;
    match (&params.query, &params.persisted) {
        (None, Some(hash)) => match persisted::find(&state.db, hash)
            .await
            .map_err(Refused::unavailable)?
        {
            Some(row) if safelist && !row.registered => Err(not_allowed()),
            Some(row) => Ok((row.query, None)),
            // Clients look for this exact message before sending the document itself.
            None => Err(Refused::request(
                "PersistedQueryNotFound",
                ErrorCode::PersistedQueryNotFound,
            )),
        },
        (Some(query), sent_hash) => {
            let hash = persisted::hash(query);
            if sent_hash.as_ref().is_some_and(|sent| *sent != hash) {
                return Err(Refused::Status(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadRequest,
                    "`extensions.persistedQuery.sha256Hash` is not the hash of `query`",
                )));
            }
            let known = if safelist || sent_hash.is_some() {
                persisted::find(&state.db, &hash)
                    .await
                    .map_err(Refused::unavailable)?
            } else {
                None
            };
            if safelist {
                return match known {
                    Some(row) if row.registered => Ok((query.clone(), None)),
                    _ => Err(not_allowed()),
                };
            }
            if sent_hash.is_none() || known.is_some() {
                return Ok((query.clone(), None));
            }
            let may_register = match state.http.apq.register {
                ApqRegister::Everyone => true,
                ApqRegister::Members => caller.principal().is_some(),
                ApqRegister::Off => false,
            };
            if !may_register {
                // Apollo clients look for this message, then send documents without hashes.
                return Err(Refused::request(
                    "PersistedQueryNotSupported",
                    ErrorCode::PersistedQueryNotAllowed,
                ));
            }
            Ok((query.clone(), Some(hash)))
        }
        (None, None) => Err(Refused::Status(Refusal::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "`query` is required",
        ))),
    }
}
