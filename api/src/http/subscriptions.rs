//! GraphQL subscriptions over WebSocket at `/graphql`, with the graphql-ws protocol
//! (`graphql-transport-ws`; the older `graphql-ws` subprotocol too). The token comes in the
//! `connection_init` payload (`{"authorization": "Bearer …"}`, as browsers cannot set headers) or
//! in the upgrade request's `Authorization` header; a token with several institutions names the one
//! the connection acts for as `IIN-Institution` in the payload or the upgrade's headers, decided by
//! [`auth::token_session`] as for HTTP (none named closes with 4400, one the token does not hold
//! with 4403). A token that does not verify closes the socket with 4401; without a token the
//! connection is anonymous, and subscriptions that need a member answer `UNAUTHENTICATED`.
//!
//! Every operation a `subscribe` message carries (a subscription, or a query or mutation sent
//! over the socket) passes the same admission as over HTTP ([`super::admission`]), through the
//! [`Admitting`] executor: same checks, same order, same codes, for the caller the socket
//! authenticated.
//!
//! A connection lasts no longer than its right: when its token expires, or its institution is
//! suspended (on any instance), each running subscription gets an `UNAUTHENTICATED` error and
//! completes, and the socket closes with 4401.

use crate::error::ErrorCode;
use std::{
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicU16, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::{
    Data, Executor, Request, Response,
    http::{WebSocket, WebSocketProtocols, WsMessage},
};
use futures_util::{StreamExt, stream::BoxStream};

use super::{AppState, admission, auth};
use crate::{auth::Caller, domain::events::InstitutionEvent};

/// The close code for a refused token (graphql-ws leaves 4400–4499 to the server).
const UNAUTHORIZED: u16 = 4401;

/// The close code for a refused `connection_init`: 4400 when the token has several affiliations
/// and none is named, 4403 when the one named is not the token's, 4401 for any other refusal.
fn close_code(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::InstitutionRequired => 4400,
        ErrorCode::InstitutionNotHeld => 4403,
        _ => UNAUTHORIZED,
    }
}

fn protocol(req: &HttpRequest) -> Option<WebSocketProtocols> {
    req.headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|p| p.trim().parse().ok())
}

/// Runs a socket's operations through admission, as the caller its `connection_init`
/// authenticated (async-graphql only starts operations after that).
#[derive(Clone)]
struct Admitting {
    state: web::Data<AppState>,
    caller: Arc<OnceLock<Caller>>,
    /// The client's address, for the anonymous rate limit.
    client_ip: Option<std::net::IpAddr>,
}

impl Admitting {
    fn caller(&self) -> Caller {
        self.caller.get().cloned().unwrap_or(Caller::Anonymous)
    }
}

impl Executor for Admitting {
    fn execute(&self, request: Request) -> impl Future<Output = Response> + Send {
        let answers = self.execute_stream(request, None);
        async move {
            let mut answers = answers;
            answers.next().await.unwrap_or_default()
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        _session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        // Each operation counts against the caller's rate limit, as an HTTP request does.
        let caller = self.caller();
        if let Err(refusal) = self.state.rate.admit(&caller, self.client_ip) {
            self.state.metrics.error(refusal.code().as_str());
            let refused = admission::Refused::Status(refusal).into_response();
            return futures_util::stream::once(async { refused }).boxed();
        }
        admission::stream(self.state.clone(), caller, request)
    }
}

pub async fn websocket(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let Some(protocol) = protocol(&req) else {
        return Ok(
            HttpResponse::BadRequest().body("use the graphql-transport-ws WebSocket subprotocol")
        );
    };
    // A token in the upgrade request is checked before upgrading, with the institution its
    // `IIN-Institution` header names. A token with several affiliations and no header waits for
    // `connection_init`, whose `connectionParams` may name one.
    let (upgrade_token, upgrade_institution) =
        match (auth::bearer(&req), auth::chosen_institution(&req)) {
            (Ok(token), Ok(institution)) => (token, institution),
            (Err(refusal), _) | (_, Err(refusal)) => return Ok(refusal.respond_json()),
        };
    if let Some(token) = &upgrade_token {
        match auth::token_session(&state, token, upgrade_institution.as_deref()).await {
            Ok(_) => {}
            Err(refusal) if refusal.code() == ErrorCode::InstitutionRequired => {}
            Err(refusal) => return Ok(refusal.respond_json()),
        }
    }
    let (mut response, mut session, mut incoming) = actix_ws::handle(&req, body)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        header::HeaderValue::from_static(protocol.sec_websocket_protocol()),
    );

    let (to_graphql, mut received) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let from_client = futures_util::stream::poll_fn(move |cx| received.poll_recv(cx));
    let refused = Arc::new(AtomicU16::new(0));
    let init_state = state.clone();
    let init_refused = refused.clone();
    let executor = Admitting {
        state: state.clone(),
        caller: Arc::new(OnceLock::new()),
        client_ip: state.rate.client_ip(&req),
    };
    let init_caller = executor.caller.clone();
    // Suspensions from the moment of the upgrade, so that none is missed.
    let changes = state.events.subscribe_institutions();
    let (granted, grant) = tokio::sync::oneshot::channel::<Grant>();
    let mut socket = WebSocket::new(executor, from_client, protocol).on_connection_init(
        move |payload| async move {
            let token = payload
                .get("authorization")
                .or_else(|| payload.get("Authorization"))
                .and_then(|v| v.as_str())
                .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
            // `connectionParams` may name the institution, as the header does over HTTP.
            let institution = payload
                .as_object()
                .and_then(|params| {
                    params
                        .iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(auth::INSTITUTION_HEADER))
                })
                .and_then(|(_, v)| v.as_str())
                .map(|v| v.trim().to_owned())
                .or(upgrade_institution);
            // The socket's institution is decided at `connection_init`, as for an HTTP request.
            let session = match token.or(upgrade_token) {
                None => auth::Session::anonymous(),
                Some(token) => {
                    match auth::token_session(&init_state, &token, institution.as_deref()).await {
                        Ok(session) => session,
                        Err(refusal) => {
                            init_refused.store(close_code(refusal.code()), Ordering::SeqCst);
                            return Err(async_graphql::Error::new(refusal.message()));
                        }
                    }
                }
            };
            let caller = session.caller;
            let _ = granted.send(Grant {
                institution_id: caller.principal().map(|p| p.institution_id),
                expires_at: session.expires_at,
            });
            // Each operation gets its own loaders and the caller from admission.
            let _ = init_caller.set(caller);
            Ok(Data::default())
        },
    );

    let running = Running::default();
    let watched = running.clone();
    let mut writer = session.clone();
    actix_web::rt::spawn(async move {
        while let Some(message) = incoming.next().await {
            match message {
                Ok(Message::Text(text)) => {
                    watched.observe(text.as_bytes());
                    if to_graphql.send(text.as_bytes().to_vec()).is_err() {
                        break;
                    }
                }
                Ok(Message::Binary(bytes)) => {
                    watched.observe(&bytes);
                    if to_graphql.send(bytes.to_vec()).is_err() {
                        break;
                    }
                }
                Ok(Message::Ping(bytes)) => {
                    if writer.pong(&bytes).await.is_err() {
                        break;
                    }
                }
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    });
    let db = state.db.clone();
    actix_web::rt::spawn(async move {
        let mut watch = Watch {
            grant: Some(grant),
            institution_id: None,
            expiry: Box::pin(tokio::time::sleep(Duration::from_secs(86_400 * 365))),
            expires: false,
            changes,
        };
        loop {
            let message = tokio::select! {
                message = socket.next() => message,
                reason = watch.ended(&db) => {
                    end(session, protocol, &running, reason).await;
                    return;
                }
            };
            let Some(message) = message else { break };
            match message {
                WsMessage::Text(text) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                WsMessage::Close(code, reason) => {
                    let code = match refused.load(Ordering::SeqCst) {
                        0 => code,
                        refused => refused,
                    };
                    let _ = session
                        .close(Some(CloseReason {
                            code: CloseCode::Other(code),
                            description: Some(reason),
                        }))
                        .await;
                    return;
                }
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}

/// What `connection_init` granted: whose the connection is, and until when.
struct Grant {
    institution_id: Option<i64>,
    /// The token's `exp`, in seconds since the epoch.
    expires_at: Option<u64>,
}

/// The ids of the operations the client started and has not stopped.
#[derive(Clone, Default)]
struct Running(Arc<Mutex<Vec<String>>>);

impl Running {
    fn observe(&self, message: &[u8]) {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(message) else {
            return;
        };
        let (Some(kind), Some(id)) = (
            message.get("type").and_then(|t| t.as_str()),
            message.get("id").and_then(|i| i.as_str()),
        ) else {
            return;
        };
        let Ok(mut ids) = self.0.lock() else { return };
        match kind {
            "subscribe" | "start" if !ids.iter().any(|known| known == id) => {
                ids.push(id.to_owned())
            }
            "complete" | "stop" => ids.retain(|known| known != id),
            _ => {}
        }
    }

    fn ids(&self) -> Vec<String> {
        self.0.lock().map(|ids| ids.clone()).unwrap_or_default()
    }
}

/// Ends the connection when its right ends.
struct Watch {
    grant: Option<tokio::sync::oneshot::Receiver<Grant>>,
    institution_id: Option<i64>,
    expiry: std::pin::Pin<Box<tokio::time::Sleep>>,
    expires: bool,
    changes: tokio::sync::broadcast::Receiver<InstitutionEvent>,
}

impl Watch {
    /// Resolves, with the reason, when the token expires or its institution is suspended.
    async fn ended(&mut self, db: &sea_orm::DatabaseConnection) -> &'static str {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            tokio::select! {
                granted = async { self.grant.as_mut().expect("checked").await }, if self.grant.is_some() => {
                    self.grant = None;
                    let Ok(grant) = granted else { continue };
                    self.institution_id = grant.institution_id;
                    if let Some(exp) = grant.expires_at {
                        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
                        let left = Duration::from_secs(exp).saturating_sub(now);
                        self.expiry.as_mut().reset(tokio::time::Instant::now() + left);
                        self.expires = true;
                    }
                }
                () = self.expiry.as_mut(), if self.expires => return "the token has expired",
                change = self.changes.recv(), if self.institution_id.is_some() => {
                    let institution_id = self.institution_id.expect("checked");
                    match change {
                        Ok(event) if event.institution_id == institution_id && event.suspended() => {
                            return "the institution is suspended";
                        }
                        Ok(_) => {}
                        // Changes went unseen: read the institution's membership itself.
                        Err(RecvError::Lagged(_)) => {
                            use sea_orm::EntityTrait;
                            let row = entity::organization::Entity::find_by_id(institution_id)
                                .one(db)
                                .await;
                            if let Ok(Some(row)) = row
                                && row.membership == entity::enums::Membership::Suspended
                            {
                                return "the institution is suspended";
                            }
                        }
                        Err(RecvError::Closed) => self.institution_id = None,
                    }
                }
                else => std::future::pending::<()>().await,
            }
        }
    }
}

/// Each running operation gets an `UNAUTHENTICATED` error and completes; then the socket closes
/// with 4401.
async fn end(
    mut session: actix_ws::Session,
    protocol: WebSocketProtocols,
    running: &Running,
    reason: &'static str,
) {
    let data = match protocol {
        WebSocketProtocols::GraphQLWS => "next",
        _ => "data",
    };
    for id in running.ids() {
        let error = serde_json::json!({
            "id": id,
            "type": data,
            "payload": {
                "data": null,
                "errors": [{ "message": reason, "extensions": { "code": ErrorCode::Unauthenticated.as_str() } }],
            },
        });
        let complete = serde_json::json!({ "id": id, "type": "complete" });
        if session.text(error.to_string()).await.is_err()
            || session.text(complete.to_string()).await.is_err()
        {
            return;
        }
    }
    let _ = session
        .close(Some(CloseReason {
            code: CloseCode::Other(UNAUTHORIZED),
            description: Some(reason.to_owned()),
        }))
        .await;
}
