//! Small parsers shared by the input types: each names the field it refuses.

use async_graphql::InputType;

use crate::{
    domain::{idempotency::Idempotency, profile},
    error::{ApiError, ApiResult},
};

/// Trimmed text of at most `max` characters that must not be blank.
pub(super) fn required(value: &str, field: &str, max: usize) -> ApiResult<String> {
    profile::text(value, max)
        .map_err(|message| ApiError::bad_input(field, message))?
        .ok_or_else(|| ApiError::bad_input(field, "required"))
}

/// The idempotency key a create or a workflow step came with, fingerprinted with the operation and
/// its input (as JSON), so that the same key with other input is told apart.
pub(super) fn fingerprint(
    key: &str,
    operation: &str,
    input: serde_json::Value,
) -> Option<ApiResult<Idempotency>> {
    Some(Idempotency::parse(key, operation, &input))
}

/// An input object as JSON, for its fingerprint.
pub(super) fn json_of(input: &impl InputType) -> serde_json::Value {
    input.to_value().into_json().unwrap_or_default()
}
