//! Small parsers shared by the input types: each names the field it refuses.

use async_graphql::{ID, InputType, MaybeUndefined};

use super::ids::{self, NodeType};
use crate::{
    domain::{change::Change, idempotency::Idempotency, prefecture::PrefectureCode, profile},
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

/// Optional text of at most `max` characters; blank is none.
pub(super) fn optional(
    value: Option<String>,
    field: &str,
    max: usize,
) -> ApiResult<Option<String>> {
    value
        .map(|v| profile::text(&v, max).map_err(|message| ApiError::bad_input(field, message)))
        .transpose()
        .map(Option::flatten)
}

/// A small number within `range`.
pub(super) fn within(
    value: i32,
    field: &str,
    range: std::ops::RangeInclusive<i32>,
) -> ApiResult<i16> {
    if range.contains(&value) {
        Ok(value as i16)
    } else {
        Err(ApiError::bad_input(
            field,
            format!("must be between {} and {}", range.start(), range.end()),
        ))
    }
}

/// A JIS X 0401 prefecture code.
pub(super) fn prefecture(value: i32, field: &str) -> ApiResult<PrefectureCode> {
    PrefectureCode::parse(value.into()).map_err(|e| ApiError::bad_input(field, e.to_string()))
}

/// An optional field of an update: omitted keeps it, null clears it, a value is parsed.
pub(super) fn change<T, U>(
    value: MaybeUndefined<T>,
    parse: impl FnOnce(T) -> ApiResult<U>,
) -> ApiResult<Change<U>> {
    match value {
        MaybeUndefined::Undefined => Ok(Change::Keep),
        MaybeUndefined::Null => Ok(Change::Clear),
        MaybeUndefined::Value(value) => parse(value).map(Change::Set),
    }
}

/// An optional text field of an update: omitted keeps it, null or blank clears it.
pub(super) fn text_change(
    value: MaybeUndefined<String>,
    field: &str,
    max: usize,
) -> ApiResult<Change<String>> {
    parsed_change(value, field, |text| {
        Ok(profile::text(text, max)?.unwrap_or_default())
    })
}

/// An optional parsed field of an update: omitted keeps it, null or blank clears it.
pub(super) fn parsed_change<T>(
    value: MaybeUndefined<String>,
    field: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, String>,
) -> ApiResult<Change<T>> {
    match value {
        MaybeUndefined::Value(text) if text.trim().is_empty() => Ok(Change::Clear),
        value => change(value, |text| {
            parse(&text).map_err(|m| ApiError::bad_input(field, m))
        }),
    }
}

/// Exactly one of `id` and a natural key (`code`, `corporateNumber`) names an object.
pub(super) enum Lookup {
    Id(i64),
    Key(String),
}

/// Reads the `id` and the natural key `key_name` of a look-up, of which exactly one is given.
pub(super) fn lookup(
    id: Option<ID>,
    key: Option<String>,
    node_type: NodeType,
    key_name: &str,
) -> ApiResult<Lookup> {
    match (id, key) {
        (Some(id), None) => Ok(Lookup::Id(ids::decode_as(&id, node_type, "id")?)),
        (None, Some(key)) => Ok(Lookup::Key(key)),
        (Some(_), Some(_)) => Err(ApiError::bad_input(
            key_name,
            format!("give `id` or `{key_name}`, not both"),
        )),
        (None, None) => Err(ApiError::bad_input(
            "id",
            format!("give `id` or `{key_name}`"),
        )),
    }
}

/// An optional global ID of one node type.
pub(super) fn optional_id(
    id: &Option<ID>,
    node_type: NodeType,
    field: &str,
) -> ApiResult<Option<i64>> {
    id.as_ref()
        .map(|id| ids::decode_as(id, node_type, field))
        .transpose()
}
