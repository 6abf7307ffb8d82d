//! GraphQL subscriptions over WebSocket at `/graphql`, with the graphql-ws protocol
//! (`graphql-transport-ws`; the older `graphql-ws` subprotocol too). The token comes in the
//! `connection_init` payload (`{"authorization": "Bearer …"}`, as browsers cannot set headers) or
//! in the upgrade request's `Authorization` header. A token that does not verify closes the
//! socket with 4401; without a token the connection is anonymous, and subscriptions that need a
//! member answer `UNAUTHENTICATED`.
//!
//! Every operation a `subscribe` message carries (a subscription, or a query or mutation sent
//! over the socket) passes the same admission as over HTTP ([`super::admission`]), through the
//! [`Admitting`] executor: same checks, same order, same codes, for the caller the socket
//! authenticated.

use std::sync::{
    Arc, OnceLock,
    atomic::{AtomicBool, Ordering},
};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::{
    Data, Executor, Request, Response,
    http::{WebSocket, WebSocketProtocols, WsMessage},
};
use futures_util::{StreamExt, stream::BoxStream};

use super::{AppState, admission, auth};
use crate::auth::Caller;

/// The close code for a refused token (graphql-ws leaves 4400–4499 to the server).
const UNAUTHORIZED: u16 = 4401;

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
            self.state.metrics.error(refusal.code());
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
    // A token in the upgrade request is checked before upgrading.
    let header_caller = match auth::authenticate(&req, &state).await {
        Ok(caller) => caller,
        Err(refusal) => return Ok(refusal.respond_json()),
    };
    let (mut response, mut session, mut incoming) = actix_ws::handle(&req, body)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        header::HeaderValue::from_static(protocol.sec_websocket_protocol()),
    );

    let (to_graphql, mut received) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let from_client = futures_util::stream::poll_fn(move |cx| received.poll_recv(cx));
    let refused = Arc::new(AtomicBool::new(false));
    let init_state = state.clone();
    let init_refused = refused.clone();
    let executor = Admitting {
        state: state.clone(),
        caller: Arc::new(OnceLock::new()),
        client_ip: state.rate.client_ip(&req),
    };
    let init_caller = executor.caller.clone();
    let mut socket = WebSocket::new(executor, from_client, protocol).on_connection_init(
        move |payload| async move {
            let token = payload
                .get("authorization")
                .or_else(|| payload.get("Authorization"))
                .and_then(|v| v.as_str())
                .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
            let caller = match token {
                Some(token) => match auth::authenticate_token(&init_state, &token).await {
                    Ok(caller) => caller,
                    Err(_) => {
                        init_refused.store(true, Ordering::SeqCst);
                        return Err(async_graphql::Error::new("invalid token"));
                    }
                },
                None => header_caller,
            };
            // Each operation gets its own loaders and the caller from admission.
            let _ = init_caller.set(caller);
            Ok(Data::default())
        },
    );

    let mut writer = session.clone();
    actix_web::rt::spawn(async move {
        while let Some(message) = incoming.next().await {
            match message {
                Ok(Message::Text(text)) => {
                    if to_graphql.send(text.as_bytes().to_vec()).is_err() {
                        break;
                    }
                }
                Ok(Message::Binary(bytes)) => {
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
    actix_web::rt::spawn(async move {
        while let Some(message) = socket.next().await {
            match message {
                WsMessage::Text(text) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                WsMessage::Close(code, reason) => {
                    let code = if refused.load(Ordering::SeqCst) {
                        UNAUTHORIZED
                    } else {
                        code
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
