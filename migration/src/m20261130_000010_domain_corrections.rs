//! Domain corrections (issue 15): where an organisation's membership comes from, and its country
//! (with no prefecture for a body abroad or whose seat is not recorded); tie-ups' status,
//! form, start year and structured partners; SMEs without a corporate number (sole proprietors),
//! with an optional qualified-invoice number, and industries as JSIC codes.
//!
//! Existing rows are kept: an organisation's membership so far counts as recorded by the network,
//! except where the source states it or the seed had stated one the source does not support;
//! a tie-up's partner starts as the source's wording (the seed structures it); an industry that is
//! not a JSIC code moves to `industry_note`.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite's change of a column's nullability and the data moves must happen on one connection.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len(Organizations::MembershipBasis, 20)
                .default("network_record")
                .to_owned(),
            char_len(Organizations::CountryCode, 2)
                .default("JP")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organizations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }

        // The source states these memberships; it names no member, so the seeded bodies it did not
        // name as members are recorded as not stated (the seed writes the same on a new database).
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE organizations SET membership_basis = 'source_document' \
             WHERE code IN ('meti', 'mext', 'smrj', 'aist', 'jetro', 'jst', 'jilc', 'rbaj')",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE organizations SET membership = 'non_member', membership_basis = 'not_stated' \
             WHERE code IN ('iin-japan', 'fcnw', 'aerospace-forum', 'c-astec', 'nagoya-u') \
             AND membership = 'member'",
        )
        .await?;

        for column in [
            text(TieUps::Partners)
                .default(r#"{"partners":[],"incomplete":false}"#)
                .to_owned(),
            small_integer_null(TieUps::StartYear),
            string_len(TieUps::Status, 10).default("unknown").to_owned(),
            string_len_null(TieUps::AgreementType, 20),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TieUps::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        structure_partners(manager).await?;

        for column in [
            char_len_null(Smes::InvoiceNumber, 14),
            string_len_null(Smes::IndustryNote, 100),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Smes::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ux_smes_invoice_number")
                    .table(Smes::Table)
                    .col(Smes::InvoiceNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        set_required(manager, &CORPORATE_NUMBER, false).await?;
        set_required(manager, &PREFECTURE, false).await?;
        move_free_text_industries(manager).await
    }

    /// Removes what `up` added. Refused while an SME has no corporate number (a sole proprietor
    /// cannot be kept without one); industries moved to notes stay there.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_required(manager, &CORPORATE_NUMBER, true).await?;
        set_required(manager, &PREFECTURE, true).await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_smes_invoice_number")
                    .table(Smes::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Smes::InvoiceNumber, Smes::IndustryNote] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Smes::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            TieUps::Partners,
            TieUps::StartYear,
            TieUps::Status,
            TieUps::AgreementType,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TieUps::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Organizations::MembershipBasis, Organizations::CountryCode] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organizations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// Every tie-up's foreign partner, as one partner named as the source words it.
async fn structure_partners(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, foreign_partner, country_code FROM tie_ups",
        ))
        .await?;
    for row in rows {
        let id: i64 = row.try_get("", "id")?;
        let name: String = row.try_get("", "foreign_partner")?;
        let country: String = row.try_get("", "country_code")?;
        let partners = serde_json::json!({
            "partners": [{ "name": name, "kind": null, "country": country }],
            "incomplete": false,
        });
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, "UPDATE tie_ups SET partners = ? WHERE id = ?"),
            [partners.to_string().into(), id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// A column that may be null, or must not: one column definition, as SQLite stores it, each way.
struct Nullability {
    table: &'static str,
    column: &'static str,
    optional: &'static str,
    required: &'static str,
}

/// A sole proprietor has no corporate number.
const CORPORATE_NUMBER: Nullability = Nullability {
    table: "smes",
    column: "corporate_number",
    optional: "\"corporate_number\" char(13) UNIQUE",
    required: "\"corporate_number\" char(13) NOT NULL UNIQUE",
};

/// A body abroad (ESCA), or whose seat is not recorded, has no prefecture.
const PREFECTURE: Nullability = Nullability {
    table: "organizations",
    column: "prefecture_code",
    optional: "\"prefecture_code\" smallint CHECK",
    required: "\"prefecture_code\" smallint NOT NULL CHECK",
};

/// PostgreSQL changes the constraint; SQLite, which cannot alter a column, has its table
/// definition rewritten in place, as its documentation allows for a change that leaves the stored
/// rows as they are (adding or removing NOT NULL; SQLite's "ALTER TABLE", section "Making Other
/// Kinds Of Table Schema Changes"). Making a column required again is refused while a row has none.
async fn set_required(
    manager: &SchemaManager<'_>,
    target: &Nullability,
    required: bool,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let Nullability {
        table,
        column,
        optional,
        required: mandatory,
    } = target;
    if required {
        let missing = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} IS NULL"),
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or_default();
        if missing > 0 {
            return Err(DbErr::Migration(format!(
                "{missing} rows of {table} have no {column}: they cannot be migrated down"
            )));
        }
    }
    match backend {
        DbBackend::Postgres => {
            let change = if required { "SET" } else { "DROP" };
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ALTER COLUMN {column} {change} NOT NULL"
            ))
            .await?;
        }
        DbBackend::Sqlite => {
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                    [(*table).into()],
                ))
                .await?
                .ok_or_else(|| DbErr::Migration(format!("the {table} table is missing")))?;
            let sql: String = row.try_get("", "sql")?;
            let (before, after) = if required {
                (optional, mandatory)
            } else {
                (mandatory, optional)
            };
            if !sql.contains(before) {
                return Err(DbErr::Migration(format!(
                    "unexpected definition of {table}.{column}: {sql}"
                )));
            }
            let rewritten = sql.replacen(before, after, 1);
            let version: i64 = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "PRAGMA schema_version",
                ))
                .await?
                .map(|row| row.try_get_by_index(0))
                .transpose()?
                .unwrap_or_default();
            db.execute_unprepared("PRAGMA writable_schema = ON").await?;
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                [rewritten.into(), (*table).into()],
            ))
            .await?;
            db.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1))
                .await?;
            db.execute_unprepared("PRAGMA writable_schema = OFF")
                .await?;
        }
        other => {
            return Err(DbErr::Migration(format!("{other:?} is not supported")));
        }
    }
    Ok(())
}

/// Industries become JSIC codes (a major letter, optionally its two-digit middle classification);
/// a free-text industry is kept as a note.
async fn move_free_text_industries(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, industry FROM smes WHERE industry IS NOT NULL",
        ))
        .await?;
    for row in rows {
        let id: i64 = row.try_get("", "id")?;
        let industry: String = row.try_get("", "industry")?;
        if looks_like_jsic(&industry) {
            continue;
        }
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            placeholders(
                backend,
                "UPDATE smes SET industry_note = ?, industry = NULL WHERE id = ?",
            ),
            [industry.into(), id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The shape of a JSIC code; the API checks the classification itself on input.
fn looks_like_jsic(text: &str) -> bool {
    let bytes = text.as_bytes();
    matches!(bytes.first(), Some(b'A'..=b'T'))
        && (bytes.len() == 1 || (bytes.len() == 3 && bytes[1..].iter().all(u8::is_ascii_digit)))
}

fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut n = 0;
    sql.chars()
        .map(|c| {
            if c == '?' {
                n += 1;
                format!("${n}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    MembershipBasis,
    CountryCode,
}

#[derive(DeriveIden)]
enum TieUps {
    Table,
    Partners,
    StartYear,
    Status,
    AgreementType,
}

#[derive(DeriveIden)]
enum Smes {
    Table,
    InvoiceNumber,
    IndustryNote,
}
