//! Coordinators, their training and credits, their assignments to cluster projects and
//! institutions, and a person's own coordinator profile in GraphQL (schemes and awards are in
//! `qualifications.rs`).

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result};
use entity::{coordinator, coordinator_assignment, enums, training_course, training_record};

use super::{
    connection::{Conn, connection},
    context::{caller, db, load, load_many, members_only},
    directory::{ClusterProject, Organization},
    ids::{self, NodeType},
    inputs::{
        fingerprint, json_of, optional, optional_id, parsed_change, prefecture, required,
        text_change, within,
    },
    loaders::{
        AssignmentsOfCoordinator, AssignmentsOfProject, AwardsOfCoordinator, ClusterProjectId,
        CoordinatorId, CourseId, OrganizationId, TrainingsOfCoordinator,
    },
    qualifications::{Award, Date},
    vocabulary::{IndustryField, MetiBureau, OrderDirection, Prefecture},
};
use crate::{
    auth::Caller,
    domain::{
        assignments::{self, AssignedTo},
        change::Change,
        coordinators::{self, CoordinatorFilter, HoldsAward},
        fields,
        listing::Ordering,
        profile::{EmailAddress, PhoneNumber},
        qualifications,
        search::SearchText,
    },
    error::{ApiError, ApiResult},
};

/// The unit continuing education is counted in.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::CeUnit")]
pub enum CeUnit {
    /// Credits (単位) a course gives, as the issuer counts them.
    Credits,
    /// Hours of attendance.
    Hours,
    /// Points, e.g. the SME consultant's practice points from consulting work.
    Points,
}

/// What a training record is: a course taken, or practice (consulting work, 実務従事).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(remote = "enums::TrainingKind")]
pub enum TrainingKind {
    /// A course: its records earn what the course gives.
    #[default]
    Course,
    /// Practice: consulting work (e.g. 中小企業診断士's 診断助言業務), whose records earn practice
    /// points. A requirement of practice counts no course, whatever its unit.
    Practice,
}

// ---------------------------------------------------------------- objects

pub struct Coordinator(pub coordinator::Model);

/// A person who supports cluster activities, affiliated to an organisation.
#[Object]
impl Coordinator {
    /// The coordinator's opaque global ID, for `node(id:)` and mutations.
    pub async fn id(&self) -> ID {
        NodeType::Coordinator.id(self.0.id)
    }
    /// The coordinator's name in Japanese.
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The coordinator's name in Latin letters, as they write it.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The organisation the coordinator works for.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Ok(Organization::from(
            load(ctx, OrganizationId(self.0.organization_id), "organisation").await?,
        ))
    }
    /// The prefecture the coordinator works in.
    async fn prefecture(&self) -> Result<Prefecture> {
        Prefecture::of(self.0.prefecture_code)
    }
    /// Fields of expertise.
    async fn expertise(&self) -> Vec<IndustryField> {
        fields::decode(&self.0.expertise)
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// A short professional profile in English (at most 2000 characters); null when not written.
    async fn profile_en(&self) -> Option<&str> {
        self.0.profile_en.as_deref()
    }
    /// How to reach the coordinator. Members of the network only (and the coordinator's own
    /// person).
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<CoordinatorContact>> {
        self.members_or_own(ctx)?;
        Ok(Some(CoordinatorContact {
            email: self.0.contact_email.clone(),
            phone: self.0.contact_phone.clone(),
        }))
    }
    /// The coordinator's awards, with their renewal dates and the credits still missing. Members
    /// of the network only (and the coordinator's own person).
    async fn awards(&self, ctx: &Context<'_>) -> Result<Option<Vec<Award>>> {
        self.members_or_own(ctx)?;
        let rows = load_many(ctx, AwardsOfCoordinator(self.0.id)).await?;
        Ok(Some(rows.into_iter().map(Award).collect()))
    }
    /// Completed trainings, newest last. Members of the network only (and the coordinator's own
    /// person).
    async fn trainings(&self, ctx: &Context<'_>) -> Result<Option<Vec<TrainingRecord>>> {
        self.members_or_own(ctx)?;
        let rows = load_many(ctx, TrainingsOfCoordinator(self.0.id)).await?;
        Ok(Some(rows.into_iter().map(TrainingRecord).collect()))
    }
    /// Whether the coordinator's person chose a public profile: callers outside the network
    /// see only coordinators who did.
    async fn public_profile(&self) -> bool {
        self.0.public_profile
    }
    /// How the coordinator prefers to be contacted; null when not said. Members of the network
    /// only (and the coordinator's own person).
    async fn contact_preference(&self, ctx: &Context<'_>) -> Result<Option<ContactPreference>> {
        self.members_or_own(ctx)?;
        Ok(self.0.contact_preference.map(Into::into))
    }
    /// Whether the record is linked to a person who signs in (`me.coordinator`) and edits its
    /// profile.
    async fn linked_to_person(&self) -> bool {
        self.0.person_subject.is_some()
    }
    /// The cluster projects and institutions the coordinator is arranged to, earliest first.
    async fn assignments(&self, ctx: &Context<'_>) -> Result<Vec<CoordinatorAssignment>> {
        let rows = load_many(ctx, AssignmentsOfCoordinator(self.0.id)).await?;
        Ok(rows.into_iter().map(CoordinatorAssignment).collect())
    }
}

impl Coordinator {
    /// The rule of the fields members of the network read ([`members_only`]), and the person the
    /// record describes reads of their own record whether their institution is a member or not.
    fn members_or_own(&self, ctx: &Context<'_>) -> Result<()> {
        let own = self.0.person_subject.as_deref().is_some_and(|subject| {
            caller(ctx)
                .principal()
                .is_some_and(|p| p.subject == subject)
        });
        if own { Ok(()) } else { members_only(ctx) }
    }
}

/// How a coordinator prefers to be contacted.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::ContactPreference")]
pub enum ContactPreference {
    /// By e-mail.
    Email,
    /// By telephone.
    Phone,
    /// Through the coordinator's organisation.
    Organization,
}

/// What a coordinator is arranged to a cluster project or an institution as.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::AssignmentRole")]
pub enum AssignmentRole {
    /// Manages the project (プロジェクトマネージャー).
    ProjectManager,
    /// Brings technology to firms: matches research seeds with business needs.
    TechnologyCoordinator,
    /// Links industry with universities and research institutes (産学連携コーディネーター).
    IndustryAcademiaCoordinator,
    /// Connects firms with finance: banks, funds and public support.
    FinanceCoordinator,
    /// Works with clusters abroad (the project's overseas tie-ups).
    OverseasLiaison,
}

pub struct CoordinatorAssignment(pub coordinator_assignment::Model);

/// A coordinator arranged to a cluster project or to a member institution, with a role and a
/// period. Written by the org admins of an organisation that leads or promotes the project, or
/// of the institution; read as the caller may read the coordinator.
#[Object]
impl CoordinatorAssignment {
    /// The assignment's opaque global ID, for `node(id:)` and `updateCoordinatorAssignment`.
    pub async fn id(&self) -> ID {
        NodeType::CoordinatorAssignment.id(self.0.id)
    }
    /// The coordinator arranged.
    async fn coordinator(&self, ctx: &Context<'_>) -> Result<Coordinator> {
        Ok(Coordinator(
            load(ctx, CoordinatorId(self.0.coordinator_id), "coordinator").await?,
        ))
    }
    /// What the coordinator is arranged as.
    async fn role(&self) -> AssignmentRole {
        self.0.role.into()
    }
    /// The cluster project; null for an assignment to an institution.
    async fn cluster_project(&self, ctx: &Context<'_>) -> Result<Option<ClusterProject>> {
        match self.0.project_id {
            Some(id) => Ok(Some(ClusterProject(
                load(ctx, ClusterProjectId(id), "cluster project").await?,
            ))),
            None => Ok(None),
        }
    }
    /// The institution; null for an assignment to a cluster project.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => Ok(Some(Organization::from(
                load(ctx, OrganizationId(id), "organisation").await?,
            ))),
            None => Ok(None),
        }
    }
    /// The first day of the assignment.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// The last day; null while open-ended.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    /// Bumped by every change; `updateCoordinatorAssignment` takes the version it expects.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// The assignments of a cluster project the caller may read, earliest first
/// (`ClusterProject.coordinators`).
pub(super) async fn of_project(
    ctx: &Context<'_>,
    project_id: i64,
) -> Result<Vec<CoordinatorAssignment>> {
    let rows = load_many(ctx, AssignmentsOfProject(project_id)).await?;
    Ok(rows.into_iter().map(CoordinatorAssignment).collect())
}

/// The coordinators of an organisation the caller may read (`Organization.coordinators`).
pub(super) fn visible(caller: &Caller, rows: Vec<coordinator::Model>) -> Vec<Coordinator> {
    rows.into_iter()
        .filter(|row| coordinators::visible_to(caller, row))
        .map(Coordinator)
        .collect()
}

/// A coordinator's contact details, for members of the network.
#[derive(async_graphql::SimpleObject)]
pub struct CoordinatorContact {
    /// An e-mail address; null when not recorded.
    email: Option<String>,
    /// A telephone number as written (digits, `+`, spaces, hyphens, parentheses); null when not
    /// recorded.
    phone: Option<String>,
}

pub struct TrainingCourse(pub training_course::Model);

/// A training course, or a kind of practice, whose completion counts towards renewal.
#[Object]
impl TrainingCourse {
    /// The course's global ID, for `node(id:)`, `recordTraining` and `requiredCourseId`.
    pub async fn id(&self) -> ID {
        NodeType::TrainingCourse.id(self.0.id)
    }
    /// The title in Japanese.
    async fn title_ja(&self) -> &str {
        &self.0.title_ja
    }
    /// The title in English.
    async fn title_en(&self) -> &str {
        &self.0.title_en
    }
    /// The organisation that gives the course.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Organization> {
        Ok(Organization::from(
            load(ctx, OrganizationId(self.0.provider_id), "organisation").await?,
        ))
    }
    /// What `amount` is counted in.
    async fn unit(&self) -> CeUnit {
        self.0.unit.into()
    }
    /// What completing the course earns, in `unit`.
    async fn amount(&self) -> i32 {
        self.0.amount
    }
    /// A course, or a kind of practice (consulting work) whose records earn practice points.
    async fn kind(&self) -> TrainingKind {
        self.0.kind.into()
    }
}

pub struct TrainingRecord(training_record::Model);

/// A coordinator's completion of a course, or a stretch of practice, as their organisation
/// recorded it.
#[Object]
impl TrainingRecord {
    /// The course completed (or the kind of practice done).
    async fn course(&self, ctx: &Context<'_>) -> Result<TrainingCourse> {
        Ok(TrainingCourse(
            load(ctx, CourseId(self.0.course_id), "course").await?,
        ))
    }
    /// The day it was completed; never in the future.
    async fn completed_on(&self) -> Date {
        Date(self.0.completed_on)
    }
    /// A course taken, or practice done: the kind of its course or practice activity.
    async fn kind(&self, ctx: &Context<'_>) -> Result<TrainingKind> {
        let course: training_course::Model =
            load(ctx, CourseId(self.0.course_id), "course").await?;
        Ok(course.kind.into())
    }
}

// ---------------------------------------------------------------- inputs

/// A condition on the awards a coordinator holds.
#[derive(InputObject)]
pub struct HoldsAwardInput {
    /// The scheme's code, e.g. `ura-skill`.
    pub scheme: String,
    /// The lowest level that qualifies, by code (default: the first level).
    pub min_level: Option<String>,
}

/// Narrows a listing of coordinators; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "CoordinatorFilter")]
pub struct CoordinatorFilterInput {
    /// Coordinators with this field of expertise (among others).
    pub expertise: Option<IndustryField>,
    /// JIS X 0401 code, 1–47.
    pub prefecture_code: Option<i32>,
    /// Coordinators in a prefecture this METI bureau covers.
    pub bureau: Option<MetiBureau>,
    /// Coordinators affiliated to this organisation (its global ID).
    pub organization_id: Option<ID>,
    /// Coordinators holding an active award of a scheme, at a level or above.
    pub holds_active_award: Option<HoldsAwardInput>,
}

/// What coordinators are ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum CoordinatorOrderField {
    /// By English name (the default).
    #[default]
    NameEn,
    /// By Japanese name, in character order (not by reading).
    NameJa,
}

/// How coordinators are ordered. Ties are broken by id, so the order is total and stable.
#[derive(InputObject, Default)]
pub struct CoordinatorOrder {
    /// What to order by; `NAME_EN` unless given.
    #[graphql(default)]
    pub field: CoordinatorOrderField,
    /// `ASC` unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A new coordinator.
#[derive(InputObject)]
pub struct CreateCoordinatorInput {
    /// The affiliation; default the caller's own institution (network admins may name another).
    pub organization_id: Option<ID>,
    /// The name in Japanese, at most 200 characters.
    pub name_ja: String,
    /// The name in Latin letters, at most 200 characters.
    pub name_en: String,
    /// JIS X 0401 code, 1–47: where the coordinator works.
    pub prefecture_code: i32,
    /// Fields of expertise; none unless given.
    #[graphql(default)]
    pub expertise: Vec<IndustryField>,
    /// A profile in English, at most 2000 characters.
    pub profile_en: Option<String>,
    /// An e-mail address, at most 254 characters; blank for none. Members only read it.
    pub contact_email: Option<String>,
    /// A telephone number: digits with optional `+`, spaces, hyphens and parentheses, 6–20
    /// digits; blank for none. Members only read it.
    pub contact_phone: Option<String>,
    /// The person the record describes, as their token's `sub` (1–200 characters): they then
    /// read it as `me.coordinator` and edit its profile. One record per person.
    pub person_subject: Option<String>,
}

/// Changes to a coordinator. An omitted field stays as it is; for the optional texts, `null` or
/// a blank string clears them.
#[derive(InputObject, Default)]
pub struct UpdateCoordinatorInput {
    /// The name in Japanese, at most 200 characters.
    pub name_ja: Option<String>,
    /// The name in Latin letters, at most 200 characters.
    pub name_en: Option<String>,
    /// JIS X 0401 code, 1–47.
    pub prefecture_code: Option<i32>,
    /// Replaces every field of expertise.
    pub expertise: Option<Vec<IndustryField>>,
    /// A profile in English, at most 2000 characters.
    pub profile_en: MaybeUndefined<String>,
    /// An e-mail address, at most 254 characters.
    pub contact_email: MaybeUndefined<String>,
    /// A telephone number: digits with optional `+`, spaces, hyphens and parentheses, 6–20
    /// digits.
    pub contact_phone: MaybeUndefined<String>,
    /// The person the record describes, as their token's `sub`; null unlinks it.
    pub person_subject: MaybeUndefined<String>,
}

/// Changes a person makes to their own coordinator profile. An omitted field stays as it is.
/// Names, organisation, contact details and awards are not theirs to change here.
#[derive(InputObject, Default)]
pub struct UpdateOwnCoordinatorProfileInput {
    /// Replaces every field of expertise.
    pub expertise: Option<Vec<IndustryField>>,
    /// A profile in English, at most 2000 characters; null or blank clears it.
    pub profile_en: MaybeUndefined<String>,
    /// How to be contacted; null clears it.
    pub contact_preference: MaybeUndefined<ContactPreference>,
    /// Whether callers outside the network see the profile at all.
    pub public_profile: Option<bool>,
}

/// A coordinator to arrange to a cluster project or an institution (exactly one of the two).
#[derive(InputObject)]
pub struct CreateCoordinatorAssignmentInput {
    /// The coordinator's global ID.
    pub coordinator_id: ID,
    /// What the coordinator is arranged as.
    pub role: AssignmentRole,
    /// The cluster project's global ID; not with `organizationId`.
    pub cluster_project_id: Option<ID>,
    /// The member institution's global ID; not with `clusterProjectId`.
    pub organization_id: Option<ID>,
    /// The first day.
    pub starts_on: Date,
    /// The last day, not before `startsOn`; open-ended unless given.
    pub ends_on: Option<Date>,
}

/// Changes to an assignment. An omitted field stays as it is.
#[derive(InputObject, Default)]
pub struct UpdateCoordinatorAssignmentInput {
    /// What the coordinator is arranged as.
    pub role: Option<AssignmentRole>,
    /// The first day.
    pub starts_on: Option<Date>,
    /// The last day, not before `startsOn`; null makes it open-ended.
    pub ends_on: MaybeUndefined<Date>,
}

/// Narrows `findCoordinators`; the conditions given must all hold.
#[derive(InputObject, Default)]
pub struct FindCoordinatorsFilter {
    /// Coordinators with this field of expertise (among others).
    pub field: Option<IndustryField>,
    /// Coordinators in a prefecture this METI bureau covers.
    pub bureau: Option<MetiBureau>,
    /// Coordinators working in this prefecture: JIS X 0401 code, 1–47.
    pub prefecture_code: Option<i32>,
    /// Coordinators holding an award of this scheme, by its code (`sme-consultant`).
    pub scheme_code: Option<String>,
    /// Only coordinators holding an award that counts today (of `schemeCode` when given).
    #[graphql(default)]
    pub active_award_only: bool,
    /// Text in either name or the English profile, case-insensitive; 1–100 characters.
    pub search: Option<String>,
}

/// A new training course, given by the caller's institution.
#[derive(InputObject)]
pub struct CreateTrainingCourseInput {
    /// The title in Japanese, at most 200 characters.
    pub title_ja: String,
    /// The title in English, at most 200 characters.
    pub title_en: String,
    /// What `amount` is counted in.
    pub unit: CeUnit,
    /// What completing the course earns, 1–1000.
    pub amount: i32,
    /// A course (default), or a kind of practice (consulting work) whose records earn practice
    /// points.
    #[graphql(default)]
    pub kind: TrainingKind,
}

impl CreateCoordinatorInput {
    fn parse(self) -> ApiResult<coordinators::NewCoordinator> {
        Ok(coordinators::NewCoordinator {
            organization_id: optional_id(
                &self.organization_id,
                NodeType::Organization,
                "input.organizationId",
            )?,
            name_ja: required(&self.name_ja, "input.nameJa", 200)?,
            name_en: required(&self.name_en, "input.nameEn", 200)?,
            prefecture: prefecture(self.prefecture_code, "input.prefectureCode")?,
            expertise: self.expertise.into_iter().map(Into::into).collect(),
            profile_en: optional(self.profile_en, "input.profileEn", 2000)?,
            contact_email: self
                .contact_email
                .filter(|e| !e.trim().is_empty())
                .map(|e| {
                    EmailAddress::parse(&e)
                        .map_err(|m| ApiError::bad_input("input.contactEmail", m))
                })
                .transpose()?,
            contact_phone: self
                .contact_phone
                .filter(|p| !p.trim().is_empty())
                .map(|p| {
                    PhoneNumber::parse(&p).map_err(|m| ApiError::bad_input("input.contactPhone", m))
                })
                .transpose()?,
            person_subject: self
                .person_subject
                .map(|s| {
                    coordinators::person_subject(&s)
                        .map_err(|m| ApiError::bad_input("input.personSubject", m))
                })
                .transpose()?,
        })
    }
}

impl UpdateCoordinatorInput {
    fn parse(self) -> ApiResult<coordinators::CoordinatorChanges> {
        Ok(coordinators::CoordinatorChanges {
            name_ja: self
                .name_ja
                .map(|n| required(&n, "input.nameJa", 200))
                .transpose()?,
            name_en: self
                .name_en
                .map(|n| required(&n, "input.nameEn", 200))
                .transpose()?,
            prefecture: self
                .prefecture_code
                .map(|c| prefecture(c, "input.prefectureCode"))
                .transpose()?,
            expertise: self
                .expertise
                .map(|e| e.into_iter().map(Into::into).collect()),
            profile_en: text_change(self.profile_en, "input.profileEn", 2000)?,
            contact_email: parsed_change(
                self.contact_email,
                "input.contactEmail",
                EmailAddress::parse,
            )?,
            contact_phone: parsed_change(
                self.contact_phone,
                "input.contactPhone",
                PhoneNumber::parse,
            )?,
            person_subject: parsed_change(
                self.person_subject,
                "input.personSubject",
                coordinators::person_subject,
            )?,
        })
    }
}

impl UpdateOwnCoordinatorProfileInput {
    fn parse(self) -> ApiResult<coordinators::OwnProfileChanges> {
        Ok(coordinators::OwnProfileChanges {
            expertise: self
                .expertise
                .map(|e| e.into_iter().map(Into::into).collect()),
            profile_en: text_change(self.profile_en, "input.profileEn", 2000)?,
            contact_preference: match self.contact_preference {
                MaybeUndefined::Undefined => Change::Keep,
                MaybeUndefined::Null => Change::Clear,
                MaybeUndefined::Value(preference) => Change::Set(preference.into()),
            },
            public_profile: self.public_profile,
        })
    }
}

impl CreateCoordinatorAssignmentInput {
    fn parse(&self) -> ApiResult<assignments::NewAssignment> {
        let to = match (&self.cluster_project_id, &self.organization_id) {
            (Some(id), None) => AssignedTo::Project(ids::decode_as(
                id,
                NodeType::ClusterProject,
                "input.clusterProjectId",
            )?),
            (None, Some(id)) => AssignedTo::Organization(ids::decode_as(
                id,
                NodeType::Organization,
                "input.organizationId",
            )?),
            _ => {
                return Err(ApiError::bad_input(
                    "input.clusterProjectId",
                    "give clusterProjectId or organizationId, one of them",
                ));
            }
        };
        Ok(assignments::NewAssignment {
            coordinator_id: ids::decode_as(
                &self.coordinator_id,
                NodeType::Coordinator,
                "input.coordinatorId",
            )?,
            role: self.role.into(),
            to,
            starts_on: self.starts_on.0,
            ends_on: self.ends_on.map(|d| d.0),
        })
    }
}

impl UpdateCoordinatorAssignmentInput {
    fn parse(self) -> assignments::AssignmentChanges {
        assignments::AssignmentChanges {
            role: self.role.map(Into::into),
            starts_on: self.starts_on.map(|d| d.0),
            ends_on: match self.ends_on {
                MaybeUndefined::Undefined => Change::Keep,
                MaybeUndefined::Null => Change::Clear,
                MaybeUndefined::Value(day) => Change::Set(day.0),
            },
        }
    }
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct CoordinatorQuery;

#[Object]
impl CoordinatorQuery {
    /// Coordinators, filtered and ordered, a page at a time (at most 100).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn coordinators(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "At most this many items from the start, or after `after`: 0–100; 20 when neither `first` nor `last` is given. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page starts after it."
        )]
        after: Option<String>,
        #[graphql(
            desc = "At most this many items from the end, or before `before`: 0–100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page ends before it."
        )]
        before: Option<String>,
        #[graphql(desc = "Only coordinators that match; all of them unless given.")] filter: Option<
            CoordinatorFilterInput,
        >,
        #[graphql(desc = "The order; by English name, ascending, unless given.")] order_by: Option<
            CoordinatorOrder,
        >,
    ) -> Result<Conn<Coordinator>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let holds = match filter.holds_active_award {
            None => None,
            Some(holds) => {
                let scheme = qualifications::scheme_by_code(db, &holds.scheme)
                    .await?
                    .ok_or_else(|| {
                        ApiError::bad_input("filter.holdsActiveAward.scheme", "no such scheme")
                    })?;
                let min_rank = match holds.min_level {
                    None => 1,
                    Some(code) => {
                        qualifications::level_by_code(db, scheme.id, &code)
                            .await?
                            .ok_or_else(|| {
                                ApiError::bad_input(
                                    "filter.holdsActiveAward.minLevel",
                                    "no such level",
                                )
                            })?
                            .rank
                    }
                };
                Some(HoldsAward { scheme, min_rank })
            }
        };
        let domain_filter = CoordinatorFilter {
            expertise: filter.expertise.map(Into::into),
            prefecture: filter
                .prefecture_code
                .map(|c| prefecture(c, "filter.prefectureCode"))
                .transpose()?,
            bureau: filter.bureau.map(Into::into),
            organization_id: optional_id(
                &filter.organization_id,
                NodeType::Organization,
                "filter.organizationId",
            )?,
            holds,
        };
        let order = order_by.unwrap_or_default();
        let order = Ordering {
            field: match order.field {
                CoordinatorOrderField::NameEn => coordinators::CoordinatorOrderField::NameEn,
                CoordinatorOrderField::NameJa => coordinators::CoordinatorOrderField::NameJa,
            },
            descending: order.direction == OrderDirection::Desc,
        };
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing =
            coordinators::coordinators(db, caller(ctx), &domain_filter, order, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Coordinator))
    }
    /// Finds a qualified coordinator near the caller, by field, place, qualification and text,
    /// ordered by English name, a page at a time (at most 100). Callers outside the network see
    /// only coordinators who chose a public profile, and only public fields.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn find_coordinators(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "At most this many items from the start, or after `after`: 0–100; 20 when neither `first` nor `last` is given. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page starts after it."
        )]
        after: Option<String>,
        #[graphql(
            desc = "At most this many items from the end, or before `before`: 0–100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page ends before it."
        )]
        before: Option<String>,
        #[graphql(desc = "Only coordinators that match; every readable one unless given.")]
        filter: Option<FindCoordinatorsFilter>,
    ) -> Result<Conn<Coordinator>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let scheme = match &filter.scheme_code {
            None => None,
            Some(code) => Some(
                qualifications::scheme_by_code(db, code)
                    .await?
                    .ok_or_else(|| ApiError::bad_input("filter.schemeCode", "no such scheme"))?,
            ),
        };
        let domain_filter = coordinators::FindFilter {
            field: filter.field.map(Into::into),
            bureau: filter.bureau.map(Into::into),
            prefecture: filter
                .prefecture_code
                .map(|c| prefecture(c, "filter.prefectureCode"))
                .transpose()?,
            scheme,
            active_award_only: filter.active_award_only,
            search: filter
                .search
                .as_deref()
                .map(|text| {
                    SearchText::parse(text)
                        .map_err(|e| ApiError::bad_input("filter.search", e.to_string()))
                })
                .transpose()?,
        };
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing = coordinators::find(db, caller(ctx), &domain_filter, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Coordinator))
    }
}

#[derive(Default)]
pub struct TrainingQuery;

#[Object]
impl TrainingQuery {
    /// Training courses, optionally of one provider.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn training_courses(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "At most this many items from the start, or after `after`: 0–100; 20 when neither `first` nor `last` is given. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page starts after it."
        )]
        after: Option<String>,
        #[graphql(
            desc = "At most this many items from the end, or before `before`: 0–100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page ends before it."
        )]
        before: Option<String>,
        #[graphql(desc = "Only the courses this organisation gives (its global ID).")]
        provider_id: Option<ID>,
    ) -> Result<Conn<TrainingCourse>> {
        let db = db(ctx)?;
        let provider = optional_id(&provider_id, NodeType::Organization, "providerId")?;
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing = coordinators::courses(db, provider, &page).await?;
        Ok(connection(db, listing, TrainingCourse))
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Default)]
pub struct CoordinatorMutation;

#[Object]
impl CoordinatorMutation {
    /// Adds a coordinator to an organisation: its org admins (or network admins). Retry-safe with
    /// `idempotencyKey`.
    async fn create_coordinator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new coordinator.")] input: CreateCoordinatorInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<Coordinator> {
        let key = fingerprint(&idempotency_key, "createCoordinator", json_of(&input));
        Ok(Coordinator(
            coordinators::create_coordinator(db(ctx)?, caller(ctx), input.parse(), key).await?,
        ))
    }

    /// Edits a coordinator: org admins of the coordinator's organisation (or network admins).
    async fn update_coordinator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coordinator's global ID.")] id: ID,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateCoordinatorInput,
    ) -> Result<Coordinator> {
        let key = ids::decode_as(&id, NodeType::Coordinator, "id");
        let row = coordinators::update_coordinator(
            db(ctx)?,
            caller(ctx),
            id.to_string(),
            key,
            input.parse(),
        )
        .await?;
        Ok(Coordinator(row))
    }

    /// Publishes a training course given by the caller's institution: its registrars or org admins.
    /// Retry-safe with `idempotencyKey`.
    async fn create_training_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new course.")] input: CreateTrainingCourseInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<TrainingCourse> {
        let key = fingerprint(&idempotency_key, "createTrainingCourse", json_of(&input));
        let parsed = (|| {
            Ok(coordinators::NewCourse {
                title_ja: required(&input.title_ja, "input.titleJa", 200)?,
                title_en: required(&input.title_en, "input.titleEn", 200)?,
                unit: input.unit.into(),
                amount: within(input.amount, "input.amount", 1..=1000)?.into(),
                kind: input.kind.into(),
            })
        })();
        Ok(TrainingCourse(
            coordinators::create_course(db(ctx)?, caller(ctx), parsed, key).await?,
        ))
    }

    /// Records a completed training of a coordinator: org admins of the coordinator's organisation.
    /// Retry-safe with `idempotencyKey`; the same completion under another key is a CONFLICT.
    async fn record_training(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coordinator's global ID.")] coordinator_id: ID,
        #[graphql(desc = "The course's global ID (or the kind of practice's).")] course_id: ID,
        #[graphql(desc = "The day it was completed; today or earlier.")] completed_on: Date,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<TrainingRecord> {
        let key = fingerprint(
            &idempotency_key,
            "recordTraining",
            serde_json::json!({
                "coordinatorId": coordinator_id.as_str(),
                "courseId": course_id.as_str(),
                "completedOn": completed_on.0,
            }),
        );
        let coordinator = ids::decode_as(&coordinator_id, NodeType::Coordinator, "coordinatorId");
        let course = ids::decode_as(&course_id, NodeType::TrainingCourse, "courseId");
        let row = coordinators::record_training(
            db(ctx)?,
            caller(ctx),
            coordinator_id.to_string(),
            coordinator,
            course,
            completed_on.0,
            key,
        )
        .await?;
        Ok(TrainingRecord(row))
    }

    /// Edits the caller's own coordinator profile (the record linked to their token's `sub`):
    /// expertise, profile text, contact preference and whether the profile is public. Awards are
    /// never the holder's to change (`OWN_AWARD`).
    async fn update_own_coordinator_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateOwnCoordinatorProfileInput,
    ) -> Result<Coordinator> {
        let row = coordinators::update_own_profile(db(ctx)?, caller(ctx), input.parse()).await?;
        Ok(Coordinator(row))
    }

    /// Arranges a coordinator to a cluster project (org admins of an organisation that leads or
    /// promotes it) or to a member institution (its org admins). Retry-safe with
    /// `idempotencyKey`.
    async fn create_coordinator_assignment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coordinator, what they are arranged to and as, and the period.")]
        input: CreateCoordinatorAssignmentInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<CoordinatorAssignment> {
        let key = fingerprint(
            &idempotency_key,
            "createCoordinatorAssignment",
            json_of(&input),
        );
        let row = assignments::create(db(ctx)?, caller(ctx), input.parse(), key).await?;
        Ok(CoordinatorAssignment(row))
    }

    /// Changes an assignment's role or period: the same callers as
    /// `createCoordinatorAssignment`. `version`, when given, must be the assignment's current
    /// one (CONFLICT otherwise).
    async fn update_coordinator_assignment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assignment's global ID.")] id: ID,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateCoordinatorAssignmentInput,
        #[graphql(
            desc = "The assignment's `version` the caller saw; CONFLICT if it has changed since."
        )]
        version: Option<i32>,
    ) -> Result<CoordinatorAssignment> {
        let key = ids::decode_as(&id, NodeType::CoordinatorAssignment, "id");
        let row = assignments::update(
            db(ctx)?,
            caller(ctx),
            id.to_string(),
            key,
            version,
            Ok(input.parse()),
        )
        .await?;
        Ok(CoordinatorAssignment(row))
    }
}
