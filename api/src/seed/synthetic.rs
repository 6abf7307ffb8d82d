//! Synthetic data for benchmarks and load tests: `iin-api seed --synthetic --scale N`. Scale 1
//! is 1,000 organisations, 5,000 coordinators, 10,000 awards, 20,000 SMEs and 100,000 evaluations
//! (each with its first revision), 50,000 patents with Japanese and English titles (a third of them
//! explained and published), 100 banks and 20,000 financing referrals (each with the SME's
//! consent), spread over the two fiscal years before 1 April 2026, in every state; for business
//! matching, showcases of a quarter of the SMEs with their products, 5,000 buyers' needs posted by
//! the synthetic institutions for them and 10,000 proposals (a fifth of them consortia), all
//! invented and named "synthetic" like the rest. The same scale
//! always gives the same rows: a fixed-seed
//! SplitMix64 drives every choice. It builds on the source document's seed (its schemes and
//! organisations) and refuses to load twice.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use entity::{
    award, coordinator,
    enums::{
        AwardDecision, ClusterType, EvaluationStatus, IndustryField, Membership, MembershipBasis,
        NicheStatus, OrganizationKind, Visibility,
    },
    evaluation, evaluation_revision, organization, qualification_scheme, scheme_level, sme,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::domain::{
    corporate_number::with_check_digit,
    dates,
    evaluation::criteria::{
        FinancialIndicator, IndicatorEntry, NonFinancialView, Scores, TechnologyCriterion,
        TechnologyEntry, ViewEntry,
    },
    fields,
};

/// How many rows of each kind to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub organizations: usize,
    pub coordinators: usize,
    pub awards: usize,
    pub smes: usize,
    pub evaluations: usize,
    pub patents: usize,
    /// Banks (`FINANCIAL_INSTITUTION` members), besides the organisations.
    pub banks: usize,
    pub referrals: usize,
    /// Buyers' needs, and proposals to them.
    pub needs: usize,
    pub proposals: usize,
}

impl Counts {
    pub fn at_scale(scale: f64) -> Self {
        let n = |base: f64| ((base * scale).round() as usize).max(1);
        Self {
            organizations: n(1_000.0),
            coordinators: n(5_000.0),
            awards: n(10_000.0),
            smes: n(20_000.0),
            evaluations: n(100_000.0),
            // Application serials are six digits: at most 999,999 patents.
            patents: n(50_000.0).min(999_999),
            banks: n(100.0),
            referrals: n(20_000.0),
            needs: n(5_000.0),
            proposals: n(10_000.0),
        }
    }
}

/// SplitMix64: tiny, fast and the same on every platform and version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const CHUNK: usize = 500;

fn certificate(n: usize, rng: &mut Rng) -> String {
    const SYMBOLS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    // The low 20 bits are the row's number, so numbers never collide.
    let value = ((rng.next() << 20) | n as u64) & ((1 << 60) - 1);
    let symbols: String = (0..12)
        .map(|i| char::from(SYMBOLS[((value >> (5 * i)) & 0x1f) as usize]))
        .collect();
    format!(
        "IIN-{}-{}-{}",
        &symbols[0..4],
        &symbols[4..8],
        &symbols[8..12]
    )
}

fn scores(rng: &mut Rng) -> Scores {
    let mut score = || Some(1 + rng.below(5) as u8);
    Scores {
        financial: FinancialIndicator::ALL
            .iter()
            .map(|i| IndicatorEntry {
                indicator: *i,
                figures: vec![(2024, 5.0)],
                score: score(),
            })
            .collect(),
        non_financial: NonFinancialView::ALL
            .iter()
            .map(|v| ViewEntry {
                view: *v,
                score: score(),
                comment: None,
            })
            .collect(),
        technology: TechnologyCriterion::ALL
            .iter()
            .map(|c| TechnologyEntry {
                criterion: *c,
                score: score(),
            })
            .collect(),
        trl: Some(1 + rng.below(9) as u8),
    }
}

async fn insert_chunks<A, E>(db: &DatabaseTransaction, rows: Vec<A>) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
    E: EntityTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Adds the synthetic rows, all or none; `Ok(false)` when they are there already.
///
/// One transaction: a load that fails half-way (a large scale on a busy machine) leaves nothing
/// behind, where a partial load would be taken for a whole one by the next run. Its statements
/// are exempt from the serving `statement_timeout` (PostgreSQL), which bounds a request, not a
/// load of millions of rows.
pub async fn load(db: &DatabaseConnection, counts: Counts) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL statement_timeout = 0")
            .await?;
    }
    let loaded = fill(&txn, counts).await?;
    txn.commit().await?;
    Ok(loaded)
}

async fn fill(db: &DatabaseTransaction, counts: Counts) -> Result<bool, DbErr> {
    let exists = organization::Entity::find()
        .filter(organization::Column::Code.starts_with("syn-"))
        .count(db)
        .await?
        > 0;
    if exists {
        return Ok(false);
    }
    let mut rng = Rng(2009);
    let now = Utc
        .with_ymd_and_hms(2026, 4, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let kinds = [
        OrganizationKind::IndustrialClusterPromotion,
        OrganizationKind::University,
        OrganizationKind::Tlo,
        OrganizationKind::FinancialInstitution,
        OrganizationKind::ResearchInstitute,
        OrganizationKind::LocalGovernmentSupport,
    ];
    let all_fields = [
        IndustryField::Manufacturing,
        IndustryField::Biotechnology,
        IndustryField::It,
        IndustryField::Food,
        IndustryField::Environment,
        IndustryField::Medical,
    ];

    let organizations: Vec<organization::ActiveModel> = (1..=counts.organizations)
        .map(|n| organization::ActiveModel {
            code: Set(format!("syn-org-{n:05}")),
            name_ja: Set(format!("合成支援機関{n:05}")),
            name_en: Set(format!("Synthetic Institution {n:05}")),
            abbreviation: Set(None),
            kind: Set(rng.pick(&kinds)),
            membership: Set(Membership::Member),
            membership_basis: Set(MembershipBasis::NetworkRecord),
            prefecture_code: Set(Some(1 + rng.below(47) as i16)),
            country_code: Set("JP".into()),
            website_url: Set(None),
            description_ja: Set(None),
            description_en: Set(None),
            contact_name: Set(None),
            contact_email: Set(Some(format!("office{n}@syn.example"))),
            contact_phone: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    insert_chunks(db, organizations).await?;
    let org_ids: Vec<i64> = organization::Entity::find()
        .filter(organization::Column::Code.starts_with("syn-"))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();

    let coordinators: Vec<coordinator::ActiveModel> = (1..=counts.coordinators)
        .map(|n| {
            let expertise: Vec<IndustryField> = (0..1 + rng.below(2))
                .map(|_| rng.pick(&all_fields))
                .collect();
            coordinator::ActiveModel {
                organization_id: Set(rng.pick(&org_ids)),
                name_ja: Set(format!("合成 調整役{n:05}")),
                name_en: Set(format!("Synthetic Coordinator {n:05}")),
                prefecture_code: Set(1 + rng.below(47) as i16),
                expertise: Set(fields::encode(&expertise)),
                profile_en: Set(None),
                contact_email: Set(None),
                contact_phone: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    insert_chunks(db, coordinators).await?;
    let coordinator_ids: Vec<i64> = coordinator::Entity::find()
        .filter(coordinator::Column::NameEn.starts_with("Synthetic Coordinator"))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();

    let schemes: Vec<qualification_scheme::Model> = qualification_scheme::Entity::find()
        .filter(qualification_scheme::Column::HolderKind.eq(entity::enums::HolderKind::Person))
        .all(db)
        .await?;
    let levels = scheme_level::Entity::find().all(db).await?;
    if !schemes.is_empty() {
        let start = NaiveDate::from_ymd_opt(2021, 4, 1).unwrap_or_default();
        let awards: Vec<award::ActiveModel> = (1..=counts.awards)
            .map(|n| {
                let scheme = &schemes[rng.below(schemes.len())];
                let choices: Vec<&scheme_level::Model> =
                    levels.iter().filter(|l| l.scheme_id == scheme.id).collect();
                let level = choices[rng.below(choices.len())];
                let awarded_on = start + Duration::days(rng.below(5 * 365) as i64);
                award::ActiveModel {
                    scheme_id: Set(scheme.id),
                    level_id: Set(level.id),
                    coordinator_id: Set(Some(rng.pick(&coordinator_ids))),
                    holder_organization_id: Set(None),
                    certificate_number: Set(certificate(n, &mut rng)),
                    awarded_on: Set(awarded_on),
                    expires_on: Set(scheme.validity_months.and_then(|m| {
                        dates::period_end(awarded_on, u32::try_from(m).unwrap_or(0))
                    })),
                    decision: Set(if rng.below(50) == 0 {
                        AwardDecision::Suspended
                    } else {
                        AwardDecision::Active
                    }),
                    decision_reason: Set(None),
                    decided_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            })
            .collect();
        insert_chunks(db, awards).await?;
    }

    let niches = [
        NicheStatus::Gnt,
        NicheStatus::Dnt,
        NicheStatus::Candidate,
        NicheStatus::None,
    ];
    let smes: Vec<sme::ActiveModel> = (1..=counts.smes)
        .map(|n| sme::ActiveModel {
            corporate_number: Set(Some(with_check_digit(&format!(
                "{:012}",
                900_000_000_000u64 + n as u64
            )))),
            name_ja: Set(format!("合成工業{n:05}株式会社")),
            name_en: Set(format!("Synthetic Industries {n:05}")),
            prefecture_code: Set(1 + rng.below(47) as i16),
            industry: Set(Some("E26".into())),
            industry_note: Set(None),
            invoice_number: Set(None),
            employees: Set(Some(10 + rng.below(290) as i32)),
            capital_yen: Set(Some(10_000_000 + rng.below(290) as i64 * 1_000_000)),
            niche_status: Set(rng.pick(&niches)),
            cluster_type: Set(Some(if rng.below(2) == 0 {
                ClusterType::Type1
            } else {
                ClusterType::Type2
            })),
            cluster_projects: Set(",".into()),
            publication_consent: Set(rng.below(3) == 0),
            consent_recorded_at: Set(None),
            created_by_institution_id: Set(rng.pick(&org_ids)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    insert_chunks(db, smes).await?;
    let sme_ids: Vec<i64> = sme::Entity::find()
        .filter(sme::Column::NameEn.starts_with("Synthetic Industries"))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();

    let statuses = [
        EvaluationStatus::Draft,
        EvaluationStatus::Submitted,
        EvaluationStatus::UnderReview,
        EvaluationStatus::Rated,
        EvaluationStatus::Rated,
        EvaluationStatus::Published,
    ];
    let mut done = 0;
    while done < counts.evaluations {
        let batch = CHUNK.min(counts.evaluations - done);
        let mut rows = Vec::with_capacity(batch);
        for _ in 0..batch {
            let scores = scores(&mut rng);
            let status = rng.pick(&statuses);
            let rating = matches!(
                status,
                EvaluationStatus::Rated | EvaluationStatus::Published
            )
            .then(|| scores.rating())
            .flatten();
            rows.push(evaluation::ActiveModel {
                sme_id: Set(rng.pick(&sme_ids)),
                institution_id: Set(rng.pick(&org_ids)),
                evaluator_subject: Set("synthetic".into()),
                status: Set(status),
                visibility: Set(if rng.below(2) == 0 {
                    Visibility::Private
                } else {
                    Visibility::Network
                }),
                version: Set(1),
                scores: Set(serde_json::to_string(&scores).unwrap_or_default()),
                findings: Set(None),
                rating: Set(rating.map(|(_, r)| r)),
                overall_score: Set(rating.map(|(s, _)| s)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        evaluation::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
        done += batch;
    }
    // Each evaluation's first revision, as the API would have written it.
    let mut after = 0;
    loop {
        let page = evaluation::Entity::find()
            .filter(evaluation::Column::EvaluatorSubject.eq("synthetic"))
            .filter(evaluation::Column::Id.gt(after))
            .cursor_by(evaluation::Column::Id)
            .first(CHUNK as u64)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let revisions: Vec<evaluation_revision::ActiveModel> = page
            .into_iter()
            .map(|e| evaluation_revision::ActiveModel {
                evaluation_id: Set(e.id),
                version: Set(1),
                change: Set("created".into()),
                changed_fields: Set("scores,findings,visibility".into()),
                status: Set(e.status),
                visibility: Set(e.visibility),
                scores: Set(e.scores),
                findings: Set(None),
                rating: Set(e.rating),
                reason: Set(None),
                changed_by_subject: Set("synthetic".into()),
                changed_by_institution: Set("syn".into()),
                changed_at: Set(now),
                ..Default::default()
            })
            .collect();
        insert_chunks(db, revisions).await?;
    }
    patents(db, &mut rng, &org_ids, counts.patents, now).await?;
    referrals(db, counts, &mut rng, now).await?;
    matching(db, counts, &mut rng, &org_ids, now).await?;
    Ok(true)
}

/// Technologies to title patents with: Japanese, English, an IPC symbol and a field.
const TECHNOLOGIES: &[(&str, &str, &str, IndustryField)] = &[
    (
        "固体酸化物形燃料電池",
        "solid oxide fuel cell",
        "H01M 8/12",
        IndustryField::Energy,
    ),
    (
        "リチウムイオン電池",
        "lithium-ion battery",
        "H01M 10/0525",
        IndustryField::Energy,
    ),
    (
        "有機EL素子",
        "organic EL element",
        "H10K 50/00",
        IndustryField::Optoelectronics,
    ),
    (
        "炭素繊維強化プラスチック部材",
        "carbon-fibre-reinforced plastic part",
        "C08J 5/04",
        IndustryField::Manufacturing,
    ),
    (
        "半導体レーザ",
        "semiconductor laser",
        "H01S 5/00",
        IndustryField::Optoelectronics,
    ),
    (
        "光触媒",
        "photocatalyst",
        "B01J 35/00",
        IndustryField::Environment,
    ),
    (
        "パワー半導体素子",
        "power semiconductor device",
        "H01L 29/00",
        IndustryField::Semiconductors,
    ),
    (
        "画像処理装置",
        "image processing device",
        "G06T 1/00",
        IndustryField::It,
    ),
    (
        "超伝導線材",
        "superconducting wire",
        "H01B 12/00",
        IndustryField::Energy,
    ),
    (
        "熱電変換素子",
        "thermoelectric conversion element",
        "H10N 10/00",
        IndustryField::Energy,
    ),
    (
        "水素吸蔵合金",
        "hydrogen storage alloy",
        "C22C 19/00",
        IndustryField::Energy,
    ),
    (
        "生分解性樹脂フィルム",
        "biodegradable resin film",
        "C08L 101/16",
        IndustryField::Environment,
    ),
    (
        "抗体医薬",
        "antibody drug",
        "A61K 39/395",
        IndustryField::Medical,
    ),
    (
        "食品の殺菌装置",
        "food sterilisation apparatus",
        "A23L 3/00",
        IndustryField::Food,
    ),
    (
        "航空機用複合材",
        "aircraft composite",
        "B64C 1/00",
        IndustryField::Aerospace,
    ),
    (
        "車載用センサ",
        "automotive sensor",
        "G01D 5/00",
        IndustryField::Automotive,
    ),
];

/// Qualities a title may name before the technology: Japanese, English.
const QUALIFIERS: &[(&str, &str)] = &[
    ("", ""),
    ("", ""),
    ("高効率", "high-efficiency "),
    ("小型", "compact "),
    ("高耐久性", "durable "),
    ("低コスト", "low-cost "),
    ("軽量", "lightweight "),
];

/// Title patterns: Japanese, and English with `{}` for the technology and its article.
const PATTERNS: &[(&str, &str)] = &[
    ("{}の製造方法", "Method for producing {}"),
    ("{}及びその製造方法", "{} and method for producing the same"),
    ("{}用電極材料", "Electrode material for {}"),
    ("{}の検査装置", "Inspection device for {}"),
    ("{}を用いたセンサ", "Sensor using {}"),
    ("{}の評価方法", "Method for evaluating {}"),
    ("{}の再生方法", "Method for recycling {}"),
];

/// `a` or `an` before an English noun phrase, by its first letter.
fn with_article(phrase: &str) -> String {
    let article = if phrase.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {phrase}")
}

/// The first letter in upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

async fn patents(
    db: &DatabaseTransaction,
    rng: &mut Rng,
    holders: &[i64],
    count: usize,
    now: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    use entity::{
        enums::{ExplanationStatus, PatentLicensing},
        patent, patent_explanation, patent_explanation_version,
    };
    use sea_orm::QuerySelect;
    let licensing = [
        PatentLicensing::Open,
        PatentLicensing::Open,
        PatentLicensing::Open,
        PatentLicensing::UnderNegotiation,
        PatentLicensing::NotOffered,
    ];
    // Only the rows added here are explained below.
    let before: i64 = patent::Entity::find()
        .select_only()
        .column_as(patent::Column::Id.max(), "max")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0);
    let mut rows = Vec::with_capacity(count);
    for n in 1..=count {
        let (tech_ja, tech_en, symbol, field) = TECHNOLOGIES[rng.below(TECHNOLOGIES.len())];
        let (pattern_ja, pattern_en) = PATTERNS[rng.below(PATTERNS.len())];
        let (quality_ja, quality_en) = QUALIFIERS[rng.below(QUALIFIERS.len())];
        let title_ja = pattern_ja.replace("{}", &format!("{quality_ja}{tech_ja}"));
        let title_en = capitalized(
            &pattern_en.replace("{}", &with_article(&format!("{quality_en}{tech_en}"))),
        );
        let abstract_text = format!(
            "本発明は、{tech_ja}に関し、製造工程を簡略化して費用を下げる。This invention relates to {} and lowers its cost by simplifying its manufacture.",
            with_article(tech_en)
        );
        let year = 2000 + rng.below(25) as i32;
        let filed_on =
            NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
                .unwrap_or_default();
        let expires_on = NaiveDate::from_ymd_opt(year + 20, 1, 1).unwrap_or_default();
        rows.push(patent::ActiveModel {
            holder_id: Set(holders[rng.below(holders.len())]),
            application_number: Set(format!("{year}-{n:06}")),
            registration_number: Set((rng.below(2) == 0).then(|| format!("{}", 5_000_000 + n))),
            search_text: Set(format!("{title_ja}\n{title_en}\n{abstract_text}")),
            // Set below, for the third that is explained.
            explanation_published: Set(false),
            title_ja: Set(title_ja),
            title_en: Set(title_en),
            abstract_text: Set(Some(abstract_text)),
            ipc_classes: Set(format!(",{symbol},")),
            fields: Set(fields::encode(&[field])),
            trl: Set(Some(1 + rng.below(9) as i16)),
            filed_on: Set(filed_on),
            expires_on: Set(expires_on),
            licensing: Set(licensing[rng.below(licensing.len())]),
            licence_forms: Set(",non_exclusive,exclusive,".into()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    insert_chunks(db, rows).await?;

    // A third explained and published, as the holder would have done it.
    let mut after = before;
    loop {
        let page = patent::Entity::find()
            .filter(patent::Column::Id.gt(after))
            .cursor_by(patent::Column::Id)
            .first(CHUNK as u64)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let explained: Vec<&patent::Model> = page.iter().filter(|p| p.id % 3 == 0).collect();
        if explained.is_empty() {
            continue;
        }
        patent::Entity::update_many()
            .col_expr(
                patent::Column::ExplanationPublished,
                sea_orm::sea_query::Expr::value(true),
            )
            .filter(patent::Column::Id.is_in(explained.iter().map(|p| p.id)))
            .exec(db)
            .await?;
        let explanations: Vec<patent_explanation::ActiveModel> = explained
            .iter()
            .map(|p| patent_explanation::ActiveModel {
                patent_id: Set(p.id),
                author_institution_id: Set(p.holder_id),
                author_subject: Set("synthetic".into()),
                status: Set(ExplanationStatus::Published),
                version: Set(1),
                published_version: Set(Some(1)),
                summary_ja: Set(format!("{}を安く作る方法です。", p.title_ja)),
                summary_en: Set(format!("A cheaper way to make: {}.", p.title_en)),
                applications_ja: Set("部品や装置の試作".into()),
                applications_en: Set("Prototype parts and devices".into()),
                requirements_ja: Set("一般的な加工設備".into()),
                requirements_en: Set("Ordinary machining equipment".into()),
                published_at: Set(Some(now)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .collect();
        insert_chunks(db, explanations).await?;
    }
    let mut after = 0;
    loop {
        let page = patent_explanation::Entity::find()
            .filter(patent_explanation::Column::AuthorSubject.eq("synthetic"))
            .filter(patent_explanation::Column::Id.gt(after))
            .cursor_by(patent_explanation::Column::Id)
            .first(CHUNK as u64)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let versions: Vec<patent_explanation_version::ActiveModel> = page
            .into_iter()
            .map(|e| patent_explanation_version::ActiveModel {
                explanation_id: Set(e.id),
                version: Set(1),
                change: Set("published".into()),
                status: Set(ExplanationStatus::Published),
                summary_ja: Set(e.summary_ja),
                summary_en: Set(e.summary_en),
                applications_ja: Set(e.applications_ja),
                applications_en: Set(e.applications_en),
                requirements_ja: Set(e.requirements_ja),
                requirements_en: Set(e.requirements_en),
                reason: Set(None),
                changed_by_subject: Set("synthetic".into()),
                changed_by_institution: Set("syn".into()),
                changed_at: Set(now),
                ..Default::default()
            })
            .collect();
        insert_chunks(db, versions).await?;
    }
    Ok(())
}

/// Banks, and referrals of rated and published synthetic evaluations to them, each under a
/// consent of its own, in every state (those left `sent` for long read as expired).
async fn referrals(
    db: &DatabaseTransaction,
    counts: Counts,
    rng: &mut Rng,
    now: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    use entity::{
        referral, referral_consent,
        referral_enums::{
            ConsentMethod, ConsentScope, DeclineReason, FinancingProduct, ReferralPurpose,
            ReferralStatus,
        },
    };
    let banks: Vec<organization::ActiveModel> = (1..=counts.banks)
        .map(|n| organization::ActiveModel {
            code: Set(format!("syn-bank-{n:03}")),
            name_ja: Set(format!("見本地方銀行{n:03}")),
            // Not "Synthetic …": the synthetic institutions are found by that name.
            name_en: Set(format!("Sample Regional Bank {n:03}")),
            abbreviation: Set(None),
            kind: Set(OrganizationKind::FinancialInstitution),
            membership: Set(Membership::Member),
            membership_basis: Set(MembershipBasis::NetworkRecord),
            prefecture_code: Set(Some(1 + rng.below(47) as i16)),
            country_code: Set("JP".into()),
            website_url: Set(None),
            description_ja: Set(None),
            description_en: Set(None),
            contact_name: Set(None),
            contact_email: Set(None),
            contact_phone: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    insert_chunks(db, banks).await?;
    let bank_ids: Vec<i64> = organization::Entity::find()
        .filter(organization::Column::Code.starts_with("syn-bank-"))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let rated: Vec<evaluation::Model> = evaluation::Entity::find()
        .filter(evaluation::Column::EvaluatorSubject.eq("synthetic"))
        .filter(
            evaluation::Column::Status
                .is_in([EvaluationStatus::Rated, EvaluationStatus::Published]),
        )
        .all(db)
        .await?;
    if rated.is_empty() || bank_ids.is_empty() {
        return Ok(());
    }
    let purposes = [
        ReferralPurpose::WorkingCapital,
        ReferralPurpose::Equipment,
        ReferralPurpose::RAndD,
        ReferralPurpose::OverseasExpansion,
        ReferralPurpose::BusinessSuccession,
    ];
    let statuses = [
        ReferralStatus::Sent,
        ReferralStatus::Acknowledged,
        ReferralStatus::UnderReview,
        ReferralStatus::Financed,
        ReferralStatus::Financed,
        ReferralStatus::Declined,
        ReferralStatus::Withdrawn,
    ];
    let products = [
        FinancingProduct::Loan,
        FinancingProduct::GuaranteedLoan,
        FinancingProduct::Equity,
        FinancingProduct::BridgeLoan,
    ];
    let reasons = [
        DeclineReason::InsufficientRepaymentCapacity,
        DeclineReason::InsufficientCollateral,
        DeclineReason::OutsideLendingPolicy,
        DeclineReason::IncompleteInformation,
    ];
    // Each referral's consent first (the consent of row n is the n-th synthetic consent).
    let picks: Vec<(usize, i64)> = (0..counts.referrals)
        .map(|_| (rng.below(rated.len()), rng.pick(&bank_ids)))
        .collect();
    let consents: Vec<referral_consent::ActiveModel> = picks
        .iter()
        .map(|&(e, bank)| referral_consent::ActiveModel {
            sme_id: Set(rated[e].sme_id),
            bank_id: Set(bank),
            institution_id: Set(rated[e].institution_id),
            scope: Set(ConsentScope::FullEvaluation),
            obtained_on: Set(NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or_default()),
            method: Set(ConsentMethod::Written),
            document_reference: Set("synthetic".into()),
            recorded_by_subject: Set("synthetic".into()),
            recorded_at: Set(now),
            revoked_at: Set(None),
            revoked_by_subject: Set(None),
            ..Default::default()
        })
        .collect();
    insert_chunks(db, consents).await?;
    let consent_ids: Vec<i64> = referral_consent::Entity::find()
        .filter(referral_consent::Column::DocumentReference.eq("synthetic"))
        .order_by_asc(referral_consent::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let rows: Vec<referral::ActiveModel> = picks
        .iter()
        .zip(consent_ids)
        .map(|(&(e, bank), consent)| {
            let evaluation = &rated[e];
            // Sent within the two fiscal years before `now`.
            let created = now - Duration::minutes(rng.below(730 * 24 * 60) as i64);
            let status = rng.pick(&statuses);
            let acknowledged = !matches!(status, ReferralStatus::Sent | ReferralStatus::Withdrawn);
            let decided = matches!(status, ReferralStatus::Financed | ReferralStatus::Declined)
                .then(|| created + Duration::days(3 + rng.below(60) as i64));
            let amount = 5_000_000 + rng.below(500) as i64 * 1_000_000;
            referral::ActiveModel {
                evaluation_id: Set(evaluation.id),
                evaluation_version: Set(evaluation.version),
                sme_id: Set(evaluation.sme_id),
                institution_id: Set(evaluation.institution_id),
                bank_id: Set(bank),
                consent_id: Set(consent),
                scope: Set(ConsentScope::FullEvaluation),
                purpose: Set(rng.pick(&purposes)),
                amount_requested: Set(amount),
                note: Set(None),
                status: Set(status),
                version: Set(match status {
                    ReferralStatus::Sent => 1,
                    ReferralStatus::Acknowledged | ReferralStatus::Withdrawn => 2,
                    ReferralStatus::UnderReview => 3,
                    ReferralStatus::Financed | ReferralStatus::Declined => 4,
                }),
                rating: Set(evaluation.rating),
                financed_amount: Set((status == ReferralStatus::Financed).then_some(amount)),
                financing_product: Set(
                    (status == ReferralStatus::Financed).then(|| rng.pick(&products))
                ),
                decided_on: Set(decided.map(|d| d.date_naive())),
                decline_reason: Set(
                    (status == ReferralStatus::Declined).then(|| rng.pick(&reasons))
                ),
                decline_note: Set(None),
                withdrawal_reason: Set(None),
                referred_by_subject: Set("synthetic".into()),
                created_at: Set(created),
                updated_at: Set(decided.unwrap_or(created)),
                acknowledged_at: Set(acknowledged.then(|| created + Duration::days(1))),
                decided_at: Set(decided),
                ..Default::default()
            }
        })
        .collect();
    insert_chunks(db, rows).await
}

/// Business matching: showcases of every fourth synthetic SME with one to three products, needs
/// of synthetic institutions for synthetic buyers (other synthetic institutions), and proposals
/// by other institutions with one SME or a consortium. Invented, like every synthetic row.
async fn matching(
    db: &DatabaseTransaction,
    counts: Counts,
    rng: &mut Rng,
    org_ids: &[i64],
    now: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    use entity::{
        business_need,
        matching_enums::{
            ManufacturingProcess, NeedKind, NeedStatus, NeedVisibility, ProposalStatus,
        },
        proposal, proposal_member, sme_product, sme_showcase,
    };

    use sea_orm::ActiveValue::NotSet;

    use crate::domain::matching::{encode_ids, encode_processes, showcase};
    let processes = [
        ManufacturingProcess::Machining,
        ManufacturingProcess::Casting,
        ManufacturingProcess::Forging,
        ManufacturingProcess::Pressing,
        ManufacturingProcess::Moulding,
        ManufacturingProcess::SurfaceTreatment,
        ManufacturingProcess::HeatTreatment,
        ManufacturingProcess::Welding,
        ManufacturingProcess::Assembly,
        ManufacturingProcess::ElectronicsAssembly,
        ManufacturingProcess::Software,
    ];
    let product_fields = [
        IndustryField::Manufacturing,
        IndustryField::Automotive,
        IndustryField::Aerospace,
        IndustryField::Medical,
        IndustryField::Semiconductors,
        IndustryField::Energy,
    ];
    let smes = sme::Entity::find()
        .filter(sme::Column::NameEn.starts_with("Synthetic Industries"))
        .order_by_asc(sme::Column::Id)
        .all(db)
        .await?;
    if smes.is_empty() || org_ids.len() < 2 {
        return Ok(());
    }
    let sme_ids: Vec<i64> = smes.iter().map(|s| s.id).collect();
    let shown: Vec<&sme::Model> = smes.iter().step_by(4).collect();
    let mut products = Vec::new();
    let mut showcases = Vec::new();
    for sme in shown {
        let id = sme.id;
        let mut made_here = Vec::new();
        for k in 0..1 + rng.below(3) {
            let made: Vec<ManufacturingProcess> = (0..1 + rng.below(3))
                .map(|_| rng.pick(&processes))
                .collect();
            let field = rng.pick(&product_fields);
            made_here.push(sme_product::Model {
                id: 0,
                sme_id: id,
                name_ja: format!("合成部品{id}-{k}"),
                name_en: format!("Synthetic part {id}-{k}"),
                description_ja: None,
                description_en: None,
                fields: fields::encode(&[field]),
                processes: encode_processes(&made),
                created_at: now,
                updated_at: now,
            });
        }
        showcases.push(sme_showcase::ActiveModel {
            sme_id: Set(id),
            sme_prefecture_code: Set(sme.prefecture_code),
            sme_niche_status: Set(sme.niche_status),
            search_text: Set(showcase::search_text(sme, &made_here)),
            consented_on: Set(NaiveDate::from_ymd_opt(2025, 4, 1).unwrap_or_default()),
            headline_ja: Set(Some("合成データの見本".into())),
            headline_en: Set(Some("Synthetic showcase".into())),
            withdrawn_at: Set(None),
            recorded_by_subject: Set("synthetic".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        products.extend(made_here.into_iter().map(|product| {
            let mut active = sme_product::ActiveModel::from(product);
            active.id = NotSet;
            active
        }));
    }
    insert_chunks(db, showcases).await?;
    insert_chunks(db, products).await?;

    let kinds = [
        NeedKind::Order,
        NeedKind::Order,
        NeedKind::JointDevelopment,
        NeedKind::DiscontinuedGoods,
    ];
    let visibilities = [
        NeedVisibility::Public,
        NeedVisibility::Network,
        NeedVisibility::Network,
        NeedVisibility::Invited,
    ];
    let statuses = [
        NeedStatus::Open,
        NeedStatus::Open,
        NeedStatus::Closed,
        NeedStatus::Awarded,
        NeedStatus::Cancelled,
    ];
    let needs: Vec<business_need::ActiveModel> = (1..=counts.needs)
        .map(|n| {
            let institution = rng.pick(org_ids);
            let buyer = rng.pick(org_ids);
            let visibility = rng.pick(&visibilities);
            let status = rng.pick(&statuses);
            let created = now - Duration::minutes(rng.below(730 * 24 * 60) as i64);
            let required: Vec<ManufacturingProcess> = (0..1 + rng.below(2))
                .map(|_| rng.pick(&processes))
                .collect();
            business_need::ActiveModel {
                institution_id: Set(institution),
                buyer_id: Set(buyer),
                kind: Set(rng.pick(&kinds)),
                patent_id: Set(None),
                title_ja: Set(format!("合成案件{n:05}")),
                title_en: Set(format!("Synthetic need {n:05}")),
                description: Set(None),
                fields: Set(fields::encode(&[rng.pick(&product_fields)])),
                processes: Set(encode_processes(&required)),
                quantity: Set(Some(10 * (1 + rng.below(100) as i32))),
                budget_min: Set(Some(1_000_000)),
                budget_max: Set(Some(1_000_000 + rng.below(100) as i64 * 1_000_000)),
                // Open ones run into the future; the others' deadlines have passed.
                deadline: Set(if status == NeedStatus::Open {
                    Utc.with_ymd_and_hms(2099, 3, 31, 15, 0, 0)
                        .single()
                        .unwrap_or(now)
                } else {
                    created + Duration::days(30)
                }),
                delivery_place: Set(None),
                visibility: Set(visibility),
                invited: Set(if visibility == NeedVisibility::Invited {
                    encode_ids(&[rng.pick(org_ids), rng.pick(org_ids)])
                } else {
                    ",".into()
                }),
                status: Set(status),
                version: Set(if status == NeedStatus::Open { 1 } else { 2 }),
                posted_by_subject: Set("synthetic".into()),
                created_at: Set(created),
                updated_at: Set(created),
                ..Default::default()
            }
        })
        .collect();
    insert_chunks(db, needs).await?;
    let need_rows: Vec<business_need::Model> = business_need::Entity::find()
        .filter(business_need::Column::PostedBySubject.eq("synthetic"))
        .order_by_asc(business_need::Column::Id)
        .all(db)
        .await?;
    if need_rows.is_empty() {
        return Ok(());
    }
    let proposal_statuses = [
        ProposalStatus::Submitted,
        ProposalStatus::Shortlisted,
        ProposalStatus::Declined,
        ProposalStatus::Withdrawn,
    ];
    let picks: Vec<(usize, i64)> = (0..counts.proposals)
        .map(|_| (rng.below(need_rows.len()), rng.pick(org_ids)))
        .collect();
    let proposals: Vec<proposal::ActiveModel> = picks
        .iter()
        .map(|&(n, institution)| {
            let need = &need_rows[n];
            // Proposals to awarded needs are accepted a third of the time; the rest are in any
            // other state. The need's own institution does not propose.
            let status = if need.status == NeedStatus::Awarded && rng.below(3) == 0 {
                ProposalStatus::Accepted
            } else {
                rng.pick(&proposal_statuses)
            };
            let decided = matches!(status, ProposalStatus::Accepted | ProposalStatus::Declined)
                .then(|| need.created_at + Duration::days(20));
            let institution = if institution == need.institution_id {
                if org_ids[0] == institution {
                    org_ids[1]
                } else {
                    org_ids[0]
                }
            } else {
                institution
            };
            proposal::ActiveModel {
                need_id: Set(need.id),
                need_institution_id: Set(need.institution_id),
                institution_id: Set(institution),
                lead_sme_id: Set(rng.pick(&sme_ids)),
                joint: Set(false),
                summary: Set("Synthetic proposal".into()),
                price: Set(Some(1_000_000 + rng.below(100) as i64 * 500_000)),
                status: Set(status),
                version: Set(match status {
                    ProposalStatus::Submitted => 1,
                    ProposalStatus::Shortlisted | ProposalStatus::Withdrawn => 2,
                    _ => 3,
                }),
                decision_note: Set(None),
                submitted_by_subject: Set("synthetic".into()),
                created_at: Set(need.created_at + Duration::days(5)),
                updated_at: Set(decided.unwrap_or(need.created_at + Duration::days(5))),
                decided_at: Set(decided),
                ..Default::default()
            }
        })
        .collect();
    insert_chunks(db, proposals).await?;
    // Members: the lead with all of it, or (every fifth) a consortium of a lead and a partner.
    let mut after = 0;
    loop {
        let page = proposal::Entity::find()
            .filter(proposal::Column::SubmittedBySubject.eq("synthetic"))
            .filter(proposal::Column::Id.gt(after))
            .cursor_by(proposal::Column::Id)
            .first(CHUNK as u64)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let mut members = Vec::new();
        let mut joint = Vec::new();
        for p in &page {
            let partner = rng.pick(&sme_ids);
            let consortium = p.id % 5 == 0 && partner != p.lead_sme_id;
            members.push(proposal_member::ActiveModel {
                proposal_id: Set(p.id),
                sme_id: Set(p.lead_sme_id),
                lead: Set(true),
                processes: Set(encode_processes(&[rng.pick(&processes)])),
                share_percent: Set(if consortium { 60 } else { 100 }),
                ..Default::default()
            });
            if consortium {
                joint.push(p.id);
                members.push(proposal_member::ActiveModel {
                    proposal_id: Set(p.id),
                    sme_id: Set(partner),
                    lead: Set(false),
                    processes: Set(encode_processes(&[rng.pick(&processes)])),
                    share_percent: Set(40),
                    ..Default::default()
                });
            }
        }
        insert_chunks(db, members).await?;
        if !joint.is_empty() {
            proposal::Entity::update_many()
                .col_expr(
                    proposal::Column::Joint,
                    sea_orm::sea_query::Expr::value(true),
                )
                .filter(proposal::Column::Id.is_in(joint))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic() {
        let (mut a, mut b) = (Rng(2009), Rng(2009));
        let first: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(first, second);
        assert_ne!(first[0], first[1]);
    }

    #[test]
    fn synthetic_certificates_are_distinct_and_well_formed() {
        let mut rng = Rng(1);
        let numbers: std::collections::HashSet<String> =
            (1..=20_000).map(|n| certificate(n, &mut rng)).collect();
        assert_eq!(numbers.len(), 20_000);
        for number in numbers.iter().take(50) {
            assert_eq!(
                crate::domain::certificate::normalize(number).as_deref(),
                Some(number.as_str())
            );
        }
    }

    #[test]
    fn english_titles_read_as_english() {
        assert_eq!(
            capitalized(
                &"{} and method for producing the same"
                    .replace("{}", &with_article("organic EL element"))
            ),
            "An organic EL element and method for producing the same"
        );
        assert_eq!(
            with_article("compact solid oxide fuel cell"),
            "a compact solid oxide fuel cell"
        );
    }

    #[test]
    fn scale_one_is_the_issue_s_size() {
        assert_eq!(
            Counts::at_scale(1.0),
            Counts {
                organizations: 1_000,
                coordinators: 5_000,
                awards: 10_000,
                smes: 20_000,
                evaluations: 100_000,
                patents: 50_000,
                banks: 100,
                referrals: 20_000,
                needs: 5_000,
                proposals: 10_000,
            }
        );
        assert_eq!(Counts::at_scale(0.001).organizations, 1);
    }
}
