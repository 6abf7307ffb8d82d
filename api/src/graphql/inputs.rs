//! Small parsers shared by the input types: each names the field it refuses.

use crate::{
    domain::profile,
    error::{ApiError, ApiResult},
};

/// Trimmed text of at most `max` characters that must not be blank.
pub(super) fn required(value: &str, field: &str, max: usize) -> ApiResult<String> {
    profile::text(value, max)
        .map_err(|message| ApiError::bad_input(field, message))?
        .ok_or_else(|| ApiError::bad_input(field, "required"))
}
