//! What an edit does to one optional field: keep it, clear it, or set it.

use sea_orm::ActiveValue::Set;

/// A change to one optional profile field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Change<T> {
    /// Writes the change into a nullable column, converting a new value to what it stores.
    pub(crate) fn apply<U>(
        self,
        into: &mut sea_orm::ActiveValue<Option<U>>,
        convert: impl FnOnce(T) -> U,
    ) where
        Option<U>: Into<sea_orm::Value>,
    {
        match self {
            Self::Keep => {}
            Self::Clear => *into = Set(None),
            Self::Set(value) => *into = Set(Some(convert(value))),
        }
    }

    pub fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }

    /// `Set(None)` clears: for parsers that read blank text as no value.
    pub fn flatten<U>(self) -> Change<U>
    where
        T: Into<Option<U>>,
    {
        match self {
            Self::Keep => Change::Keep,
            Self::Clear => Change::Clear,
            Self::Set(value) => value.into().map_or(Change::Clear, Change::Set),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Change<U> {
        match self {
            Self::Keep => Change::Keep,
            Self::Clear => Change::Clear,
            Self::Set(value) => Change::Set(f(value)),
        }
    }
}
