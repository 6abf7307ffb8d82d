//! Organisations, SMEs and coordinators are searched as patents are (`domain::search`): every term in any of
//! the searched columns, through trigram indexes on both databases. PostgreSQL: `pg_trgm` GIN
//! indexes on the columns themselves (serving `ILIKE`), replacing the `lower(column)` ones of the
//! patents migration, and covering the organisations' descriptions. SQLite: an FTS5 table with the
//! `trigram` tokenizer per table, with external content kept in step by triggers, and filled from
//! the rows already there.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The searched columns, by table.
const SEARCHED: [(&str, &[&str]); 3] = [
    (
        "organizations",
        &[
            "name_ja",
            "name_en",
            "abbreviation",
            "code",
            "description_ja",
            "description_en",
        ],
    ),
    ("smes", &["name_ja", "name_en"]),
    ("coordinators", &["name_ja", "name_en", "profile_en"]),
];

/// The `lower(column)` indexes of the patents migration, replaced here.
const LOWERED: [(&str, &str); 6] = [
    ("organizations", "name_ja"),
    ("organizations", "name_en"),
    ("organizations", "abbreviation"),
    ("organizations", "code"),
    ("smes", "name_ja"),
    ("smes", "name_en"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                for (table, column) in LOWERED {
                    db.execute_unprepared(&format!(
                        "DROP INDEX IF EXISTS ix_{table}_{column}_trgm"
                    ))
                    .await?;
                }
                for (table, columns) in SEARCHED {
                    for column in columns {
                        db.execute_unprepared(&format!(
                            "CREATE INDEX ix_{table}_{column}_search ON {table} \
                             USING gin ({column} gin_trgm_ops)"
                        ))
                        .await?;
                    }
                }
            }
            _ => {
                for (table, columns) in SEARCHED {
                    for statement in fts_statements(table, columns) {
                        db.execute_unprepared(&statement).await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                for (table, columns) in SEARCHED {
                    for column in columns {
                        db.execute_unprepared(&format!(
                            "DROP INDEX IF EXISTS ix_{table}_{column}_search"
                        ))
                        .await?;
                    }
                }
                for (table, column) in LOWERED {
                    db.execute_unprepared(&format!(
                        "CREATE INDEX ix_{table}_{column}_trgm ON {table} \
                         USING gin (lower({column}) gin_trgm_ops)"
                    ))
                    .await?;
                }
            }
            _ => {
                for (table, _) in SEARCHED {
                    for statement in [
                        format!("DROP TRIGGER IF EXISTS {table}_fts_insert"),
                        format!("DROP TRIGGER IF EXISTS {table}_fts_delete"),
                        format!("DROP TRIGGER IF EXISTS {table}_fts_update"),
                        format!("DROP TABLE IF EXISTS {table}_fts"),
                    ] {
                        db.execute_unprepared(&statement).await?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The FTS5 table over `table`'s columns, its triggers, and its first fill.
fn fts_statements(table: &str, columns: &[&str]) -> Vec<String> {
    let list = columns.join(", ");
    let new = columns
        .iter()
        .map(|c| format!("new.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let old = columns
        .iter()
        .map(|c| format!("old.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let fts = format!("{table}_fts");
    let insert = format!("INSERT INTO {fts}(rowid, {list}) VALUES (new.id, {new});");
    let delete =
        format!("INSERT INTO {fts}({fts}, rowid, {list}) VALUES ('delete', old.id, {old});");
    vec![
        format!(
            "CREATE VIRTUAL TABLE {fts} USING fts5({list}, \
             content='{table}', content_rowid='id', tokenize='trigram')"
        ),
        format!("CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END"),
        format!("CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END"),
        format!(
            "CREATE TRIGGER {fts}_update AFTER UPDATE OF {list} ON {table} BEGIN \
             {delete} {insert} END"
        ),
        format!("INSERT INTO {fts}({fts}) VALUES ('rebuild')"),
    ]
}
