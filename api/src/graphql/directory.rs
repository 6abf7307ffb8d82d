//! The public member directory in GraphQL: organisations, cluster projects, tie-ups, prefectures.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result};
use entity::{cluster_participation, cluster_project, organization, tie_up};

use super::{
    connection::{Conn, connection},
    context::{caller, db, loaders, members_only},
    ids::{self, NodeType},
    inputs::{Lookup, fingerprint, json_of, lookup, parsed_change, required, text_change},
    loaders::{
        AwardsOfOrganization, ClusterProjectId, CoordinatorsOfOrganization, OrganizationId,
        ParticipationsOfOrganization, ParticipationsOfProject, TieUpsOfProject,
    },
    vocabulary::{
        AgreementType, ClusterProgram, Country, IndustryField, Language, Membership,
        MembershipBasis, MetiBureau, OrderDirection, OrganizationKind, ParticipationRole,
        PartnerKind, Prefecture, TieUpStatus, WorldRegion, prefecture_of,
    },
};
use crate::{
    domain::{
        country::CountryCode,
        directory::{self, ProfileChanges},
        events::EventBus,
        fields,
        listing::Ordering,
        prefecture::{self, PrefectureCode},
        profile::{self, Code, EmailAddress, PhoneNumber, WebsiteUrl},
        search::SearchText,
        tie_ups::{self, TieUpPartners},
    },
    error::{ApiError, ApiResult},
};

// ---------------------------------------------------------------- objects

/// Held shared: the same institution stands behind many rows of a page (every evaluation of
/// an institution, every participation in its projects), each read from the request's loaders.
pub struct Organization(pub Arc<organization::Model>);

shared_row!(Organization, organization);

/// An organisation in the directory: a member of IIN Japan, a body that cooperates with or
/// supports it, or a participant in one of the cluster projects.
#[Object]
impl Organization {
    /// The organisation's opaque global ID, for `node(id:)` and mutations.
    pub async fn id(&self) -> ID {
        NodeType::Organization.id(self.0.id)
    }
    /// Unique lowercase code, stable for partners and tokens (`aist`, `jetro`, `meti-chubu`).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The Japanese name (`産業技術総合研究所`).
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The English name the organisation uses.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The name in the given language.
    async fn name(
        &self,
        #[graphql(default, desc = "Which name: `JA` (the default) or `EN`.")] lang: Language,
    ) -> &str {
        match lang {
            Language::Ja => &self.0.name_ja,
            Language::En => &self.0.name_en,
        }
    }
    /// A short name (AIST, JETRO), where the organisation uses one.
    async fn abbreviation(&self) -> Option<&str> {
        self.0.abbreviation.as_deref()
    }
    /// What kind of body it is.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }
    /// Its relationship to IIN Japan; see `membershipBasis` for where that comes from.
    async fn membership(&self) -> Membership {
        self.0.membership.into()
    }
    /// Where `membership` comes from: the source document, the network's own record, or nobody.
    async fn membership_basis(&self) -> MembershipBasis {
        self.0.membership_basis.into()
    }
    /// The prefecture of its seat; null for a body abroad or whose seat is not recorded.
    async fn prefecture(&self) -> Result<Option<Prefecture>> {
        Ok(self
            .0
            .prefecture_code
            .map(prefecture_of)
            .transpose()?
            .map(Prefecture))
    }
    /// The METI regional bureau that covers the organisation's prefecture; null without one.
    async fn bureau(&self) -> Result<Option<MetiBureau>> {
        Ok(self
            .0
            .prefecture_code
            .map(prefecture_of)
            .transpose()?
            .map(|p| p.bureau.into()))
    }
    /// The country of its seat.
    async fn country(&self) -> Country {
        Country(self.0.country_code.clone())
    }
    /// Its website, an http:// or https:// URL; null when not recorded.
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// What the organisation does, in Japanese (at most 2000 characters); null when not written.
    async fn description_ja(&self) -> Option<&str> {
        self.0.description_ja.as_deref()
    }
    /// What the organisation does, in English (at most 2000 characters); null when not written.
    async fn description_en(&self) -> Option<&str> {
        self.0.description_en.as_deref()
    }
    /// Who to contact at the organisation. Members of the network only.
    #[graphql(guard = "members_only")]
    async fn contact(&self) -> Result<Option<OrganizationContact>> {
        Ok(Some(OrganizationContact {
            name: self.0.contact_name.clone(),
            email: self.0.contact_email.clone(),
            phone: self.0.contact_phone.clone(),
        }))
    }
    /// The patents the organisation holds that the caller may read, newest first.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn patents(
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
    ) -> Result<super::connection::Conn<super::patents::Patent>> {
        let page = super::connection::page_args(ctx, first, after, last, before);
        super::patents::of_holder(ctx, self.0.id, page).await
    }
    /// The coordinators affiliated to the organisation (callers outside the network see those
    /// with a public profile).
    async fn coordinators(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::coordinators::Coordinator>> {
        let rows = loaders(ctx)?
            .load_one(CoordinatorsOfOrganization(self.0.id))
            .await
            .map_err(ApiError::from)?;
        Ok(super::coordinators::visible(
            caller(ctx),
            rows.unwrap_or_default(),
        ))
    }
    /// Awards the organisation holds itself (e.g. cluster-management labels). Members only.
    #[graphql(guard = "members_only")]
    async fn awards(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::qualifications::Award>>> {
        let rows = loaders(ctx)?
            .load_one(AwardsOfOrganization(self.0.id))
            .await
            .map_err(ApiError::from)?;
        Ok(Some(
            rows.unwrap_or_default()
                .into_iter()
                .map(super::qualifications::Award)
                .collect(),
        ))
    }
    /// The cluster projects the organisation takes part in, and its part in each.
    async fn cluster_participations(&self, ctx: &Context<'_>) -> Result<Vec<ClusterParticipation>> {
        let rows = loaders(ctx)?
            .load_one(ParticipationsOfOrganization(self.0.id))
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(ClusterParticipation)
            .collect())
    }
}

/// An organisation's contact details, for members of the network.
#[derive(async_graphql::SimpleObject)]
pub struct OrganizationContact {
    /// The contact person or desk; null when not recorded.
    pub name: Option<String>,
    /// An e-mail address; null when not recorded.
    pub email: Option<String>,
    /// A telephone number as written (digits, `+`, spaces, hyphens, parentheses); null when not
    /// recorded.
    pub phone: Option<String>,
}

pub struct ClusterProject(pub cluster_project::Model);

/// An industrial cluster project.
#[Object]
impl ClusterProject {
    /// The project's opaque global ID, for `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeType::ClusterProject.id(self.0.id)
    }
    /// Unique lowercase code (`kansai-bio`, `tokai-monozukuri`).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The Japanese name (`関西バイオクラスタープロジェクト（Bio Cluster）`).
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The English name, as the source document gives it.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The name in the given language.
    async fn name(
        &self,
        #[graphql(default, desc = "Which name: `JA` (the default) or `EN`.")] lang: Language,
    ) -> &str {
        match lang {
            Language::Ja => &self.0.name_ja,
            Language::En => &self.0.name_en,
        }
    }
    /// The ministry's programme the project belongs to.
    async fn program(&self) -> ClusterProgram {
        self.0.program.into()
    }
    /// The METI regional bureau that leads or hosts the project.
    async fn bureau(&self) -> MetiBureau {
        self.0.bureau.into()
    }
    /// The fields the project works in, at least one.
    async fn fields(&self) -> Vec<IndustryField> {
        fields::decode(&self.0.fields)
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// First fiscal year of the project's term.
    async fn term_start_fiscal_year(&self) -> i16 {
        self.0.term_start_fiscal_year
    }
    /// Last fiscal year of the term; null while it runs.
    async fn term_end_fiscal_year(&self) -> Option<i16> {
        self.0.term_end_fiscal_year
    }
    /// What the project is about, in English; null when not written.
    async fn description_en(&self) -> Option<&str> {
        self.0.description_en.as_deref()
    }
    /// The organisations that take part, and their part.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<ClusterParticipation>> {
        let rows = loaders(ctx)?
            .load_one(ParticipationsOfProject(self.0.id))
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(ClusterParticipation)
            .collect())
    }
    /// The coordinators arranged to the project, with their role and period, earliest first
    /// (as the caller may read the coordinators).
    async fn coordinators(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::coordinators::CoordinatorAssignment>> {
        super::coordinators::of_project(ctx, self.0.id).await
    }
    /// The project's exchanges and tie-ups with overseas clusters.
    async fn tie_ups(&self, ctx: &Context<'_>) -> Result<Vec<TieUp>> {
        let rows = loaders(ctx)?
            .load_one(TieUpsOfProject(self.0.id))
            .await
            .map_err(ApiError::from)?;
        Ok(rows.unwrap_or_default().into_iter().map(TieUp).collect())
    }
}

pub struct ClusterParticipation(cluster_participation::Model);

/// An organisation's part in a cluster project.
#[Object]
impl ClusterParticipation {
    /// The organisation's part in the project.
    async fn role(&self) -> ParticipationRole {
        self.0.role.into()
    }
    /// The organisation taking part.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        load_organization(ctx, self.0.organization_id).await
    }
    /// The project it takes part in.
    async fn project(&self, ctx: &Context<'_>) -> Result<ClusterProject> {
        load_project(ctx, self.0.project_id).await
    }
}

pub struct TieUp(pub tie_up::Model);

/// An exchange or tie-up between a Japanese cluster project and an overseas cluster.
#[Object]
impl TieUp {
    /// The tie-up's opaque global ID, for `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeType::TieUp.id(self.0.id)
    }
    /// The world region of the overseas side.
    async fn region(&self) -> WorldRegion {
        self.0.region.into()
    }
    /// The country of the overseas side; `partners` gives each partner's own.
    async fn country(&self) -> Country {
        Country(self.0.country_code.clone())
    }
    /// The fields the tie-up works in, at least one.
    async fn fields(&self) -> Vec<IndustryField> {
        fields::decode(&self.0.fields)
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// The field as the source words it ("Cosmetics, functional food").
    async fn field_label(&self) -> &str {
        &self.0.field_label
    }
    /// The Japanese side as the source names it ("Hamamatsu", "TAMA project").
    async fn japanese_partner(&self) -> &str {
        &self.0.japanese_partner
    }
    /// The overseas side as the source words it ("Beijing, Shenyang, Dalian, etc").
    async fn foreign_partner(&self) -> &str {
        &self.0.foreign_partner
    }
    /// The overseas side, one entry per city, region, cluster or university.
    async fn partners(&self) -> Result<Vec<TieUpPartner>> {
        let partners = TieUpPartners::decode(&self.0.partners, self.0.id)?;
        Ok(partners.partners.into_iter().map(TieUpPartner).collect())
    }
    /// The source's list of partners is open-ended ("… etc").
    async fn partners_incomplete(&self) -> Result<bool> {
        Ok(TieUpPartners::decode(&self.0.partners, self.0.id)?.incomplete)
    }
    /// The fiscal year the tie-up started, when known.
    async fn start_year(&self) -> Option<i16> {
        self.0.start_year
    }
    /// Whether the tie-up still runs; `UNKNOWN` where the source does not say.
    async fn status(&self) -> TieUpStatus {
        self.0.status.into()
    }
    /// The tie-up's form, when known.
    async fn agreement_type(&self) -> Option<AgreementType> {
        self.0.agreement_type.map(Into::into)
    }
    /// The cluster project on the Japanese side.
    async fn project(&self, ctx: &Context<'_>) -> Result<ClusterProject> {
        load_project(ctx, self.0.project_id).await
    }
}

pub struct TieUpPartner(tie_ups::Partner);

/// One overseas partner of a tie-up.
#[Object]
impl TieUpPartner {
    /// As the source names it ("Dalian", "Medicon Valley").
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Null for a partner recorded before partners were structured.
    async fn kind(&self) -> Option<PartnerKind> {
        self.0.kind.map(Into::into)
    }
    /// The partner's country.
    async fn country(&self) -> Country {
        Country(self.0.country.clone())
    }
}

async fn load_organization(ctx: &Context<'_>, id: i64) -> Result<Organization> {
    let row = loaders(ctx)?
        .load_one(OrganizationId(id))
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::corrupt(format!("organisation {id} is referenced but missing")))?;
    Ok(Organization::from(row))
}

async fn load_project(ctx: &Context<'_>, id: i64) -> Result<ClusterProject> {
    let row = loaders(ctx)?
        .load_one(ClusterProjectId(id))
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| {
            ApiError::corrupt(format!("cluster project {id} is referenced but missing"))
        })?;
    Ok(ClusterProject(row))
}

pub struct Network;

/// IIN Japan itself.
#[Object]
impl Network {
    /// The Japanese name: 全国イノベーション推進機関ネットワーク.
    async fn name_ja(&self) -> &str {
        "全国イノベーション推進機関ネットワーク"
    }
    /// The English name: Innovation Initiative Network Japan (IIN Japan).
    async fn name_en(&self) -> &str {
        "Innovation Initiative Network Japan"
    }
    /// When the network was launched (April 2009), as `YYYY-MM`.
    async fn founded(&self) -> &str {
        "2009-04"
    }
    /// The body the network succeeded.
    async fn predecessor(&self) -> &str {
        "JANBO"
    }
    /// The network's five activities, in English.
    async fn activities(&self) -> [&str; 5] {
        [
            "Augmenting human resources for supporting cluster activities through training and qualifications",
            "Developing an evaluation system for SMEs' technology and business plans",
            "Translating patent information of national research institutes into a form SMEs can easily use",
            "Cooperation between members and financial institutions (tie-up with the Regional Banks Association of Japan)",
            "Sales promotion of SMEs through mutual cooperation of member institutions",
        ]
    }
}

// ---------------------------------------------------------------- inputs

/// Narrows a listing of organisations; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "OrganizationFilter")]
pub struct OrganizationFilterInput {
    /// Organisations of this kind.
    pub kind: Option<OrganizationKind>,
    /// The METI bureau covering the organisation's prefecture.
    pub bureau: Option<MetiBureau>,
    /// JIS X 0401 code, 1–47.
    pub prefecture_code: Option<i32>,
    /// Organisations with this relationship to the network.
    pub membership: Option<Membership>,
    /// Words found in the Japanese or English name, the abbreviation or the code (case-insensitive,
    /// at most 100 characters).
    pub search: Option<String>,
}

impl OrganizationFilterInput {
    fn parse(self) -> ApiResult<directory::OrganizationFilter> {
        Ok(directory::OrganizationFilter {
            kind: self.kind.map(Into::into),
            bureau: self.bureau.map(Into::into),
            prefecture: self
                .prefecture_code
                .map(|code| PrefectureCode::parse(code.into()))
                .transpose()
                .map_err(|e| ApiError::bad_input("filter.prefectureCode", e.to_string()))?,
            membership: self.membership.map(Into::into),
            search: self
                .search
                .map(|text| SearchText::parse(&text))
                .transpose()
                .map_err(|e| ApiError::bad_input("filter.search", e.to_string()))?,
        })
    }
}

/// What organisations are ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum OrganizationOrderField {
    /// By `code` (the default).
    #[default]
    Code,
    /// By English name.
    NameEn,
    /// By Japanese name, in character order (not by reading).
    NameJa,
    /// By prefecture code, north to south; organisations without one come last either way.
    PrefectureCode,
}

/// How organisations are ordered. Ties are broken by id, so the order is total and stable.
#[derive(InputObject, Default)]
pub struct OrganizationOrder {
    /// What to order by; `CODE` unless given.
    #[graphql(default)]
    pub field: OrganizationOrderField,
    /// `ASC` unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<OrganizationOrder> for Ordering<directory::OrganizationOrderField> {
    fn from(order: OrganizationOrder) -> Self {
        use directory::OrganizationOrderField as F;
        let field = match order.field {
            OrganizationOrderField::Code => F::Code,
            OrganizationOrderField::NameEn => F::NameEn,
            OrganizationOrderField::NameJa => F::NameJa,
            OrganizationOrderField::PrefectureCode => F::PrefectureCode,
        };
        Ordering {
            field,
            descending: order.direction.descending(),
        }
    }
}

/// Narrows a listing of cluster projects; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "ClusterProjectFilter")]
pub struct ClusterProjectFilterInput {
    /// Projects led or hosted by this METI bureau.
    pub bureau: Option<MetiBureau>,
    /// Projects that work in this field (among others).
    pub field: Option<IndustryField>,
    /// Projects of this programme.
    pub program: Option<ClusterProgram>,
}

/// What cluster projects are ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ClusterProjectOrderField {
    /// By `code` (the default).
    #[default]
    Code,
    /// By English name.
    NameEn,
    /// By Japanese name, in character order (not by reading).
    NameJa,
    /// By the first fiscal year of the term.
    TermStart,
}

/// How cluster projects are ordered. Ties are broken by id, so the order is total and stable.
#[derive(InputObject, Default)]
pub struct ClusterProjectOrder {
    /// What to order by; `CODE` unless given.
    #[graphql(default)]
    pub field: ClusterProjectOrderField,
    /// `ASC` unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<ClusterProjectOrder> for Ordering<directory::ClusterProjectOrderField> {
    fn from(order: ClusterProjectOrder) -> Self {
        use directory::ClusterProjectOrderField as F;
        let field = match order.field {
            ClusterProjectOrderField::Code => F::Code,
            ClusterProjectOrderField::NameEn => F::NameEn,
            ClusterProjectOrderField::NameJa => F::NameJa,
            ClusterProjectOrderField::TermStart => F::TermStart,
        };
        Ordering {
            field,
            descending: order.direction.descending(),
        }
    }
}

/// Narrows a listing of tie-ups; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "TieUpFilter")]
pub struct TieUpFilterInput {
    /// ISO 3166-1 alpha-2 code of the overseas side, e.g. `DE`.
    pub country: Option<String>,
    /// Tie-ups in this field (among others).
    pub field: Option<IndustryField>,
    /// Tie-ups with this world region.
    pub region: Option<WorldRegion>,
}

impl TieUpFilterInput {
    fn parse(self) -> ApiResult<directory::TieUpFilter> {
        Ok(directory::TieUpFilter {
            country: self
                .country
                .map(|c| CountryCode::parse(&c))
                .transpose()
                .map_err(|e| ApiError::bad_input("filter.country", e.to_string()))?,
            field: self.field.map(Into::into),
            region: self.region.map(Into::into),
        })
    }
}

/// What tie-ups are ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum TieUpOrderField {
    /// By the overseas side's ISO country code (the default).
    #[default]
    Country,
    /// By `foreignPartner`, the overseas side as the source words it.
    ForeignPartner,
}

/// How tie-ups are ordered. Ties are broken by id (the source's order), so the order is total and
/// stable.
#[derive(InputObject, Default)]
pub struct TieUpOrder {
    /// What to order by; `COUNTRY` unless given.
    #[graphql(default)]
    pub field: TieUpOrderField,
    /// `ASC` unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<TieUpOrder> for Ordering<directory::TieUpOrderField> {
    fn from(order: TieUpOrder) -> Self {
        let field = match order.field {
            TieUpOrderField::Country => directory::TieUpOrderField::Country,
            TieUpOrderField::ForeignPartner => directory::TieUpOrderField::ForeignPartner,
        };
        Ordering {
            field,
            descending: order.direction.descending(),
        }
    }
}

/// Profile fields an organisation's administrators edit (`updateOrganization`, and the profile of
/// `createOrganization`). An omitted field stays as it is; `null`
/// or an empty string clears it.
#[derive(InputObject, Default)]
pub struct UpdateOrganizationInput {
    /// An http:// or https:// URL, at most 500 characters.
    pub website_url: MaybeUndefined<String>,
    /// At most 2000 characters.
    pub description_ja: MaybeUndefined<String>,
    /// At most 2000 characters.
    pub description_en: MaybeUndefined<String>,
    /// Members only. At most 200 characters.
    pub contact_name: MaybeUndefined<String>,
    /// Members only.
    pub contact_email: MaybeUndefined<String>,
    /// Members only.
    pub contact_phone: MaybeUndefined<String>,
}

impl UpdateOrganizationInput {
    fn parse(self, prefix: &str) -> ApiResult<ProfileChanges> {
        let field = |name: &str| format!("{prefix}.{name}");
        Ok(ProfileChanges {
            website_url: parsed_change(self.website_url, &field("websiteUrl"), WebsiteUrl::parse)?,
            description_ja: text_change(self.description_ja, &field("descriptionJa"), 2000)?,
            description_en: text_change(self.description_en, &field("descriptionEn"), 2000)?,
            contact_name: text_change(self.contact_name, &field("contactName"), 200)?,
            contact_email: parsed_change(
                self.contact_email,
                &field("contactEmail"),
                EmailAddress::parse,
            )?,
            contact_phone: parsed_change(
                self.contact_phone,
                &field("contactPhone"),
                PhoneNumber::parse,
            )?,
        })
    }
}

/// A new organisation for the directory.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// Unique, 2–40 lowercase letters, digits and inner hyphens; stable once given.
    pub code: String,
    /// The Japanese name, at most 200 characters.
    pub name_ja: String,
    /// The English name, at most 200 characters.
    pub name_en: String,
    /// A short name (`AIST`), at most 40 characters; omit or leave blank for none.
    pub abbreviation: Option<String>,
    /// What kind of body it is.
    pub kind: OrganizationKind,
    /// Its relationship to the network; recorded as the network's own record.
    pub membership: Membership,
    /// JIS X 0401 code, 1–47.
    pub prefecture_code: i32,
    /// Website, descriptions and contact; all empty unless given.
    #[graphql(default)]
    pub profile: UpdateOrganizationInput,
}

impl CreateOrganizationInput {
    fn parse(self) -> ApiResult<directory::NewOrganization> {
        Ok(directory::NewOrganization {
            code: Code::parse(&self.code)
                .map_err(|message| ApiError::bad_input("input.code", message))?,
            name_ja: required(&self.name_ja, "input.nameJa", 200)?,
            name_en: required(&self.name_en, "input.nameEn", 200)?,
            abbreviation: self
                .abbreviation
                .map(|a| profile::text(&a, 40))
                .transpose()
                .map_err(|message| ApiError::bad_input("input.abbreviation", message))?
                .flatten(),
            kind: self.kind.into(),
            membership: self.membership.into(),
            prefecture: PrefectureCode::parse(self.prefecture_code.into())
                .map_err(|e| ApiError::bad_input("input.prefectureCode", e.to_string()))?,
            profile: self.profile.parse("input.profile")?,
        })
    }
}

#[derive(Default)]
pub struct DirectoryMutation;

#[Object]
impl DirectoryMutation {
    /// Edits an organisation's profile: its org admins, or network admins.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's global ID.")] id: ID,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateOrganizationInput,
    ) -> Result<Organization> {
        let row = directory::update_organization(
            db(ctx)?,
            caller(ctx),
            id.to_string(),
            ids::decode_as(&id, NodeType::Organization, "id"),
            input.parse("input"),
        )
        .await?;
        Ok(Organization::from(row))
    }

    /// Adds an organisation to the directory: network admins. Retry-safe with `idempotencyKey`.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new organisation; its `code` must be unused.")]
        input: CreateOrganizationInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<Organization> {
        let key = fingerprint(&idempotency_key, "createOrganization", json_of(&input));
        let target = input.code.clone();
        let row = directory::create_organization(db(ctx)?, caller(ctx), target, input.parse(), key)
            .await?;
        Ok(Organization::from(row))
    }

    /// Sets an organisation's relationship to the network: network admins. `SUSPENDED` refuses
    /// the institution's tokens (401) on every instance within a second and ends its
    /// subscriptions, until the membership is set to another value; audited like every change.
    async fn set_organization_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's global ID.")] id: ID,
        #[graphql(desc = "The new relationship; recorded as the network's own record.")]
        membership: Membership,
    ) -> Result<Organization> {
        let row = directory::set_membership(
            db(ctx)?,
            ctx.data::<EventBus>()?,
            caller(ctx),
            id.to_string(),
            ids::decode_as(&id, NodeType::Organization, "id"),
            membership.into(),
        )
        .await?;
        Ok(Organization::from(row))
    }
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// Organisations in the directory, filtered and ordered, a page at a time (at most 100).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn organizations(
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
        #[graphql(desc = "Only organisations that match; all of them unless given.")]
        filter: Option<OrganizationFilterInput>,
        #[graphql(desc = "The order; by `code`, ascending, unless given.")] order_by: Option<
            OrganizationOrder,
        >,
    ) -> Result<Conn<Organization>> {
        let db = db(ctx)?;
        let page = super::connection::page_args(ctx, first, after, last, before);
        let filter = filter.unwrap_or_default().parse()?;
        let order = order_by.unwrap_or_default().into();
        let listing = directory::organizations(db, &filter, order, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Organization::from))
    }

    /// One organisation, by `id` or by `code`; null when there is none.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's global ID.")] id: Option<ID>,
        #[graphql(desc = "The organisation's code (`aist`).")] code: Option<String>,
    ) -> Result<Option<Organization>> {
        let db = db(ctx)?;
        let row = match lookup(id, code, NodeType::Organization, "code")? {
            Lookup::Id(id) => directory::organization_by_id(db, id).await?,
            Lookup::Key(code) => directory::organization_by_code(db, &code).await?,
        };
        super::prefetch::field(ctx, &row).await?;
        Ok(row.map(Organization::from))
    }

    /// Cluster projects, filtered and ordered, a page at a time (at most 100).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn cluster_projects(
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
        #[graphql(desc = "Only projects that match; all of them unless given.")] filter: Option<
            ClusterProjectFilterInput,
        >,
        #[graphql(desc = "The order; by `code`, ascending, unless given.")] order_by: Option<
            ClusterProjectOrder,
        >,
    ) -> Result<Conn<ClusterProject>> {
        let db = db(ctx)?;
        let page = super::connection::page_args(ctx, first, after, last, before);
        let filter = filter.unwrap_or_default();
        let filter = directory::ClusterProjectFilter {
            bureau: filter.bureau.map(Into::into),
            field: filter.field.map(Into::into),
            program: filter.program.map(Into::into),
        };
        let order = order_by.unwrap_or_default().into();
        let listing = directory::cluster_projects(db, &filter, order, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, ClusterProject))
    }

    /// One cluster project, by `id` or by `code`; null when there is none.
    async fn cluster_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's global ID.")] id: Option<ID>,
        #[graphql(desc = "The project's code (`kansai-bio`).")] code: Option<String>,
    ) -> Result<Option<ClusterProject>> {
        let db = db(ctx)?;
        let row = match lookup(id, code, NodeType::ClusterProject, "code")? {
            Lookup::Id(id) => directory::cluster_project_by_id(db, id).await?,
            Lookup::Key(code) => directory::cluster_project_by_code(db, &code).await?,
        };
        super::prefetch::field(ctx, &row).await?;
        Ok(row.map(ClusterProject))
    }

    /// Exchanges and tie-ups with overseas clusters, filtered and ordered, a page at a time.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn tie_ups(
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
        #[graphql(desc = "Only tie-ups that match; all of them unless given.")] filter: Option<
            TieUpFilterInput,
        >,
        #[graphql(desc = "The order; by country, ascending, unless given.")] order_by: Option<
            TieUpOrder,
        >,
    ) -> Result<Conn<TieUp>> {
        let db = db(ctx)?;
        let page = super::connection::page_args(ctx, first, after, last, before);
        let filter = filter.unwrap_or_default().parse()?;
        let order = order_by.unwrap_or_default().into();
        let listing = directory::tie_ups(db, &filter, order, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, TieUp))
    }

    /// Japan's 47 prefectures in code order, with the bureau that covers each.
    async fn prefectures(&self) -> Vec<Prefecture> {
        prefecture::all().iter().map(Prefecture).collect()
    }

    /// IIN Japan itself.
    async fn network(&self) -> Network {
        Network
    }
}
