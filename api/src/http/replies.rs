//! What every reply carries, whoever answered it (a handler, the CORS layer, a 404): an
//! `x-request-id`, and `Cache-Control: no-store` on errors. And the request's root span, in which
//! every log line of the request is written: it names the request id and the W3C trace the
//! request belongs to. And which replies are worth compressing.

use actix_web::{
    Error, HttpMessage,
    body::{BodySize, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderName, HeaderValue},
    middleware::Next,
};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client; a longer one is replaced.
const MAX_REQUEST_ID: usize = 128;

/// This request's id, as the reply's `x-request-id` and the span's `request_id` show it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client's request id, when it is sane: 1 to 128 visible ASCII characters (nothing a log line
/// or a header could be forged with).
fn sane_request_id(value: &HeaderValue) -> Option<String> {
    let bytes = value.as_bytes();
    (!bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID
        && bytes.iter().all(|b| (0x21..=0x7e).contains(b)))
    .then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// The trace id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), when it is valid: not
/// version `ff`, and neither id all zeros.
pub fn traceparent_trace_id(value: &str) -> Option<&str> {
    let mut parts = value.trim().split('-');
    let (version, trace_id, parent_id, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let zero = |s: &str| s.bytes().all(|b| b == b'0');
    // Version 00 has exactly four parts; a later version may add some.
    let valid = hex(version, 2)
        && version != "ff"
        && (version != "00" || parts.next().is_none())
        && hex(trace_id, 32)
        && !zero(trace_id)
        && hex(parent_id, 16)
        && !zero(parent_id)
        && hex(flags, 2);
    valid.then_some(trace_id)
}

/// The root span of each request: tracing-actix-web's fields, with the request id the client
/// sent (or a new one) and the trace id of its `traceparent` (or a new trace).
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(sane_request_id)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        request.extensions_mut().insert(RequestId(id.clone()));
        let trace_id = request
            .headers()
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .and_then(traceparent_trace_id)
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_owned());
        let span = tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %request.uri().path(),
            http.client_ip = %request.connection_info().realip_remote_addr().unwrap_or(""),
            http.user_agent = %request
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            http.status_code = tracing::field::Empty,
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            request_id = %id,
            trace_id = %trace_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        );
        crate::telemetry::continue_trace(&span, request.headers());
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// Replies smaller than this are sent as they are: compressing a few hundred bytes saves less than
/// it costs (the gzip and brotli framing alone is tens of bytes), and small replies are most.
pub const COMPRESS_MIN_BYTES: u64 = 1024;

/// Marks replies too small to compress with `Content-Encoding: identity`, which actix-web's
/// `Compress` (wrapped around this) leaves alone; [`stamp`] removes the mark before the reply
/// leaves. `Compress` itself has no threshold.
pub async fn small_stays_identity(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut response = next.call(req).await?;
    if let BodySize::Sized(size) = response.response().body().size()
        && size < COMPRESS_MIN_BYTES
    {
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static("identity"),
        );
    }
    Ok(response)
}

/// Stamps every reply with the request's id, and makes error replies uncacheable.
pub async fn stamp(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = req.extensions().get::<RequestId>().cloned();
    // Inner layers answer refusals as responses (the CORS layer too), not as errors.
    let mut response = next.call(req).await?.map_into_boxed_body();
    let headers = response.headers_mut();
    if headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"identity"))
    {
        headers.remove(header::CONTENT_ENCODING);
    }
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.0).ok()) {
        headers.insert(REQUEST_ID, value);
    }
    if response.status().as_u16() >= 400 {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_valid_traceparents_name_a_trace() {
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        assert_eq!(
            traceparent_trace_id(&format!("00-{id}-00f067aa0ba902b7-01")),
            Some(id)
        );
        for bad in [
            format!("00-{id}-00f067aa0ba902b7"),
            format!("ff-{id}-00f067aa0ba902b7-01"),
            format!("00-{}-00f067aa0ba902b7-01", "0".repeat(32)),
            format!("00-{id}-0000000000000000-01"),
            format!("00-{}-00f067aa0ba902b7-01", id.to_uppercase()),
            format!("00-{id}-00f067aa0ba902b7-01-extra"),
        ] {
            assert_eq!(traceparent_trace_id(&bad), None, "{bad}");
        }
        assert_eq!(
            traceparent_trace_id(&format!("01-{id}-00f067aa0ba902b7-01-extra")),
            Some(id)
        );
    }

    #[test]
    fn request_ids_from_clients_are_bounded_and_visible() {
        let ok = HeaderValue::from_static("req-42:abc");
        assert_eq!(sane_request_id(&ok).as_deref(), Some("req-42:abc"));
        assert!(sane_request_id(&HeaderValue::from_static("a b")).is_none());
        assert!(sane_request_id(&HeaderValue::from_str(&"x".repeat(129)).unwrap()).is_none());
        assert!(sane_request_id(&HeaderValue::from_static("")).is_none());
    }
}
