//! Why a request ends before its operation runs, answered in the GraphQL error shape with a
//! stable code ([`ErrorCode`]) and the HTTP status the GraphQL-over-HTTP specification asks for;
//! and the two media types replies are written in.

use actix_web::{
    HttpResponse,
    http::{StatusCode, header},
};
use serde_json::json;

use crate::error::ErrorCode;

pub(super) const BEARER_CHALLENGE: &str = "Bearer realm=\"iin-api\"";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    pub(super) fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Why a request ends before execution; answered in the GraphQL error shape.
pub(super) struct Refusal {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    /// Seconds for `Retry-After`.
    retry_after: Option<u64>,
}

impl Refusal {
    pub(super) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The database could not be asked: the caller may try again shortly.
    pub(super) fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServiceUnavailable,
            "try again shortly",
        )
    }

    pub(super) fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub(super) fn code(&self) -> ErrorCode {
        self.code
    }

    pub(super) fn status(&self) -> StatusCode {
        self.status
    }

    pub(super) fn message(&self) -> &str {
        &self.message
    }

    /// The refusal as a plain JSON reply, for endpoints that do not negotiate a media type.
    pub(super) fn respond_json(self) -> HttpResponse {
        self.respond(MediaType::Json)
    }

    pub(super) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    /// The reply's JSON text.
    pub(super) fn body(&self) -> String {
        json!({ "errors": [{ "message": self.message, "extensions": { "code": self.code.as_str() } }] })
            .to_string()
    }

    /// A token with several institutions, and none named for the request (400).
    pub(super) fn institution_required(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InstitutionRequired,
            message,
        )
    }

    /// The institution named for the request is not one the token gives roles at (403).
    pub(super) fn institution_not_held(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InstitutionNotHeld,
            message,
        )
    }

    pub(super) fn respond(self, media: MediaType) -> HttpResponse {
        let body = self.body();
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, media.content_type()));
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.insert_header((header::ALLOW, "GET, POST"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, BEARER_CHALLENGE));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.body(body)
    }
}
