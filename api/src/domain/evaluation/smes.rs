//! SMEs: the companies member institutions evaluate. Anyone reads their public profile; members
//! read the figures; the SME's consent to publishing its rating is recorded here.

use chrono::Utc;
use entity::{
    cluster_project,
    enums::{ClusterType, NicheStatus},
    evaluation, sme,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, SqlErr,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};

use crate::{
    auth::{Caller, Role},
    domain::{
        corporate_number::CorporateNumber,
        directory::{Listing, list},
        idempotency::{self, Idempotency},
        page::{Keyset, PageArgs, SortValue},
        prefecture::PrefectureCode,
        search::SearchText,
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
    pub corporate_number: CorporateNumber,
    pub name_ja: String,
    pub name_en: String,
    pub prefecture: PrefectureCode,
    pub industry: Option<String>,
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
    pub industry: Option<Option<String>>,
    pub employees: Option<Option<i32>>,
    pub capital_yen: Option<Option<i64>>,
    pub niche_status: Option<NicheStatus>,
    pub cluster_type: Option<Option<ClusterType>>,
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
                corporate_number: Set(input.corporate_number.as_str().to_owned()),
                name_ja: Set(input.name_ja),
                name_en: Set(input.name_en),
                prefecture_code: Set(input.prefecture.get().into()),
                industry: Set(input.industry),
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
            .map_err(|err| match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict {
                    field: "input.corporateNumber".into(),
                    message: "an SME with this corporate number is registered".into(),
                },
                _ => err.into(),
            })?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            require_evaluating_member(caller)?;
            sme_by_id(db, id).await?.ok_or(ApiError::NotFound("SME"))
        },
    )
    .await
}

/// The registering institution's evaluators and org admins, or network admins, edit an SME.
pub async fn update_sme(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    changes: ApiResult<SmeChanges>,
) -> ApiResult<sme::Model> {
    crate::domain::audit::audited(db, caller, "updateSme", Some(target), async |txn| {
        caller.require_member()?;
        let row = sme::Entity::find_by_id(id?)
            .one(txn)
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
        if let Some(ids) = &changes.cluster_projects {
            check_projects(txn, ids, "input.clusterProjects").await?;
        }
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
        if let Some(v) = changes.industry {
            active.industry = Set(v);
        }
        if let Some(v) = changes.employees {
            active.employees = Set(v);
        }
        if let Some(v) = changes.capital_yen {
            active.capital_yen = Set(v);
        }
        if let Some(v) = changes.niche_status {
            active.niche_status = Set(v);
        }
        if let Some(v) = changes.cluster_type {
            active.cluster_type = Set(v);
        }
        if let Some(v) = changes.cluster_projects {
            active.cluster_projects = Set(encode_projects(&v));
        }
        active.updated_at = Set(Utc::now());
        Ok(active.update(txn).await?)
    })
    .await
}

/// Records whether the SME consents to the publication of its rating: org admins of an
/// institution that evaluates it, or network admins.
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
            let principal = caller.require_member()?;
            let row = sme::Entity::find_by_id(id?)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("SME"))?;
            let evaluates = evaluation::Entity::find()
                .filter(evaluation::Column::SmeId.eq(row.id))
                .filter(evaluation::Column::InstitutionId.eq(principal.institution_id))
                .count(txn)
                .await?
                > 0;
            if !(principal.has(Role::NetworkAdmin) || (principal.has(Role::OrgAdmin) && evaluates))
            {
                return Err(ApiError::Forbidden(
                    "an org admin of an institution that evaluates this SME records its consent"
                        .into(),
                ));
            }
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

pub async fn smes(
    db: &DatabaseConnection,
    filter: &SmeFilter,
    args: &PageArgs,
) -> ApiResult<Listing<sme::Entity>> {
    use sme::Column;
    let mut condition = Condition::all();
    if let Some(code) = filter.prefecture {
        condition = condition.add(Column::PrefectureCode.eq(i16::from(code.get())));
    }
    if let Some(status) = filter.niche_status {
        condition = condition.add(Column::NicheStatus.eq(status));
    }
    if let Some(kind) = filter.cluster_type {
        condition = condition.add(Column::ClusterType.eq(kind));
    }
    if let Some(search) = &filter.search {
        let pattern = search.contains_pattern();
        let like = |column: Column| {
            Expr::expr(Func::lower(Expr::col(column)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        condition = condition.add(
            Condition::any()
                .add(like(Column::NameEn))
                .add(like(Column::NameJa)),
        );
    }
    let keyset = Keyset {
        name: "name_en",
        column: Column::NameEn,
        id: Column::Id,
        descending: false,
        value_of: |m: &sme::Model| SortValue::Text(m.name_en.clone()),
        id_of: |m: &sme::Model| m.id,
    };
    list(db, sme::Entity::find().filter(condition), keyset, args).await
}

pub async fn sme_by_id<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<Option<sme::Model>> {
    Ok(sme::Entity::find_by_id(id).one(db).await?)
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
