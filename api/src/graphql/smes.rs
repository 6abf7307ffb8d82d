//! SMEs in GraphQL: their profiles, classification, ratings summary, registration and
//! publication consent.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::{enums, sme};

use super::{
    connection::{Conn, connection},
    context::{caller, db, loaders, members_only},
    directory::ClusterProject,
    evaluations::Evaluation,
    ids::{self, NodeType},
    inputs::{Lookup, change, fingerprint, json_of, lookup, required},
    loaders::{ClusterProjectId, RatedEvaluationsOfSme},
    money::Yen,
    vocabulary::Prefecture,
};
use crate::{
    domain::{
        corporate_number::{CorporateNumber, InvoiceNumber},
        evaluation::{
            evaluations,
            smes::{self, NewSme, SmeChanges},
        },
        jsic::JsicCode,
        money,
        prefecture::PrefectureCode,
        search::SearchText,
    },
    error::{ApiError, ApiResult},
};

/// Whether an SME leads a niche market (the source's GNT and DNT companies).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::NicheStatus")]
pub enum NicheStatus {
    /// Global niche top.
    Gnt,
    /// Domestic niche top.
    Dnt,
    /// A candidate GNT company: a potential hidden champion.
    Candidate,
    /// None of these (the default).
    None,
}

/// The source's typology of cluster policy targets.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::ClusterType")]
pub enum ClusterType {
    /// Embryos of new clusters in metropolitan areas: bio and ICT start-ups.
    Type1,
    /// Hidden champions in industrial areas: machinery, materials, metal processing.
    Type2,
}

/// Held shared, as an [`Organization`](super::directory::Organization) is.
pub struct Sme(pub Arc<sme::Model>);

shared_row!(Sme, sme);

/// A small or medium-sized enterprise.
#[Object]
impl Sme {
    /// The SME's opaque global ID, for `node(id:)` and mutations.
    pub async fn id(&self) -> ID {
        NodeType::Sme.id(self.0.id)
    }
    /// The 13-digit corporate number (法人番号); null for a sole proprietor (個人事業主), who has
    /// none.
    async fn corporate_number(&self) -> Option<&str> {
        self.0.corporate_number.as_deref()
    }
    /// The qualified-invoice issuer registration number (適格請求書発行事業者登録番号), `T` and 13
    /// digits, when the SME has one. The National Tax Agency publishes these numbers.
    async fn invoice_number(&self) -> Option<&str> {
        self.0.invoice_number.as_deref()
    }
    /// The Japanese name, as registered.
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The prefecture of its seat.
    async fn prefecture(&self) -> Result<Prefecture> {
        Prefecture::of(self.0.prefecture_code)
    }
    /// The industry as a JSIC (日本標準産業分類, Revision 13) code: a major classification letter,
    /// optionally with its middle classification and a minor digit ("E", "E25", "E251").
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    /// The JSIC classification of `industry`, with the major classification's names.
    async fn industry_classification(&self) -> Option<IndustryClassification> {
        self.0
            .industry
            .as_deref()
            .and_then(|code| JsicCode::parse(code).ok())
            .map(IndustryClassification)
    }
    /// What was recorded as the industry before industries became JSIC codes, when it was not one.
    async fn industry_note(&self) -> Option<&str> {
        self.0.industry_note.as_deref()
    }
    /// Whether the SME Basic Act (中小企業基本法, Article 2(1)) counts this business as a small or
    /// medium-sized enterprise, from its industry, capital and regular employees; null when what
    /// is recorded cannot decide it. Members of the network only, as are the figures behind it.
    #[graphql(guard = "members_only")]
    async fn is_sme_under_basic_act(&self) -> Result<Option<bool>> {
        Ok(smes::is_sme_under_basic_act(&self.0))
    }
    /// Whether the SME leads a niche market.
    async fn niche_status(&self) -> NicheStatus {
        self.0.niche_status.into()
    }
    /// Which of the source's two kinds of cluster target the SME is; null when not classified.
    async fn cluster_type(&self) -> Option<ClusterType> {
        self.0.cluster_type.map(Into::into)
    }
    /// The cluster projects the SME takes part in.
    async fn cluster_projects(&self, ctx: &Context<'_>) -> Result<Vec<ClusterProject>> {
        let keys = smes::decode_projects(&self.0.cluster_projects)
            .into_iter()
            .map(ClusterProjectId);
        let found = loaders(ctx)?
            .load_many(keys)
            .await
            .map_err(ApiError::from)?;
        Ok(found.into_values().map(ClusterProject).collect())
    }
    /// Regular employees (常時使用する従業員); null when not recorded. Members of the network only.
    #[graphql(guard = "members_only")]
    async fn employees(&self) -> Result<Option<i32>> {
        Ok(self.0.employees)
    }
    /// Paid-in capital (資本金) in yen; null when not recorded. Members of the network only.
    #[graphql(guard = "members_only")]
    async fn capital_yen(&self) -> Result<Option<Yen>> {
        self.0
            .capital_yen
            .map(|v| {
                money::Yen::new(v).map(Yen).map_err(|e| {
                    ApiError::corrupt(format!("SME {} capital: {e}", self.0.id)).into()
                })
            })
            .transpose()
    }
    /// Whether the SME consents to the publication of its rating. Members only.
    #[graphql(guard = "members_only")]
    async fn publication_consent(&self) -> Result<Option<bool>> {
        Ok(Some(self.0.publication_consent))
    }
    /// Patents that fit the SME's industry fields (from its cluster projects), its industry's IPC
    /// classes and its latest evaluation the caller may read, best first, each with the reasons
    /// it was suggested: OPEN patents in force the caller may read. At most 50.
    async fn suggested_patents(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10, desc = "At most this many suggestions, 0–50.")] first: i32,
    ) -> Result<Vec<super::patents::PatentSuggestion>> {
        super::patents::suggested_for(ctx, &self.0, first).await
    }
    /// The SME's public showcase, while its consent to publication stands; null otherwise.
    async fn showcase(&self, ctx: &Context<'_>) -> Result<Option<super::matching::SmeShowcase>> {
        Ok(
            crate::domain::matching::showcase::of_sme(db(ctx)?, caller(ctx), self.0.id)
                .await?
                .map(super::matching::SmeShowcase),
        )
    }
    /// Orders the SME won through business matching (accepted proposals it was part of, with
    /// their partners, and meetings that ended in an order), newest first: only those the
    /// caller may read (the institutions that proposed, posted the need or organised the
    /// event, and network admins).
    async fn outcomes(&self, ctx: &Context<'_>) -> Result<Vec<super::matching_events::SmeOutcome>> {
        super::matching_events::outcomes_of(ctx, self.0.id).await
    }
    /// The latest rating of each institution and their mean, from the evaluations the caller may
    /// read (anonymous callers: published ones only).
    async fn rating_summary(&self, ctx: &Context<'_>) -> Result<RatingSummary> {
        let rows = loaders(ctx)?
            .load_one(RatedEvaluationsOfSme(self.0.id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        let summary = evaluations::summarize(rows);
        Ok(RatingSummary {
            count: summary.latest.len(),
            mean_score: summary.mean_score,
            latest: summary.latest.into_iter().map(Evaluation).collect(),
        })
    }
}

/// An SME's ratings across the institutions that evaluated it, as far as the caller may read them.
#[derive(SimpleObject)]
pub struct RatingSummary {
    /// The latest rated evaluation of each institution.
    latest: Vec<Evaluation>,
    /// The mean of their overall scores (1–5).
    mean_score: Option<f64>,
    /// How many institutions' ratings `latest` holds; 0 when none the caller may read.
    count: usize,
}

pub struct IndustryClassification(JsicCode);

/// A JSIC (日本標準産業分類, Revision 13) classification.
#[Object]
impl IndustryClassification {
    /// The whole code, e.g. "E25".
    async fn code(&self) -> String {
        self.0.to_string()
    }
    /// The major classification's letter, A–T.
    async fn major_code(&self) -> String {
        self.0.major().to_string()
    }
    /// The two-digit middle classification, when given.
    async fn middle_code(&self) -> Option<String> {
        self.0.middle().map(|m| format!("{m:02}"))
    }
    /// The major classification's Japanese name, e.g. 製造業.
    async fn major_name_ja(&self) -> &'static str {
        self.0.major_name_ja()
    }
    /// The major classification's English name, e.g. Manufacturing.
    async fn major_name_en(&self) -> &'static str {
        self.0.major_name_en()
    }
}

/// A new SME.
#[derive(InputObject)]
pub struct CreateSmeInput {
    /// 13 digits, checked by the check digit; omitted for a sole proprietor (個人事業主).
    pub corporate_number: Option<String>,
    /// `T` and 13 digits, checked; a company's is `T` and its corporate number.
    pub invoice_number: Option<String>,
    /// The registered Japanese name, at most 200 characters.
    pub name_ja: String,
    /// The English name, at most 200 characters.
    pub name_en: String,
    /// JIS X 0401 code, 1–47, of its seat.
    pub prefecture_code: i32,
    /// A JSIC code: "E", "E25" or "E251".
    pub industry: Option<String>,
    /// Regular employees, 0 or more.
    pub employees: Option<i32>,
    /// Paid-in capital (資本金) in whole yen, 0 to 2^53 − 1.
    pub capital_yen: Option<Yen>,
    /// `NONE` unless given.
    #[graphql(default_with = "NicheStatus::None")]
    pub niche_status: NicheStatus,
    /// The source's cluster typology, when it applies.
    pub cluster_type: Option<ClusterType>,
    /// Global IDs of the cluster projects it takes part in; none unless given.
    #[graphql(default)]
    pub cluster_project_ids: Vec<ID>,
}

/// Changes to an SME. An omitted field stays as it is; `null` clears an optional one. The
/// corporate number never changes.
#[derive(InputObject, Default)]
pub struct UpdateSmeInput {
    /// The registered Japanese name, at most 200 characters.
    pub name_ja: Option<String>,
    /// The English name, at most 200 characters.
    pub name_en: Option<String>,
    /// JIS X 0401 code, 1–47, of its seat.
    pub prefecture_code: Option<i32>,
    /// A JSIC code: "E", "E25" or "E251"; null clears it.
    pub industry: MaybeUndefined<String>,
    /// `T` and 13 digits; null clears it.
    pub invoice_number: MaybeUndefined<String>,
    /// Regular employees, 0 or more.
    pub employees: MaybeUndefined<i32>,
    /// Paid-in capital (資本金) in whole yen, 0 to 2^53 − 1; null clears it.
    pub capital_yen: MaybeUndefined<Yen>,
    /// Whether the SME leads a niche market.
    pub niche_status: Option<NicheStatus>,
    /// The source's cluster typology; null when it does not apply.
    pub cluster_type: MaybeUndefined<ClusterType>,
    /// Replaces the cluster projects it takes part in (global IDs).
    pub cluster_project_ids: Option<Vec<ID>>,
}

fn non_negative<T: PartialOrd + Default>(value: Option<T>, field: &str) -> ApiResult<Option<T>> {
    match value {
        Some(v) if v < T::default() => Err(ApiError::bad_input(field, "must not be negative")),
        other => Ok(other),
    }
}

fn industry(code: &str) -> ApiResult<JsicCode> {
    JsicCode::parse(code).map_err(|e| ApiError::bad_input("input.industry", e.to_string()))
}

fn project_ids(ids: &[ID], field: &str) -> ApiResult<Vec<i64>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| ids::decode_as(id, NodeType::ClusterProject, &format!("{field}.{i}")))
        .collect()
}

impl CreateSmeInput {
    fn parse(self) -> ApiResult<NewSme> {
        let corporate_number = self
            .corporate_number
            .as_deref()
            .map(CorporateNumber::parse)
            .transpose()
            .map_err(|e| ApiError::bad_input("input.corporateNumber", e.to_string()))?;
        Ok(NewSme {
            invoice_number: self
                .invoice_number
                .as_deref()
                .map(|n| InvoiceNumber::parse(n, corporate_number.as_ref()))
                .transpose()
                .map_err(|e| ApiError::bad_input("input.invoiceNumber", e.to_string()))?,
            corporate_number,
            name_ja: required(&self.name_ja, "input.nameJa", 200)?,
            name_en: required(&self.name_en, "input.nameEn", 200)?,
            prefecture: PrefectureCode::parse(self.prefecture_code.into())
                .map_err(|e| ApiError::bad_input("input.prefectureCode", e.to_string()))?,
            industry: self.industry.as_deref().map(industry).transpose()?,
            employees: non_negative(self.employees, "input.employees")?,
            capital_yen: self.capital_yen.map(|v| v.0.get()),
            niche_status: self.niche_status.into(),
            cluster_type: self.cluster_type.map(Into::into),
            cluster_projects: project_ids(&self.cluster_project_ids, "input.clusterProjectIds")?,
        })
    }
}

impl UpdateSmeInput {
    fn parse(self) -> ApiResult<SmeChanges> {
        Ok(SmeChanges {
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
                .map(|c| {
                    PrefectureCode::parse(c.into())
                        .map_err(|e| ApiError::bad_input("input.prefectureCode", e.to_string()))
                })
                .transpose()?,
            industry: change(self.industry, |i| industry(&i))?,
            invoice_number: change(self.invoice_number, |n| {
                InvoiceNumber::parse(&n, None)
                    .map_err(|e| ApiError::bad_input("input.invoiceNumber", e.to_string()))
            })?,
            employees: change(self.employees, |v| {
                Ok(non_negative(Some(v), "input.employees")?.unwrap_or_default())
            })?,
            capital_yen: change(self.capital_yen, |v| Ok(v.0.get()))?,
            niche_status: self.niche_status.map(Into::into),
            cluster_type: change(self.cluster_type, |t| Ok(t.into()))?,
            cluster_projects: self
                .cluster_project_ids
                .map(|ids| project_ids(&ids, "input.clusterProjectIds"))
                .transpose()?,
        })
    }
}

/// Narrows a listing of SMEs; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "SmeFilter")]
pub struct SmeFilterInput {
    /// JIS X 0401 code, 1–47, of the SME's seat.
    pub prefecture_code: Option<i32>,
    /// SMEs with this niche status.
    pub niche_status: Option<NicheStatus>,
    /// SMEs of this cluster type.
    pub cluster_type: Option<ClusterType>,
    /// Words in the Japanese or English name (case-insensitive, at most 100 characters).
    pub search: Option<String>,
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct SmeQuery;

#[Object]
impl SmeQuery {
    /// SMEs, by English name.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn smes(
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
        #[graphql(desc = "Only SMEs that match; all of them unless given.")] filter: Option<
            SmeFilterInput,
        >,
    ) -> Result<Conn<Sme>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = smes::SmeFilter {
            prefecture: filter
                .prefecture_code
                .map(|c| {
                    PrefectureCode::parse(c.into())
                        .map_err(|e| ApiError::bad_input("filter.prefectureCode", e.to_string()))
                })
                .transpose()?,
            niche_status: filter.niche_status.map(Into::into),
            cluster_type: filter.cluster_type.map(Into::into),
            search: filter
                .search
                .map(|s| {
                    SearchText::parse(&s)
                        .map_err(|e| ApiError::bad_input("filter.search", e.to_string()))
                })
                .transpose()?,
        };
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing = smes::smes(db, caller(ctx), &domain_filter, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Sme::from))
    }

    /// One SME, by `id` or `corporateNumber`; null when there is none.
    async fn sme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME's global ID.")] id: Option<ID>,
        #[graphql(desc = "The SME's 13-digit corporate number (法人番号).")]
        corporate_number: Option<String>,
    ) -> Result<Option<Sme>> {
        let db = db(ctx)?;
        let row = match lookup(id, corporate_number, NodeType::Sme, "corporateNumber")? {
            Lookup::Id(id) => smes::sme_by_id(db, caller(ctx), id).await?,
            Lookup::Key(number) => {
                let number = CorporateNumber::parse(&number)
                    .map_err(|e| ApiError::bad_input("corporateNumber", e.to_string()))?;
                smes::sme_by_corporate_number(db, caller(ctx), &number).await?
            }
        };
        super::prefetch::field(ctx, &row).await?;
        Ok(row.map(Sme::from))
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Default)]
pub struct SmeMutation;

#[Object]
impl SmeMutation {
    /// Registers an SME: evaluators and org admins of member institutions. Retry-safe with
    /// `idempotencyKey`.
    async fn create_sme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new SME; its corporate number must not be registered yet.")]
        input: CreateSmeInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<Sme> {
        let fingerprint = fingerprint(&idempotency_key, "createSme", json_of(&input));
        // The audit names the SME by its corporate number, or by name when it has none.
        let target = input
            .corporate_number
            .clone()
            .unwrap_or_else(|| input.name_en.clone());
        let row =
            smes::create_sme(db(ctx)?, caller(ctx), target, input.parse(), fingerprint).await?;
        Ok(Sme::from(row))
    }

    /// Edits an SME: the institution that registered it, or network admins.
    async fn update_sme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME's global ID.")] id: ID,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateSmeInput,
    ) -> Result<Sme> {
        let key = ids::decode_as(&id, NodeType::Sme, "id");
        Ok(Sme::from(
            smes::update_sme(db(ctx)?, caller(ctx), id.to_string(), key, input.parse()).await?,
        ))
    }

    /// Records whether the SME consents to the publication of its rating: org admins of the
    /// institution that registered the SME, or network admins (evaluating it gives no say).
    async fn record_publication_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME's global ID.")] sme_id: ID,
        #[graphql(
            desc = "True when the SME consents to the publication of its rating; false when it does not, or no longer does."
        )]
        consent: bool,
    ) -> Result<Sme> {
        let key = ids::decode_as(&sme_id, NodeType::Sme, "smeId");
        Ok(Sme::from(
            smes::record_consent(db(ctx)?, caller(ctx), sme_id.to_string(), key, consent).await?,
        ))
    }
}
