//! SMEs' public showcases: an SME that consents to publication shows its products (with their
//! industry fields and manufacturing processes), its niche status, prefecture and cluster
//! projects to anyone, partner websites first (anonymous and cacheable, like the directory).

use chrono::{NaiveDate, Utc};
use entity::{
    enums::{IndustryField, MetiBureau, NicheStatus},
    matching_enums::ManufacturingProcess,
    sme, sme_product, sme_showcase,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TryIntoModel,
    sea_query::{Query, SelectStatement},
};

use super::{encode_processes, process_pattern, require_desk_at};
use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        audit::audited,
        evaluation::smes,
        fields,
        idempotency::{self, Idempotency},
        listing::{Listing, list},
        page::{Keyset, PageArgs, SortValue},
        prefecture::{self, PrefectureCode},
        search::{self, SearchText, TextIndex, like},
    },
    error::{ApiError, ApiResult},
};

/// The showcases `caller` may read: every live one (the SME's consent stands). Lists and
/// look-ups of showcases start here.
pub fn readable_by(caller: &Caller) -> Readable<sme_showcase::Entity> {
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        _ => Readable::only(Condition::all().add(sme_showcase::Column::WithdrawnAt.is_null())),
    }
}

/// The SMEs with a live showcase.
fn showcased_smes() -> SelectStatement {
    Query::select()
        .column(sme_showcase::Column::SmeId)
        .from(sme_showcase::Entity)
        .and_where(sme_showcase::Column::WithdrawnAt.is_null())
        .to_owned()
}

/// The products `caller` may read: those of SMEs with a live showcase; all of the SMEs the
/// caller's institution registered; everything for network admins.
pub fn products_readable_by(caller: &Caller) -> Readable<sme_product::Entity> {
    use sme_product::Column;
    let public = Column::SmeId.in_subquery(showcased_smes());
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        Some(p) => Readable::only(
            Condition::any().add(public).add(
                Column::SmeId.in_subquery(
                    Query::select()
                        .column(sme::Column::Id)
                        .from(sme::Entity)
                        .and_where(sme::Column::CreatedByInstitutionId.eq(p.institution_id))
                        .to_owned(),
                ),
            ),
        ),
        None => Readable::only(Condition::all().add(public)),
    }
}

/// A showcase the caller may read, or `None`.
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<sme_showcase::Model>> {
    Ok(readable_by(caller)
        .narrow(sme_showcase::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// The SME's showcase, when the caller may read it.
pub async fn of_sme<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    sme_id: i64,
) -> ApiResult<Option<sme_showcase::Model>> {
    Ok(readable_by(caller)
        .narrow(sme_showcase::Column::SmeId.eq(sme_id))
        .select()
        .one(db)
        .await?)
}

/// A product the caller may read, or `None`.
pub async fn product<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<sme_product::Model>> {
    Ok(products_readable_by(caller)
        .narrow(sme_product::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// The SME, when the caller is a desk of the institution that registered it.
async fn own_sme<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    sme_id: i64,
) -> ApiResult<sme::Model> {
    caller.require_authenticated()?;
    let row = smes::sme_by_id(db, caller, sme_id)
        .await?
        .ok_or(ApiError::NotFound("SME"))?;
    require_desk_at(
        caller,
        row.created_by_institution_id,
        "the institution that registered the SME",
    )?;
    Ok(row)
}

#[derive(Debug, Clone)]
pub struct NewShowcase {
    pub sme_id: i64,
    pub consented_on: NaiveDate,
    pub headline_ja: Option<String>,
    pub headline_en: Option<String>,
}

/// Publishes (or republishes) an SME's showcase on its consent: desks of the institution that
/// registered the SME.
pub async fn publish(
    db: &DatabaseConnection,
    caller: &Caller,
    target: Option<String>,
    input: ApiResult<NewShowcase>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<sme_showcase::Model> {
    idempotency::once(
        db,
        caller,
        "publishSmeShowcase",
        target,
        key,
        async |txn| {
            let input = input?;
            let sme = own_sme(txn, caller, input.sme_id).await?;
            if input.consented_on > crate::domain::dates::today_in_japan() {
                return Err(ApiError::bad_input(
                    "input.consentedOn",
                    "the consent is recorded once given: the date is in the future",
                ));
            }
            let subject = caller.require_authenticated()?.subject.clone();
            let now = Utc::now();
            let existing = sme_showcase::Entity::find()
                .filter(sme_showcase::Column::SmeId.eq(sme.id))
                .one(txn)
                .await?;
            let mut active = match existing {
                Some(row) => row.into_active_model(),
                None => sme_showcase::ActiveModel {
                    sme_id: Set(sme.id),
                    created_at: Set(now),
                    ..Default::default()
                },
            };
            active.consented_on = Set(input.consented_on);
            active.headline_ja = Set(input.headline_ja);
            active.headline_en = Set(input.headline_en);
            active.withdrawn_at = Set(None);
            active.recorded_by_subject = Set(subject);
            active.updated_at = Set(now);
            carry(&mut active, &sme, search_text_now(txn, &sme).await?);
            let row = active.save(txn).await?.try_into_model()?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = sme_showcase::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(ApiError::NotFound("showcase"))?;
            own_sme(db, caller, row.sme_id).await?;
            Ok(row)
        },
    )
    .await
}

/// Takes a showcase down (the SME withdrew its consent): it is no longer public at once.
pub async fn withdraw(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    sme_id: ApiResult<i64>,
) -> ApiResult<sme_showcase::Model> {
    audited(
        db,
        caller,
        "withdrawSmeShowcase",
        Some(target),
        async |txn| {
            let sme = own_sme(txn, caller, sme_id?).await?;
            let row = sme_showcase::Entity::find()
                .filter(sme_showcase::Column::SmeId.eq(sme.id))
                .filter(sme_showcase::Column::WithdrawnAt.is_null())
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("showcase"))?;
            let now = Utc::now();
            let mut active = row.into_active_model();
            active.withdrawn_at = Set(Some(now));
            active.updated_at = Set(now);
            Ok(active.update(txn).await?)
        },
    )
    .await
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sme_id: i64,
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: Option<String>,
    pub description_en: Option<String>,
    pub fields: Vec<IndustryField>,
    pub processes: Vec<ManufacturingProcess>,
}

/// Adds a product to an SME: desks of the institution that registered it.
pub async fn add_product(
    db: &DatabaseConnection,
    caller: &Caller,
    target: Option<String>,
    input: ApiResult<NewProduct>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<sme_product::Model> {
    idempotency::once(
        db,
        caller,
        "addSmeProduct",
        target,
        key,
        async |txn| {
            let input = input?;
            let sme = own_sme(txn, caller, input.sme_id).await?;
            let now = Utc::now();
            let row = sme_product::ActiveModel {
                sme_id: Set(sme.id),
                name_ja: Set(input.name_ja),
                name_en: Set(input.name_en),
                description_ja: Set(input.description_ja),
                description_en: Set(input.description_en),
                fields: Set(fields::encode(&input.fields)),
                processes: Set(encode_processes(&input.processes)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            follow_sme(txn, &sme).await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = sme_product::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(ApiError::NotFound("product"))?;
            own_sme(db, caller, row.sme_id).await?;
            Ok(row)
        },
    )
    .await
}

/// Removes a product: desks of the institution that registered the SME.
pub async fn remove_product(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
) -> ApiResult<sme_product::Model> {
    audited(db, caller, "removeSmeProduct", Some(target), async |txn| {
        caller.require_authenticated()?;
        let row = product(txn, caller, id?)
            .await?
            .ok_or(ApiError::NotFound("product"))?;
        let sme = own_sme(txn, caller, row.sme_id).await?;
        sme_product::Entity::delete_by_id(row.id).exec(txn).await?;
        follow_sme(txn, &sme).await?;
        Ok(row)
    })
    .await
}

#[derive(Debug, Clone, Default)]
pub struct ShowcaseFilter {
    pub search: Option<SearchText>,
    pub field: Option<IndustryField>,
    pub process: Option<ManufacturingProcess>,
    pub prefecture: Option<PrefectureCode>,
    pub bureau: Option<MetiBureau>,
    pub niche: Option<NicheStatus>,
}

fn products_where(condition: impl sea_orm::sea_query::IntoCondition) -> SelectStatement {
    Query::select()
        .column(sme_product::Column::SmeId)
        .from(sme_product::Entity)
        .cond_where(condition)
        .to_owned()
}

/// What a showcase search reads: the showcase's own copy of its SME's names and its products'
/// names and descriptions ([`search_text`]), indexed on both databases.
const SHOWCASES_TEXT: TextIndex = TextIndex {
    table: "sme_showcases",
    columns: &["search_text"],
    fts_table: Some("sme_showcases_fts"),
};

/// What a showcase search reads of its SME and products: the SME's names, then each product's
/// names and descriptions in the order they were added, a line each.
pub fn search_text(sme: &sme::Model, products: &[sme_product::Model]) -> String {
    let mut parts = vec![sme.name_ja.as_str(), sme.name_en.as_str()];
    for product in products {
        parts.extend([product.name_ja.as_str(), product.name_en.as_str()]);
        parts.extend(product.description_ja.as_deref());
        parts.extend(product.description_en.as_deref());
    }
    search::text_of(&parts)
}

/// The search text of the SME's showcase as its SME and products now are.
async fn search_text_now<C: ConnectionTrait>(txn: &C, sme: &sme::Model) -> ApiResult<String> {
    let products = sme_product::Entity::find()
        .filter(sme_product::Column::SmeId.eq(sme.id))
        .order_by_asc(sme_product::Column::Id)
        .all(txn)
        .await?;
    Ok(search_text(sme, &products))
}

/// Sets on a showcase what it carries of its SME: the prefecture, the niche standing and the
/// search text.
fn carry(active: &mut sme_showcase::ActiveModel, sme: &sme::Model, search_text: String) {
    active.sme_prefecture_code = Set(sme.prefecture_code);
    active.sme_niche_status = Set(sme.niche_status);
    active.search_text = Set(search_text);
}

/// Writes the SME's showcase, if it has one, as the SME (as changed) and its products now are.
/// Called in the transaction that changes any of them.
pub async fn follow_sme<C: ConnectionTrait>(txn: &C, sme: &sme::Model) -> ApiResult<()> {
    let mut active = <sme_showcase::ActiveModel as Default>::default();
    carry(&mut active, sme, search_text_now(txn, sme).await?);
    sme_showcase::Entity::update_many()
        .set(active)
        .filter(sme_showcase::Column::SmeId.eq(sme.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The showcases the caller may read, in the order they were first published.
pub async fn showcases(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &ShowcaseFilter,
    args: &PageArgs,
) -> ApiResult<Listing<sme_showcase::Entity>> {
    use sme_showcase::Column;
    let backend = db.get_database_backend();
    let search = filter
        .search
        .as_ref()
        .map(|search| search.condition(backend, &SHOWCASES_TEXT));
    let matching = readable_by(caller)
        .narrow_if(search)
        .narrow_if(filter.field.map(|f| {
            Column::SmeId.in_subquery(products_where(like(
                (sme_product::Entity, sme_product::Column::Fields),
                fields::like_pattern(f),
            )))
        }))
        .narrow_if(filter.process.map(|p| {
            Column::SmeId.in_subquery(products_where(like(
                (sme_product::Entity, sme_product::Column::Processes),
                process_pattern(p),
            )))
        }))
        // The SME's prefecture and niche standing, as the showcase carries them (see
        // [`follow_sme`]).
        .narrow_if(
            filter
                .prefecture
                .map(|code| Column::SmePrefectureCode.eq(i16::from(code.get()))),
        )
        .narrow_if(filter.bureau.map(|bureau| {
            let codes: Vec<i16> = prefecture::covered_by(bureau)
                .map(|p| i16::from(p.code))
                .collect();
            Column::SmePrefectureCode.is_in(codes)
        }))
        .narrow_if(filter.niche.map(|niche| Column::SmeNicheStatus.eq(niche)));
    let keyset = Keyset {
        name: "published",
        column: Column::Id,
        id: Column::Id,
        descending: false,
        value_of: |m: &sme_showcase::Model| SortValue::Int(m.id),
        id_of: |m: &sme_showcase::Model| m.id,
    };
    list(db, matching.select(), keyset, args).await
}
