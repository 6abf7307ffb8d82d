//! A showcase carries what its list filters and searches by: its SME's prefecture and niche
//! standing, and the text a search reads (the SME's names, its products' names and descriptions),
//! kept equal to the SME's and the products' by the domain (publishing a showcase, changing an
//! SME, adding or removing a product), each indexed.
//!
//! The list's total counts up to 1,001 showcases. Through the SME, a selective filter (Aichi: 2 %
//! of showcases) walked the showcases until it had counted 1,001 matches: all 50,000 at scale 10
//! (BENCHMARKS.md, showcases by prefecture); on the showcase, the count reads an index's 1,001
//! entries at most. A search through the SMEs and the products read every SME a common word
//! matches (all 200,000 at scale 10 for `Synthetic`) before the first showcase: on the showcase,
//! it is one table's trigram index (PostgreSQL) or FTS5 table (SQLite), as for patents.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SmeShowcases {
    Table,
    Id,
    SmeId,
    SmePrefectureCode,
    SmeNicheStatus,
    SearchText,
}

#[derive(DeriveIden)]
enum Smes {
    Table,
    Id,
    PrefectureCode,
    NicheStatus,
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        Index::create()
            .name("idx_sme_showcases_prefecture")
            .table(SmeShowcases::Table)
            .col(SmeShowcases::SmePrefectureCode)
            .col(SmeShowcases::Id)
            .to_owned(),
        Index::create()
            .name("idx_sme_showcases_niche")
            .table(SmeShowcases::Table)
            .col(SmeShowcases::SmeNicheStatus)
            .col(SmeShowcases::Id)
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Added without a value, filled from the SMEs and their products in one pass over the
        // showcases, then (where the database can say so after the fact: PostgreSQL) required.
        // SQLite adds a NOT NULL column only with a default, and a default prefecture would be a
        // wrong one.
        for column in [
            small_integer_null(SmeShowcases::SmePrefectureCode),
            string_len_null(SmeShowcases::SmeNicheStatus, 20),
            text(SmeShowcases::SearchText).default("").to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SmeShowcases::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let of_sme = |column: Smes| {
            SubQueryStatement::SelectStatement(
                Query::select()
                    .column((Smes::Table, column))
                    .from(Smes::Table)
                    .and_where(
                        Expr::col((Smes::Table, Smes::Id))
                            .equals((SmeShowcases::Table, SmeShowcases::SmeId)),
                    )
                    .to_owned(),
            )
        };
        manager
            .exec_stmt(
                Query::update()
                    .table(SmeShowcases::Table)
                    .value(
                        SmeShowcases::SmePrefectureCode,
                        Expr::SubQuery(None, Box::new(of_sme(Smes::PrefectureCode))),
                    )
                    .value(
                        SmeShowcases::SmeNicheStatus,
                        Expr::SubQuery(None, Box::new(of_sme(Smes::NicheStatus))),
                    )
                    .value(
                        SmeShowcases::SearchText,
                        Expr::cust(search_text_of_sme(manager.get_database_backend())),
                    )
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            for column in [
                SmeShowcases::SmePrefectureCode,
                SmeShowcases::SmeNicheStatus,
            ] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(SmeShowcases::Table)
                            .modify_column(ColumnDef::new(column).not_null())
                            .to_owned(),
                    )
                    .await?;
            }
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        search_index_up(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => &["DROP INDEX IF EXISTS ix_sme_showcases_search_trgm"],
            _ => &[
                "DROP TRIGGER IF EXISTS sme_showcases_fts_insert",
                "DROP TRIGGER IF EXISTS sme_showcases_fts_delete",
                "DROP TRIGGER IF EXISTS sme_showcases_fts_update",
                "DROP TABLE IF EXISTS sme_showcases_fts",
            ],
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        for index in indexes() {
            let name = index
                .get_index_spec()
                .get_name()
                .unwrap_or_default()
                .to_owned();
            manager
                .drop_index(Index::drop().name(name).to_owned())
                .await?;
        }
        for column in [
            SmeShowcases::SmePrefectureCode,
            SmeShowcases::SmeNicheStatus,
            SmeShowcases::SearchText,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SmeShowcases::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// The search text of the showcase's SME, as the domain writes it: the SME's names, then each
/// product's names and descriptions in the order they were added, a line each
/// (`domain::matching::showcase::search_text`). SQL over `sme_showcases` for `UPDATE … SET`.
fn search_text_of_sme(backend: sea_orm::DbBackend) -> String {
    let postgres = backend == sea_orm::DbBackend::Postgres;
    let (line, lines_of) = if postgres {
        ("chr(10)", "string_agg")
    } else {
        ("char(10)", "group_concat")
    };
    let optional = |column: &str| format!("COALESCE({line} || NULLIF(TRIM({column}), ''), '')");
    let product = format!(
        "TRIM(p.name_ja) || {line} || TRIM(p.name_en) || {} || {}",
        optional("p.description_ja"),
        optional("p.description_en")
    );
    // SQLite's group_concat takes no ORDER BY: its rows come from a subquery in that order.
    let products = if postgres {
        format!(
            "SELECT {lines_of}({product}, {line} ORDER BY p.id) FROM sme_products p WHERE p.sme_id = s.id"
        )
    } else {
        format!(
            "SELECT {lines_of}(line, {line}) FROM (SELECT {product} AS line FROM sme_products p \
             WHERE p.sme_id = s.id ORDER BY p.id)"
        )
    };
    format!(
        "(SELECT TRIM(s.name_ja) || {line} || TRIM(s.name_en) || COALESCE({line} || ({products}), '') \
         FROM smes s WHERE s.id = sme_showcases.sme_id)"
    )
}

/// Indexes the search text: a trigram index on PostgreSQL, an FTS5 table kept in step by triggers
/// on SQLite (as for patents).
async fn search_index_up(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;
    let statements: &[&str] = if postgres {
        &[
            "CREATE INDEX ix_sme_showcases_search_trgm ON sme_showcases \
           USING gin (search_text gin_trgm_ops)",
        ]
    } else {
        &[
            "CREATE VIRTUAL TABLE sme_showcases_fts USING fts5(search_text, \
             content='sme_showcases', content_rowid='id', tokenize='trigram')",
            "INSERT INTO sme_showcases_fts(sme_showcases_fts) VALUES ('rebuild')",
            "CREATE TRIGGER sme_showcases_fts_insert AFTER INSERT ON sme_showcases BEGIN \
             INSERT INTO sme_showcases_fts(rowid, search_text) VALUES (new.id, new.search_text); \
             END",
            "CREATE TRIGGER sme_showcases_fts_delete AFTER DELETE ON sme_showcases BEGIN \
             INSERT INTO sme_showcases_fts(sme_showcases_fts, rowid, search_text) \
             VALUES ('delete', old.id, old.search_text); END",
            "CREATE TRIGGER sme_showcases_fts_update AFTER UPDATE OF search_text ON sme_showcases \
             BEGIN INSERT INTO sme_showcases_fts(sme_showcases_fts, rowid, search_text) \
             VALUES ('delete', old.id, old.search_text); \
             INSERT INTO sme_showcases_fts(rowid, search_text) VALUES (new.id, new.search_text); \
             END",
        ]
    };
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}
