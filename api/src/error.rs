//! The error policy, in one place.
//!
//! - Every error a caller can cause is an [`ApiError`] with a stable [`ErrorCode`], and names the
//!   argument or input field at fault when there is one (`extensions.field`).
//! - Database and other internal failures are logged here, with their detail, when they are turned
//!   into a GraphQL error; the caller sees only a fixed message and `INTERNAL_SERVER_ERROR` (or
//!   `SERVICE_UNAVAILABLE` when the database cannot be reached), never SQL or driver text.
//! - async-graphql's blanket `From<impl Display>` is switched off (feature
//!   `custom-error-conversion`), so no other path from an error to a GraphQL message exists.

use std::{fmt, panic::Location, sync::Arc};

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Stable codes in `extensions.code`; clients may rely on them. The first eight come from the
/// domain ([`ApiError`]); the rest from the transport, before an operation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    BadUserInput,
    NotFound,
    Conflict,
    ServiceUnavailable,
    InternalServerError,
    /// A person asked to change an award they hold themselves: only the issuer's registrars
    /// change awards, and never their own.
    OwnAward,
    /// The document does not parse.
    GraphqlParseFailed,
    /// The document does not validate against the schema.
    GraphqlValidationFailed,
    /// Over the token or alias limit, counted before parsing.
    QueryTooLarge,
    /// Over the depth limit.
    QueryTooDeep,
    /// Over the complexity limit.
    QueryTooComplex,
    /// Execution took longer than the request deadline.
    Timeout,
    /// Over the client's requests per minute.
    RateLimited,
    /// The HTTP request itself is malformed.
    BadRequest,
    /// Neither GET nor POST, or a mutation by GET.
    MethodNotAllowed,
    /// No response media type the client accepts.
    NotAcceptable,
    /// A body that is not JSON.
    UnsupportedMediaType,
    /// A body over the size limit.
    PayloadTooLarge,
    /// A body that arrived too slowly.
    RequestTimeout,
    /// A batch of more operations than allowed.
    BatchTooLarge,
    /// An unknown persisted-query hash.
    PersistedQueryNotFound,
    /// This caller may not register a persisted query.
    PersistedQueryNotAllowed,
    /// A document that is not on the safelist.
    OperationNotAllowed,
    /// A token with roles at several institutions, and no `IIN-Institution` naming the one the
    /// request acts for.
    InstitutionRequired,
    /// `IIN-Institution` names an institution the token gives no roles at.
    InstitutionNotHeld,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::QueryTooLarge => "QUERY_TOO_LARGE",
            Self::QueryTooDeep => "QUERY_TOO_DEEP",
            Self::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Self::Timeout => "TIMEOUT",
            Self::RateLimited => "RATE_LIMITED",
            Self::BadRequest => "BAD_REQUEST",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::NotAcceptable => "NOT_ACCEPTABLE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::BatchTooLarge => "BATCH_TOO_LARGE",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryNotAllowed => "PERSISTED_QUERY_NOT_ALLOWED",
            Self::OperationNotAllowed => "OPERATION_NOT_ALLOWED",
            Self::InstitutionRequired => "INSTITUTION_REQUIRED",
            Self::InstitutionNotHeld => "INSTITUTION_NOT_HELD",
            Self::OwnAward => "OWN_AWARD",
        }
    }
}

impl From<ErrorCode> for async_graphql::Value {
    fn from(code: ErrorCode) -> Self {
        Self::String(code.as_str().to_owned())
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token, where one is needed (a token that is present but invalid never gets this far:
    /// the transport answers 401 before execution).
    #[error("sign in to do this: send a bearer token")]
    Unauthenticated,
    /// A known caller without the right.
    #[error("{0}")]
    Forbidden(String),
    /// The caller sent a value we refuse; `field` is the argument's path, e.g. `filter.search`.
    #[error("{message}")]
    BadUserInput { field: String, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// The caller holds the award they asked to change (a coordinator signed in as themselves):
    /// a person reads their awards but never changes them.
    #[error("this is your own award: its issuer's registrars change it, never its holder")]
    OwnAward,
    /// Another request holds the same idempotency key; the caller may retry.
    #[error("a request with this idempotency key is being processed: retry shortly")]
    Contention,
    #[error("the database is unavailable")]
    Unavailable(#[source] Arc<DbErr>),
    /// A fault of ours: the error that caused it, and where in our code it was raised (logged,
    /// never shown).
    #[error("internal error")]
    Internal {
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
        at: &'static Location<'static>,
    },
}

/// A broken invariant that no library reported: a row the schema's guarantees rule out.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Invariant(pub String);

impl ApiError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::BadUserInput { .. } => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict { .. } | Self::Contention => ErrorCode::Conflict,
            Self::OwnAward => ErrorCode::OwnAward,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal { .. } => ErrorCode::InternalServerError,
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::BadUserInput { field, .. } | Self::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<Arc<DbErr>> for ApiError {
    #[track_caller]
    fn from(err: Arc<DbErr>) -> Self {
        match *err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::Unavailable(err),
            _ if connection_lost(&err) => Self::Unavailable(err),
            _ => Self::Internal {
                source: err,
                at: Location::caller(),
            },
        }
    }
}

/// A statement failed because its connection went away under it: the server shut down or
/// terminated it (SQLSTATE class 57P), the link broke (class 08), or the socket did.
fn connection_lost(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    let (DbErr::Query(RuntimeErr::SqlxError(err)) | DbErr::Exec(RuntimeErr::SqlxError(err))) = err
    else {
        return false;
    };
    match err.as_ref() {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

impl From<DbErr> for ApiError {
    #[track_caller]
    fn from(err: DbErr) -> Self {
        Self::from(Arc::new(err))
    }
}

impl ApiError {
    /// A row that breaks an invariant the schema guarantees (a dangling reference, a value out
    /// of range): a server fault, reported as such.
    #[track_caller]
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Internal {
            source: Arc::new(Invariant(what.into())),
            at: Location::caller(),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        match &err {
            ApiError::Unavailable(source) => {
                tracing::error!(error = %source, code = %err.code(), "request failed");
            }
            ApiError::Internal { source, at } => {
                tracing::error!(error = %source, at = %at, code = %err.code(), "request failed");
            }
            _ => {}
        }
        let code = err.code();
        let field = err.field().map(str::to_owned);
        async_graphql::Error::new(err.to_string()).extend_with(|_, extensions| {
            extensions.set("code", code.as_str());
            if let Some(field) = field {
                extensions.set("field", field);
            }
        })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn raised_at(err: &ApiError) -> (&'static str, u32) {
        match err {
            ApiError::Internal { at, .. } => (at.file(), at.line()),
            other => panic!("not internal: {other:?}"),
        }
    }

    #[test]
    fn an_internal_error_keeps_its_source_and_where_it_was_raised() {
        let (err, line) = (ApiError::corrupt("a dangling reference"), line!());
        assert_eq!(raised_at(&err), (file!(), line));
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert_eq!(source, "a dangling reference");

        fn fails() -> ApiResult<()> {
            Err(DbErr::Custom("no such column".into()))?
        }
        let err = fails().unwrap_err();
        assert_eq!(
            raised_at(&err).0,
            file!(),
            "the `?` that raised it, not this module's From"
        );
        assert_eq!(
            std::error::Error::source(&err).unwrap().to_string(),
            "Custom Error: no such column"
        );
        assert_eq!(err.to_string(), "internal error", "callers see no detail");
    }

    #[test]
    fn codes_become_their_spelling_in_extensions() {
        let codes = [
            ErrorCode::Unauthenticated,
            ErrorCode::GraphqlValidationFailed,
            ErrorCode::PersistedQueryNotAllowed,
        ];
        for code in codes {
            let text = code.as_str();
            assert!(
                text.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{text}"
            );
            assert_eq!(
                async_graphql::Value::from(code),
                async_graphql::Value::from(text)
            );
        }
    }
}
