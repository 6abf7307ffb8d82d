//! What a caller may read, decided once per area.
//!
//! Each area has one `readable_by(caller)` that makes a [`Readable`] of its table; lists, counts,
//! aggregates, `node(id:)`, nested loaders and subscriptions all start from it. A `Readable` can
//! only be narrowed: every filter is put beside the readable set with `AND` (an `OR` of
//! alternatives with a filter added inside it would widen it instead), and there is no way to
//! get the rows of the table without it.

use std::marker::PhantomData;

use sea_orm::{Condition, EntityTrait, QueryFilter, Select, sea_query::IntoCondition};

/// The rows of `E` that one caller may read, possibly narrowed by filters.
#[derive(Debug, Clone)]
#[must_use]
pub struct Readable<E: EntityTrait> {
    /// `None`: every row.
    condition: Option<Condition>,
    entity: PhantomData<E>,
}

impl<E: EntityTrait> Readable<E> {
    /// The rows matching `condition`: only an area's `readable_by` says what a caller may read.
    pub(in crate::domain) fn only(condition: Condition) -> Self {
        Self {
            condition: Some(condition),
            entity: PhantomData,
        }
    }

    /// Every row (public areas, network admins).
    pub(in crate::domain) fn everything() -> Self {
        Self {
            condition: None,
            entity: PhantomData,
        }
    }

    /// The readable rows that also match `filter`: always fewer or as many, never more.
    pub fn narrow(self, filter: impl IntoCondition) -> Self {
        let both = match self.condition {
            Some(readable) => Condition::all().add(readable),
            None => Condition::all(),
        };
        Self::only(both.add(filter.into_condition()))
    }

    /// [`Self::narrow`] by `filter` when there is one.
    pub fn narrow_if(self, filter: Option<impl IntoCondition>) -> Self {
        match filter {
            Some(filter) => self.narrow(filter),
            None => self,
        }
    }

    /// The query for these rows; further `.filter` calls on it narrow it too (SeaORM joins them
    /// with `AND`).
    pub fn select(self) -> Select<E> {
        match self.condition {
            Some(condition) => E::find().filter(condition),
            None => E::find(),
        }
    }
}

#[cfg(test)]
mod tests {
    use entity::evaluation;
    use sea_orm::{ColumnTrait, DbBackend, QueryTrait};

    use super::*;

    #[test]
    fn a_filter_narrows_an_alternative_of_readable_sets() {
        use evaluation::Column;
        let readable = Readable::<evaluation::Entity>::only(
            Condition::any()
                .add(Column::InstitutionId.eq(1))
                .add(Column::SmeId.eq(2)),
        );
        let sql = readable
            .narrow(Column::Status.eq(entity::enums::EvaluationStatus::Draft))
            .select()
            .build(DbBackend::Sqlite)
            .to_string();
        let condition = sql.split(" WHERE ").nth(1).unwrap();
        assert_eq!(
            condition,
            r#"("evaluations"."institution_id" = 1 OR "evaluations"."sme_id" = 2) AND "evaluations"."status" = 'draft'"#
        );
    }

    #[test]
    fn everything_narrowed_is_the_filter() {
        use evaluation::Column;
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            let sql = Readable::<evaluation::Entity>::everything()
                .narrow(Column::SmeId.eq(3))
                .select()
                .build(backend)
                .to_string();
            assert!(
                sql.ends_with(r#"WHERE "evaluations"."sme_id" = 3"#),
                "{sql}"
            );
        }
    }
}
