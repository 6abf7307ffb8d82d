//! Qualification schemes and their awards in GraphQL (coordinators, their training and credits
//! are in `coordinators.rs`).

use std::sync::Arc;

use async_graphql::{
    Context, Enum, ID, InputObject, InputValueError, InputValueResult, MaybeUndefined, Object,
    Result, Scalar, ScalarType, Union, Value,
};
use chrono::NaiveDate;
use entity::{
    award, ce_requirement, coordinator, enums, qualification_scheme, scheme_level, training_record,
};

use super::{
    connection::{Conn, connection},
    context::{caller, db, load, load_many, loaders},
    coordinators::{CeUnit, Coordinator, TrainingCourse, TrainingKind},
    directory::Organization,
    ids::{self, NodeType},
    inputs::{Lookup, change, fingerprint, json_of, lookup, optional_id, required, within},
    loaders::{
        CoordinatorId, CourseId, LevelId, LevelsOfScheme, OrganizationId, RequirementsOfScheme,
        SchemeId, TrainingsOfCoordinator,
    },
};
use crate::{
    domain::{
        dates::today_in_japan,
        profile::Code,
        qualifications::{self, Holder, limits},
    },
    error::{ApiError, ApiResult},
};

/// A calendar date, `YYYY-MM-DD` (a day in Japan).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date as `YYYY-MM-DD` (`2026-04-01`), with no time or zone: a day in Japan (JST).
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("expected a date as YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Who holds a scheme's awards: people or organisations, never both.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::HolderKind")]
pub enum HolderKind {
    /// A person: a coordinator.
    Person,
    /// An organisation, e.g. a cluster-management label.
    Organization,
}

/// An award's standing today.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "qualifications::AwardStatus")]
pub enum AwardStatus {
    /// Valid: through its expiry day and any grace period.
    Active,
    /// Past its expiry and grace period.
    Expired,
    /// Suspended by the issuer; may be reinstated.
    Suspended,
    /// Revoked by the issuer, for good.
    Revoked,
    /// Paused at the holder's own request (休止), not a decision against the holder; resumed on
    /// the holder's request.
    Paused,
}

// ---------------------------------------------------------------- objects

/// Held shared: the same scheme stands under every award of a page, and is read from the
/// request's loaders for each.
pub struct QualificationScheme(pub Arc<qualification_scheme::Model>);

shared_row!(QualificationScheme, qualification_scheme);

/// A qualification defined by an issuing organisation.
#[Object]
impl QualificationScheme {
    /// The scheme's opaque global ID, for `node(id:)` and mutations.
    pub async fn id(&self) -> ID {
        NodeType::QualificationScheme.id(self.0.id)
    }
    /// Unique lowercase code, stable once given (`sme-consultant`, `ura-skill`).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The Japanese name (`中小企業診断士（登録）`).
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The English name (`Registered SME Management Consultant`).
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The organisation that defines the scheme and issues its awards.
    async fn issuer(&self, ctx: &Context<'_>) -> Result<Organization> {
        Ok(Organization::from(
            load(ctx, OrganizationId(self.0.issuer_id), "organisation").await?,
        ))
    }
    /// Whether the scheme's awards go to people (coordinators) or to organisations.
    async fn holder_kind(&self) -> HolderKind {
        self.0.holder_kind.into()
    }
    /// How long an award is valid; null when awards do not expire.
    async fn validity_months(&self) -> Option<i16> {
        self.0.validity_months
    }
    /// Renewal opens this many months before expiry.
    async fn renewal_window_months(&self) -> i16 {
        self.0.renewal_window_months
    }
    /// An award still counts, and may be renewed, this many months after expiry.
    async fn grace_months(&self) -> i16 {
        self.0.grace_months
    }
    /// How long a renewal extends an award, from its old expiry (e.g. ESCA's labels: 2 years
    /// first, 3 years on renewal); null: `validityMonths`.
    async fn renewal_validity_months(&self) -> Option<i16> {
        self.0.renewal_validity_months
    }
    /// Renewal stays possible this many months after expiry, although the award no longer
    /// counts once its grace is over (0: renewal closes with the grace period).
    async fn late_renewal_months(&self) -> i16 {
        self.0.late_renewal_months
    }
    /// True when IIN Japan itself runs the scheme (its issuer is the network); otherwise the
    /// network records awards of a scheme its issuer runs.
    async fn run_by_network(&self, ctx: &Context<'_>) -> Result<bool> {
        let issuer: Arc<entity::organization::Model> =
            load(ctx, OrganizationId(self.0.issuer_id), "organisation").await?;
        Ok(issuer.kind == enums::OrganizationKind::Network)
    }
    /// The levels, lowest first.
    async fn levels(&self, ctx: &Context<'_>) -> Result<Vec<SchemeLevel>> {
        let rows = load_many(ctx, LevelsOfScheme(self.0.id)).await?;
        Ok(rows.into_iter().map(SchemeLevel::from).collect())
    }
    /// What renewal needs, every requirement met.
    async fn continuing_education(&self, ctx: &Context<'_>) -> Result<Vec<CeRequirement>> {
        let rows = load_many(ctx, RequirementsOfScheme(self.0.id)).await?;
        Ok(rows.into_iter().map(CeRequirement).collect())
    }
}

/// Held shared, as a scheme is (the same level stands under many awards).
pub struct SchemeLevel(Arc<scheme_level::Model>);

shared_row!(SchemeLevel, scheme_level);

/// One level of a qualification scheme (bronze, silver, gold; certified, senior).
#[Object]
impl SchemeLevel {
    /// 1 for the first level, then 2, 3 …
    async fn rank(&self) -> i16 {
        self.0.rank
    }
    /// The level's code, unique within its scheme (`certified-ura`); `issueAward` names levels
    /// by it.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The Japanese name (`認定URA`).
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The English name (`Certified URA`).
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// An award at this level needs an active award at the level below.
    async fn requires_previous(&self) -> bool {
        self.0.requires_previous
    }
    /// Months of relevant work an award at this level needs within `practiceWithinMonths`
    /// before its date (e.g. 認定URA: 36 within 60); null: none.
    async fn practice_months(&self) -> Option<i16> {
        self.0.practice_months
    }
    /// The window `practiceMonths` are counted in, in months before the award date.
    async fn practice_within_months(&self) -> Option<i16> {
        self.0.practice_within_months
    }
    /// A course the holder must have completed by the award date; null: none.
    async fn required_course(&self, ctx: &Context<'_>) -> Result<Option<TrainingCourse>> {
        match self.0.required_course_id {
            None => Ok(None),
            Some(id) => Ok(Some(TrainingCourse(
                load(ctx, CourseId(id), "course").await?,
            ))),
        }
    }
}

pub struct CeRequirement(ce_requirement::Model);

/// So many units, from records of one kind, within each validity period of an award: counted
/// from the award (or renewal) date to the expiry, so no record counts for two periods.
#[Object]
impl CeRequirement {
    /// What `amount` is counted in.
    async fn unit(&self) -> CeUnit {
        self.0.unit.into()
    }
    /// Which records count: courses, or practice.
    async fn kind(&self) -> TrainingKind {
        self.0.kind.into()
    }
    /// How many units renewal needs within each validity period.
    async fn amount(&self) -> i32 {
        self.0.amount
    }
    /// The period the issuer states the requirement over. Informational: progress is counted
    /// over each award's own validity period.
    async fn period_months(&self) -> i16 {
        self.0.period_months
    }
}

/// Who holds an award.
// A holder is made for one field's answer and handed on at once: its size is no cost, and boxing
// the coordinator would add an allocation (an organisation is a shared row, a pointer).
#[allow(clippy::large_enum_variant)]
#[derive(Union)]
pub enum AwardHolder {
    /// A person: schemes whose `holderKind` is `PERSON`.
    Coordinator(Coordinator),
    /// An organisation: schemes whose `holderKind` is `ORGANIZATION`.
    Organization(Organization),
}

pub struct Award(pub award::Model);

impl Award {
    async fn scheme_row(&self, ctx: &Context<'_>) -> Result<Arc<qualification_scheme::Model>> {
        load(ctx, SchemeId(self.0.scheme_id), "qualification scheme").await
    }
}

/// A level of a scheme awarded to a coordinator or an organisation: a certificate.
#[Object]
impl Award {
    /// The award's opaque global ID, for `node(id:)` and the award mutations.
    pub async fn id(&self) -> ID {
        NodeType::Award.id(self.0.id)
    }
    /// The certificate's number, `IIN-XXXX-XXXX-XXXX` (random, not in sequence); anyone can check
    /// it with `verifyCertificate`.
    async fn certificate_number(&self) -> &str {
        &self.0.certificate_number
    }
    /// The scheme awarded.
    async fn scheme(&self, ctx: &Context<'_>) -> Result<QualificationScheme> {
        Ok(QualificationScheme(self.scheme_row(ctx).await?))
    }
    /// The level awarded.
    async fn level(&self, ctx: &Context<'_>) -> Result<SchemeLevel> {
        Ok(SchemeLevel(
            load(ctx, LevelId(self.0.level_id), "level").await?,
        ))
    }
    /// Who holds the award: a coordinator or an organisation.
    async fn holder(&self, ctx: &Context<'_>) -> Result<AwardHolder> {
        match (self.0.coordinator_id, self.0.holder_organization_id) {
            (Some(id), _) => Ok(AwardHolder::Coordinator(Coordinator(
                load(ctx, CoordinatorId(id), "coordinator").await?,
            ))),
            (None, Some(id)) => Ok(AwardHolder::Organization(Organization::from(
                load(ctx, OrganizationId(id), "organisation").await?,
            ))),
            (None, None) => Err(ApiError::corrupt("an award without a holder").into()),
        }
    }
    /// The day the level was first awarded (renewals do not change it).
    async fn awarded_on(&self) -> Date {
        Date(self.0.awarded_on)
    }
    /// The last day of validity, before any grace period; null if the award does not expire.
    async fn expires_on(&self) -> Option<Date> {
        self.0.expires_on.map(Date)
    }
    /// Today's status, from the dates and the issuer's decisions.
    async fn status(&self, ctx: &Context<'_>) -> Result<AwardStatus> {
        let scheme = self.scheme_row(ctx).await?;
        Ok(qualifications::status(&self.0, &scheme, today_in_japan()).into())
    }
    /// The reason for the last suspension, reinstatement, revocation, pause or resumption.
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }
    /// 1 at issue, one more with every renewal, decision, pause and resumption; each of those
    /// steps may name the version it acts on.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The first day of the current validity period: trainings count from then to the expiry.
    async fn period_from(&self) -> Date {
        Date(qualifications::period_from(&self.0))
    }
    /// When and how the award can be renewed; null if it does not expire.
    async fn renewal(&self, ctx: &Context<'_>) -> Result<Option<Renewal>> {
        let scheme = self.scheme_row(ctx).await?;
        let Some(window) = qualifications::renewal_window(&self.0, &scheme) else {
            return Ok(None);
        };
        let today = today_in_japan();
        let progress = match self.0.coordinator_id {
            Some(coordinator_id) => {
                let requirements = load_many(ctx, RequirementsOfScheme(scheme.id)).await?;
                let records: Vec<training_record::Model> =
                    load_many(ctx, TrainingsOfCoordinator(coordinator_id)).await?;
                // One batch for every course these records name (and those of sibling awards).
                let courses = loaders(ctx)?
                    .load_many(records.iter().map(|r| CourseId(r.course_id)))
                    .await
                    .map_err(ApiError::from)?;
                let completions =
                    qualifications::completions_of(&records, |id| courses.get(&CourseId(id)));
                qualifications::award_ce_progress(&self.0, &requirements, &completions, today)
            }
            None => Vec::new(),
        };
        Ok(Some(Renewal {
            opens_on: Date(window.opens_on),
            due_on: Date(window.due_on),
            closes_on: Date(window.closes_on),
            open_now: window.is_open(today),
            continuing_education: progress
                .into_iter()
                .map(|p| CeProgress {
                    unit: p.unit.into(),
                    kind: p.kind.into(),
                    required: p.required,
                    earned: p.earned,
                    missing: p.missing(),
                    counted_from: Date(p.counted_from),
                    counted_until: Date(p.counted_until),
                })
                .collect(),
        }))
    }
}

/// When an award can be renewed, and what it still needs.
#[derive(async_graphql::SimpleObject)]
pub struct Renewal {
    /// Renewal opens on this day.
    opens_on: Date,
    /// The award's expiry: renew by then to stay continuous.
    due_on: Date,
    /// The last day renewal is possible (the end of the grace period).
    closes_on: Date,
    /// True when today (in Japan) lies between `opensOn` and `closesOn`.
    open_now: bool,
    /// Progress towards each continuing-education requirement; empty for an award held by an
    /// organisation or a scheme without requirements.
    continuing_education: Vec<CeProgress>,
}

/// Progress towards one continuing-education requirement over the award's current validity
/// period, counted up to today.
#[derive(async_graphql::SimpleObject)]
pub struct CeProgress {
    /// What the amounts are counted in.
    unit: CeUnit,
    /// Which records count: courses, or practice.
    kind: TrainingKind,
    /// How many units renewal needs.
    required: i64,
    /// How many units the holder's records earn so far in this period.
    earned: i64,
    /// What is still missing (0 when met).
    missing: i64,
    /// Records count from this day: the start of the current validity period.
    counted_from: Date,
    /// … to this day, the expiry; later records count for the next period.
    counted_until: Date,
}

pub struct CertificateVerification {
    award: award::Model,
    scheme: qualification_scheme::Model,
}

/// What anyone may learn of a certificate from its number.
#[Object]
impl CertificateVerification {
    /// The number in its canonical form, `IIN-XXXX-XXXX-XXXX`.
    async fn certificate_number(&self) -> &str {
        &self.award.certificate_number
    }
    /// The holder's public name, in Japanese.
    async fn holder_name_ja(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.holder_names(ctx).await?.0)
    }
    /// The holder's public name, in English.
    async fn holder_name_en(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.holder_names(ctx).await?.1)
    }
    /// The scheme certified.
    async fn scheme(&self) -> QualificationScheme {
        QualificationScheme::from(self.scheme.clone())
    }
    /// The level certified.
    async fn level(&self, ctx: &Context<'_>) -> Result<SchemeLevel> {
        Ok(SchemeLevel(
            load(ctx, LevelId(self.award.level_id), "level").await?,
        ))
    }
    /// The day the level was awarded.
    async fn awarded_on(&self) -> Date {
        Date(self.award.awarded_on)
    }
    /// The last day of validity, before any grace period; null if the award does not expire.
    async fn expires_on(&self) -> Option<Date> {
        self.award.expires_on.map(Date)
    }
    /// Today's status.
    async fn status(&self) -> AwardStatus {
        qualifications::status(&self.award, &self.scheme, today_in_japan()).into()
    }
}

impl CertificateVerification {
    async fn holder_names(&self, ctx: &Context<'_>) -> Result<(String, String)> {
        match (self.award.coordinator_id, self.award.holder_organization_id) {
            (Some(id), _) => {
                let c: coordinator::Model = load(ctx, CoordinatorId(id), "coordinator").await?;
                Ok((c.name_ja, c.name_en))
            }
            (None, Some(id)) => {
                let o: Arc<entity::organization::Model> =
                    load(ctx, OrganizationId(id), "organisation").await?;
                Ok((o.name_ja.clone(), o.name_en.clone()))
            }
            (None, None) => Err(ApiError::corrupt("an award without a holder").into()),
        }
    }
}

// ---------------------------------------------------------------- inputs

/// Narrows a listing of qualification schemes; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "QualificationSchemeFilter")]
pub struct SchemeFilterInput {
    /// Schemes issued by this organisation (its global ID).
    pub issuer_id: Option<ID>,
    /// Schemes whose awards go to people, or to organisations.
    pub holder_kind: Option<HolderKind>,
}

/// Narrows a listing of awards; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "AwardFilter")]
pub struct AwardFilterInput {
    /// Awards of this scheme (its global ID).
    pub scheme_id: Option<ID>,
    /// Awards with this status today.
    pub status: Option<AwardStatus>,
    /// Awards held by this coordinator (their global ID).
    pub coordinator_id: Option<ID>,
    /// Awards held by this organisation itself (its global ID).
    pub organization_id: Option<ID>,
}

/// One level of a new scheme, or a level added above a scheme's existing ones.
#[derive(InputObject)]
pub struct LevelInput {
    /// Unique within the scheme: 2–40 lowercase letters, digits and inner hyphens (`gold`).
    pub code: String,
    /// The Japanese name, at most 200 characters.
    pub name_ja: String,
    /// The English name, at most 200 characters.
    pub name_en: String,
    /// An award at this level needs an active award at the level below (not for the first level).
    #[graphql(default)]
    pub requires_previous: bool,
    /// Months of relevant work an award at this level needs (1–240), within
    /// `practiceWithinMonths` before its date; give both or neither.
    pub practice_months: Option<i32>,
    /// The window for `practiceMonths`, in months before the award date (at least
    /// `practiceMonths`, at most 240).
    pub practice_within_months: Option<i32>,
    /// A course the holder must have completed by the award date.
    pub required_course_id: Option<ID>,
}

/// A continuing-education requirement for renewal.
#[derive(InputObject)]
pub struct CeRequirementInput {
    /// What `amount` is counted in.
    pub unit: CeUnit,
    /// Which records count (default: courses). Practice points come from practice only.
    #[graphql(default)]
    pub kind: TrainingKind,
    /// 1–10000.
    pub amount: i32,
    /// 1–120. The period the issuer states the requirement over, for display: progress is
    /// always counted over each award's own validity period.
    pub period_months: i32,
}

/// A new qualification scheme, issued by the caller's institution.
#[derive(InputObject)]
pub struct CreateQualificationSchemeInput {
    /// Unique, 2–40 lowercase letters, digits and inner hyphens; stable once given.
    pub code: String,
    /// The Japanese name, at most 200 characters.
    pub name_ja: String,
    /// The English name, at most 200 characters.
    pub name_en: String,
    /// Whether awards go to people (coordinators) or organisations; fixed once created.
    pub holder_kind: HolderKind,
    /// 1–120; omit or null for awards that do not expire.
    pub validity_months: Option<i32>,
    /// 0–60.
    #[graphql(default)]
    pub renewal_window_months: i32,
    /// 0–24.
    #[graphql(default)]
    pub grace_months: i32,
    /// 1–120: how long a renewal extends an award; omit or null for `validityMonths`.
    pub renewal_validity_months: Option<i32>,
    /// 0–24: renewal stays possible this many months after expiry, though the award no longer
    /// counts after its grace.
    #[graphql(default)]
    pub late_renewal_months: i32,
    /// Lowest first; 1–10 levels with distinct codes.
    pub levels: Vec<LevelInput>,
    /// What renewal needs, every requirement met; none unless given.
    #[graphql(default)]
    pub continuing_education: Vec<CeRequirementInput>,
}

/// Changes to a qualification scheme. An omitted field stays as it is.
#[derive(InputObject, Default)]
pub struct UpdateQualificationSchemeInput {
    /// The Japanese name, at most 200 characters.
    pub name_ja: Option<String>,
    /// The English name, at most 200 characters.
    pub name_en: Option<String>,
    /// 1–120; null for awards that do not expire.
    pub validity_months: MaybeUndefined<i32>,
    /// 0–60.
    pub renewal_window_months: Option<i32>,
    /// 0–24.
    pub grace_months: Option<i32>,
    /// 1–120; null: renewals extend by `validityMonths`.
    pub renewal_validity_months: MaybeUndefined<i32>,
    /// 0–24.
    pub late_renewal_months: Option<i32>,
    /// Replaces every continuing-education requirement.
    pub continuing_education: Option<Vec<CeRequirementInput>>,
    /// New levels above the existing ones, lowest first. Existing levels never change: awards
    /// refer to them.
    #[graphql(default)]
    pub add_levels: Vec<LevelInput>,
}

/// An award to issue.
#[derive(InputObject)]
pub struct IssueAwardInput {
    /// The scheme's global ID; its issuer must be the caller's institution.
    pub scheme_id: ID,
    /// The level's code.
    pub level: String,
    /// For schemes held by persons.
    pub coordinator_id: Option<ID>,
    /// For schemes held by organisations.
    pub organization_id: Option<ID>,
    /// Default: today. Never in the future.
    pub awarded_on: Option<Date>,
    /// Months of relevant work within the level's practice window before `awardedOn`, as
    /// attested to the issuer (e.g. the supervisor-signed work record CRAMS asks for); needed by
    /// levels with a practice prerequisite.
    pub practice_months: Option<i32>,
}

fn requirements(
    input: Vec<CeRequirementInput>,
    field: &str,
) -> ApiResult<Vec<qualifications::RequirementInput>> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(qualifications::RequirementInput {
                unit: r.unit.into(),
                kind: r.kind.into(),
                amount: within(
                    r.amount,
                    &format!("{field}.{i}.amount"),
                    limits::REQUIREMENT_AMOUNT,
                )?
                .into(),
                period_months: within(
                    r.period_months,
                    &format!("{field}.{i}.periodMonths"),
                    limits::REQUIREMENT_PERIOD_MONTHS,
                )?,
            })
        })
        .collect()
}

/// Checks levels given in order; `first_is_lowest` when they start the scheme (and so the first
/// has no level below it).
fn parse_levels(
    input: Vec<LevelInput>,
    prefix: &str,
    first_is_lowest: bool,
) -> ApiResult<Vec<qualifications::LevelInput>> {
    if input.len() > limits::MAX_LEVELS {
        return Err(ApiError::bad_input(
            prefix,
            format!("at most {} levels", limits::MAX_LEVELS),
        ));
    }
    let mut levels: Vec<qualifications::LevelInput> = Vec::with_capacity(input.len());
    for (i, level) in input.into_iter().enumerate() {
        let field = |name: &str| format!("{prefix}.{i}.{name}");
        let code = Code::parse(&level.code).map_err(|m| ApiError::bad_input(field("code"), m))?;
        if levels.iter().any(|l| l.code == code) {
            return Err(ApiError::bad_input(
                field("code"),
                "level codes must differ",
            ));
        }
        if i == 0 && first_is_lowest && level.requires_previous {
            return Err(ApiError::bad_input(
                field("requiresPrevious"),
                "the first level has none below it",
            ));
        }
        let practice = match (level.practice_months, level.practice_within_months) {
            (None, None) => None,
            (Some(months), Some(within_months)) => {
                let months = within(months, &field("practiceMonths"), limits::PRACTICE_MONTHS)?;
                let within_months = within(
                    within_months,
                    &field("practiceWithinMonths"),
                    i32::from(months)..=*limits::PRACTICE_MONTHS.end(),
                )?;
                Some(qualifications::PracticeRule {
                    months,
                    within: within_months,
                })
            }
            (Some(_), None) => {
                return Err(ApiError::bad_input(
                    field("practiceWithinMonths"),
                    "give the window with practiceMonths",
                ));
            }
            (None, Some(_)) => {
                return Err(ApiError::bad_input(
                    field("practiceMonths"),
                    "give practiceMonths with its window",
                ));
            }
        };
        let required_course_id = level
            .required_course_id
            .map(|id| ids::decode_as(&id, NodeType::TrainingCourse, &field("requiredCourseId")))
            .transpose()?;
        levels.push(qualifications::LevelInput {
            code,
            name_ja: required(&level.name_ja, &field("nameJa"), limits::NAME_CHARS)?,
            name_en: required(&level.name_en, &field("nameEn"), limits::NAME_CHARS)?,
            requires_previous: level.requires_previous,
            practice,
            required_course_id,
        });
    }
    Ok(levels)
}

impl CreateQualificationSchemeInput {
    fn parse(self) -> ApiResult<qualifications::NewScheme> {
        if self.levels.is_empty() {
            return Err(ApiError::bad_input(
                "input.levels",
                format!("a scheme has 1 to {} levels", limits::MAX_LEVELS),
            ));
        }
        let levels = parse_levels(self.levels, "input.levels", true)?;
        Ok(qualifications::NewScheme {
            code: Code::parse(&self.code).map_err(|m| ApiError::bad_input("input.code", m))?,
            name_ja: required(&self.name_ja, "input.nameJa", limits::NAME_CHARS)?,
            name_en: required(&self.name_en, "input.nameEn", limits::NAME_CHARS)?,
            holder_kind: self.holder_kind.into(),
            validity_months: self
                .validity_months
                .map(|v| within(v, "input.validityMonths", limits::VALIDITY_MONTHS))
                .transpose()?,
            renewal_window_months: within(
                self.renewal_window_months,
                "input.renewalWindowMonths",
                limits::RENEWAL_WINDOW_MONTHS,
            )?,
            grace_months: within(self.grace_months, "input.graceMonths", limits::GRACE_MONTHS)?,
            renewal_validity_months: self
                .renewal_validity_months
                .map(|v| within(v, "input.renewalValidityMonths", limits::VALIDITY_MONTHS))
                .transpose()?,
            late_renewal_months: within(
                self.late_renewal_months,
                "input.lateRenewalMonths",
                limits::GRACE_MONTHS,
            )?,
            levels,
            requirements: requirements(self.continuing_education, "input.continuingEducation")?,
        })
    }
}

impl UpdateQualificationSchemeInput {
    fn parse(self) -> ApiResult<qualifications::SchemeChanges> {
        Ok(qualifications::SchemeChanges {
            name_ja: self
                .name_ja
                .map(|n| required(&n, "input.nameJa", limits::NAME_CHARS))
                .transpose()?,
            name_en: self
                .name_en
                .map(|n| required(&n, "input.nameEn", limits::NAME_CHARS))
                .transpose()?,
            validity_months: change(self.validity_months, |v| {
                within(v, "input.validityMonths", limits::VALIDITY_MONTHS)
            })?,
            renewal_window_months: self
                .renewal_window_months
                .map(|v| {
                    within(
                        v,
                        "input.renewalWindowMonths",
                        limits::RENEWAL_WINDOW_MONTHS,
                    )
                })
                .transpose()?,
            grace_months: self
                .grace_months
                .map(|v| within(v, "input.graceMonths", limits::GRACE_MONTHS))
                .transpose()?,
            renewal_validity_months: change(self.renewal_validity_months, |v| {
                within(v, "input.renewalValidityMonths", limits::VALIDITY_MONTHS)
            })?,
            late_renewal_months: self
                .late_renewal_months
                .map(|v| within(v, "input.lateRenewalMonths", limits::GRACE_MONTHS))
                .transpose()?,
            requirements: self
                .continuing_education
                .map(|r| requirements(r, "input.continuingEducation"))
                .transpose()?,
            add_levels: parse_levels(self.add_levels, "input.addLevels", false)?,
        })
    }
}

fn reason(text: String) -> ApiResult<String> {
    required(&text, "reason", 1000)
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct QualificationQuery;

#[Object]
impl QualificationQuery {
    /// Qualification schemes, by code.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn qualification_schemes(
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
        #[graphql(desc = "Only schemes that match; all of them unless given.")] filter: Option<
            SchemeFilterInput,
        >,
    ) -> Result<Conn<QualificationScheme>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = qualifications::SchemeFilter {
            issuer_id: optional_id(&filter.issuer_id, NodeType::Organization, "filter.issuerId")?,
            holder_kind: filter.holder_kind.map(Into::into),
        };
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing = qualifications::schemes(db, &domain_filter, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, QualificationScheme::from))
    }

    /// One scheme, by `id` or `code`; null when there is none.
    async fn qualification_scheme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scheme's global ID.")] id: Option<ID>,
        #[graphql(desc = "The scheme's code (`sme-consultant`).")] code: Option<String>,
    ) -> Result<Option<QualificationScheme>> {
        let db = db(ctx)?;
        let row = match lookup(id, code, NodeType::QualificationScheme, "code")? {
            Lookup::Id(id) => qualifications::scheme_by_id(db, id).await?,
            Lookup::Key(code) => qualifications::scheme_by_code(db, &code).await?,
        };
        super::prefetch::field(ctx, &row).await?;
        Ok(row.map(QualificationScheme::from))
    }

    /// Awards: members of the network only.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn awards(
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
        #[graphql(desc = "Only awards that match; all of them unless given.")] filter: Option<
            AwardFilterInput,
        >,
    ) -> Result<Conn<Award>> {
        let db = db(ctx)?;
        let caller = caller(ctx);
        caller.require_member()?;
        let filter = filter.unwrap_or_default();
        let domain_filter = qualifications::AwardFilter {
            scheme_id: optional_id(
                &filter.scheme_id,
                NodeType::QualificationScheme,
                "filter.schemeId",
            )?,
            status: filter.status.map(Into::into),
            coordinator_id: optional_id(
                &filter.coordinator_id,
                NodeType::Coordinator,
                "filter.coordinatorId",
            )?,
            organization_id: optional_id(
                &filter.organization_id,
                NodeType::Organization,
                "filter.organizationId",
            )?,
        };
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing = qualifications::awards(db, caller, &domain_filter, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Award))
    }
}

#[derive(Default)]
pub struct CertificateQuery;

#[Object]
impl CertificateQuery {
    /// Checks a certificate by its number, for anyone: the holder's public name, the scheme, the
    /// level, the dates and today's status. Null for a number that is not one of ours.
    async fn verify_certificate(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The number as printed, `IIN-XXXX-XXXX-XXXX`; case, spaces and hyphens do not matter, and O, I and L read as 0, 1 and 1."
        )]
        number: String,
    ) -> Result<Option<CertificateVerification>> {
        let found = qualifications::certificate(db(ctx)?, &number).await?;
        Ok(found.map(|(award, scheme)| CertificateVerification { award, scheme }))
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Default)]
pub struct QualificationMutation;

#[Object]
impl QualificationMutation {
    /// Defines a scheme issued by the caller's institution: its registrars. Retry-safe with
    /// `idempotencyKey`.
    async fn create_qualification_scheme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new scheme; its `code` must be unused.")]
        input: CreateQualificationSchemeInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<QualificationScheme> {
        let key = fingerprint(
            &idempotency_key,
            "createQualificationScheme",
            json_of(&input),
        );
        let target = input.code.clone();
        let row = qualifications::create_scheme(db(ctx)?, caller(ctx), target, input.parse(), key)
            .await?;
        Ok(QualificationScheme::from(row))
    }

    /// Changes a scheme: registrars of its issuer.
    async fn update_qualification_scheme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scheme's global ID.")] id: ID,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateQualificationSchemeInput,
    ) -> Result<QualificationScheme> {
        let key = ids::decode_as(&id, NodeType::QualificationScheme, "id");
        let row = qualifications::update_scheme(
            db(ctx)?,
            caller(ctx),
            id.to_string(),
            key,
            input.parse(),
        )
        .await?;
        Ok(QualificationScheme::from(row))
    }

    /// Awards a level of a scheme: registrars of its issuer. The prerequisite level is enforced.
    /// Retry-safe with `idempotencyKey`.
    async fn issue_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scheme, level, holder and date of the award.")]
        input: IssueAwardInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<Award> {
        let key = fingerprint(&idempotency_key, "issueAward", json_of(&input));
        let scheme_id = ids::decode_as(
            &input.scheme_id,
            NodeType::QualificationScheme,
            "input.schemeId",
        );
        let target = input.scheme_id.to_string();
        let parsed = (|| {
            let holder = match (&input.coordinator_id, &input.organization_id) {
                (Some(id), None) => Holder::Coordinator(ids::decode_as(
                    id,
                    NodeType::Coordinator,
                    "input.coordinatorId",
                )?),
                (None, Some(id)) => Holder::Organization(ids::decode_as(
                    id,
                    NodeType::Organization,
                    "input.organizationId",
                )?),
                _ => {
                    return Err(ApiError::bad_input(
                        "input.coordinatorId",
                        "give coordinatorId or organizationId",
                    ));
                }
            };
            Ok(qualifications::NewAward {
                scheme_id: *scheme_id
                    .as_ref()
                    .map_err(|_| ApiError::bad_input("input.schemeId", "not a scheme ID"))?,
                level: input.level.clone(),
                holder,
                awarded_on: input.awarded_on.map_or_else(today_in_japan, |d| d.0),
                practice_months: input
                    .practice_months
                    .map(|m| {
                        within(
                            m,
                            "input.practiceMonths",
                            0..=*limits::PRACTICE_MONTHS.end(),
                        )
                    })
                    .transpose()?,
            })
        })();
        let row =
            qualifications::issue_award(db(ctx)?, caller(ctx), target, scheme_id, parsed, key)
                .await?;
        Ok(Award(row))
    }

    /// Renews an award inside its window once its continuing education is complete: registrars
    /// of the scheme's issuer. Like every step of an award, it takes the `version` it expects:
    /// when given, any other is a CONFLICT naming `version`.
    async fn renew_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The award's global ID.")] id: ID,
        #[graphql(
            desc = "The award's `version` the caller saw; CONFLICT if it has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Award> {
        let key = ids::decode_as(&id, NodeType::Award, "id");
        Ok(Award(
            qualifications::renew_award(db(ctx)?, caller(ctx), id.to_string(), key, version)
                .await?,
        ))
    }

    /// Suspends an active award, with a reason: registrars of the scheme's issuer.
    async fn suspend_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The award's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 1000 characters; shown as the award's `decisionReason`.")]
        reason: String,
        #[graphql(
            desc = "The award's `version` the caller saw; CONFLICT if it has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Award> {
        decide(ctx, qualifications::Decision::Suspend, id, reason, version).await
    }

    /// Reinstates a suspended award, with a reason: registrars of the scheme's issuer.
    async fn reinstate_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The award's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 1000 characters; shown as the award's `decisionReason`.")]
        reason: String,
        #[graphql(
            desc = "The award's `version` the caller saw; CONFLICT if it has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Award> {
        decide(
            ctx,
            qualifications::Decision::Reinstate,
            id,
            reason,
            version,
        )
        .await
    }

    /// Revokes an award for good, with a reason: registrars of the scheme's issuer.
    async fn revoke_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The award's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 1000 characters; shown as the award's `decisionReason`.")]
        reason: String,
        #[graphql(
            desc = "The award's `version` the caller saw; CONFLICT if it has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Award> {
        decide(ctx, qualifications::Decision::Revoke, id, reason, version).await
    }

    /// Pauses an active award at its holder's request (休止): the holder's choice, not a
    /// decision against them (that is `suspendAward`). Registrars of the scheme's issuer record
    /// a person's request (a person never changes an award they hold: OWN_AWARD); an organisation holding the
    /// award pauses it through its own org admins. `version`, when given, must be the award's
    /// current one (CONFLICT otherwise).
    async fn pause_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The award's global ID.")] id: ID,
        #[graphql(
            desc = "The holder's request, at most 1000 characters; shown as `decisionReason`."
        )]
        reason: String,
        #[graphql(
            desc = "The award's `version` the caller saw; CONFLICT if it has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Award> {
        holder_request(
            ctx,
            qualifications::HolderRequest::Pause,
            id,
            reason,
            version,
        )
        .await
    }

    /// Resumes a paused award at its holder's request: the same callers as `pauseAward`. The
    /// award's dates are unchanged; it counts again if they still allow.
    async fn resume_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The award's global ID.")] id: ID,
        #[graphql(
            desc = "The holder's request, at most 1000 characters; shown as `decisionReason`."
        )]
        reason: String,
        #[graphql(
            desc = "The award's `version` the caller saw; CONFLICT if it has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Award> {
        holder_request(
            ctx,
            qualifications::HolderRequest::Resume,
            id,
            reason,
            version,
        )
        .await
    }
}

async fn decide(
    ctx: &Context<'_>,
    decision: qualifications::Decision,
    id: ID,
    text: String,
    version: Option<i32>,
) -> Result<Award> {
    let key = ids::decode_as(&id, NodeType::Award, "id");
    let row = qualifications::decide(
        db(ctx)?,
        caller(ctx),
        decision,
        id.to_string(),
        key,
        version,
        reason(text),
    )
    .await?;
    Ok(Award(row))
}

async fn holder_request(
    ctx: &Context<'_>,
    request: qualifications::HolderRequest,
    id: ID,
    text: String,
    version: Option<i32>,
) -> Result<Award> {
    let key = ids::decode_as(&id, NodeType::Award, "id");
    let row = qualifications::holder_request(
        db(ctx)?,
        caller(ctx),
        request,
        id.to_string(),
        key,
        version,
        reason(text),
    )
    .await?;
    Ok(Award(row))
}
