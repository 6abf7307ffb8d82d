//! The error policy, in one place.
//!
//! - Every error a caller can cause is an [`ApiError`] with a stable [`ErrorCode`], and names the
//!   argument or input field at fault when there is one (`extensions.field`).
//! - Database and other internal failures are logged here, with their detail, when they are turned
//!   into a GraphQL error; the caller sees only a fixed message and `INTERNAL_SERVER_ERROR` (or
//!   `SERVICE_UNAVAILABLE` when the database cannot be reached), never SQL or driver text.
//! - async-graphql's blanket `From<impl Display>` is switched off (feature
//!   `custom-error-conversion`), so no other path from an error to a GraphQL message exists.

use std::{fmt, sync::Arc};

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Stable codes in `extensions.code`; clients may rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    BadUserInput,
    NotFound,
    Conflict,
    ServiceUnavailable,
    InternalServerError,
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
        }
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
    /// Another request holds the same idempotency key; the caller may retry.
    #[error("a request with this idempotency key is being processed: retry shortly")]
    Contention,
    #[error("the database is unavailable")]
    Unavailable(#[source] Arc<DbErr>),
    #[error("internal error")]
    Internal(#[source] Arc<DbErr>),
}

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
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::InternalServerError,
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
    fn from(err: Arc<DbErr>) -> Self {
        match *err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::Unavailable(err),
            _ if connection_lost(&err) => Self::Unavailable(err),
            _ => Self::Internal(err),
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
    fn from(err: DbErr) -> Self {
        Arc::new(err).into()
    }
}

impl ApiError {
    /// A row that breaks an invariant the schema guarantees (a dangling reference, a value out
    /// of range): a server fault, reported as such.
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Internal(Arc::new(DbErr::Custom(what.into())))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        if let ApiError::Unavailable(source) | ApiError::Internal(source) = &err {
            tracing::error!(error = %source, code = %err.code(), "request failed");
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
