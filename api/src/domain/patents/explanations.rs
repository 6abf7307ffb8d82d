//! Plain-language explanations of patents for SMEs, and their workflow.
//!
//! - **Who writes.** A member institution's evaluator or org admin (the network's coordinators
//!   act through these roles), or the holder's `licensing` / `org_admin`. The author's
//!   institution and the holder edit it afterwards.
//! - **Workflow.** `DRAFT → IN_REVIEW → PUBLISHED`, or from review back to `DRAFT` with a reason.
//!   The review is the holder's (`licensing` or `org_admin` there). Editing a published
//!   explanation makes a new draft; the published version stays what others read until the next
//!   one is published.
//! - **Versions.** Every change makes a new immutable version; an edit names the version it edits.
//! - **Who reads.** The holder's and the author's institutions and network admins read the
//!   explanation as it stands; everyone else who may read the patent reads its latest published
//!   version only (and nothing before the first is published).

use chrono::Utc;
use entity::{enums::ExplanationStatus, patent, patent_explanation, patent_explanation_version};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};

use super::{
    readable as readable_patent, require_holder, search_text_of, speaks_for_holder, stale,
};
use crate::{
    auth::{Caller, Role},
    domain::idempotency::{self, Idempotency},
    error::{ApiError, ApiResult},
};

/// Each text's length, in characters: plain words, not the original's claims.
pub const MAX_TEXT_CHARS: usize = 2000;

/// The six texts of an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplanationTexts {
    pub summary_ja: String,
    pub summary_en: String,
    pub applications_ja: String,
    pub applications_en: String,
    pub requirements_ja: String,
    pub requirements_en: String,
}

#[derive(Debug, Clone)]
pub struct NewExplanation {
    pub patent_id: i64,
    pub texts: ExplanationTexts,
}

/// Whether `caller` reads the explanation as it stands (not only its published version).
pub fn reads_working_copy(
    caller: &Caller,
    row: &patent_explanation::Model,
    holder_id: i64,
) -> bool {
    caller.principal().is_some_and(|p| {
        p.has(Role::NetworkAdmin)
            || p.institution_id == holder_id
            || p.institution_id == row.author_institution_id
    })
}

/// Whether `caller` may edit and submit it: a writer at the author's institution, or the holder.
fn writes(caller: &Caller, row: &patent_explanation::Model, holder_id: i64) -> bool {
    speaks_for_holder(caller, holder_id)
        || caller.principal().is_some_and(|p| {
            [Role::Evaluator, Role::OrgAdmin, Role::Licensing]
                .into_iter()
                .any(|role| p.acts_for(row.author_institution_id, role))
        })
}

/// The latest published version of an explanation, as an explanation; `None` before the first.
#[tracing::instrument(skip_all)]
pub async fn as_published<C: ConnectionTrait>(
    db: &C,
    current: patent_explanation::Model,
) -> ApiResult<Option<patent_explanation::Model>> {
    if current.status == ExplanationStatus::Published {
        return Ok(Some(current));
    }
    let Some(published) = current.published_version else {
        return Ok(None);
    };
    let snapshot = patent_explanation_version::Entity::find()
        .filter(patent_explanation_version::Column::ExplanationId.eq(current.id))
        .filter(patent_explanation_version::Column::Version.eq(published))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::corrupt("a published explanation version is missing"))?;
    Ok(Some(patent_explanation::Model {
        status: ExplanationStatus::Published,
        version: published,
        summary_ja: snapshot.summary_ja,
        summary_en: snapshot.summary_en,
        applications_ja: snapshot.applications_ja,
        applications_en: snapshot.applications_en,
        requirements_ja: snapshot.requirements_ja,
        requirements_en: snapshot.requirements_en,
        updated_at: snapshot.changed_at,
        ..current
    }))
}

/// The explanations of many patents the caller may read, as the caller may see each, by patent
/// id: two statements whatever their number (the explanations, then the published versions that
/// stand in for working copies the caller may not read). `patents` are `(patent id, holder id)`.
#[tracing::instrument(skip_all)]
pub async fn of_patents<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    patents: &[(i64, i64)],
) -> Result<std::collections::HashMap<i64, patent_explanation::Model>, sea_orm::DbErr> {
    let ids: Vec<i64> = patents.iter().map(|(id, _)| *id).collect();
    let holders: std::collections::HashMap<i64, i64> = patents.iter().copied().collect();
    let rows = patent_explanation::Entity::find()
        .filter(patent_explanation::Column::PatentId.is_in(ids))
        .all(db)
        .await?;
    let mut seen = std::collections::HashMap::new();
    let mut wanted: Vec<patent_explanation::Model> = Vec::new();
    for row in rows {
        let holder = holders.get(&row.patent_id).copied().unwrap_or_default();
        if reads_working_copy(caller, &row, holder) || row.status == ExplanationStatus::Published {
            seen.insert(row.patent_id, row);
        } else if row.published_version.is_some() {
            wanted.push(row);
        }
    }
    if wanted.is_empty() {
        return Ok(seen);
    }
    let snapshots = patent_explanation_version::Entity::find()
        .filter(
            patent_explanation_version::Column::ExplanationId
                .is_in(wanted.iter().map(|e| e.id).collect::<Vec<_>>()),
        )
        .filter(patent_explanation_version::Column::Status.eq(ExplanationStatus::Published))
        .all(db)
        .await?;
    for current in wanted {
        let snapshot = snapshots.iter().find(|v| {
            v.explanation_id == current.id && Some(v.version) == current.published_version
        });
        if let Some(snapshot) = snapshot {
            let published = patent_explanation::Model {
                status: ExplanationStatus::Published,
                version: snapshot.version,
                summary_ja: snapshot.summary_ja.clone(),
                summary_en: snapshot.summary_en.clone(),
                applications_ja: snapshot.applications_ja.clone(),
                applications_en: snapshot.applications_en.clone(),
                requirements_ja: snapshot.requirements_ja.clone(),
                requirements_en: snapshot.requirements_en.clone(),
                updated_at: snapshot.changed_at,
                ..current
            };
            seen.insert(published.patent_id, published);
        }
    }
    Ok(seen)
}

/// An explanation by id, as the caller may see it (through its patent), with its patent.
#[tracing::instrument(skip_all)]
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<(patent_explanation::Model, patent::Model)>> {
    let Some(current) = patent_explanation::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let Some(patent) = readable_patent(db, caller, current.patent_id).await? else {
        return Ok(None);
    };
    let seen = if reads_working_copy(caller, &current, patent.holder_id) {
        Some(current)
    } else {
        as_published(db, current).await?
    };
    Ok(seen.map(|e| (e, patent)))
}

/// The versions the caller may see, oldest first: all of them for the holder, the author and
/// network admins; the published ones for everyone else.
#[tracing::instrument(skip_all)]
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    explanation_id: i64,
) -> ApiResult<Vec<patent_explanation_version::Model>> {
    let Some(current) = patent_explanation::Entity::find_by_id(explanation_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let Some(patent) = readable_patent(db, caller, current.patent_id).await? else {
        return Ok(Vec::new());
    };
    let mut query = patent_explanation_version::Entity::find()
        .filter(patent_explanation_version::Column::ExplanationId.eq(explanation_id));
    if !reads_working_copy(caller, &current, patent.holder_id) {
        query = query
            .filter(patent_explanation_version::Column::Status.eq(ExplanationStatus::Published));
    }
    Ok(query
        .order_by_asc(patent_explanation_version::Column::Version)
        .all(db)
        .await?)
}

async fn record_version(
    txn: &DatabaseTransaction,
    caller: &Caller,
    row: &patent_explanation::Model,
    change: &str,
    reason: Option<String>,
) -> ApiResult<()> {
    let principal = caller.require_authenticated()?;
    patent_explanation_version::ActiveModel {
        explanation_id: Set(row.id),
        version: Set(row.version),
        change: Set(change.to_owned()),
        status: Set(row.status),
        summary_ja: Set(row.summary_ja.clone()),
        summary_en: Set(row.summary_en.clone()),
        applications_ja: Set(row.applications_ja.clone()),
        applications_en: Set(row.applications_en.clone()),
        requirements_ja: Set(row.requirements_ja.clone()),
        requirements_en: Set(row.requirements_en.clone()),
        reason: Set(reason),
        changed_by_subject: Set(principal.subject.clone()),
        changed_by_institution: Set(principal.institution_code.clone()),
        changed_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Writes an explanation of a patent the caller may read, as a DRAFT.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    input: ApiResult<NewExplanation>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<patent_explanation::Model> {
    let target = input.as_ref().ok().map(|i| i.patent_id.to_string());
    idempotency::once(
        db,
        caller,
        "createPatentExplanation",
        target,
        key,
        async |txn| {
            let principal = caller.require_authenticated()?;
            let patent_id = input.as_ref().ok().map(|i| i.patent_id);
            let patent = match patent_id {
                Some(id) => readable_patent(txn, caller, id).await?,
                None => None,
            };
            let holder = patent.as_ref().map(|p| p.holder_id);
            let member_writer = principal.member
                && (principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin));
            if !(member_writer || holder.is_some_and(|h| speaks_for_holder(caller, h))) {
                return Err(ApiError::Forbidden(
                    "explanations are written by a member's evaluator or org_admin, or by the \
                     holder's licensing or org_admin"
                        .into(),
                ));
            }
            let input = input?;
            let patent =
                patent.ok_or_else(|| ApiError::bad_input("input.patentId", "no such patent"))?;
            let exists = patent_explanation::Entity::find()
                .filter(patent_explanation::Column::PatentId.eq(patent.id))
                .one(txn)
                .await?;
            if exists.is_some() {
                return Err(ApiError::Conflict {
                    field: "input.patentId".into(),
                    message: "the patent has an explanation: edit it".into(),
                });
            }
            let now = Utc::now();
            let t = input.texts;
            let row = patent_explanation::ActiveModel {
                patent_id: Set(patent.id),
                author_institution_id: Set(principal.institution_id),
                author_subject: Set(principal.subject.clone()),
                status: Set(ExplanationStatus::Draft),
                version: Set(1),
                published_version: Set(None),
                summary_ja: Set(t.summary_ja),
                summary_en: Set(t.summary_en),
                applications_ja: Set(t.applications_ja),
                applications_en: Set(t.applications_en),
                requirements_ja: Set(t.requirements_ja),
                requirements_en: Set(t.requirements_en),
                published_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            record_version(txn, caller, &row, "created", None).await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let (row, patent) = readable(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("explanation"))?;
            if !writes(caller, &row, patent.holder_id) {
                return Err(ApiError::Forbidden(
                    "only the author's institution and the holder change an explanation".into(),
                ));
            }
            Ok(row)
        },
    )
    .await
}

/// The explanation to change, as it stands, with its patent: one the caller may read (else it
/// does not exist for them) and may write (else `FORBIDDEN`).
async fn to_change<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: ApiResult<i64>,
    review: bool,
) -> ApiResult<(patent_explanation::Model, patent::Model)> {
    caller.require_authenticated()?;
    let id = id?;
    let (_, patent) = readable(db, caller, id)
        .await?
        .ok_or(ApiError::NotFound("explanation"))?;
    let row = patent_explanation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("explanation"))?;
    if review {
        require_holder(caller, patent.holder_id)?;
    } else if !writes(caller, &row, patent.holder_id) {
        return Err(ApiError::Forbidden(
            "only the author's institution and the holder change an explanation".into(),
        ));
    }
    Ok((row, patent))
}

fn state_name(status: ExplanationStatus) -> &'static str {
    match status {
        ExplanationStatus::Draft => "DRAFT",
        ExplanationStatus::InReview => "IN_REVIEW",
        ExplanationStatus::Published => "PUBLISHED",
    }
}

/// The author's institution or the holder rewrites the texts of a DRAFT or PUBLISHED
/// explanation, naming the version it edits; a published one becomes a new DRAFT.
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    version: i32,
    texts: ApiResult<ExplanationTexts>,
) -> ApiResult<patent_explanation::Model> {
    crate::domain::audit::audited(
        db,
        caller,
        "updatePatentExplanation",
        Some(target),
        async |txn| {
            let (row, _) = to_change(txn, caller, id, false).await?;
            if row.status == ExplanationStatus::InReview {
                return Err(ApiError::Conflict {
                    field: "id".into(),
                    message: "the explanation is IN_REVIEW: it is edited once returned".into(),
                });
            }
            if row.version != version {
                return Err(stale("explanation", row.version));
            }
            let t = texts?;
            let next_version = row.version + 1;
            let mut active = row.into_active_model();
            active.summary_ja = Set(t.summary_ja);
            active.summary_en = Set(t.summary_en);
            active.applications_ja = Set(t.applications_ja);
            active.applications_en = Set(t.applications_en);
            active.requirements_ja = Set(t.requirements_ja);
            active.requirements_en = Set(t.requirements_en);
            active.status = Set(ExplanationStatus::Draft);
            active.version = Set(next_version);
            active.updated_at = Set(Utc::now());
            let row = active.update(txn).await?;
            record_version(txn, caller, &row, "edited", None).await?;
            Ok(row)
        },
    )
    .await
}

/// A move in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Publish,
    Return,
}

impl Action {
    fn operation(self) -> &'static str {
        match self {
            Self::Submit => "submitPatentExplanation",
            Self::Publish => "publishPatentExplanation",
            Self::Return => "returnPatentExplanation",
        }
    }

    fn change(self) -> &'static str {
        match self {
            Self::Submit => "submitted",
            Self::Publish => "published",
            Self::Return => "returned",
        }
    }

    /// Whether only the holder may take it (the review).
    fn review(self) -> bool {
        !matches!(self, Self::Submit)
    }

    pub fn next(self, from: ExplanationStatus) -> Option<ExplanationStatus> {
        use ExplanationStatus::*;
        match (self, from) {
            (Self::Submit, Draft) => Some(InReview),
            (Self::Publish, InReview) => Some(Published),
            (Self::Return, InReview) => Some(Draft),
            _ => None,
        }
    }
}

pub struct Move {
    pub action: Action,
    pub target: String,
    pub id: ApiResult<i64>,
    pub version: Option<i32>,
    pub reason: ApiResult<Option<String>>,
    pub key: Option<ApiResult<Idempotency>>,
}

/// Moves an explanation through its workflow. Publishing also makes its texts searchable and
/// marks the patent explained (`explanation_published`), in the same transaction.
#[tracing::instrument(skip_all)]
pub async fn transition(
    db: &DatabaseConnection,
    caller: &Caller,
    request: Move,
) -> ApiResult<patent_explanation::Model> {
    let Move {
        action,
        target,
        id,
        version,
        reason,
        key,
    } = request;
    let replay_id = id.as_ref().ok().copied();
    idempotency::once(
        db,
        caller,
        action.operation(),
        Some(target),
        key,
        async |txn| {
            let (row, patent) = to_change(txn, caller, id, action.review()).await?;
            let reason = reason?;
            let next = action.next(row.status).ok_or_else(|| ApiError::Conflict {
                field: "id".into(),
                message: format!(
                    "the explanation is {}: it cannot be {}",
                    state_name(row.status),
                    action.change()
                ),
            })?;
            if version.is_some_and(|v| v != row.version) {
                return Err(stale("explanation", row.version));
            }
            if action == Action::Return && reason.is_none() {
                return Err(ApiError::bad_input("reason", "say why"));
            }
            let next_version = row.version + 1;
            let now = Utc::now();
            let mut active = row.into_active_model();
            active.status = Set(next);
            active.version = Set(next_version);
            active.updated_at = Set(now);
            if action == Action::Publish {
                active.published_version = Set(Some(next_version));
                active.published_at = Set(Some(now));
            }
            let row = active.update(txn).await?;
            record_version(txn, caller, &row, action.change(), reason).await?;
            if action == Action::Publish {
                let text = search_text_of(
                    &patent.title_ja,
                    &patent.title_en,
                    patent.abstract_text.as_deref(),
                    Some(&row),
                );
                let mut active = patent.into_active_model();
                active.search_text = Set(text);
                active.explanation_published = Set(true);
                active.update(txn).await?;
            }
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let (row, _) =
                to_change(db, caller, Ok(replay_id.unwrap_or(id)), action.review()).await?;
            Ok(row)
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_allows_exactly_its_moves() {
        use ExplanationStatus::*;
        let all = [Draft, InReview, Published];
        let allowed = |action: Action| {
            all.iter()
                .filter(|s| action.next(**s).is_some())
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Action::Submit), [Draft]);
        assert_eq!(allowed(Action::Publish), [InReview]);
        assert_eq!(allowed(Action::Return), [InReview]);
        assert_eq!(Action::Return.next(InReview), Some(Draft));
    }
}
