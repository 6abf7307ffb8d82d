//! Patents, their explanations for SMEs, and licensing inquiries in GraphQL.

use async_graphql::{
    Context, Enum, ID, InputObject, InputType, MaybeUndefined, Object, Result, SimpleObject,
    Subscription,
};
use chrono::{DateTime, Utc};
use entity::{enums, licensing_inquiry, patent, patent_explanation, patent_explanation_version};
use futures_util::{Stream, StreamExt};

use super::{
    connection::{Conn, connection},
    context::{caller, db, loaders},
    directory::Organization,
    ids::{self, NodeType},
    inputs::{change, required},
    loaders::{ExplanationOfPatent, OrganizationId, SmeId},
    qualifications::Date,
    smes::Sme,
    vocabulary::IndustryField,
};
use crate::{
    domain::{
        events::EventBus,
        fields,
        idempotency::Idempotency,
        page::PageArgs,
        patents::{
            self, NewPatent, PatentChanges, PatentFilter,
            explanations::{self, ExplanationTexts, NewExplanation},
            inquiries::{self, InquiryFilter, NewInquiry},
            ipc::{self, IpcPrefix, IpcSymbol},
            numbers::{ApplicationNumber, RegistrationNumber, Trl},
            statistics, suggestions,
        },
        profile,
        search::SearchText,
    },
    error::{ApiError, ApiResult},
};

/// Whether and how a patent's holder offers it for licensing.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::PatentLicensing")]
pub enum PatentLicensing {
    /// Offered: SMEs may send inquiries.
    Open,
    /// The holder is negotiating a licence; not offered meanwhile.
    UnderNegotiation,
    /// Licensed exclusively: no longer offered.
    LicensedExclusively,
    /// The holder does not offer it.
    NotOffered,
}

/// A form of licence.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::LicenceForm")]
pub enum LicenceForm {
    /// A non-exclusive licence (通常実施権).
    NonExclusive,
    /// An exclusive licence (専用実施権 or an exclusive 通常実施権).
    Exclusive,
    /// An option: time to evaluate the invention before licensing it.
    Option,
    /// The patent's assignment (譲渡).
    Assignment,
}

/// Where a patent's explanation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::ExplanationStatus", name = "PatentExplanationStatus")]
pub enum ExplanationStatus {
    /// Being written.
    Draft,
    /// Submitted to the holder's review.
    InReview,
    /// Published by the holder: what everyone who may read the patent reads.
    Published,
}

/// Where a licensing inquiry stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::InquiryStatus", name = "LicensingInquiryStatus")]
pub enum InquiryStatus {
    /// Sent to the holder.
    Sent,
    /// The holder has acknowledged it.
    Acknowledged,
    /// The holder and the SME are discussing a licence.
    InDiscussion,
    /// A licence was agreed: an end.
    Agreed,
    /// The holder declined: an end.
    Declined,
    /// The sender withdrew it: an end.
    Withdrawn,
}

// ---------------------------------------------------------------- objects

pub struct Patent(pub patent::Model);

/// A patent (or application) of a research institute, university or company, offered to SMEs.
#[Object]
impl Patent {
    /// The patent's opaque global ID.
    pub async fn id(&self) -> ID {
        NodeType::Patent.id(self.0.id)
    }
    /// The holding organisation.
    async fn holder(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = loaders(ctx)?
            .load_one(OrganizationId(self.0.holder_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("a patent's holder is missing"))?;
        Ok(Organization::from(row))
    }
    /// The Japanese application number (出願番号), `YYYY-NNNNNN`.
    async fn application_number(&self) -> &str {
        &self.0.application_number
    }
    /// The registration number (登録番号), seven digits, once registered.
    async fn registration_number(&self) -> Option<&str> {
        self.0.registration_number.as_deref()
    }
    /// The registration number as the gazette writes it: `特許第NNNNNNN号`.
    async fn registration_number_written(&self) -> Option<String> {
        self.0
            .registration_number
            .as_deref()
            .map(RegistrationNumber::written)
    }
    /// The title in Japanese.
    async fn title_ja(&self) -> &str {
        &self.0.title_ja
    }
    /// The title in English.
    async fn title_en(&self) -> &str {
        &self.0.title_en
    }
    /// The original abstract, as filed.
    async fn original_abstract(&self) -> Option<&str> {
        self.0.abstract_text.as_deref()
    }
    /// IPC symbols, e.g. `H01M 8/12`.
    async fn ipc_classes(&self) -> Vec<String> {
        ipc::decode(&self.0.ipc_classes)
    }
    /// Industry fields the invention serves.
    async fn fields(&self) -> Vec<IndustryField> {
        fields::decode(&self.0.fields)
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// Technology Readiness Level, 1–9.
    async fn trl(&self) -> Option<i32> {
        self.0.trl.map(i32::from)
    }
    /// The filing date.
    async fn filed_on(&self) -> Date {
        Date(self.0.filed_on)
    }
    /// The day the patent expires; past it, it cannot be offered.
    async fn expires_on(&self) -> Date {
        Date(self.0.expires_on)
    }
    /// Whether it is offered for licensing.
    async fn licensing(&self) -> PatentLicensing {
        self.0.licensing.into()
    }
    /// The licence forms the holder offers.
    async fn licence_forms(&self) -> Vec<LicenceForm> {
        patents::decode_forms(&self.0.licence_forms)
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// 1 at creation, one more with every change; edits name the version they edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The explanation for SMEs: as it stands for the holder, its author and network admins;
    /// its latest published version for everyone else (null before the first is published).
    async fn explanation(&self, ctx: &Context<'_>) -> Result<Option<PatentExplanation>> {
        let row = loaders(ctx)?
            .load_one(ExplanationOfPatent {
                patent_id: self.0.id,
                holder_id: self.0.holder_id,
            })
            .await
            .map_err(ApiError::from)?;
        Ok(row.map(PatentExplanation))
    }
}

pub struct PatentExplanation(pub patent_explanation::Model);

/// A patent explained for SMEs, in plain words, in Japanese and English.
#[Object]
impl PatentExplanation {
    /// The explanation's opaque global ID.
    pub async fn id(&self) -> ID {
        NodeType::PatentExplanation.id(self.0.id)
    }
    /// The patent it explains.
    async fn patent(&self, ctx: &Context<'_>) -> Result<Option<Patent>> {
        Ok(patents::readable(db(ctx)?, caller(ctx), self.0.patent_id)
            .await?
            .map(Patent))
    }
    /// The institution whose person wrote it.
    async fn author_institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = loaders(ctx)?
            .load_one(OrganizationId(self.0.author_institution_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("an explanation's author institution is missing"))?;
        Ok(Organization::from(row))
    }
    /// Where it stands.
    async fn status(&self) -> ExplanationStatus {
        self.0.status.into()
    }
    /// The version shown; edits name the version they edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The latest published version, if any.
    async fn published_version(&self) -> Option<i32> {
        self.0.published_version
    }
    /// When the latest version was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// What the invention does, in Japanese.
    async fn summary_ja(&self) -> &str {
        &self.0.summary_ja
    }
    /// What the invention does, in English.
    async fn summary_en(&self) -> &str {
        &self.0.summary_en
    }
    /// What an SME could make with it, in Japanese.
    async fn applications_ja(&self) -> &str {
        &self.0.applications_ja
    }
    /// What an SME could make with it, in English.
    async fn applications_en(&self) -> &str {
        &self.0.applications_en
    }
    /// What it needs (equipment, skills), in Japanese.
    async fn requirements_ja(&self) -> &str {
        &self.0.requirements_ja
    }
    /// What it needs (equipment, skills), in English.
    async fn requirements_en(&self) -> &str {
        &self.0.requirements_en
    }
    /// When the version shown was made.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Its versions, oldest first: every one for the holder, the author and network admins; the
    /// published ones for everyone else.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<PatentExplanationVersion>> {
        let rows = explanations::versions(db(ctx)?, caller(ctx), self.0.id).await?;
        Ok(rows.into_iter().map(PatentExplanationVersion).collect())
    }
}

pub struct PatentExplanationVersion(patent_explanation_version::Model);

/// One version of an explanation, as it stood after a change.
#[Object]
impl PatentExplanationVersion {
    /// The version number.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// `created`, `edited`, `submitted`, `returned`, `published`.
    async fn change(&self) -> &str {
        &self.0.change
    }
    /// The status after the change.
    async fn status(&self) -> ExplanationStatus {
        self.0.status.into()
    }
    /// What the invention does, in Japanese.
    async fn summary_ja(&self) -> &str {
        &self.0.summary_ja
    }
    /// What the invention does, in English.
    async fn summary_en(&self) -> &str {
        &self.0.summary_en
    }
    /// What an SME could make with it, in Japanese.
    async fn applications_ja(&self) -> &str {
        &self.0.applications_ja
    }
    /// What an SME could make with it, in English.
    async fn applications_en(&self) -> &str {
        &self.0.applications_en
    }
    /// What it needs, in Japanese.
    async fn requirements_ja(&self) -> &str {
        &self.0.requirements_ja
    }
    /// What it needs, in English.
    async fn requirements_en(&self) -> &str {
        &self.0.requirements_en
    }
    /// Why it was sent back to DRAFT.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The institution the change was made for, by code.
    async fn changed_by_institution(&self) -> &str {
        &self.0.changed_by_institution
    }
    /// When.
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
}

pub struct LicensingInquiry(pub licensing_inquiry::Model);

/// An inquiry from a member institution, on behalf of an SME, to a patent's holder. Only the
/// two institutions and network admins see it.
#[Object]
impl LicensingInquiry {
    /// The inquiry's opaque global ID.
    pub async fn id(&self) -> ID {
        NodeType::LicensingInquiry.id(self.0.id)
    }
    /// The patent asked about (null if the caller may no longer read it).
    async fn patent(&self, ctx: &Context<'_>) -> Result<Option<Patent>> {
        Ok(patents::readable(db(ctx)?, caller(ctx), self.0.patent_id)
            .await?
            .map(Patent))
    }
    /// The SME on whose behalf it was sent.
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        let row = loaders(ctx)?
            .load_one(SmeId(self.0.sme_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("an inquiry's SME is missing"))?;
        Ok(Sme::from(row))
    }
    /// The member institution that sent it.
    async fn sender(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.sender_institution_id).await
    }
    /// The patent's holder.
    async fn holder(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.holder_id).await
    }
    /// The sender's message.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// Where it stands.
    async fn status(&self) -> InquiryStatus {
        self.0.status.into()
    }
    /// 1 when sent, one more with every move; a move may name the version it moves.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The licence agreed.
    async fn licence_form(&self) -> Option<LicenceForm> {
        self.0.licence_form.map(Into::into)
    }
    /// The day the licence was agreed.
    async fn agreed_on(&self) -> Option<Date> {
        self.0.agreed_on.map(Date)
    }
    /// Why it was declined or withdrawn.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last moved.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

async fn organization(ctx: &Context<'_>, id: i64) -> Result<Organization> {
    let row = loaders(ctx)?
        .load_one(OrganizationId(id))
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::corrupt("an inquiry's institution is missing"))?;
    Ok(Organization::from(row))
}

/// A patent suggested to an SME.
#[derive(SimpleObject)]
pub struct PatentSuggestion {
    /// The patent.
    patent: Patent,
    /// How well it fits: higher is better.
    score: i32,
    /// Why it was suggested, in English.
    reasons: Vec<String>,
}

pub struct PatentHolderFigures(statistics::HolderFigures);

/// One holder's figures in one fiscal year, for the network's report.
#[Object]
impl PatentHolderFigures {
    /// The holder.
    async fn holder(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.holder_id).await
    }
    /// Its patents whose explanation was published in the year.
    async fn patents_explained(&self) -> u64 {
        self.0.patents_explained
    }
    /// Licensing inquiries it received in the year.
    async fn inquiries(&self) -> u64 {
        self.0.inquiries
    }
    /// Licences it agreed in the year.
    async fn licences_agreed(&self) -> u64 {
        self.0.licences_agreed
    }
}

/// An SME's suggested patents: called from `Sme.suggestedPatents`.
pub async fn suggested_for(
    ctx: &Context<'_>,
    sme: &entity::sme::Model,
    first: i32,
) -> Result<Vec<PatentSuggestion>> {
    let first = usize::try_from(first)
        .ok()
        .filter(|n| *n <= 50)
        .ok_or_else(|| ApiError::bad_input("first", "`first` must be between 0 and 50"))?;
    let found = suggestions::for_sme(db(ctx)?, caller(ctx), sme, first).await?;
    Ok(found
        .into_iter()
        .map(|s| PatentSuggestion {
            patent: Patent(s.patent),
            score: s.score,
            reasons: s.reasons,
        })
        .collect())
}

/// An organisation's patents: called from `Organization.patents`.
pub async fn of_holder(ctx: &Context<'_>, holder_id: i64, page: PageArgs) -> Result<Conn<Patent>> {
    let db = db(ctx)?;
    let filter = PatentFilter {
        holder_id: Some(holder_id),
        ..Default::default()
    };
    let listing = patents::patents(db, caller(ctx), &filter, &page).await?;
    Ok(connection(db, listing, Patent))
}

// ---------------------------------------------------------------- inputs

/// Which patents to list; every field narrows.
#[derive(InputObject, Default)]
#[graphql(name = "PatentFilter")]
pub struct PatentFilterInput {
    /// Words in the titles, abstract or published explanation, Japanese or English; results
    /// come by relevance. The newest 1,001 matches are ranked: when more match, `totalCount`
    /// is 1,000, `totalCountIsExact` is false, and older matches need a narrower search.
    pub search: Option<String>,
    /// An industry field the patent serves.
    pub field: Option<IndustryField>,
    /// An IPC symbol or a level above it: `H`, `H01`, `H01M`, `H01M 8`, `H01M 8/12`.
    pub ipc_class: Option<String>,
    /// The holding organisation.
    pub holder_id: Option<ID>,
    /// The lowest Technology Readiness Level, 1–9.
    pub trl_at_least: Option<i32>,
    /// Whether it is offered.
    pub licensing: Option<PatentLicensing>,
}

impl PatentFilterInput {
    fn parse(self) -> ApiResult<PatentFilter> {
        Ok(PatentFilter {
            search: self
                .search
                .map(|s| {
                    SearchText::parse(&s)
                        .map_err(|e| ApiError::bad_input("filter.search", e.to_string()))
                })
                .transpose()?,
            field: self.field.map(Into::into),
            ipc_class: self
                .ipc_class
                .map(|c| {
                    IpcPrefix::parse(&c).map_err(|m| ApiError::bad_input("filter.ipcClass", m))
                })
                .transpose()?,
            holder_id: self
                .holder_id
                .as_ref()
                .map(|id| ids::decode_as(id, NodeType::Organization, "filter.holderId"))
                .transpose()?,
            trl_at_least: self
                .trl_at_least
                .map(|t| Trl::parse(t).map_err(|m| ApiError::bad_input("filter.trlAtLeast", m)))
                .transpose()?,
            licensing: self.licensing.map(Into::into),
        })
    }
}

/// Which licensing inquiries to list; every field narrows.
#[derive(InputObject, Default)]
#[graphql(name = "LicensingInquiryFilter")]
pub struct InquiryFilterInput {
    /// The patent asked about.
    pub patent_id: Option<ID>,
    /// The SME on whose behalf it was sent.
    pub sme_id: Option<ID>,
    /// Where it stands.
    pub status: Option<InquiryStatus>,
}

/// A patent as its holder records it.
#[derive(InputObject)]
pub struct CreatePatentInput {
    /// The holder, when a network admin records a patent for another organisation; otherwise
    /// the caller's institution.
    pub holder_id: Option<ID>,
    /// `YYYY-NNNNNN`: the filing year (1985 to this year) and six digits.
    pub application_number: String,
    /// Seven digits, plain (`5123456`) or as written (`特許第5123456号`).
    pub registration_number: Option<String>,
    /// The title in Japanese, at most 300 characters.
    pub title_ja: String,
    /// The title in English, at most 300 characters.
    pub title_en: String,
    /// The original abstract, at most 5,000 characters.
    pub original_abstract: Option<String>,
    /// IPC symbols like `H01M 8/12`, at most 20.
    #[graphql(default)]
    pub ipc_classes: Vec<String>,
    /// Industry fields the invention serves.
    #[graphql(default)]
    pub fields: Vec<IndustryField>,
    /// Technology Readiness Level, 1–9.
    pub trl: Option<i32>,
    /// The filing date: in the application number's year.
    pub filed_on: Date,
    /// The expiry date: after the filing date.
    pub expires_on: Date,
    /// Whether it is offered; OPEN needs an unexpired patent and a licence form.
    pub licensing: PatentLicensing,
    /// The licence forms offered.
    #[graphql(default)]
    pub licence_forms: Vec<LicenceForm>,
}

/// Changes to a patent; an omitted field stays as it is.
#[derive(InputObject, Default)]
pub struct UpdatePatentInput {
    /// Seven digits, plain or as written; null clears it.
    pub registration_number: MaybeUndefined<String>,
    /// The title in Japanese.
    pub title_ja: Option<String>,
    /// The title in English.
    pub title_en: Option<String>,
    /// The original abstract; null clears it.
    pub original_abstract: MaybeUndefined<String>,
    /// Replaces the IPC symbols.
    pub ipc_classes: Option<Vec<String>>,
    /// Replaces the industry fields.
    pub fields: Option<Vec<IndustryField>>,
    /// Technology Readiness Level, 1–9; null clears it.
    pub trl: MaybeUndefined<i32>,
    /// The expiry date.
    pub expires_on: Option<Date>,
    /// Whether it is offered.
    pub licensing: Option<PatentLicensing>,
    /// Replaces the licence forms offered.
    pub licence_forms: Option<Vec<LicenceForm>>,
}

fn registration(value: &str) -> ApiResult<RegistrationNumber> {
    RegistrationNumber::parse(value).map_err(|m| ApiError::bad_input("input.registrationNumber", m))
}

fn trl(value: i32) -> ApiResult<Trl> {
    Trl::parse(value).map_err(|m| ApiError::bad_input("input.trl", m))
}

fn abstract_text(value: &str) -> ApiResult<Option<String>> {
    profile::text(value, patents::MAX_ABSTRACT_CHARS)
        .map_err(|m| ApiError::bad_input("input.originalAbstract", m))
}

fn ipc_symbols(values: &[String]) -> ApiResult<Vec<IpcSymbol>> {
    if values.len() > patents::MAX_IPC_CLASSES {
        return Err(ApiError::bad_input(
            "input.ipcClasses",
            format!("at most {} IPC symbols", patents::MAX_IPC_CLASSES),
        ));
    }
    let mut symbols: Vec<IpcSymbol> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let symbol = IpcSymbol::parse(value)
            .map_err(|m| ApiError::bad_input(format!("input.ipcClasses.{i}"), m))?;
        if !symbols.contains(&symbol) {
            symbols.push(symbol);
        }
    }
    Ok(symbols)
}

fn dedup<T: PartialEq + Copy>(values: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

impl CreatePatentInput {
    fn parse(&self) -> ApiResult<NewPatent> {
        let current_year = chrono::Datelike::year(&crate::domain::dates::today_in_japan());
        Ok(NewPatent {
            holder_id: self
                .holder_id
                .as_ref()
                .map(|id| ids::decode_as(id, NodeType::Organization, "input.holderId"))
                .transpose()?,
            application_number: ApplicationNumber::parse(&self.application_number, current_year)
                .map_err(|m| ApiError::bad_input("input.applicationNumber", m))?,
            registration_number: self
                .registration_number
                .as_deref()
                .map(registration)
                .transpose()?,
            title_ja: required(&self.title_ja, "input.titleJa", patents::MAX_TITLE_CHARS)?,
            title_en: required(&self.title_en, "input.titleEn", patents::MAX_TITLE_CHARS)?,
            abstract_text: self
                .original_abstract
                .as_deref()
                .map(abstract_text)
                .transpose()?
                .flatten(),
            ipc_classes: ipc_symbols(&self.ipc_classes)?,
            fields: dedup(self.fields.iter().map(|f| enums::IndustryField::from(*f))),
            trl: self.trl.map(trl).transpose()?,
            filed_on: self.filed_on.0,
            expires_on: self.expires_on.0,
            licensing: self.licensing.into(),
            licence_forms: dedup(
                self.licence_forms
                    .iter()
                    .map(|f| enums::LicenceForm::from(*f)),
            ),
        })
    }
}

impl UpdatePatentInput {
    fn parse(self) -> ApiResult<PatentChanges> {
        Ok(PatentChanges {
            registration_number: change(self.registration_number, |v| registration(&v))?,
            title_ja: self
                .title_ja
                .map(|t| required(&t, "input.titleJa", patents::MAX_TITLE_CHARS))
                .transpose()?,
            title_en: self
                .title_en
                .map(|t| required(&t, "input.titleEn", patents::MAX_TITLE_CHARS))
                .transpose()?,
            // A blank abstract clears it.
            abstract_text: change(self.original_abstract, |v| abstract_text(&v))?.flatten(),
            ipc_classes: self.ipc_classes.map(|v| ipc_symbols(&v)).transpose()?,
            fields: self
                .fields
                .map(|v| dedup(v.into_iter().map(enums::IndustryField::from))),
            trl: change(self.trl, trl)?,
            expires_on: self.expires_on.map(|d| d.0),
            licensing: self.licensing.map(Into::into),
            licence_forms: self
                .licence_forms
                .map(|v| dedup(v.into_iter().map(enums::LicenceForm::from))),
        })
    }
}

/// The texts of an explanation: plain words for SMEs, each at most 2,000 characters.
#[derive(InputObject)]
pub struct PatentExplanationTextsInput {
    /// What the invention does, in Japanese.
    pub summary_ja: String,
    /// What the invention does, in English.
    pub summary_en: String,
    /// What an SME could make with it, in Japanese.
    pub applications_ja: String,
    /// What an SME could make with it, in English.
    pub applications_en: String,
    /// What it needs (equipment, skills), in Japanese.
    pub requirements_ja: String,
    /// What it needs (equipment, skills), in English.
    pub requirements_en: String,
}

impl PatentExplanationTextsInput {
    fn parse(&self, prefix: &str) -> ApiResult<ExplanationTexts> {
        let text = |value: &str, name: &str| {
            required(
                value,
                &format!("{prefix}.{name}"),
                explanations::MAX_TEXT_CHARS,
            )
        };
        Ok(ExplanationTexts {
            summary_ja: text(&self.summary_ja, "summaryJa")?,
            summary_en: text(&self.summary_en, "summaryEn")?,
            applications_ja: text(&self.applications_ja, "applicationsJa")?,
            applications_en: text(&self.applications_en, "applicationsEn")?,
            requirements_ja: text(&self.requirements_ja, "requirementsJa")?,
            requirements_en: text(&self.requirements_en, "requirementsEn")?,
        })
    }
}

/// A new explanation of a patent.
#[derive(InputObject)]
pub struct CreatePatentExplanationInput {
    /// The patent it explains.
    pub patent_id: ID,
    /// Its texts.
    pub texts: PatentExplanationTextsInput,
}

/// A licensing inquiry on behalf of an SME.
#[derive(InputObject)]
pub struct SendLicensingInquiryInput {
    /// The patent asked about: OPEN and in force.
    pub patent_id: ID,
    /// The SME, one the caller's institution registered or evaluated.
    pub sme_id: ID,
    /// To the holder, at most 4,000 characters.
    pub message: String,
}

fn key(key: &str, operation: &str, request: serde_json::Value) -> Option<ApiResult<Idempotency>> {
    Some(Idempotency::parse(key, operation, &request))
}

fn json_of<T: InputType>(input: &T) -> serde_json::Value {
    input.to_value().into_json().unwrap_or_default()
}

fn events<'a>(ctx: &Context<'a>) -> Result<&'a EventBus> {
    ctx.data::<EventBus>()
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct PatentQuery;

#[Object]
impl PatentQuery {
    /// Patents the caller may read (anonymous callers and partner websites: OPEN patents in
    /// force with a published explanation), newest first, or by relevance when searching.
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
        #[graphql(desc = "Narrows the patents listed; every field given must match.")]
        filter: Option<PatentFilterInput>,
    ) -> Result<Conn<Patent>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default().parse()?;
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing = patents::patents(db, caller(ctx), &filter, &page).await?;
        Ok(connection(db, listing, Patent))
    }

    /// One patent the caller may read; null otherwise.
    async fn patent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patent's global ID.")] id: ID,
    ) -> Result<Option<Patent>> {
        let key = ids::decode_as(&id, NodeType::Patent, "id")?;
        Ok(patents::readable(db(ctx)?, caller(ctx), key)
            .await?
            .map(Patent))
    }

    /// Licensing inquiries the caller's institution sent or received (network admins: all),
    /// newest first. Signed-in callers.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn licensing_inquiries(
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
        #[graphql(desc = "Narrows the inquiries listed; every field given must match.")]
        filter: Option<InquiryFilterInput>,
    ) -> Result<Conn<LicensingInquiry>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = InquiryFilter {
            patent_id: filter
                .patent_id
                .as_ref()
                .map(|id| ids::decode_as(id, NodeType::Patent, "filter.patentId"))
                .transpose()?,
            sme_id: filter
                .sme_id
                .as_ref()
                .map(|id| ids::decode_as(id, NodeType::Sme, "filter.smeId"))
                .transpose()?,
            status: filter.status.map(Into::into),
        };
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing = inquiries::inquiries(db, caller(ctx), &domain_filter, &page).await?;
        Ok(connection(db, listing, LicensingInquiry))
    }

    /// Public figures of a Japanese fiscal year (April to March) by holder: patents explained,
    /// inquiries received, licences agreed.
    async fn patent_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The Japanese fiscal year: FY2025 runs from 1 April 2025 to 31 March 2026."
        )]
        fiscal_year: i32,
    ) -> Result<Vec<PatentHolderFigures>> {
        let rows = statistics::for_fiscal_year(db(ctx)?, fiscal_year).await?;
        Ok(rows.into_iter().map(PatentHolderFigures).collect())
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Default)]
pub struct PatentMutation;

#[Object]
impl PatentMutation {
    /// Records a patent of the caller's institution: its `licensing` or `org_admin` (a network
    /// admin may name another holder). Retry-safe with `idempotencyKey`.
    async fn create_patent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patent.")] input: CreatePatentInput,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
    ) -> Result<Patent> {
        let fingerprint = key(&idempotency_key, "createPatent", json_of(&input));
        let row = patents::create(db(ctx)?, caller(ctx), input.parse(), fingerprint).await?;
        Ok(Patent(row))
    }

    /// Edits a patent: the holder's `licensing` or `org_admin`, or network admins. `version` is
    /// the one being edited; a stale version is a CONFLICT.
    async fn update_patent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patent's global ID.")] id: ID,
        #[graphql(desc = "The version being edited: the patent's current `version`.")] version: i32,
        #[graphql(desc = "What changes.")] input: UpdatePatentInput,
    ) -> Result<Patent> {
        let key = ids::decode_as(&id, NodeType::Patent, "id");
        let row = patents::update(
            db(ctx)?,
            caller(ctx),
            id.to_string(),
            key,
            version,
            input.parse(),
        )
        .await?;
        Ok(Patent(row))
    }

    /// Writes the explanation of a patent, as a DRAFT: a member institution's evaluator or
    /// org_admin, or the holder's licensing or org_admin. Retry-safe with `idempotencyKey`.
    async fn create_patent_explanation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patent and the texts.")] input: CreatePatentExplanationInput,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
    ) -> Result<PatentExplanation> {
        let fingerprint = key(&idempotency_key, "createPatentExplanation", json_of(&input));
        let parsed = (|| {
            Ok(NewExplanation {
                patent_id: ids::decode_as(&input.patent_id, NodeType::Patent, "input.patentId")?,
                texts: input.texts.parse("input.texts")?,
            })
        })();
        let row = explanations::create(db(ctx)?, caller(ctx), parsed, fingerprint).await?;
        Ok(PatentExplanation(row))
    }

    /// Rewrites a DRAFT or PUBLISHED explanation (a published one becomes a new DRAFT; its
    /// published version stays readable): the author's institution or the holder. `version` is
    /// the one being edited.
    async fn update_patent_explanation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The explanation's global ID.")] id: ID,
        #[graphql(desc = "The version being edited: the explanation's current `version`.")]
        version: i32,
        #[graphql(desc = "The new texts, all six.")] texts: PatentExplanationTextsInput,
    ) -> Result<PatentExplanation> {
        let key = ids::decode_as(&id, NodeType::PatentExplanation, "id");
        let row = explanations::update(
            db(ctx)?,
            caller(ctx),
            id.to_string(),
            key,
            version,
            texts.parse("texts"),
        )
        .await?;
        Ok(PatentExplanation(row))
    }

    /// DRAFT → IN_REVIEW: the author's institution or the holder.
    async fn submit_patent_explanation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The explanation's global ID.")] id: ID,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
        #[graphql(desc = "When given, the version expected: another is a CONFLICT.")]
        version: Option<i32>,
    ) -> Result<PatentExplanation> {
        explain(
            ctx,
            explanations::Action::Submit,
            id,
            version,
            None,
            idempotency_key,
        )
        .await
    }

    /// IN_REVIEW → PUBLISHED: the holder's licensing or org_admin.
    async fn publish_patent_explanation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The explanation's global ID.")] id: ID,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
        #[graphql(desc = "When given, the version expected: another is a CONFLICT.")]
        version: Option<i32>,
    ) -> Result<PatentExplanation> {
        explain(
            ctx,
            explanations::Action::Publish,
            id,
            version,
            None,
            idempotency_key,
        )
        .await
    }

    /// IN_REVIEW → DRAFT, with a reason: the holder's licensing or org_admin.
    async fn return_patent_explanation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The explanation's global ID.")] id: ID,
        #[graphql(desc = "Why it goes back to DRAFT, at most 2,000 characters.")] reason: String,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
        #[graphql(desc = "When given, the version expected: another is a CONFLICT.")]
        version: Option<i32>,
    ) -> Result<PatentExplanation> {
        explain(
            ctx,
            explanations::Action::Return,
            id,
            version,
            Some(reason),
            idempotency_key,
        )
        .await
    }

    /// Sends a licensing inquiry about an OPEN patent on behalf of an SME the caller's
    /// institution registered or evaluated: a member institution's evaluator or org_admin.
    /// Retry-safe with `idempotencyKey`.
    async fn send_licensing_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patent, the SME and the message.")] input: SendLicensingInquiryInput,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
    ) -> Result<LicensingInquiry> {
        let fingerprint = key(&idempotency_key, "sendLicensingInquiry", json_of(&input));
        let parsed = (|| {
            Ok(NewInquiry {
                patent_id: ids::decode_as(&input.patent_id, NodeType::Patent, "input.patentId")?,
                sme_id: ids::decode_as(&input.sme_id, NodeType::Sme, "input.smeId")?,
                message: required(
                    &input.message,
                    "input.message",
                    inquiries::MAX_MESSAGE_CHARS,
                )?,
            })
        })();
        let row = inquiries::send(db(ctx)?, events(ctx)?, caller(ctx), parsed, fingerprint).await?;
        Ok(LicensingInquiry(row))
    }

    /// SENT → ACKNOWLEDGED: the holder's licensing or org_admin.
    async fn acknowledge_licensing_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inquiry's global ID.")] id: ID,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
        #[graphql(desc = "When given, the version expected: another is a CONFLICT.")]
        version: Option<i32>,
    ) -> Result<LicensingInquiry> {
        inquire(
            ctx,
            inquiries::Action::Acknowledge,
            id,
            version,
            None,
            idempotency_key,
        )
        .await
    }

    /// ACKNOWLEDGED → IN_DISCUSSION: the holder's licensing or org_admin.
    async fn start_licensing_discussion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inquiry's global ID.")] id: ID,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
        #[graphql(desc = "When given, the version expected: another is a CONFLICT.")]
        version: Option<i32>,
    ) -> Result<LicensingInquiry> {
        inquire(
            ctx,
            inquiries::Action::StartDiscussion,
            id,
            version,
            None,
            idempotency_key,
        )
        .await
    }

    /// IN_DISCUSSION → AGREED, recording the licence form (one the patent offers) and the day
    /// (today by default); an EXCLUSIVE licence makes the patent LICENSED_EXCLUSIVELY: the
    /// holder's licensing or org_admin.
    async fn agree_licensing_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inquiry's global ID.")] id: ID,
        #[graphql(desc = "The licence agreed: one the patent offers.")] licence_form: LicenceForm,
        #[graphql(
            desc = "The day it was agreed, not in the future; today (in Japan) when omitted."
        )]
        agreed_on: Option<Date>,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
        #[graphql(desc = "When given, the version expected: another is a CONFLICT.")]
        version: Option<i32>,
    ) -> Result<LicensingInquiry> {
        let action = inquiries::Action::Agree {
            form: licence_form.into(),
            on: agreed_on.map(|d| d.0),
        };
        inquire(ctx, action, id, version, None, idempotency_key).await
    }

    /// SENT, ACKNOWLEDGED or IN_DISCUSSION → DECLINED, with a reason: the holder's licensing or
    /// org_admin.
    async fn decline_licensing_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inquiry's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 2,000 characters.")] reason: String,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
        #[graphql(desc = "When given, the version expected: another is a CONFLICT.")]
        version: Option<i32>,
    ) -> Result<LicensingInquiry> {
        inquire(
            ctx,
            inquiries::Action::Decline,
            id,
            version,
            Some(reason),
            idempotency_key,
        )
        .await
    }

    /// SENT, ACKNOWLEDGED or IN_DISCUSSION → WITHDRAWN: the sending institution's evaluator or
    /// org_admin.
    async fn withdraw_licensing_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inquiry's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 2,000 characters.")] reason: Option<String>,
        #[graphql(
            desc = "A key the client makes for this attempt (a UUID is ideal); a retry with the same key and input returns the first result and changes nothing again."
        )]
        idempotency_key: String,
        #[graphql(desc = "When given, the version expected: another is a CONFLICT.")]
        version: Option<i32>,
    ) -> Result<LicensingInquiry> {
        inquire(
            ctx,
            inquiries::Action::Withdraw,
            id,
            version,
            reason,
            idempotency_key,
        )
        .await
    }
}

fn reason_text(reason: Option<String>) -> ApiResult<Option<String>> {
    reason
        .map(|r| profile::text(&r, 2000).map_err(|m| ApiError::bad_input("reason", m)))
        .transpose()
        .map(Option::flatten)
}

async fn explain(
    ctx: &Context<'_>,
    action: explanations::Action,
    id: ID,
    version: Option<i32>,
    reason: Option<String>,
    idempotency_key: String,
) -> Result<PatentExplanation> {
    let operation = format!("{action:?}Explanation");
    let fingerprint = key(
        &idempotency_key,
        &operation,
        serde_json::json!({ "id": id.as_str(), "version": version, "reason": reason }),
    );
    let request = explanations::Move {
        action,
        target: id.to_string(),
        id: ids::decode_as(&id, NodeType::PatentExplanation, "id"),
        version,
        reason: reason_text(reason),
        key: fingerprint,
    };
    let row = explanations::transition(db(ctx)?, caller(ctx), request).await?;
    Ok(PatentExplanation(row))
}

async fn inquire(
    ctx: &Context<'_>,
    action: inquiries::Action,
    id: ID,
    version: Option<i32>,
    note: Option<String>,
    idempotency_key: String,
) -> Result<LicensingInquiry> {
    let fingerprint = key(
        &idempotency_key,
        action.operation(),
        serde_json::json!({ "id": id.as_str(), "version": version, "note": note, "action": format!("{action:?}") }),
    );
    let request = inquiries::Move {
        action,
        target: id.to_string(),
        id: ids::decode_as(&id, NodeType::LicensingInquiry, "id"),
        version,
        note: reason_text(note),
        key: fingerprint,
    };
    let row = inquiries::transition(db(ctx)?, events(ctx)?, caller(ctx), request).await?;
    Ok(LicensingInquiry(row))
}

// ---------------------------------------------------------------- subscriptions

/// A change to a licensing inquiry the caller's institution sent or received.
#[derive(SimpleObject)]
pub struct LicensingInquiryChange {
    /// The inquiry.
    inquiry_id: ID,
    /// Where it stands after the change.
    status: InquiryStatus,
    /// Its version after the change: a subscriber may ignore a version it has seen.
    version: i32,
    /// `sent`, `acknowledged`, `discussion_started`, `agreed`, `declined`, `withdrawn`.
    change: String,
}

#[derive(Default)]
pub struct PatentSubscription;

#[Subscription]
impl PatentSubscription {
    /// Licensing inquiries the caller's institution sent or received, as they change, made
    /// through any API instance: both sides hear every move. Signed-in callers.
    async fn licensing_inquiry_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = LicensingInquiryChange> + use<>> {
        let caller = caller(ctx).clone();
        caller.require_authenticated()?;
        let db = db(ctx)?.clone();
        let receiver = events(ctx)?.subscribe_inquiries();
        let changes = crate::domain::events::received(receiver);
        Ok(changes.filter_map(move |event| {
            let (db, caller) = (db.clone(), caller.clone());
            async move {
                let status = event.status()?;
                match inquiries::heard_by(&db, &caller, &event).await {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(err) => {
                        tracing::warn!(error = ?err, "could not check who hears an inquiry event");
                        return None;
                    }
                }
                Some(LicensingInquiryChange {
                    inquiry_id: NodeType::LicensingInquiry.id(event.inquiry_id),
                    status: status.into(),
                    version: event.version,
                    change: event.change,
                })
            }
        }))
    }
}
