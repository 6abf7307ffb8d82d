//! SMEs: the companies member institutions evaluate. Anyone reads their public profile; members
//! read the figures; the SME's consent to publishing its rating is recorded here.

use chrono::Utc;
use entity::{
    cluster_project,
    enums::{ClusterType, NicheStatus},
    sme,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, SqlErr,
};

use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        change::Change,
        corporate_number::{CorporateNumber, InvoiceNumber},
        idempotency::{self, Idempotency},
        jsic::JsicCode,
        listing::{Listing, list},
        page::{Keyset, PageArgs, SortValue},
        prefecture::PrefectureCode,
        search::{SearchText, TextIndex},
    },
    error::{ApiError, ApiResult},
};

/// Project ids, comma-delimited with a comma at each end (as industry fields are kept).
pub fn encode_projects(ids: &[i64]) -> String {
    let mut text = String::from(",");
    for id in ids {
        text.push_str(&id.to_string());
        text.push(',');
    }
    text
}

pub fn decode_projects(text: &str) -> Vec<i64> {
    text.split(',').filter_map(|id| id.parse().ok()).collect()
}

#[derive(Debug, Clone)]
pub struct NewSme {
    /// None for a sole proprietor (個人事業主), who has no corporate number.
    pub corporate_number: Option<CorporateNumber>,
    /// Checked against the corporate number by the parser.
    pub invoice_number: Option<InvoiceNumber>,
    pub name_ja: String,
    pub name_en: String,
    pub prefecture: PrefectureCode,
    pub industry: Option<JsicCode>,
    pub employees: Option<i32>,
    pub capital_yen: Option<i64>,
    pub niche_status: NicheStatus,
    pub cluster_type: Option<ClusterType>,
    pub cluster_projects: Vec<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct SmeChanges {
    pub name_ja: Option<String>,
    pub name_en: Option<String>,
    pub prefecture: Option<PrefectureCode>,
    pub industry: Change<JsicCode>,
    /// Parsed without a corporate number; checked against the SME's own on update.
    pub invoice_number: Change<InvoiceNumber>,
    pub employees: Change<i32>,
    pub capital_yen: Change<i64>,
    pub niche_status: Option<NicheStatus>,
    pub cluster_type: Change<ClusterType>,
    pub cluster_projects: Option<Vec<i64>>,
}

/// Evaluators and org admins of any member institution register an SME.
fn require_evaluating_member(caller: &Caller) -> ApiResult<i64> {
    let principal = caller.require_member()?;
    if principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin) {
        Ok(principal.institution_id)
    } else {
        Err(ApiError::Forbidden(
            "this needs the evaluator or org_admin role".into(),
        ))
    }
}

async fn check_projects<C: ConnectionTrait>(db: &C, ids: &[i64], field: &str) -> ApiResult<()> {
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let known = cluster_project::Entity::find()
        .filter(cluster_project::Column::Id.is_in(distinct.iter().copied()))
        .count(db)
        .await?;
    if known as usize == ids.len() {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            field,
            "every ID must name a distinct cluster project",
        ))
    }
}

#[tracing::instrument(skip_all)]
pub async fn create_sme(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    input: ApiResult<NewSme>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<sme::Model> {
    idempotency::once(
        db,
        caller,
        "createSme",
        Some(target),
        key,
        async |txn| {
            let institution = require_evaluating_member(caller)?;
            let input = input?;
            check_projects(txn, &input.cluster_projects, "input.clusterProjects").await?;
            let now = Utc::now();
            let row = sme::ActiveModel {
                corporate_number: Set(input
                    .corporate_number
                    .as_ref()
                    .map(|n| n.as_str().to_owned())),
                invoice_number: Set(input.invoice_number.as_ref().map(|n| n.as_str().to_owned())),
                name_ja: Set(input.name_ja),
                name_en: Set(input.name_en),
                prefecture_code: Set(input.prefecture.get().into()),
                industry: Set(input.industry.map(|code| code.to_string())),
                industry_note: Set(None),
                employees: Set(input.employees),
                capital_yen: Set(input.capital_yen),
                niche_status: Set(input.niche_status),
                cluster_type: Set(input.cluster_type),
                cluster_projects: Set(encode_projects(&input.cluster_projects)),
                publication_consent: Set(false),
                consent_recorded_at: Set(None),
                created_by_institution_id: Set(institution),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await
            .map_err(unique_number)?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            require_evaluating_member(caller)?;
            sme_by_id(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("SME"))
        },
    )
    .await
}

/// The registering institution's evaluators and org admins, or network admins, edit an SME.
#[tracing::instrument(skip_all)]
pub async fn update_sme(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    changes: ApiResult<SmeChanges>,
) -> ApiResult<sme::Model> {
    crate::domain::audit::audited(db, caller, "updateSme", Some(target), async |txn| {
        caller.require_member()?;
        let row = sme_by_id(txn, caller, id?)
            .await?
            .ok_or(ApiError::NotFound("SME"))?;
        let principal = caller.require_member()?;
        let own = principal.institution_id == row.created_by_institution_id
            && (principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin));
        if !(own || principal.has(Role::NetworkAdmin)) {
            return Err(ApiError::Forbidden(
                "the institution that registered the SME edits it".into(),
            ));
        }
        let changes = changes?;
        // What the SME's showcase carries of it (the showcase list's filters and search).
        let shown = changes.prefecture.is_some()
            || changes.niche_status.is_some()
            || changes.name_ja.is_some()
            || changes.name_en.is_some();
        if let Some(ids) = &changes.cluster_projects {
            check_projects(txn, ids, "input.clusterProjects").await?;
        }
        let row_corporate_number = row
            .corporate_number
            .as_deref()
            .and_then(|n| CorporateNumber::parse(n).ok());
        let mut active = row.into_active_model();
        if let Some(v) = changes.name_ja {
            active.name_ja = Set(v);
        }
        if let Some(v) = changes.name_en {
            active.name_en = Set(v);
        }
        if let Some(v) = changes.prefecture {
            active.prefecture_code = Set(v.get().into());
        }
        changes
            .industry
            .apply(&mut active.industry, |code| code.to_string());
        if let Change::Set(number) = &changes.invoice_number {
            InvoiceNumber::parse(number.as_str(), row_corporate_number.as_ref())
                .map_err(|e| ApiError::bad_input("input.invoiceNumber", e.to_string()))?;
        }
        changes
            .invoice_number
            .apply(&mut active.invoice_number, |n| n.as_str().to_owned());
        changes.employees.apply(&mut active.employees, |v| v);
        changes.capital_yen.apply(&mut active.capital_yen, |v| v);
        if let Some(v) = changes.niche_status {
            active.niche_status = Set(v);
        }
        changes.cluster_type.apply(&mut active.cluster_type, |v| v);
        if let Some(v) = changes.cluster_projects {
            active.cluster_projects = Set(encode_projects(&v));
        }
        active.updated_at = Set(Utc::now());
        let row = active.update(txn).await.map_err(unique_number)?;
        if shown {
            crate::domain::matching::showcase::follow_sme(txn, &row).await?;
        }
        Ok(row)
    })
    .await
}

/// A unique violation on an SME: its corporate number or its invoice number is taken.
fn unique_number(err: sea_orm::DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) if message.contains("invoice") => {
            ApiError::Conflict {
                field: "input.invoiceNumber".into(),
                message: "an SME with this qualified-invoice registration number is registered"
                    .into(),
            }
        }
        Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict {
            field: "input.corporateNumber".into(),
            message: "an SME with this corporate number is registered".into(),
        },
        _ => err.into(),
    }
}

/// Records whether the SME consents to the publication of its rating: org admins of the
/// institution that registered the SME, or network admins. Evaluating the SME gives no say in
/// it: another institution's evaluation (a draft is enough to open one) never reaches it.
#[tracing::instrument(skip_all)]
pub async fn record_consent(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    consent: bool,
) -> ApiResult<sme::Model> {
    crate::domain::audit::audited(
        db,
        caller,
        "recordPublicationConsent",
        Some(target),
        async |txn| {
            caller.require_member()?;
            let row = sme_by_id(txn, caller, id?)
                .await?
                .ok_or(ApiError::NotFound("SME"))?;
            caller
                .require_for_or_network_admin(row.created_by_institution_id, Role::OrgAdmin)
                .map_err(|_| {
                    ApiError::Forbidden(
                        "only the institution that registered the SME (its org admins), or a \
                         network admin, records its consent"
                            .into(),
                    )
                })?;
            let now = Utc::now();
            let mut active = row.into_active_model();
            active.publication_consent = Set(consent);
            active.consent_recorded_at = Set(Some(now));
            active.updated_at = Set(now);
            Ok(active.update(txn).await?)
        },
    )
    .await
}

#[derive(Debug, Clone, Default)]
pub struct SmeFilter {
    pub prefecture: Option<PrefectureCode>,
    pub niche_status: Option<NicheStatus>,
    pub cluster_type: Option<ClusterType>,
    pub search: Option<SearchText>,
}

/// The SMEs `caller` may read: every one (their profiles are public; the figures and the consent
/// are members-only fields). Lists and look-ups of SMEs start here.
pub fn readable_by(_caller: &Caller) -> Readable<sme::Entity> {
    Readable::everything()
}

/// What an SME search reads: its names (SMEs have no description of their own).
pub const SMES_TEXT: TextIndex = TextIndex {
    table: "smes",
    columns: &["name_ja", "name_en"],
    fts_table: Some("smes_fts"),
};

#[tracing::instrument(skip_all)]
pub async fn smes(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &SmeFilter,
    args: &PageArgs,
) -> ApiResult<Listing<sme::Entity>> {
    use sme::Column;
    let search = filter
        .search
        .as_ref()
        .map(|search| search.condition(db.get_database_backend(), &SMES_TEXT));
    let matching = readable_by(caller)
        .narrow_if(
            filter
                .prefecture
                .map(|code| Column::PrefectureCode.eq(i16::from(code.get()))),
        )
        .narrow_if(filter.niche_status.map(|s| Column::NicheStatus.eq(s)))
        .narrow_if(filter.cluster_type.map(|kind| Column::ClusterType.eq(kind)))
        .narrow_if(search);
    let keyset = Keyset {
        name: "name_en",
        column: Column::NameEn,
        id: Column::Id,
        descending: false,
        value_of: |m: &sme::Model| SortValue::Text(m.name_en.clone()),
        id_of: |m: &sme::Model| m.id,
    };
    list(db, matching.select(), keyset, args).await
}

/// An SME the caller may read, by id.
#[tracing::instrument(skip_all)]
pub async fn sme_by_id<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<sme::Model>> {
    Ok(readable_by(caller)
        .narrow(sme::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// An SME the caller may read, by its corporate number.
#[tracing::instrument(skip_all)]
pub async fn sme_by_corporate_number<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    number: &CorporateNumber,
) -> ApiResult<Option<sme::Model>> {
    Ok(readable_by(caller)
        .narrow(sme::Column::CorporateNumber.eq(number.as_str()))
        .select()
        .one(db)
        .await?)
}

/// What the SME Basic Act says of a registered SME (see `basic_act`).
pub fn is_sme_under_basic_act(row: &sme::Model) -> Option<bool> {
    use crate::domain::basic_act::{Business, is_sme};
    is_sme(Business {
        industry: row
            .industry
            .as_deref()
            .and_then(|code| JsicCode::parse(code).ok()),
        company: row.corporate_number.is_some(),
        capital_yen: row.capital_yen,
        employees: row.employees,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_ids_round_trip() {
        let ids = vec![3, 17];
        assert_eq!(encode_projects(&ids), ",3,17,");
        assert_eq!(decode_projects(&encode_projects(&ids)), ids);
        assert!(decode_projects(",").is_empty());
    }
}
