//! Patents of national research institutes, universities and companies, explained for SMEs, and
//! the licensing inquiries SMEs send through member institutions.
//!
//! - **Who writes.** A patent is recorded by its holder: `licensing` or `org_admin` at the holding
//!   organisation (a network admin may record one for a holder that has no users, such as a
//!   company that gave up commercialising it). The holder comes from the token unless a network
//!   admin names it.
//! - **Who reads.** Members of the network read every patent. Anonymous callers and partner
//!   websites (callers of institutions outside the network) read only patents that are `OPEN`,
//!   not expired, and have a published explanation; an institution outside the network also
//!   reads the patents it holds. A patent the caller may not read does not exist for them.
//! - **Validation** lives in [`numbers`] and [`ipc`]; the rules that span fields here
//!   ([`NewPatent::check`]).

pub mod explanations;
pub mod inquiries;
pub mod ipc;
pub mod numbers;
pub mod search;
pub mod statistics;
pub mod suggestions;

use chrono::{Datelike, NaiveDate, Utc};
use entity::{
    enums::{IndustryField, LicenceForm, PatentLicensing},
    organization, patent, patent_explanation,
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, SqlErr, sea_query::Expr,
};

use self::{
    ipc::{IpcPrefix, IpcSymbol},
    numbers::{ApplicationNumber, RegistrationNumber, Trl},
};
use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        change::Change,
        dates, fields,
        idempotency::{self, Idempotency},
        listing::{Listing, list_counted_in_order},
        page::{Keyset, PageArgs, SortValue},
        search::{SearchText, literal_eq},
    },
    error::{ApiError, ApiResult},
};

/// Title lengths, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// The original abstract's length, in characters.
pub const MAX_ABSTRACT_CHARS: usize = 5000;
/// IPC symbols per patent.
pub const MAX_IPC_CLASSES: usize = 20;

/// What anyone may read: offered, in force, and explained. Written as the indexes of the public
/// patents state their condition (migration `m20261205_000024_public_patents`), the flag as a
/// bare column and the licensing as a literal, so that PostgreSQL and SQLite see that a query
/// implies it; the date, which moves, is checked on the rows the indexes give.
fn public() -> Condition {
    Condition::all()
        .add(Expr::col((
            patent::Entity,
            patent::Column::ExplanationPublished,
        )))
        .add(literal_eq(
            (patent::Entity, patent::Column::Licensing),
            PatentLicensing::Open,
        ))
        .add(patent::Column::ExpiresOn.gte(dates::today_in_japan()))
}

/// The patents `caller` may read: every list, count, look-up, nested read and suggestion of
/// patents starts here. Filters narrow it ([`Readable::narrow`]).
pub fn readable_by(caller: &Caller) -> Readable<patent::Entity> {
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) || p.member => Readable::everything(),
        Some(p) => Readable::only(
            Condition::any()
                .add(patent::Column::HolderId.eq(p.institution_id))
                .add(public()),
        ),
        None => Readable::only(public()),
    }
}

/// A patent the caller may read, or `None`.
#[tracing::instrument(skip_all)]
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<patent::Model>> {
    Ok(readable_by(caller)
        .narrow(patent::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// Whether the caller speaks for the patent's holder: `licensing` or `org_admin` there.
pub fn speaks_for_holder(caller: &Caller, holder_id: i64) -> bool {
    caller.principal().is_some_and(|p| {
        p.acts_for(holder_id, Role::Licensing) || p.acts_for(holder_id, Role::OrgAdmin)
    })
}

pub fn require_holder(caller: &Caller, holder_id: i64) -> ApiResult<()> {
    caller.require_authenticated()?;
    if speaks_for_holder(caller, holder_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "this needs the licensing or org_admin role at the patent's holder".into(),
        ))
    }
}

#[derive(Debug, Clone, Default)]
pub struct PatentFilter {
    pub search: Option<SearchText>,
    pub field: Option<IndustryField>,
    pub ipc_class: Option<IpcPrefix>,
    pub holder_id: Option<i64>,
    pub trl_at_least: Option<Trl>,
    pub licensing: Option<PatentLicensing>,
}

/// A pattern over one of a patent's encoded lists (see [`crate::domain::search::like`]).
fn like(column: patent::Column, pattern: String) -> sea_orm::sea_query::SimpleExpr {
    crate::domain::search::like((patent::Entity, column), pattern)
}

/// The readable patents the filter matches.
fn matching(
    caller: &Caller,
    filter: &PatentFilter,
    backend: sea_orm::DbBackend,
) -> Readable<patent::Entity> {
    use patent::Column;
    let mut readable = readable_by(caller)
        .narrow_if(
            filter
                .field
                .map(|f| like(Column::Fields, fields::like_pattern(f))),
        )
        .narrow_if(
            filter
                .ipc_class
                .as_ref()
                .map(|prefix| like(Column::IpcClasses, prefix.like_pattern())),
        )
        .narrow_if(filter.holder_id.map(|id| Column::HolderId.eq(id)))
        .narrow_if(
            filter
                .trl_at_least
                .map(|trl| Column::Trl.gte(i16::from(trl.get()))),
        )
        .narrow_if(filter.licensing.map(|l| Column::Licensing.eq(l)));
    if let Some(search) = &filter.search {
        readable = readable.narrow(search.condition(backend, &search::PATENTS));
    }
    readable
}

/// The patents the caller may read, newest first, or by relevance when searching.
#[tracing::instrument(skip_all)]
pub async fn patents(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &PatentFilter,
    args: &PageArgs,
) -> ApiResult<Listing<patent::Entity>> {
    let matching = matching(caller, filter, db.get_database_backend()).select();
    if let Some(search) = &filter.search {
        return search::ranked(db, matching, search, args).await;
    }
    let keyset = Keyset {
        name: "newest",
        column: patent::Column::Id,
        id: patent::Column::Id,
        descending: true,
        value_of: |m: &patent::Model| SortValue::Int(m.id),
        id_of: |m: &patent::Model| m.id,
    };
    // What anyone reads of the patents is those whose explanation was published, an update:
    // they gather at the table's end, and a total counted in no order reads the table up to them.
    list_counted_in_order(db, matching, keyset, args).await
}

/// A patent as its holder records it.
#[derive(Debug, Clone)]
pub struct NewPatent {
    /// Only a network admin names another holder than the caller's institution.
    pub holder_id: Option<i64>,
    pub application_number: ApplicationNumber,
    pub registration_number: Option<RegistrationNumber>,
    pub title_ja: String,
    pub title_en: String,
    pub abstract_text: Option<String>,
    pub ipc_classes: Vec<IpcSymbol>,
    pub fields: Vec<IndustryField>,
    pub trl: Option<Trl>,
    pub filed_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub licensing: PatentLicensing,
    pub licence_forms: Vec<LicenceForm>,
}

/// The rules that span fields, checked on the patent as it will stand.
pub fn check(
    application_year: i32,
    filed_on: NaiveDate,
    expires_on: NaiveDate,
    licensing: PatentLicensing,
    licence_forms: &[LicenceForm],
) -> ApiResult<()> {
    if filed_on.year() != application_year {
        return Err(ApiError::bad_input(
            "input.filedOn",
            format!(
                "the application number says it was filed in {application_year}, not {}",
                filed_on.year()
            ),
        ));
    }
    if expires_on <= filed_on {
        return Err(ApiError::bad_input(
            "input.expiresOn",
            "a patent expires after it was filed",
        ));
    }
    if licensing == PatentLicensing::Open {
        if expires_on < dates::today_in_japan() {
            return Err(ApiError::bad_input(
                "input.licensing",
                "a patent past its expiry cannot be offered",
            ));
        }
        if licence_forms.is_empty() {
            return Err(ApiError::bad_input(
                "input.licenceForms",
                "an OPEN patent offers at least one licence form",
            ));
        }
    }
    Ok(())
}

pub fn encode_forms(forms: &[LicenceForm]) -> String {
    let mut text = String::from(",");
    for form in forms {
        if !text.contains(&format!(",{},", form.to_value())) {
            text.push_str(&form.to_value());
            text.push(',');
        }
    }
    text
}

pub fn decode_forms(text: &str) -> Vec<LicenceForm> {
    text.split(',')
        .filter(|code| !code.is_empty())
        .filter_map(|code| LicenceForm::try_from_value(&code.to_owned()).ok())
        .collect()
}

/// What search reads of a patent, with its published explanation's texts when it has one.
pub fn search_text_of(
    title_ja: &str,
    title_en: &str,
    abstract_text: Option<&str>,
    explanation: Option<&patent_explanation::Model>,
) -> String {
    let mut parts = vec![title_ja, title_en, abstract_text.unwrap_or("")];
    if let Some(e) = explanation {
        parts.extend([
            e.summary_ja.as_str(),
            e.summary_en.as_str(),
            e.applications_ja.as_str(),
            e.applications_en.as_str(),
            e.requirements_ja.as_str(),
            e.requirements_en.as_str(),
        ]);
    }
    crate::domain::search::text_of(&parts)
}

fn taken(err: sea_orm::DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            let field = if message.contains("registration") {
                "input.registrationNumber"
            } else {
                "input.applicationNumber"
            };
            ApiError::Conflict {
                field: field.into(),
                message: "a patent with this number is already recorded".into(),
            }
        }
        _ => err.into(),
    }
}

/// The holder records a patent. Retry-safe with an idempotency key.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    input: ApiResult<NewPatent>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<patent::Model> {
    let target = input
        .as_ref()
        .ok()
        .map(|i| i.application_number.to_string());
    idempotency::once(
        db,
        caller,
        "createPatent",
        target,
        key,
        async |txn| {
            let principal = caller.require_authenticated()?;
            let holder_id = match input.as_ref().ok().and_then(|i| i.holder_id) {
                Some(holder) if holder != principal.institution_id => {
                    caller.require_network_admin()?;
                    holder
                }
                _ => {
                    require_holder(caller, principal.institution_id)?;
                    principal.institution_id
                }
            };
            let input = input?;
            organization::Entity::find_by_id(holder_id)
                .one(txn)
                .await?
                .ok_or_else(|| ApiError::bad_input("input.holderId", "no such organisation"))?;
            check(
                input.application_number.year(),
                input.filed_on,
                input.expires_on,
                input.licensing,
                &input.licence_forms,
            )?;
            let now = Utc::now();
            let search_text = search_text_of(
                &input.title_ja,
                &input.title_en,
                input.abstract_text.as_deref(),
                None,
            );
            let row = patent::ActiveModel {
                holder_id: Set(holder_id),
                application_number: Set(input.application_number.to_string()),
                registration_number: Set(input.registration_number.map(|r| r.digits().to_owned())),
                title_ja: Set(input.title_ja),
                title_en: Set(input.title_en),
                abstract_text: Set(input.abstract_text),
                ipc_classes: Set(ipc::encode(&input.ipc_classes)),
                fields: Set(fields::encode(&input.fields)),
                trl: Set(input.trl.map(|t| i16::from(t.get()))),
                filed_on: Set(input.filed_on),
                expires_on: Set(input.expires_on),
                licensing: Set(input.licensing),
                licence_forms: Set(encode_forms(&input.licence_forms)),
                search_text: Set(search_text),
                explanation_published: Set(false),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            let row = row.insert(txn).await.map_err(taken)?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = readable(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("patent"))?;
            require_holder(caller, row.holder_id)
                .or_else(|_| caller.require_network_admin().map(|_| ()))?;
            Ok(row)
        },
    )
    .await
}

/// Changes to a patent; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PatentChanges {
    pub registration_number: Change<RegistrationNumber>,
    pub title_ja: Option<String>,
    pub title_en: Option<String>,
    pub abstract_text: Change<String>,
    pub ipc_classes: Option<Vec<IpcSymbol>>,
    pub fields: Option<Vec<IndustryField>>,
    pub trl: Change<Trl>,
    pub expires_on: Option<NaiveDate>,
    pub licensing: Option<PatentLicensing>,
    pub licence_forms: Option<Vec<LicenceForm>>,
}

/// The patent's published explanation, when it has one (for its search text).
#[tracing::instrument(skip_all)]
pub async fn published_explanation<C: ConnectionTrait>(
    db: &C,
    patent_id: i64,
) -> ApiResult<Option<patent_explanation::Model>> {
    let Some(current) = patent_explanation::Entity::find()
        .filter(patent_explanation::Column::PatentId.eq(patent_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    explanations::as_published(db, current).await
}

/// The holder edits a patent, naming the version it edits.
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    version: i32,
    changes: ApiResult<PatentChanges>,
) -> ApiResult<patent::Model> {
    crate::domain::audit::audited(db, caller, "updatePatent", Some(target), async |txn| {
        caller.require_authenticated()?;
        let row = readable(txn, caller, id?)
            .await?
            .ok_or(ApiError::NotFound("patent"))?;
        require_holder(caller, row.holder_id)
            .or_else(|_| caller.require_network_admin().map(|_| ()))?;
        if row.version != version {
            return Err(stale("patent", row.version));
        }
        let changes = changes?;
        let application_year = ApplicationNumber::parse(&row.application_number, 9999)
            .map(|n| n.year())
            .map_err(ApiError::corrupt)?;
        let licensing = changes.licensing.unwrap_or(row.licensing);
        let expires_on = changes.expires_on.unwrap_or(row.expires_on);
        let forms = changes
            .licence_forms
            .clone()
            .unwrap_or_else(|| decode_forms(&row.licence_forms));
        check(
            application_year,
            row.filed_on,
            expires_on,
            licensing,
            &forms,
        )?;
        let next_version = row.version + 1;
        let mut active = row.into_active_model();
        changes
            .registration_number
            .apply(&mut active.registration_number, |n| n.digits().to_owned());
        if let Some(title) = changes.title_ja {
            active.title_ja = Set(title);
        }
        if let Some(title) = changes.title_en {
            active.title_en = Set(title);
        }
        changes
            .abstract_text
            .apply(&mut active.abstract_text, |text| text);
        if let Some(symbols) = changes.ipc_classes {
            active.ipc_classes = Set(ipc::encode(&symbols));
        }
        if let Some(list) = changes.fields {
            active.fields = Set(fields::encode(&list));
        }
        changes.trl.apply(&mut active.trl, |t| i16::from(t.get()));
        active.expires_on = Set(expires_on);
        active.licensing = Set(licensing);
        active.licence_forms = Set(encode_forms(&forms));
        active.version = Set(next_version);
        active.updated_at = Set(Utc::now());
        let row = active.update(txn).await.map_err(taken)?;
        let explanation = published_explanation(txn, row.id).await?;
        let text = search_text_of(
            &row.title_ja,
            &row.title_en,
            row.abstract_text.as_deref(),
            explanation.as_ref(),
        );
        if text != row.search_text {
            let mut active = row.into_active_model();
            active.search_text = Set(text);
            return Ok(active.update(txn).await?);
        }
        Ok(row)
    })
    .await
}

pub fn stale(what: &str, version: i32) -> ApiError {
    ApiError::Conflict {
        field: "version".into(),
        message: format!("the {what} is at version {version}: reload it and edit that version"),
    }
}
