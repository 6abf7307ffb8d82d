//! Statements whose `LIMIT` is written into the SQL as a number rather than bound.
//!
//! sea-query binds a `LIMIT` like any other value. PostgreSQL plans a prepared statement for its
//! values for the first five runs, then may keep one generic plan, and a generic plan cannot
//! know a bound limit: it assumes a tenth of the rows. For a page of 21 rows out of thousands
//! that favours hashing and sorting everything over walking an index and stopping early
//! (BENCHMARKS.md, showcases by prefecture at scale 10). The limits we write are few (page
//! sizes up to the largest `first`/`last`, the count's bound, the candidate bounds), so a
//! statement per limit is a handful of prepared statements, not an unbounded set.

use std::fmt::{self, Write};

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryTrait, Select, Statement,
    Values,
    sea_query::{
        PostgresQueryBuilder, QueryBuilder, SelectStatement, SqlWriter, SqliteQueryBuilder, Value,
    },
};

/// `select` in `backend`'s SQL, its `LIMIT` and `OFFSET` written as numbers, every other
/// value bound.
pub fn build(select: &SelectStatement, backend: DbBackend) -> Statement {
    let (sql, values) = match backend {
        DbBackend::Postgres => write(select, PostgresQueryBuilder),
        // The service runs on PostgreSQL or SQLite (`db::connect`).
        _ => write(select, SqliteQueryBuilder),
    };
    Statement {
        sql,
        values: Some(values),
        db_backend: backend,
    }
}

/// The rows of `select`, as `select.all(db)` reads them, with its limit written.
pub async fn all<E, C>(db: &C, select: Select<E>) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let statement = build(select.as_query(), db.get_database_backend());
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| E::Model::from_query_result(row, ""))
        .collect()
}

fn write(select: &SelectStatement, builder: impl QueryBuilder) -> (String, Values) {
    let (placeholder, numbered) = builder.placeholder();
    let mut writer = Writer {
        sql: String::with_capacity(512),
        values: Vec::new(),
        placeholder,
        numbered,
    };
    builder.prepare_select_statement(select, &mut writer);
    (writer.sql, Values(writer.values))
}

/// sea-query's own writer of bound values, except for the number after `LIMIT` or `OFFSET`.
struct Writer {
    sql: String,
    values: Vec<Value>,
    placeholder: &'static str,
    numbered: bool,
}

impl SqlWriter for Writer {
    fn push_param<T: QueryBuilder>(&mut self, value: Value, _: &T) {
        if let Value::BigUnsigned(Some(n)) = value
            && (self.sql.ends_with(" LIMIT ") || self.sql.ends_with(" OFFSET "))
        {
            // A u64 written in decimal: nothing for the SQL to misread.
            write!(self.sql, "{n}").expect("writing to a String");
            return;
        }
        self.sql.push_str(self.placeholder);
        self.values.push(value);
        if self.numbered {
            write!(self.sql, "{}", self.values.len()).expect("writing to a String");
        }
    }

    fn as_writer(&mut self) -> &mut dyn Write {
        self
    }
}

impl Write for Writer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.sql.push_str(s);
        Ok(())
    }
}

impl fmt::Display for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql)
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{
        ColumnTrait, QueryFilter, QueryOrder, QuerySelect,
        sea_query::{Expr, ExprTrait, Query},
    };

    use super::*;

    #[test]
    fn limits_are_written_and_every_other_value_stays_bound() {
        let inner = Query::select()
            .expr(Expr::val(1))
            .from(entity::sme::Entity)
            .and_where(Expr::col(entity::sme::Column::PrefectureCode).eq(23))
            .limit(1001)
            .to_owned();
        let statement = entity::sme::Entity::find()
            .filter(entity::sme::Column::Id.gt(7))
            .filter(entity::sme::Column::NameEn.eq("LIMIT "))
            .expr_as(Expr::SubQuery(None, Box::new(inner.into())), "total")
            .order_by_asc(entity::sme::Column::Id)
            .limit(21)
            .offset(40)
            .into_query();
        let postgres = build(&statement, DbBackend::Postgres);
        assert!(
            postgres.sql.contains("LIMIT 1001) AS \"total\""),
            "{}",
            postgres.sql
        );
        assert!(
            postgres.sql.ends_with(" LIMIT 21 OFFSET 40"),
            "{}",
            postgres.sql
        );
        let values = postgres.values.unwrap().0;
        // The subquery's 1 and prefecture, then the filter's id and name: numbered in order.
        assert_eq!(
            values,
            vec![
                Value::from(1),
                Value::from(23),
                Value::from(7),
                Value::from("LIMIT ")
            ]
        );
        assert!(
            postgres.sql.contains("\"prefecture_code\" = $2"),
            "{}",
            postgres.sql
        );
        assert!(
            postgres
                .sql
                .contains("\"id\" > $3 AND \"smes\".\"name_en\" = $4"),
            "{}",
            postgres.sql
        );

        let sqlite = build(&statement, DbBackend::Sqlite);
        assert!(
            sqlite.sql.ends_with(" LIMIT 21 OFFSET 40"),
            "{}",
            sqlite.sql
        );
        assert!(!sqlite.sql.contains('$'));
        assert_eq!(sqlite.values.unwrap().0.len(), 4);
        // Apart from the limits, the statement is sea-query's own.
        let (bound, _) = statement.build(SqliteQueryBuilder);
        assert_eq!(
            bound
                .replace("LIMIT ? OFFSET ?", "LIMIT 21 OFFSET 40")
                .replace("LIMIT ?)", "LIMIT 1001)"),
            sqlite.sql
        );
    }
}
