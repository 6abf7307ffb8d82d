//! Sales promotion and business matching in GraphQL: SMEs' showcases and products, buyers'
//! needs, proposals, ranked candidates for a need, and `needChanged` / `proposalChanged`.
//! Events, meetings, outcomes and statistics are in [`super::matching_events`].

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entity::{business_need, matching_enums, proposal, proposal_member, sme_product, sme_showcase};
use futures_util::{Stream, StreamExt};

use super::{
    connection::{Conn, connection},
    context::{caller, db, loaders},
    directory::Organization,
    ids::{self, NodeType},
    loaders::{MembersOfProposal, OrganizationId, ProductsOfSme, SmeId},
    money::Yen,
    patents::Patent,
    qualifications::Date,
    smes::{NicheStatus, Sme},
    vocabulary::{IndustryField, MetiBureau},
};
use crate::{
    auth::Role,
    domain::{
        events::EventBus,
        fields,
        idempotency::Idempotency,
        matching::{
            decode_ids, decode_processes,
            needs::{self, NeedAction, NeedState},
            proposals::{self, ProposalAction},
            scoring, showcase,
        },
        patents,
        prefecture::PrefectureCode,
        profile,
        search::SearchText,
    },
    error::{ApiError, ApiResult},
};

// ---------------------------------------------------------------- enums

/// What an SME can do to make a part: the controlled vocabulary of showcases, needs and
/// proposals.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "matching_enums::ManufacturingProcess")]
pub enum ManufacturingProcess {
    /// Cutting, milling, turning, grinding (切削・研削).
    Machining,
    /// Casting (鋳造).
    Casting,
    /// Forging (鍛造).
    Forging,
    /// Press working (プレス加工).
    Pressing,
    /// Sheet-metal work (板金).
    SheetMetal,
    /// Plastic or rubber moulding (成形).
    Moulding,
    /// Plating, coating, anodising (表面処理).
    SurfaceTreatment,
    /// Heat treatment (熱処理).
    HeatTreatment,
    /// Welding and joining (溶接・接合).
    Welding,
    /// Composite materials such as CFRP (複合材).
    Composites,
    /// Additive manufacturing, 3D printing (積層造形).
    AdditiveManufacturing,
    /// Mechanical assembly (組立).
    Assembly,
    /// Electronics assembly, PCB mounting (電子実装).
    ElectronicsAssembly,
    /// Inspection and precision measurement (検査・精密測定).
    Inspection,
    /// Software development (ソフトウェア).
    Software,
}

fn processes_of(text: &str) -> Vec<ManufacturingProcess> {
    decode_processes(text).into_iter().map(Into::into).collect()
}

fn fields_of(text: &str) -> Vec<IndustryField> {
    fields::decode(text).into_iter().map(Into::into).collect()
}

/// What a buyer needs.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "matching_enums::NeedKind")]
pub enum NeedKind {
    /// An order for parts or goods, such as a hub company's order of high-spec parts from abroad.
    Order,
    /// Joint development, optionally on a patent (one a large company gave up, say).
    JointDevelopment,
    /// Goods that large companies stopped supplying.
    DiscontinuedGoods,
}

/// Who may read a need.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "matching_enums::NeedVisibility")]
pub enum NeedVisibility {
    /// Anyone, signed in or not.
    Public,
    /// Members of the network.
    Network,
    /// The institutions the need invites (and its own).
    Invited,
}

/// Where a need stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum NeedStatus {
    /// Taking proposals until its deadline.
    Open,
    /// Closed by its institution, or past its deadline: no more proposals; those in hand are
    /// still decided.
    Closed,
    /// A proposal was accepted and the need awarded.
    Awarded,
    /// Cancelled by its institution.
    Cancelled,
}

impl From<NeedState> for NeedStatus {
    fn from(state: NeedState) -> Self {
        match state {
            NeedState::Open => Self::Open,
            NeedState::Closed => Self::Closed,
            NeedState::Awarded => Self::Awarded,
            NeedState::Cancelled => Self::Cancelled,
        }
    }
}

impl From<NeedStatus> for NeedState {
    fn from(status: NeedStatus) -> Self {
        match status {
            NeedStatus::Open => Self::Open,
            NeedStatus::Closed => Self::Closed,
            NeedStatus::Awarded => Self::Awarded,
            NeedStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// Where a proposal stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "matching_enums::ProposalStatus")]
pub enum ProposalStatus {
    /// Sent to the need's institution.
    Submitted,
    /// On the need's institution's shortlist.
    Shortlisted,
    /// Accepted by the need's institution.
    Accepted,
    /// Declined by the need's institution.
    Declined,
    /// Withdrawn by the proposing institution.
    Withdrawn,
}

// ---------------------------------------------------------------- helpers

fn events<'a>(ctx: &Context<'a>) -> Result<&'a EventBus> {
    ctx.data::<EventBus>()
}

pub(super) async fn organization(ctx: &Context<'_>, id: i64, what: &str) -> Result<Organization> {
    let row = loaders(ctx)?
        .load_one(OrganizationId(id))
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::corrupt(format!("{what} is missing")))?;
    Ok(Organization::from(row))
}

pub(super) async fn sme(ctx: &Context<'_>, id: i64) -> Result<Sme> {
    let row = loaders(ctx)?
        .load_one(SmeId(id))
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::corrupt("an SME of business matching is missing"))?;
    Ok(Sme::from(row))
}

pub(super) fn yen(value: i64, what: &str) -> ApiResult<Yen> {
    crate::domain::money::Yen::new(value)
        .map(Yen)
        .map_err(|e| ApiError::corrupt(format!("{what}: {e}")))
}

pub(super) fn text(value: Option<String>, field: &str, max: usize) -> ApiResult<Option<String>> {
    value
        .map(|v| profile::text(&v, max))
        .transpose()
        .map_err(|m| ApiError::bad_input(field, m))
        .map(Option::flatten)
}

pub(super) fn required(value: &str, field: &str, max: usize) -> ApiResult<String> {
    text(Some(value.to_owned()), field, max)?.ok_or_else(|| ApiError::bad_input(field, "required"))
}

pub(super) fn fingerprint<T: async_graphql::InputType>(
    key: &str,
    operation: &str,
    input: &T,
) -> Option<ApiResult<Idempotency>> {
    let request = input.to_value().into_json().unwrap_or_default();
    Some(Idempotency::parse(key, operation, &request))
}

// ---------------------------------------------------------------- objects

pub struct SmeShowcase(pub sme_showcase::Model);

/// An SME's public showcase, published with the SME's consent: its products, niche status,
/// prefecture and cluster projects, for buyers and partner websites.
#[Object]
impl SmeShowcase {
    /// The showcase's global ID.
    pub async fn id(&self) -> ID {
        NodeType::SmeShowcase.id(self.0.id)
    }
    /// The SME shown (its niche status, prefecture and cluster projects are on it).
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        sme(ctx, self.0.sme_id).await
    }
    /// A headline in Japanese.
    async fn headline_ja(&self) -> Option<&str> {
        self.0.headline_ja.as_deref()
    }
    /// A headline in English.
    async fn headline_en(&self) -> Option<&str> {
        self.0.headline_en.as_deref()
    }
    /// The day the SME consented to the publication.
    async fn consented_on(&self) -> Date {
        Date(self.0.consented_on)
    }
    /// Whether it is shown (false once the consent was withdrawn; only network admins read
    /// a withdrawn showcase).
    async fn live(&self) -> bool {
        self.0.withdrawn_at.is_none()
    }
    /// The SME's products.
    async fn products(&self, ctx: &Context<'_>) -> Result<Vec<SmeProduct>> {
        Ok(loaders(ctx)?
            .load_one(ProductsOfSme(self.0.sme_id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default()
            .into_iter()
            .map(SmeProduct)
            .collect())
    }
}

pub struct SmeProduct(pub sme_product::Model);

/// A product or capability an SME offers buyers. Public with the SME's live showcase; always
/// readable by the institution that registered the SME.
#[Object]
impl SmeProduct {
    /// The product's global ID.
    pub async fn id(&self) -> ID {
        NodeType::SmeProduct.id(self.0.id)
    }
    /// The SME that makes it.
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        sme(ctx, self.0.sme_id).await
    }
    /// The name in Japanese.
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The name in English.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// A description in Japanese.
    async fn description_ja(&self) -> Option<&str> {
        self.0.description_ja.as_deref()
    }
    /// A description in English.
    async fn description_en(&self) -> Option<&str> {
        self.0.description_en.as_deref()
    }
    /// The industry fields it serves.
    async fn fields(&self) -> Vec<IndustryField> {
        fields_of(&self.0.fields)
    }
    /// The manufacturing processes it involves.
    async fn processes(&self) -> Vec<ManufacturingProcess> {
        processes_of(&self.0.processes)
    }
}

pub struct BusinessNeed(pub business_need::Model);

/// A buyer's need (a hub company, a large company, an overseas buyer), posted by a member
/// institution on the buyer's behalf. Readable as its visibility says.
#[Object]
impl BusinessNeed {
    /// The need's global ID.
    pub async fn id(&self) -> ID {
        NodeType::BusinessNeed.id(self.0.id)
    }
    /// The posting member institution: it alone decides on proposals.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.institution_id, "a need's institution").await
    }
    /// The buyer, as recorded in the directory.
    async fn buyer(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.buyer_id, "a need's buyer").await
    }
    /// What is needed.
    async fn kind(&self) -> NeedKind {
        self.0.kind.into()
    }
    /// For a joint development on a patent: the patent, when the caller may read it.
    async fn patent(&self, ctx: &Context<'_>) -> Result<Option<Patent>> {
        let Some(id) = self.0.patent_id else {
            return Ok(None);
        };
        Ok(patents::readable(db(ctx)?, caller(ctx), id)
            .await?
            .map(Patent))
    }
    /// The title in Japanese.
    async fn title_ja(&self) -> &str {
        &self.0.title_ja
    }
    /// The title in English.
    async fn title_en(&self) -> &str {
        &self.0.title_en
    }
    /// What the buyer needs, in its words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The industry fields concerned.
    async fn fields(&self) -> Vec<IndustryField> {
        fields_of(&self.0.fields)
    }
    /// The manufacturing processes required.
    async fn processes(&self) -> Vec<ManufacturingProcess> {
        processes_of(&self.0.processes)
    }
    /// How many pieces.
    async fn quantity(&self) -> Option<i32> {
        self.0.quantity
    }
    /// The lower end of the budget.
    async fn budget_min(&self) -> Result<Option<Yen>> {
        Ok(self.0.budget_min.map(|v| yen(v, "budget")).transpose()?)
    }
    /// The upper end of the budget.
    async fn budget_max(&self) -> Result<Option<Yen>> {
        Ok(self.0.budget_max.map(|v| yen(v, "budget")).transpose()?)
    }
    /// The last instant proposals are taken; past it the need reads `CLOSED`.
    async fn deadline(&self) -> DateTime<Utc> {
        self.0.deadline
    }
    /// Where the goods are delivered.
    async fn delivery_place(&self) -> Option<&str> {
        self.0.delivery_place.as_deref()
    }
    /// Who may read it.
    async fn visibility(&self) -> NeedVisibility {
        self.0.visibility.into()
    }
    /// The institutions an `INVITED` need invites: for the need's institution and network
    /// admins; null for anyone else.
    async fn invited_institutions(&self, ctx: &Context<'_>) -> Result<Option<Vec<Organization>>> {
        let own = caller(ctx).principal().is_some_and(|p| {
            p.has(Role::NetworkAdmin) || p.institution_id == self.0.institution_id
        });
        if !own {
            return Ok(None);
        }
        let mut out = Vec::new();
        for id in decode_ids(&self.0.invited) {
            out.push(organization(ctx, id, "an invited institution").await?);
        }
        Ok(Some(out))
    }
    /// Where it stands; `CLOSED` once past its deadline.
    async fn status(&self) -> NeedStatus {
        needs::state_of(&self.0, Utc::now()).into()
    }
    /// 1 when posted, one more with every move.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was posted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last moved.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The proposals to it that the caller may read: all of them for the need's institution,
    /// only its own for a proposing institution, none for anyone else.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n proposals.")] first: Option<i32>,
        #[graphql(desc = "Returns the proposals after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n proposals.")] last: Option<i32>,
        #[graphql(desc = "Returns the proposals before this cursor.")] before: Option<String>,
    ) -> Result<Conn<Proposal>> {
        let db = db(ctx)?;
        let filter = proposals::ProposalFilter {
            need_id: Some(self.0.id),
            ..Default::default()
        };
        let listing = proposals::proposals(
            db,
            caller(ctx),
            &filter,
            &super::connection::page_args(ctx, first, after, last, before),
        )
        .await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Proposal))
    }
}

pub struct Proposal(pub proposal::Model);

/// A member institution's answer to a need, on behalf of one SME or of a consortium for a joint
/// order. Readable by the proposing institution, the need's institution and network admins only.
#[Object]
impl Proposal {
    /// The proposal's global ID.
    pub async fn id(&self) -> ID {
        NodeType::Proposal.id(self.0.id)
    }
    /// The need answered, when the caller may read it.
    async fn need(&self, ctx: &Context<'_>) -> Result<Option<BusinessNeed>> {
        Ok(needs::readable(db(ctx)?, caller(ctx), self.0.need_id)
            .await?
            .map(BusinessNeed))
    }
    /// The proposing institution.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.institution_id, "a proposal's institution").await
    }
    /// The lead SME.
    async fn lead_sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        sme(ctx, self.0.lead_sme_id).await
    }
    /// The SMEs of the proposal, the lead first, with their processes and shares.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<ProposalMember>> {
        Ok(loaders(ctx)?
            .load_one(MembersOfProposal(self.0.id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default()
            .into_iter()
            .map(ProposalMember)
            .collect())
    }
    /// Whether several SMEs propose together (a joint order).
    async fn joint(&self) -> bool {
        self.0.joint
    }
    /// What is proposed.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The price proposed.
    async fn price(&self) -> Result<Option<Yen>> {
        Ok(self.0.price.map(|v| yen(v, "price")).transpose()?)
    }
    /// Where it stands.
    async fn status(&self) -> ProposalStatus {
        self.0.status.into()
    }
    /// 1 when submitted, one more with every move.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The decision's note (accepted or declined), or the reason for a withdrawal.
    async fn decision_note(&self) -> Option<&str> {
        self.0.decision_note.as_deref()
    }
    /// When it was submitted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last moved.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When the need's institution accepted or declined it.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}

pub struct ProposalMember(proposal_member::Model);

/// One SME of a proposal.
#[Object]
impl ProposalMember {
    /// The SME.
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        sme(ctx, self.0.sme_id).await
    }
    /// Whether it leads the consortium.
    async fn lead(&self) -> bool {
        self.0.lead
    }
    /// The processes it takes on.
    async fn processes(&self) -> Vec<ManufacturingProcess> {
        processes_of(&self.0.processes)
    }
    /// Its share of the work, in percent (a proposal's shares sum to 100).
    async fn share_percent(&self) -> i32 {
        self.0.share_percent
    }
}

/// An SME ranked for a need by `matchCandidates`.
#[derive(SimpleObject)]
pub struct MatchCandidate {
    /// The SME.
    sme: Sme,
    /// Its score (see the README's "Matching candidates"): higher is a better fit.
    score: i32,
    /// Why, one reason per point scored, with the points.
    reasons: Vec<String>,
}

// ---------------------------------------------------------------- inputs

/// Narrows `smeShowcase`; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "SmeShowcaseFilter")]
pub struct SmeShowcaseFilterInput {
    /// Words in the SME's or its products' names, Japanese or English (case-insensitive, at
    /// most 100 characters).
    pub search: Option<String>,
    /// SMEs with a product in this industry field.
    pub field: Option<IndustryField>,
    /// SMEs with a product involving this process.
    pub process: Option<ManufacturingProcess>,
    /// JIS X 0401 code, 1–47, of the SME's seat.
    pub prefecture_code: Option<i32>,
    /// SMEs in the area of this METI regional bureau.
    pub bureau: Option<MetiBureau>,
    /// SMEs of this niche status.
    pub niche: Option<NicheStatus>,
}

/// An SME's consent to its showcase, and its headlines.
#[derive(InputObject)]
pub struct PublishSmeShowcaseInput {
    /// The SME (registered by the caller's institution).
    pub sme_id: ID,
    /// The day the SME consented; not in the future.
    pub consented_on: Date,
    /// A headline in Japanese, up to 200 characters.
    pub headline_ja: Option<String>,
    /// A headline in English, up to 200 characters.
    pub headline_en: Option<String>,
}

/// A product of an SME.
#[derive(InputObject)]
pub struct AddSmeProductInput {
    /// The SME (registered by the caller's institution).
    pub sme_id: ID,
    /// The name in Japanese, 1–200 characters.
    pub name_ja: String,
    /// The name in English, 1–200 characters.
    pub name_en: String,
    /// A description in Japanese, up to 2000 characters.
    pub description_ja: Option<String>,
    /// A description in English, up to 2000 characters.
    pub description_en: Option<String>,
    /// The industry fields it serves.
    #[graphql(default)]
    pub fields: Vec<IndustryField>,
    /// The manufacturing processes it involves.
    #[graphql(default)]
    pub processes: Vec<ManufacturingProcess>,
}

/// A buyer's need.
#[derive(InputObject)]
pub struct PostBusinessNeedInput {
    /// The buyer: any organisation of the directory.
    pub buyer_id: ID,
    /// What is needed.
    pub kind: NeedKind,
    /// For a `JOINT_DEVELOPMENT`: the patent to develop on.
    pub patent_id: Option<ID>,
    /// The title in Japanese, 1–200 characters.
    pub title_ja: String,
    /// The title in English, 1–200 characters.
    pub title_en: String,
    /// What the buyer needs, up to 4000 characters.
    pub description: Option<String>,
    /// The industry fields concerned.
    #[graphql(default)]
    pub fields: Vec<IndustryField>,
    /// The manufacturing processes required.
    #[graphql(default)]
    pub processes: Vec<ManufacturingProcess>,
    /// How many pieces, at least 1.
    pub quantity: Option<i32>,
    /// The lower end of the budget.
    pub budget_min: Option<Yen>,
    /// The upper end of the budget, not below the lower.
    pub budget_max: Option<Yen>,
    /// The last instant proposals are taken; in the future.
    pub deadline: DateTime<Utc>,
    /// Where the goods are delivered, up to 200 characters.
    pub delivery_place: Option<String>,
    /// Who may read it.
    pub visibility: NeedVisibility,
    /// For `INVITED`: the member institutions invited.
    #[graphql(default)]
    pub invited_institution_ids: Vec<ID>,
}

/// One SME of a proposal, with its processes and share.
#[derive(InputObject)]
pub struct ProposalMemberInput {
    /// The SME.
    pub sme_id: ID,
    /// The processes it takes on.
    #[graphql(default)]
    pub processes: Vec<ManufacturingProcess>,
    /// Its share of the work in percent, 1–100; a proposal's shares sum to 100.
    pub share: i32,
}

/// A proposal to a need.
#[derive(InputObject)]
pub struct SubmitProposalInput {
    /// The need (`OPEN`, readable by the caller, of another institution).
    pub need_id: ID,
    /// What is proposed, 1–4000 characters.
    pub summary: String,
    /// The price proposed.
    pub price: Option<Yen>,
    /// The lead SME (the only one, for a proposal of one SME).
    pub lead: ProposalMemberInput,
    /// The partners of a joint order; each SME once.
    #[graphql(default)]
    pub partners: Vec<ProposalMemberInput>,
}

/// Narrows `businessNeeds`; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "BusinessNeedFilter")]
pub struct BusinessNeedFilterInput {
    /// Needs of this kind.
    pub kind: Option<NeedKind>,
    /// Needs in this state (`CLOSED` includes those past their deadline).
    pub status: Option<NeedStatus>,
    /// Needs posted by this institution.
    pub institution_id: Option<ID>,
    /// Needs in this industry field.
    pub field: Option<IndustryField>,
    /// Needs requiring this process.
    pub process: Option<ManufacturingProcess>,
}

/// Narrows `proposals`; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "ProposalFilter")]
pub struct ProposalFilterInput {
    /// Proposals to this need.
    pub need_id: Option<ID>,
    /// Proposals in this state.
    pub status: Option<ProposalStatus>,
    /// Proposals of this proposing institution.
    pub institution_id: Option<ID>,
}

fn decode_opt(id: &Option<ID>, node: NodeType, field: &str) -> ApiResult<Option<i64>> {
    id.as_ref()
        .map(|id| ids::decode_as(id, node, field))
        .transpose()
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct MatchingQuery;

#[Object]
impl MatchingQuery {
    /// The showcases of SMEs that consented to publication, for buyers and partner websites
    /// (anonymous, cacheable), in the order they were published.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn sme_showcase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n showcases.")] first: Option<i32>,
        #[graphql(desc = "Returns the showcases after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n showcases.")] last: Option<i32>,
        #[graphql(desc = "Returns the showcases before this cursor.")] before: Option<String>,
        #[graphql(desc = "Only showcases that match; all of them unless given.")] filter: Option<
            SmeShowcaseFilterInput,
        >,
    ) -> Result<Conn<SmeShowcase>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = showcase::ShowcaseFilter {
            search: filter
                .search
                .map(|s| {
                    SearchText::parse(&s)
                        .map_err(|e| ApiError::bad_input("filter.search", e.to_string()))
                })
                .transpose()?,
            field: filter.field.map(Into::into),
            process: filter.process.map(Into::into),
            prefecture: filter
                .prefecture_code
                .map(|c| {
                    PrefectureCode::parse(c.into())
                        .map_err(|e| ApiError::bad_input("filter.prefectureCode", e.to_string()))
                })
                .transpose()?,
            bureau: filter.bureau.map(Into::into),
            niche: filter.niche.map(Into::into),
        };
        let listing = showcase::showcases(
            db,
            caller(ctx),
            &domain_filter,
            &super::connection::page_args(ctx, first, after, last, before),
        )
        .await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, SmeShowcase))
    }

    /// The buyers' needs the caller may read, newest first: `PUBLIC` ones for anyone; `NETWORK`
    /// ones for members; `INVITED` ones for the institutions invited; all of its own for the
    /// posting institution; everything for network admins.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn business_needs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n needs.")] first: Option<i32>,
        #[graphql(desc = "Returns the needs after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n needs.")] last: Option<i32>,
        #[graphql(desc = "Returns the needs before this cursor.")] before: Option<String>,
        #[graphql(desc = "Narrows the list; never widens it.")] filter: Option<
            BusinessNeedFilterInput,
        >,
    ) -> Result<Conn<BusinessNeed>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = needs::NeedFilter {
            kind: filter.kind.map(Into::into),
            state: filter.status.map(Into::into),
            institution_id: decode_opt(
                &filter.institution_id,
                NodeType::Organization,
                "filter.institutionId",
            )?,
            field: filter.field.map(Into::into),
            process: filter.process.map(Into::into),
        };
        let listing = needs::needs(
            db,
            caller(ctx),
            &domain_filter,
            &super::connection::page_args(ctx, first, after, last, before),
        )
        .await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, BusinessNeed))
    }

    /// One need the caller may read; null otherwise.
    async fn business_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The need's global ID.")] id: ID,
    ) -> Result<Option<BusinessNeed>> {
        let key = ids::decode_as(&id, NodeType::BusinessNeed, "id")?;
        Ok(needs::readable(db(ctx)?, caller(ctx), key)
            .await?
            .map(BusinessNeed))
    }

    /// The proposals the caller may read, newest first: its institution's own, and those to
    /// its institution's needs; everything for network admins; nothing for anyone else.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n proposals.")] first: Option<i32>,
        #[graphql(desc = "Returns the proposals after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n proposals.")] last: Option<i32>,
        #[graphql(desc = "Returns the proposals before this cursor.")] before: Option<String>,
        #[graphql(desc = "Narrows the list; never widens it.")] filter: Option<ProposalFilterInput>,
    ) -> Result<Conn<Proposal>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = proposals::ProposalFilter {
            need_id: decode_opt(&filter.need_id, NodeType::BusinessNeed, "filter.needId")?,
            status: filter.status.map(Into::into),
            institution_id: decode_opt(
                &filter.institution_id,
                NodeType::Organization,
                "filter.institutionId",
            )?,
        };
        let listing = proposals::proposals(
            db,
            caller(ctx),
            &domain_filter,
            &super::connection::page_args(ctx, first, after, last, before),
        )
        .await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Proposal))
    }

    /// One proposal the caller may read; null otherwise (another institution's proposal does
    /// not exist for a proposer).
    async fn proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's global ID.")] id: ID,
    ) -> Result<Option<Proposal>> {
        let key = ids::decode_as(&id, NodeType::Proposal, "id")?;
        Ok(proposals::readable(db(ctx)?, caller(ctx), key)
            .await?
            .map(Proposal))
    }

    /// The SMEs that may answer a need the caller reads, best first, each with its score and
    /// the reasons for it (the score is explained in the README); null when the caller may not
    /// read the need. Everything scored is read as the caller may read it.
    async fn match_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The need's global ID.")] need_id: ID,
        #[graphql(default = 10, desc = "At most this many candidates, 0–50.")] first: i32,
    ) -> Result<Option<Vec<MatchCandidate>>> {
        let key = ids::decode_as(&need_id, NodeType::BusinessNeed, "needId")?;
        let first = usize::try_from(first)
            .ok()
            .filter(|n| *n <= 50)
            .ok_or_else(|| ApiError::bad_input("first", "`first` must be between 0 and 50"))?;
        let db = db(ctx)?;
        let Some(need) = needs::readable(db, caller(ctx), key).await? else {
            return Ok(None);
        };
        let ranked = scoring::candidates(db, caller(ctx), &need, first).await?;
        Ok(Some(
            ranked
                .into_iter()
                .map(|c| MatchCandidate {
                    sme: Sme::from(c.sme),
                    score: c.score,
                    reasons: c.reasons,
                })
                .collect(),
        ))
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Default)]
pub struct MatchingMutation;

#[Object]
impl MatchingMutation {
    /// Publishes an SME's showcase on the SME's consent (or publishes it again): evaluators and
    /// org admins of the institution that registered the SME. Retry-safe with `idempotencyKey`.
    async fn publish_sme_showcase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent and the headlines.")] input: PublishSmeShowcaseInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<SmeShowcase> {
        let key = fingerprint(&idempotency_key, "publishSmeShowcase", &input);
        let target = Some(input.sme_id.to_string());
        let parsed = (|| {
            Ok(showcase::NewShowcase {
                sme_id: ids::decode_as(&input.sme_id, NodeType::Sme, "input.smeId")?,
                consented_on: input.consented_on.0,
                headline_ja: text(input.headline_ja.clone(), "input.headlineJa", 200)?,
                headline_en: text(input.headline_en.clone(), "input.headlineEn", 200)?,
            })
        })();
        let row = showcase::publish(db(ctx)?, caller(ctx), target, parsed, key).await?;
        Ok(SmeShowcase(row))
    }

    /// Takes an SME's showcase down at once (the SME withdrew its consent): evaluators and org
    /// admins of the institution that registered the SME.
    async fn withdraw_sme_showcase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME's global ID.")] sme_id: ID,
    ) -> Result<SmeShowcase> {
        let key = ids::decode_as(&sme_id, NodeType::Sme, "smeId");
        let row = showcase::withdraw(db(ctx)?, caller(ctx), sme_id.to_string(), key).await?;
        Ok(SmeShowcase(row))
    }

    /// Adds a product to an SME: evaluators and org admins of the institution that registered
    /// it. Retry-safe with `idempotencyKey`.
    async fn add_sme_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product.")] input: AddSmeProductInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<SmeProduct> {
        let key = fingerprint(&idempotency_key, "addSmeProduct", &input);
        let target = Some(input.sme_id.to_string());
        let parsed = (|| {
            Ok(showcase::NewProduct {
                sme_id: ids::decode_as(&input.sme_id, NodeType::Sme, "input.smeId")?,
                name_ja: required(&input.name_ja, "input.nameJa", 200)?,
                name_en: required(&input.name_en, "input.nameEn", 200)?,
                description_ja: text(input.description_ja.clone(), "input.descriptionJa", 2000)?,
                description_en: text(input.description_en.clone(), "input.descriptionEn", 2000)?,
                fields: input.fields.iter().map(|f| (*f).into()).collect(),
                processes: input.processes.iter().map(|p| (*p).into()).collect(),
            })
        })();
        let row = showcase::add_product(db(ctx)?, caller(ctx), target, parsed, key).await?;
        Ok(SmeProduct(row))
    }

    /// Removes a product: evaluators and org admins of the institution that registered the SME.
    async fn remove_sme_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product's global ID.")] id: ID,
    ) -> Result<SmeProduct> {
        let key = ids::decode_as(&id, NodeType::SmeProduct, "id");
        let row = showcase::remove_product(db(ctx)?, caller(ctx), id.to_string(), key).await?;
        Ok(SmeProduct(row))
    }

    /// Posts a buyer's need: evaluators and org admins of a member institution, which then
    /// alone decides on its proposals. Retry-safe with `idempotencyKey`.
    async fn post_business_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The need.")] input: PostBusinessNeedInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<BusinessNeed> {
        let key = fingerprint(&idempotency_key, "postBusinessNeed", &input);
        let target = Some(input.title_en.clone());
        let parsed = (|| {
            let mut invited = Vec::new();
            for (i, id) in input.invited_institution_ids.iter().enumerate() {
                invited.push(ids::decode_as(
                    id,
                    NodeType::Organization,
                    &format!("input.invitedInstitutionIds[{i}]"),
                )?);
            }
            Ok(needs::NewNeed {
                buyer_id: ids::decode_as(&input.buyer_id, NodeType::Organization, "input.buyerId")?,
                kind: input.kind.into(),
                patent_id: decode_opt(&input.patent_id, NodeType::Patent, "input.patentId")?,
                title_ja: required(&input.title_ja, "input.titleJa", 200)?,
                title_en: required(&input.title_en, "input.titleEn", 200)?,
                description: text(input.description.clone(), "input.description", 4000)?,
                fields: input.fields.iter().map(|f| (*f).into()).collect(),
                processes: input.processes.iter().map(|p| (*p).into()).collect(),
                quantity: input.quantity,
                budget_min: input.budget_min.map(|y| y.0),
                budget_max: input.budget_max.map(|y| y.0),
                deadline: input.deadline,
                delivery_place: text(input.delivery_place.clone(), "input.deliveryPlace", 200)?,
                visibility: input.visibility.into(),
                invited,
            })
        })();
        let row = needs::post(db(ctx)?, events(ctx)?, caller(ctx), target, parsed, key).await?;
        Ok(BusinessNeed(row))
    }

    /// OPEN → CLOSED, before the deadline: evaluators and org admins of the need's institution.
    async fn close_business_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The need's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT. Any when omitted.")]
        version: Option<i32>,
    ) -> Result<BusinessNeed> {
        need_move(ctx, NeedAction::Close, id, version).await
    }

    /// OPEN or CLOSED → CANCELLED: evaluators and org admins of the need's institution.
    async fn cancel_business_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The need's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT. Any when omitted.")]
        version: Option<i32>,
    ) -> Result<BusinessNeed> {
        need_move(ctx, NeedAction::Cancel, id, version).await
    }

    /// Proposes one SME, or a consortium for a joint order, to an `OPEN` need: evaluators and
    /// org admins of a member institution other than the need's. The shares sum to 100 and an
    /// SME comes once (refused naming the field otherwise). Retry-safe with `idempotencyKey`.
    async fn submit_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] input: SubmitProposalInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<Proposal> {
        let key = fingerprint(&idempotency_key, "submitProposal", &input);
        let target = Some(input.need_id.to_string());
        let parsed = (|| {
            let member = |m: &ProposalMemberInput, path: &str| -> ApiResult<proposals::Member> {
                Ok(proposals::Member {
                    sme_id: ids::decode_as(&m.sme_id, NodeType::Sme, &format!("{path}.smeId"))?,
                    processes: m.processes.iter().map(|p| (*p).into()).collect(),
                    share: m.share,
                })
            };
            let mut partners = Vec::new();
            for (i, m) in input.partners.iter().enumerate() {
                partners.push(member(m, &format!("input.partners[{i}]"))?);
            }
            Ok(proposals::NewProposal {
                need_id: ids::decode_as(&input.need_id, NodeType::BusinessNeed, "input.needId")?,
                summary: required(&input.summary, "input.summary", 4000)?,
                price: input.price.map(|y| y.0),
                lead: member(&input.lead, "input.lead")?,
                partners,
            })
        })();
        let row =
            proposals::submit(db(ctx)?, events(ctx)?, caller(ctx), target, parsed, key).await?;
        Ok(Proposal(row))
    }

    /// SUBMITTED → SHORTLISTED: evaluators and org admins of the need's institution.
    async fn shortlist_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT. Any when omitted.")]
        version: Option<i32>,
    ) -> Result<Proposal> {
        proposal_move(
            ctx,
            Ok(ProposalAction::Shortlist),
            "shortlistProposal",
            id,
            version,
        )
        .await
    }

    /// SHORTLISTED → ACCEPTED, and (unless `awardNeed` is false) the need AWARDED: evaluators
    /// and org admins of the need's institution.
    async fn accept_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT. Any when omitted.")]
        version: Option<i32>,
        #[graphql(default = true, desc = "Whether the need is awarded with it.")] award_need: bool,
        #[graphql(desc = "A note to the proposer, up to 2000 characters.")] note: Option<String>,
    ) -> Result<Proposal> {
        let action = text(note, "note", 2000).map(|note| ProposalAction::Accept {
            award: award_need,
            note,
        });
        proposal_move(ctx, action, "acceptProposal", id, version).await
    }

    /// SUBMITTED or SHORTLISTED → DECLINED: evaluators and org admins of the need's institution.
    async fn decline_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT. Any when omitted.")]
        version: Option<i32>,
        #[graphql(desc = "A note to the proposer, up to 2000 characters.")] note: Option<String>,
    ) -> Result<Proposal> {
        let action = text(note, "note", 2000).map(|note| ProposalAction::Decline { note });
        proposal_move(ctx, action, "declineProposal", id, version).await
    }

    /// SUBMITTED or SHORTLISTED → WITHDRAWN: evaluators and org admins of the proposing
    /// institution.
    async fn withdraw_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT. Any when omitted.")]
        version: Option<i32>,
        #[graphql(desc = "Why, up to 2000 characters.")] reason: Option<String>,
    ) -> Result<Proposal> {
        let action = text(reason, "reason", 2000).map(|reason| ProposalAction::Withdraw { reason });
        proposal_move(ctx, action, "withdrawProposal", id, version).await
    }
}

async fn need_move(
    ctx: &Context<'_>,
    action: NeedAction,
    id: ID,
    version: Option<i32>,
) -> Result<BusinessNeed> {
    let key = ids::decode_as(&id, NodeType::BusinessNeed, "id");
    let row = needs::transition(
        db(ctx)?,
        events(ctx)?,
        caller(ctx),
        action,
        key,
        version,
        id.to_string(),
    )
    .await?;
    Ok(BusinessNeed(row))
}

async fn proposal_move(
    ctx: &Context<'_>,
    action: ApiResult<ProposalAction>,
    operation: &'static str,
    id: ID,
    version: Option<i32>,
) -> Result<Proposal> {
    let key = ids::decode_as(&id, NodeType::Proposal, "id");
    let request = proposals::Move {
        action,
        operation,
        id: key,
        version,
        target: id.to_string(),
    };
    let row = proposals::transition(db(ctx)?, events(ctx)?, caller(ctx), request).await?;
    Ok(Proposal(row))
}

// ---------------------------------------------------------------- subscriptions

/// A change to a need the caller's institution posted or proposed to.
#[derive(SimpleObject)]
pub struct NeedChange {
    /// The need's global ID.
    need_id: ID,
    /// Where it stands after the change (as stored then; `CLOSED` past the deadline).
    status: NeedStatus,
    /// The need's version after the change.
    version: i32,
    /// `posted`, `closed`, `cancelled` or `awarded`.
    change: String,
}

/// A change to a proposal of the caller's institution, as proposer or as the need's
/// institution.
#[derive(SimpleObject)]
pub struct ProposalChange {
    /// The proposal's global ID.
    proposal_id: ID,
    /// The need's global ID.
    need_id: ID,
    /// Where it stands after the change.
    status: ProposalStatus,
    /// The proposal's version after the change.
    version: i32,
    /// `submitted`, `shortlisted`, `accepted`, `declined` or `withdrawn`.
    change: String,
}

#[derive(Default)]
pub struct MatchingSubscription;

#[Subscription]
impl MatchingSubscription {
    /// Needs as they change, made through any API instance: the posting institution hears of
    /// its needs, proposing institutions of the needs they proposed to, while they may read
    /// them.
    async fn need_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = NeedChange> + use<>> {
        let caller = caller(ctx).clone();
        caller.require_authenticated()?;
        let db = db(ctx)?.clone();
        let changes = crate::domain::events::received(events(ctx)?.subscribe_needs());
        Ok(changes.filter_map(move |event| {
            let (db, caller) = (db.clone(), caller.clone());
            async move {
                match needs::heard_by(&db, &caller, &event).await {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(err) => {
                        tracing::warn!(error = ?err, "could not check who hears a need event");
                        return None;
                    }
                }
                let row = needs::readable(&db, &caller, event.need_id)
                    .await
                    .ok()
                    .flatten()?;
                let mut at_event = row;
                if let Ok(stored) =
                    <matching_enums::NeedStatus as sea_orm::ActiveEnum>::try_from_value(
                        &event.status,
                    )
                {
                    at_event.status = stored;
                }
                Some(NeedChange {
                    need_id: NodeType::BusinessNeed.id(event.need_id),
                    status: needs::state_of(&at_event, Utc::now()).into(),
                    version: event.version,
                    change: event.change,
                })
            }
        }))
    }

    /// Proposals as they change, made through any API instance: heard by the proposing
    /// institution and the need's institution only.
    async fn proposal_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = ProposalChange> + use<>> {
        let caller = caller(ctx).clone();
        caller.require_authenticated()?;
        let db = db(ctx)?.clone();
        let changes = crate::domain::events::received(events(ctx)?.subscribe_proposals());
        Ok(changes.filter_map(move |event| {
            let (db, caller) = (db.clone(), caller.clone());
            async move {
                match proposals::heard_by(&db, &caller, &event).await {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(err) => {
                        tracing::warn!(error = ?err, "could not check who hears a proposal event");
                        return None;
                    }
                }
                let status =
                    <matching_enums::ProposalStatus as sea_orm::ActiveEnum>::try_from_value(
                        &event.status,
                    )
                    .ok()?;
                Some(ProposalChange {
                    proposal_id: NodeType::Proposal.id(event.proposal_id),
                    need_id: NodeType::BusinessNeed.id(event.need_id),
                    status: status.into(),
                    version: event.version,
                    change: event.change,
                })
            }
        }))
    }
}
