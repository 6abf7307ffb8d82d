//! Coordinators, the people who support cluster activities, and their training. An organisation's
//! admins manage its coordinators and record their trainings; the public sees the profiles their
//! people chose to make public, members every profile and its contact details. A coordinator
//! linked to a person (the token's `sub`) is that person's own record: they read it as
//! `me.coordinator` and edit its profile fields, never its awards.

use chrono::{NaiveDate, Utc};
use entity::{
    award, coordinator,
    enums::{CeUnit, ContactPreference, IndustryField, MetiBureau, TrainingKind},
    qualification_scheme, scheme_level, training_course, training_record,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, Select, SqlErr,
    sea_query::{Expr, ExprTrait, Query},
};

use super::{
    access::Readable,
    audit::audited,
    change::Change,
    dates::today_in_japan,
    fields,
    idempotency::{self, Idempotency},
    listing::{Listing, Ordering, list},
    page::{Keyset, PageArgs, SortValue},
    prefecture::{self, PrefectureCode},
    profile::{EmailAddress, PhoneNumber},
    qualifications,
    search::{SearchText, TextIndex, like},
};
use crate::{
    auth::{Caller, Role},
    error::{ApiError, ApiResult},
};

/// The coordinators `caller` may read: members of the network read every one; anyone else only
/// those whose person chose a public profile. Lists, look-ups, `node(id:)`, nested lists and
/// `findCoordinators` start here (nested lists ask [`visible_to`], the same rule on a row).
pub fn readable_by(caller: &Caller) -> Readable<coordinator::Entity> {
    if caller.require_member().is_ok() {
        Readable::everything()
    } else {
        Readable::only(Condition::all().add(public()))
    }
}

/// The coordinators anyone may read: those whose profile is public. The bare flag, not `= $1`,
/// so that a generic plan sees that a query implies the partial index of the public coordinators
/// (migration `m20261206_000025_counting_indexes`).
pub fn public() -> Expr {
    Expr::col((coordinator::Entity, coordinator::Column::PublicProfile))
}

/// [`readable_by`] for one row already loaded.
pub fn visible_to(caller: &Caller, row: &coordinator::Model) -> bool {
    row.public_profile || caller.require_member().is_ok()
}

/// "Holds an active award of this scheme at this level or above".
#[derive(Debug, Clone)]
pub struct HoldsAward {
    pub scheme: qualification_scheme::Model,
    pub min_rank: i16,
}

#[derive(Debug, Clone, Default)]
pub struct CoordinatorFilter {
    pub expertise: Option<IndustryField>,
    pub prefecture: Option<PrefectureCode>,
    pub bureau: Option<MetiBureau>,
    pub organization_id: Option<i64>,
    pub holds: Option<HoldsAward>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordinatorOrderField {
    NameEn,
    NameJa,
}

impl CoordinatorFilter {
    fn select(
        &self,
        readable: Readable<coordinator::Entity>,
        today: NaiveDate,
    ) -> Select<coordinator::Entity> {
        use coordinator::Column;
        let mut condition = Condition::all();
        if let Some(field) = self.expertise {
            condition = condition.add(like(Column::Expertise, fields::like_pattern(field)));
        }
        if let Some(code) = self.prefecture {
            condition = condition.add(Column::PrefectureCode.eq(i16::from(code.get())));
        }
        if let Some(bureau) = self.bureau {
            let codes = prefecture::covered_by(bureau).map(|p| i16::from(p.code));
            condition = condition.add(Column::PrefectureCode.is_in(codes));
        }
        if let Some(organization) = self.organization_id {
            condition = condition.add(Column::OrganizationId.eq(organization));
        }
        if let Some(holds) = &self.holds {
            let holders = Query::select()
                .column((award::Entity, award::Column::CoordinatorId))
                .from(award::Entity)
                .inner_join(
                    scheme_level::Entity,
                    Expr::col((scheme_level::Entity, scheme_level::Column::Id))
                        .equals((award::Entity, award::Column::LevelId)),
                )
                .and_where(qualifications::ranked_at_least(holds.min_rank))
                .cond_where(qualifications::active_today(
                    std::slice::from_ref(&holds.scheme),
                    today,
                ))
                .to_owned();
            condition = condition.add(Column::Id.in_subquery(holders));
        }
        readable.narrow(condition).select()
    }
}

fn by_name(order: Ordering<CoordinatorOrderField>) -> Keyset<coordinator::Entity> {
    use coordinator::{Column, Model};
    let (name, column, value_of): (_, _, fn(&Model) -> SortValue) = match order.field {
        CoordinatorOrderField::NameEn => ("name_en", Column::NameEn, |m| {
            SortValue::Text(m.name_en.clone())
        }),
        CoordinatorOrderField::NameJa => ("name_ja", Column::NameJa, |m| {
            SortValue::Text(m.name_ja.clone())
        }),
    };
    Keyset {
        name,
        column,
        id: Column::Id,
        descending: order.descending,
        value_of,
        id_of: |m: &Model| m.id,
    }
}

#[tracing::instrument(skip_all)]
pub async fn coordinators(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &CoordinatorFilter,
    order: Ordering<CoordinatorOrderField>,
    args: &PageArgs,
) -> ApiResult<Listing<coordinator::Entity>> {
    let select = filter.select(readable_by(caller), today_in_japan());
    list(db, select, by_name(order), args).await
}

/// What `findCoordinators` narrows by: how an SME or a partner website finds a qualified
/// coordinator near it.
#[derive(Debug, Clone, Default)]
pub struct FindFilter {
    pub field: Option<IndustryField>,
    pub bureau: Option<MetiBureau>,
    pub prefecture: Option<PrefectureCode>,
    /// Coordinators holding an award of this scheme (an active one with `active_award_only`).
    pub scheme: Option<qualification_scheme::Model>,
    /// Coordinators holding an award that counts today (of `scheme`, or of any scheme).
    pub active_award_only: bool,
    /// In either name or the English profile, case-folded.
    pub search: Option<SearchText>,
}

/// Coordinators the caller may read that match `filter`, by English name.
#[tracing::instrument(skip_all)]
pub async fn find(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &FindFilter,
    args: &PageArgs,
) -> ApiResult<Listing<coordinator::Entity>> {
    use coordinator::Column;
    let readable = readable_by(caller);
    let by_place = CoordinatorFilter {
        expertise: filter.field,
        prefecture: filter.prefecture,
        bureau: filter.bureau,
        ..Default::default()
    };
    let mut condition = Condition::all();
    if filter.active_award_only {
        let schemes = match &filter.scheme {
            Some(scheme) => vec![scheme.clone()],
            None => qualification_scheme::Entity::find().all(db).await?,
        };
        condition = condition.add(
            Column::Id.in_subquery(qualifications::active_holders(&schemes, today_in_japan())),
        );
    } else if let Some(scheme) = &filter.scheme {
        let holders = Query::select()
            .column(award::Column::CoordinatorId)
            .from(award::Entity)
            .and_where(qualifications::of_scheme(scheme.id))
            .and_where(award::Column::CoordinatorId.is_not_null())
            .to_owned();
        condition = condition.add(Column::Id.in_subquery(holders));
    }
    if let Some(search) = &filter.search {
        condition = condition.add(search.condition(db.get_database_backend(), &COORDINATORS_TEXT));
    }
    let select = by_place
        .select(readable, today_in_japan())
        .filter(condition);
    let order = Ordering {
        field: CoordinatorOrderField::NameEn,
        descending: false,
    };
    list(db, select, by_name(order), args).await
}

/// What a coordinator search reads: names and the English profile.
const COORDINATORS_TEXT: TextIndex = TextIndex {
    table: "coordinators",
    columns: &["name_ja", "name_en", "profile_en"],
    fts_table: Some("coordinators_fts"),
};

/// A coordinator the caller may read, by id (`node(id:)`).
#[tracing::instrument(skip_all)]
pub async fn readable_by_id(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<coordinator::Model>> {
    Ok(readable_by(caller)
        .narrow(coordinator::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// The coordinator record of the person `subject` names, if one is linked to it.
#[tracing::instrument(skip_all)]
pub async fn of_person<C: ConnectionTrait>(
    db: &C,
    subject: &str,
) -> ApiResult<Option<coordinator::Model>> {
    Ok(coordinator::Entity::find()
        .filter(coordinator::Column::PersonSubject.eq(subject))
        .one(db)
        .await?)
}

/// The fields a person edits on their own coordinator record.
#[derive(Debug, Clone, Default)]
pub struct OwnProfileChanges {
    pub expertise: Option<Vec<IndustryField>>,
    pub profile_en: Change<String>,
    pub contact_preference: Change<ContactPreference>,
    pub public_profile: Option<bool>,
}

/// A person edits their own coordinator record's profile: expertise, profile text, contact
/// preference and whether the profile is public. Nothing else, and never their awards.
#[tracing::instrument(skip_all)]
pub async fn update_own_profile(
    db: &DatabaseConnection,
    caller: &Caller,
    changes: ApiResult<OwnProfileChanges>,
) -> ApiResult<coordinator::Model> {
    audited(
        db,
        caller,
        "updateOwnCoordinatorProfile",
        None,
        async |txn| {
            let principal = caller.require_authenticated()?;
            let row = of_person(txn, &principal.subject)
                .await?
                .ok_or(ApiError::NotFound("coordinator record linked to you"))?;
            let changes = changes?;
            let mut active = row.into_active_model();
            if let Some(expertise) = changes.expertise {
                active.expertise = Set(fields::encode(&expertise));
            }
            changes
                .profile_en
                .apply(&mut active.profile_en, |text| text);
            match changes.contact_preference {
                Change::Keep => {}
                Change::Clear => active.contact_preference = Set(None),
                Change::Set(preference) => active.contact_preference = Set(Some(preference)),
            }
            if let Some(public) = changes.public_profile {
                active.public_profile = Set(public);
            }
            active.updated_at = Set(Utc::now());
            Ok(active.update(txn).await?)
        },
    )
    .await
}

/// A linked person's subject, as an org admin gives it: 1–200 characters, no control characters.
pub fn person_subject(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() || text.len() > 200 {
        Err("a token subject of 1 to 200 characters".into())
    } else if text.chars().any(char::is_control) {
        Err("no control characters".into())
    } else {
        Ok(text.to_owned())
    }
}

fn person_taken(err: sea_orm::DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict {
            field: "input.personSubject".into(),
            message: "this person is linked to another coordinator".into(),
        },
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            ApiError::bad_input("input.organizationId", "no such organisation")
        }
        _ => err.into(),
    }
}

#[tracing::instrument(skip_all)]
pub async fn coordinator_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> ApiResult<Option<coordinator::Model>> {
    Ok(coordinator::Entity::find_by_id(id).one(db).await?)
}

#[derive(Debug, Clone)]
pub struct NewCoordinator {
    /// The affiliation; the caller's own institution unless a network admin names another.
    pub organization_id: Option<i64>,
    pub name_ja: String,
    pub name_en: String,
    pub prefecture: PrefectureCode,
    pub expertise: Vec<IndustryField>,
    pub profile_en: Option<String>,
    pub contact_email: Option<EmailAddress>,
    pub contact_phone: Option<PhoneNumber>,
    /// The person the record describes (their token's `sub`), when known.
    pub person_subject: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CoordinatorChanges {
    pub name_ja: Option<String>,
    pub name_en: Option<String>,
    pub prefecture: Option<PrefectureCode>,
    pub expertise: Option<Vec<IndustryField>>,
    pub profile_en: Change<String>,
    pub contact_email: Change<EmailAddress>,
    pub contact_phone: Change<PhoneNumber>,
    pub person_subject: Change<String>,
}

/// An organisation's admins (or a network admin) add a coordinator to it.
#[tracing::instrument(skip_all)]
pub async fn create_coordinator(
    db: &DatabaseConnection,
    caller: &Caller,
    input: ApiResult<NewCoordinator>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<coordinator::Model> {
    let target = input
        .as_ref()
        .ok()
        .and_then(|i| i.organization_id)
        .map(|id| id.to_string());
    let create = async |txn: &DatabaseTransaction| {
        let principal = caller.require_member()?;
        let organization_id = match &input {
            Ok(NewCoordinator {
                organization_id: Some(id),
                ..
            }) => *id,
            _ => principal.institution_id,
        };
        caller.require_for_or_network_admin(organization_id, Role::OrgAdmin)?;
        let input = input?;
        let now = Utc::now();
        coordinator::ActiveModel {
            organization_id: Set(organization_id),
            name_ja: Set(input.name_ja),
            name_en: Set(input.name_en),
            prefecture_code: Set(input.prefecture.get().into()),
            expertise: Set(fields::encode(&input.expertise)),
            profile_en: Set(input.profile_en),
            contact_email: Set(input.contact_email.map(EmailAddress::into_inner)),
            contact_phone: Set(input.contact_phone.map(PhoneNumber::into_inner)),
            person_subject: Set(input.person_subject),
            public_profile: Set(true),
            contact_preference: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(person_taken)
        .map(|row| {
            let id = row.id;
            (row, id)
        })
    };
    let replay = async |id| coordinator_for_admin(db, caller, Ok(id)).await;
    idempotency::once(db, caller, "createCoordinator", target, key, create, replay).await
}

async fn coordinator_for_admin<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: ApiResult<i64>,
) -> ApiResult<coordinator::Model> {
    caller.require_member()?;
    let row = coordinator_by_id(db, id?)
        .await?
        .ok_or(ApiError::NotFound("coordinator"))?;
    caller.require_for_or_network_admin(row.organization_id, Role::OrgAdmin)?;
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn update_coordinator(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    changes: ApiResult<CoordinatorChanges>,
) -> ApiResult<coordinator::Model> {
    audited(db, caller, "updateCoordinator", Some(target), async |txn| {
        let row = coordinator_for_admin(txn, caller, id).await?;
        let changes = changes?;
        let mut active = row.into_active_model();
        if let Some(name) = changes.name_ja {
            active.name_ja = Set(name);
        }
        if let Some(name) = changes.name_en {
            active.name_en = Set(name);
        }
        if let Some(code) = changes.prefecture {
            active.prefecture_code = Set(code.get().into());
        }
        if let Some(expertise) = changes.expertise {
            active.expertise = Set(fields::encode(&expertise));
        }
        changes
            .profile_en
            .apply(&mut active.profile_en, |text| text);
        changes
            .contact_email
            .apply(&mut active.contact_email, EmailAddress::into_inner);
        changes
            .contact_phone
            .apply(&mut active.contact_phone, PhoneNumber::into_inner);
        changes
            .person_subject
            .apply(&mut active.person_subject, |subject| subject);
        active.updated_at = Set(Utc::now());
        active.update(txn).await.map_err(person_taken)
    })
    .await
}

// ---------------------------------------------------------------- training

#[derive(Debug, Clone)]
pub struct NewCourse {
    pub title_ja: String,
    pub title_en: String,
    pub unit: CeUnit,
    pub amount: i32,
    /// A course, or a kind of practice (consulting work) whose records earn practice points.
    pub kind: TrainingKind,
}

/// A provider's registrars or admins publish a course; the provider is their own institution.
#[tracing::instrument(skip_all)]
pub async fn create_course(
    db: &DatabaseConnection,
    caller: &Caller,
    input: ApiResult<NewCourse>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<training_course::Model> {
    let may_publish = || {
        let principal = caller.require_member()?;
        if principal.has(Role::Registrar) || principal.has(Role::OrgAdmin) {
            Ok(principal)
        } else {
            Err(ApiError::Forbidden(
                "this needs the registrar or org_admin role".into(),
            ))
        }
    };
    let create = async |txn: &DatabaseTransaction| {
        let principal = may_publish()?;
        let input = input?;
        let row = training_course::ActiveModel {
            provider_id: Set(principal.institution_id),
            title_ja: Set(input.title_ja),
            title_en: Set(input.title_en),
            unit: Set(input.unit),
            amount: Set(input.amount),
            kind: Set(input.kind),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let id = row.id;
        Ok((row, id))
    };
    let replay = async |id| {
        let principal = may_publish()?;
        training_course::Entity::find_by_id(id)
            .filter(training_course::Column::ProviderId.eq(principal.institution_id))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("training course"))
    };
    idempotency::once(
        db,
        caller,
        "createTrainingCourse",
        None,
        key,
        create,
        replay,
    )
    .await
}

/// A training course; courses are public.
#[tracing::instrument(skip_all)]
pub async fn course_by_id(
    db: &DatabaseConnection,
    id: i64,
) -> ApiResult<Option<training_course::Model>> {
    Ok(training_course::Entity::find_by_id(id).one(db).await?)
}

#[tracing::instrument(skip_all)]
pub async fn courses(
    db: &DatabaseConnection,
    provider_id: Option<i64>,
    args: &PageArgs,
) -> ApiResult<Listing<training_course::Entity>> {
    use training_course::Column;
    let mut condition = Condition::all();
    if let Some(provider) = provider_id {
        condition = condition.add(Column::ProviderId.eq(provider));
    }
    let keyset = Keyset {
        name: "id",
        column: Column::Id,
        id: Column::Id,
        descending: false,
        value_of: |m: &training_course::Model| SortValue::Int(m.id),
        id_of: |m: &training_course::Model| m.id,
    };
    list(
        db,
        training_course::Entity::find().filter(condition),
        keyset,
        args,
    )
    .await
}

/// The coordinator's organisation records a completed training; the same completion twice is a
/// conflict, so a retry never counts double.
#[tracing::instrument(skip_all)]
pub async fn record_training(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    coordinator_id: ApiResult<i64>,
    course_id: ApiResult<i64>,
    completed_on: NaiveDate,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<training_record::Model> {
    let record = async |txn: &DatabaseTransaction| {
        let coordinator = coordinator_for_admin(txn, caller, coordinator_id).await?;
        let course = training_course::Entity::find_by_id(course_id?)
            .one(txn)
            .await?
            .ok_or_else(|| ApiError::bad_input("courseId", "no such course"))?;
        if completed_on > today_in_japan() {
            return Err(ApiError::bad_input(
                "completedOn",
                "a training cannot be completed in the future",
            ));
        }
        training_record::ActiveModel {
            coordinator_id: Set(coordinator.id),
            course_id: Set(course.id),
            completed_on: Set(completed_on),
            recorded_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(|err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict {
                field: "completedOn".into(),
                message: "this completion is already recorded".into(),
            },
            _ => err.into(),
        })
        .map(|row| {
            let id = row.id;
            (row, id)
        })
    };
    let replay = async |id| {
        let row = training_record::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("training record"))?;
        coordinator_for_admin(db, caller, Ok(row.coordinator_id)).await?;
        Ok(row)
    };
    idempotency::once(
        db,
        caller,
        "recordTraining",
        Some(target),
        key,
        record,
        replay,
    )
    .await
}
