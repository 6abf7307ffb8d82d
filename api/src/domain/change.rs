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
    pub(crate) fn apply(
        self,
        into: &mut sea_orm::ActiveValue<Option<String>>,
        text: impl FnOnce(T) -> String,
    ) {
        match self {
            Self::Keep => {}
            Self::Clear => *into = Set(None),
            Self::Set(value) => *into = Set(Some(text(value))),
        }
    }
}
