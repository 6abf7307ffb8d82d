//! Qualification seed data: real schemes, each with the body that really issues it, and the
//! sources their rules come from named beside them. The coordinators are fictional; their awards'
//! fixed dates give, as time passes, active, expiring, expired and suspended certificates.
//!
//! - JBIA's certified incubation manager (認定インキュベーション・マネジャー): the training course,
//!   then JBIA's review.
//! - The registered SME management consultant (中小企業診断士): registered by the Minister of
//!   Economy, Trade and Industry for five years; renewal needs update courses and consulting
//!   practice within the registration's own period.
//! - CRAMS's URA certification (認定URA, 認定専門URA): Core-level training and three years of URA
//!   work within the last five.
//! - ESCA's Cluster Management Excellence labels for organisations: Bronze, Silver, Gold.
//!
//! None of these is run by IIN Japan: a scheme the network runs has the network as its issuer
//! (`QualificationScheme.runByNetwork`).
//!
//! Rows are matched by natural key (scheme code, level code, course provider and title,
//! coordinator name, certificate number) and only missing ones are written, so seeding twice
//! changes nothing. A seeded scheme's definition (issuer, names, periods) is brought to the values
//! below where it differs, and its missing levels are added above the existing ones: awards keep
//! their levels.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{
    award, ce_requirement, coordinator,
    enums::{AwardDecision, CeUnit, HolderKind, IndustryField, TrainingKind},
    organization, qualification_scheme, scheme_level, training_course, training_record,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter,
};

use super::SeedReport;
use crate::domain::{dates, fields};

struct Level {
    code: &'static str,
    name_ja: &'static str,
    name_en: &'static str,
    requires_previous: bool,
    /// (months of practice, within months) before the award date.
    practice: Option<(i16, i16)>,
    /// A course (by English title) to complete by the award date.
    course: Option<&'static str>,
}

const fn level(
    code: &'static str,
    name_ja: &'static str,
    name_en: &'static str,
    requires_previous: bool,
) -> Level {
    Level {
        code,
        name_ja,
        name_en,
        requires_previous,
        practice: None,
        course: None,
    }
}

struct Scheme {
    code: &'static str,
    issuer: &'static str,
    name_ja: &'static str,
    name_en: &'static str,
    holder: HolderKind,
    validity_months: Option<i16>,
    window_months: i16,
    grace_months: i16,
    renewal_validity_months: Option<i16>,
    late_renewal_months: i16,
    levels: &'static [Level],
    /// (unit, kind of record, amount, the period the issuer states it over)
    requirements: &'static [(CeUnit, TrainingKind, i32, i16)],
}

const SCHEMES: &[Scheme] = &[
    // JBIA certifies incubation managers who completed the IM training course (IM養成研修, run
    // by JBIA and JILC since 2000), after a review: http://jbia.jp/recog.html. JBIA's pages do
    // not state a validity period or continuing education for 認定IM: the five years, the renewal
    // window, grace and credits below are kept from the earlier seed and are NOT from JBIA.
    Scheme {
        code: "incubation-manager",
        issuer: "jbia",
        name_ja: "認定インキュベーション・マネジャー",
        name_en: "Certified Incubation Manager (JBIA)",
        holder: HolderKind::Person,
        validity_months: Some(60),
        window_months: 6,
        grace_months: 3,
        renewal_validity_months: None,
        late_renewal_months: 0,
        levels: &[
            level(
                "course-graduate",
                "インキュベーション・マネジャー養成研修修了",
                "Training course graduate",
                false,
            ),
            level(
                "certified",
                "認定インキュベーション・マネジャー",
                "Certified incubation manager",
                true,
            ),
        ],
        requirements: &[(CeUnit::Credits, TrainingKind::Course, 10, 60)],
    },
    // 中小企業診断士 are registered by the Minister of Economy, Trade and Industry (中小企業支援法;
    // the SME Agency, 中小企業庁, handles the applications) for five years. Renewal needs, within
    // the registration's own validity period, five update courses (理論政策更新研修, 1 credit
    // each) and 30 points of practice (診断助言業務 and the like, one point a day); renewal is
    // impossible after expiry, so no grace. A holder may pause the registration (休止).
    // Sources: 中小企業庁「中小企業診断士制度のQ&A集」as summarised at
    // https://www.rmc-chuo.jp/id/guide/q76.html and http://www.riron.jp/touroku_koushin.html;
    // 休止: https://shindan-shi.jp/103/goal2.html. The 12-month renewal window is the network's
    // (the Agency accepts applications in the last months before expiry).
    Scheme {
        code: "sme-consultant",
        issuer: "meti",
        name_ja: "中小企業診断士（登録）",
        name_en: "Registered SME Management Consultant",
        holder: HolderKind::Person,
        validity_months: Some(60),
        window_months: 12,
        grace_months: 0,
        renewal_validity_months: None,
        late_renewal_months: 0,
        levels: &[level("registered", "登録", "Registered", false)],
        requirements: &[
            (CeUnit::Credits, TrainingKind::Course, 5, 60),
            (CeUnit::Points, TrainingKind::Practice, 30, 60),
        ],
    },
    // CRAMS certifies 認定URA and 認定専門URA. 認定URA needs the Core-level training completed and
    // URA work in Japanese universities etc. for three years in total within the last five:
    // https://crams.or.jp/wp/judge ("申請条件"), https://crams.or.jp/faq. Fundamental, Core and
    // Advanced are training levels, not certifications (https://www.crams.or.jp/training/).
    // 認定専門URA's conditions are not yet published ("検討中", https://crams.or.jp/faq/page/5),
    // so it carries no rule here. CRAMS's pages state no validity or continuing education: the
    // five years and hours below are kept from the earlier seed and are NOT from CRAMS.
    Scheme {
        code: "ura-skill",
        issuer: "crams",
        name_ja: "URAスキル認定（認定URA・認定専門URA）",
        name_en: "URA skills certification (Certified URA, Certified Senior URA)",
        holder: HolderKind::Person,
        validity_months: Some(60),
        window_months: 6,
        grace_months: 6,
        renewal_validity_months: None,
        late_renewal_months: 0,
        levels: &[
            Level {
                code: "certified-ura",
                name_ja: "認定URA",
                name_en: "Certified URA",
                requires_previous: false,
                practice: Some((36, 60)),
                course: Some("URA training (Core level)"),
            },
            level(
                "certified-senior-ura",
                "認定専門URA",
                "Certified Senior URA",
                false,
            ),
        ],
        requirements: &[(CeUnit::Hours, TrainingKind::Course, 20, 60)],
    },
    // ESCA's labels: a first Bronze (and Silver) label is valid two years; up to one year after
    // it expires it can be renewed by repeating the process, which extends it seamlessly by three
    // years from the previous validity period. Silver follows a second Bronze benchmarking.
    // Sources: https://www.cluster-analysis.org/benchmarked-clusters (Bronze),
    // https://www.cluster-analysis.org/silver-label (Silver). Gold's validity, and whether Gold
    // needs Silver first, were not found stated: Gold has no prerequisite here. The 3-month
    // window before expiry is the network's.
    Scheme {
        code: "cluster-management-label",
        issuer: "esca",
        name_ja: "クラスター・マネジメント・エクセレンス・ラベル",
        name_en: "Cluster Management Excellence Label (ESCA)",
        holder: HolderKind::Organization,
        validity_months: Some(24),
        window_months: 3,
        grace_months: 0,
        renewal_validity_months: Some(36),
        late_renewal_months: 12,
        levels: &[
            level("bronze", "ブロンズ", "Bronze", false),
            level("silver", "シルバー", "Silver", true),
            level("gold", "ゴールド", "Gold", false),
        ],
        requirements: &[],
    },
];

/// (provider, Japanese title, English title, unit, amount, kind)
const COURSES: &[(&str, &str, &str, CeUnit, i32, TrainingKind)] = &[
    (
        "jbia",
        "インキュベーション・マネジャー養成研修",
        "Incubation manager training course",
        CeUnit::Credits,
        5,
        TrainingKind::Course,
    ),
    (
        "smrj",
        "中小企業診断士 理論政策更新研修",
        "SME consultant theory and policy update course",
        CeUnit::Credits,
        1,
        TrainingKind::Course,
    ),
    // Practice, not a course: five days of consulting work (診断助言業務) for SMRJ, one point a day.
    (
        "smrj",
        "実務従事（5日間）",
        "Consulting practice (5 days)",
        CeUnit::Points,
        5,
        TrainingKind::Practice,
    ),
    (
        "crams",
        "URA研修 Coreレベル",
        "URA training (Core level)",
        CeUnit::Hours,
        10,
        TrainingKind::Course,
    ),
    (
        "jilc",
        "支援人材育成研修",
        "Training for support professionals",
        CeUnit::Credits,
        2,
        TrainingKind::Course,
    ),
];

/// (organisation, Japanese name, English name, prefecture, expertise, profile)
type CoordinatorRow = (
    &'static str,
    &'static str,
    &'static str,
    u8,
    &'static [IndustryField],
    &'static str,
);

const COORDINATORS: &[CoordinatorRow] = &[
    (
        "aerospace-forum",
        "山田 健一",
        "Kenichi Yamada",
        23,
        &[IndustryField::Aerospace, IndustryField::Manufacturing],
        "Matches aero parts makers in Chubu with domestic equipment makers seeking new vendors.",
    ),
    (
        "fcnw",
        "佐藤 美咲",
        "Misaki Sato",
        1,
        &[IndustryField::Food, IndustryField::Biotechnology],
        "Food processing and agri-biotech projects of the Hokkaido Food Cluster.",
    ),
    (
        "c-astec",
        "鈴木 大輔",
        "Daisuke Suzuki",
        23,
        &[IndustryField::Manufacturing, IndustryField::It],
        "Business plans and technology evaluation for second-time start-ups.",
    ),
    (
        "nagoya-u",
        "高橋 由美",
        "Yumi Takahashi",
        23,
        &[IndustryField::Biotechnology],
        "Research administration and industry collaboration at Nagoya University.",
    ),
    (
        "rbaj",
        "田中 誠",
        "Makoto Tanaka",
        13,
        &[IndustryField::RegionalIndustry],
        "Links regional banks' SME clients with cluster support.",
    ),
    (
        "jst",
        "伊藤 直子",
        "Naoko Ito",
        11,
        &[IndustryField::It, IndustryField::Energy],
        "Funding programmes for university R&D with SMEs.",
    ),
];

enum SeedHolder {
    Coordinator(&'static str),
    Organization(&'static str),
}

/// (certificate number, scheme, level, holder, awarded on, suspension reason)
type AwardRow = (
    &'static str,
    &'static str,
    &'static str,
    SeedHolder,
    (i32, u32, u32),
    Option<&'static str>,
);

const AWARDS: &[AwardRow] = &[
    (
        "IIN-3M7Q-K2XD-8HTR",
        "incubation-manager",
        "course-graduate",
        SeedHolder::Coordinator("Kenichi Yamada"),
        (2022, 7, 1),
        None,
    ),
    (
        "IIN-9P4W-N6BF-2KCA",
        "incubation-manager",
        "certified",
        SeedHolder::Coordinator("Kenichi Yamada"),
        (2023, 4, 1),
        None,
    ),
    (
        "IIN-5T8V-R1QM-7JZE",
        "incubation-manager",
        "course-graduate",
        SeedHolder::Coordinator("Misaki Sato"),
        (2021, 4, 1),
        None,
    ),
    (
        "IIN-2H6G-Y9DS-4MWB",
        "sme-consultant",
        "registered",
        SeedHolder::Coordinator("Daisuke Suzuki"),
        (2022, 4, 1),
        None,
    ),
    (
        "IIN-8K3N-F5VX-1RPD",
        "sme-consultant",
        "registered",
        SeedHolder::Coordinator("Makoto Tanaka"),
        (2023, 4, 1),
        Some("Registration documents under review"),
    ),
    (
        "IIN-4X9B-M2KE-6WTS",
        "ura-skill",
        "certified-ura",
        SeedHolder::Coordinator("Yumi Takahashi"),
        (2024, 10, 1),
        None,
    ),
    (
        "IIN-1W2E-J4QX-5BZK",
        "ura-skill",
        "certified-ura",
        SeedHolder::Coordinator("Naoko Ito"),
        (2023, 4, 1),
        None,
    ),
    (
        "IIN-0F6T-H3NR-8DYC",
        "ura-skill",
        "certified-senior-ura",
        SeedHolder::Coordinator("Naoko Ito"),
        (2025, 4, 1),
        None,
    ),
    (
        "IIN-3J8M-W5ZA-2PGF",
        "cluster-management-label",
        "bronze",
        SeedHolder::Organization("aerospace-forum"),
        (2025, 6, 1),
        None,
    ),
    (
        "IIN-9D2K-C7TB-4XRV",
        "cluster-management-label",
        "bronze",
        SeedHolder::Organization("fcnw"),
        (2023, 10, 1),
        None,
    ),
];

/// (coordinator, course title (English), completed on)
const TRAININGS: &[(&str, &str, (i32, u32, u32))] = &[
    (
        "Kenichi Yamada",
        "Incubation manager training course",
        (2022, 6, 15),
    ),
    (
        "Kenichi Yamada",
        "Training for support professionals",
        (2024, 11, 1),
    ),
    (
        "Daisuke Suzuki",
        "SME consultant theory and policy update course",
        (2023, 6, 10),
    ),
    (
        "Daisuke Suzuki",
        "SME consultant theory and policy update course",
        (2024, 6, 12),
    ),
    (
        "Daisuke Suzuki",
        "SME consultant theory and policy update course",
        (2025, 6, 11),
    ),
    (
        "Daisuke Suzuki",
        "Consulting practice (5 days)",
        (2023, 9, 1),
    ),
    (
        "Daisuke Suzuki",
        "Consulting practice (5 days)",
        (2024, 3, 1),
    ),
    (
        "Daisuke Suzuki",
        "Consulting practice (5 days)",
        (2025, 3, 1),
    ),
    (
        "Daisuke Suzuki",
        "Consulting practice (5 days)",
        (2026, 3, 1),
    ),
    ("Yumi Takahashi", "URA training (Core level)", (2024, 9, 1)),
    ("Naoko Ito", "URA training (Core level)", (2022, 9, 1)),
];

fn date((y, m, d): (i32, u32, u32)) -> Result<NaiveDate, DbErr> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DbErr::Custom(format!("seed date {y}-{m}-{d}")))
}

pub(super) async fn load(
    txn: &DatabaseTransaction,
    organizations: &HashMap<String, organization::Model>,
    report: &mut SeedReport,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let org = |code: &str| {
        organizations
            .get(code)
            .map(|o| o.id)
            .ok_or_else(|| DbErr::Custom(format!("seed organisation {code}")))
    };

    let mut courses = HashMap::new();
    for (provider, title_ja, title_en, unit, amount, kind) in COURSES {
        let provider_id = org(provider)?;
        let existing = training_course::Entity::find()
            .filter(training_course::Column::ProviderId.eq(provider_id))
            .filter(training_course::Column::TitleEn.eq(*title_en))
            .one(txn)
            .await?;
        let course = match existing {
            Some(course) => course,
            None => {
                report.inserted += 1;
                training_course::ActiveModel {
                    provider_id: Set(provider_id),
                    title_ja: Set((*title_ja).to_owned()),
                    title_en: Set((*title_en).to_owned()),
                    unit: Set(*unit),
                    amount: Set(*amount),
                    kind: Set(*kind),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?
            }
        };
        courses.insert(*title_en, course.id);
    }
    let course = |title: &str| {
        courses
            .get(title)
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("seed course {title}")))
    };

    let mut schemes = HashMap::new();
    let mut levels = HashMap::new();
    for seed in SCHEMES {
        let issuer_id = org(seed.issuer)?;
        let existing = qualification_scheme::Entity::find()
            .filter(qualification_scheme::Column::Code.eq(seed.code))
            .one(txn)
            .await?;
        let wanted = (
            issuer_id,
            seed.name_ja,
            seed.name_en,
            seed.validity_months,
            seed.window_months,
            seed.grace_months,
            seed.renewal_validity_months,
            seed.late_renewal_months,
        );
        let scheme = match existing {
            Some(scheme)
                if (
                    scheme.issuer_id,
                    scheme.name_ja.as_str(),
                    scheme.name_en.as_str(),
                    scheme.validity_months,
                    scheme.renewal_window_months,
                    scheme.grace_months,
                    scheme.renewal_validity_months,
                    scheme.late_renewal_months,
                ) != wanted =>
            {
                // An earlier seed named the wrong issuer (or other terms): correct the scheme.
                report.updated += 1;
                let mut active = scheme.into_active_model();
                active.issuer_id = Set(issuer_id);
                active.name_ja = Set(seed.name_ja.to_owned());
                active.name_en = Set(seed.name_en.to_owned());
                active.validity_months = Set(seed.validity_months);
                active.renewal_window_months = Set(seed.window_months);
                active.grace_months = Set(seed.grace_months);
                active.renewal_validity_months = Set(seed.renewal_validity_months);
                active.late_renewal_months = Set(seed.late_renewal_months);
                active.updated_at = Set(now);
                active.update(txn).await?
            }
            Some(scheme) => scheme,
            None => {
                report.inserted += 1;
                let scheme = qualification_scheme::ActiveModel {
                    code: Set(seed.code.to_owned()),
                    issuer_id: Set(issuer_id),
                    name_ja: Set(seed.name_ja.to_owned()),
                    name_en: Set(seed.name_en.to_owned()),
                    holder_kind: Set(seed.holder),
                    validity_months: Set(seed.validity_months),
                    renewal_window_months: Set(seed.window_months),
                    grace_months: Set(seed.grace_months),
                    renewal_validity_months: Set(seed.renewal_validity_months),
                    late_renewal_months: Set(seed.late_renewal_months),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                for (unit, kind, amount, period) in seed.requirements {
                    report.inserted += 1;
                    ce_requirement::ActiveModel {
                        scheme_id: Set(scheme.id),
                        unit: Set(*unit),
                        kind: Set(*kind),
                        amount: Set(*amount),
                        period_months: Set(*period),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                }
                scheme
            }
        };
        let existing_levels = scheme_level::Entity::find()
            .filter(scheme_level::Column::SchemeId.eq(scheme.id))
            .all(txn)
            .await?;
        let mut next_rank = existing_levels.iter().map(|l| l.rank).max().unwrap_or(0) + 1;
        for level in existing_levels {
            levels.insert((seed.code, level.code.clone()), level.id);
        }
        // Missing levels go above the existing ones, in the seed's order.
        for seed_level in seed.levels {
            if levels.contains_key(&(seed.code, seed_level.code.to_owned())) {
                continue;
            }
            report.inserted += 1;
            let row = scheme_level::ActiveModel {
                scheme_id: Set(scheme.id),
                rank: Set(next_rank),
                code: Set(seed_level.code.to_owned()),
                name_ja: Set(seed_level.name_ja.to_owned()),
                name_en: Set(seed_level.name_en.to_owned()),
                requires_previous: Set(seed_level.requires_previous && next_rank > 1),
                practice_months: Set(seed_level.practice.map(|p| p.0)),
                practice_within_months: Set(seed_level.practice.map(|p| p.1)),
                required_course_id: Set(seed_level.course.map(course).transpose()?),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            next_rank += 1;
            levels.insert((seed.code, row.code), row.id);
        }
        schemes.insert(seed.code, scheme);
    }

    let mut coordinators = HashMap::new();
    for (organization, name_ja, name_en, prefecture, expertise, profile) in COORDINATORS {
        let organization_id = org(organization)?;
        let existing = coordinator::Entity::find()
            .filter(coordinator::Column::OrganizationId.eq(organization_id))
            .filter(coordinator::Column::NameEn.eq(*name_en))
            .one(txn)
            .await?;
        let row = match existing {
            Some(row) => row,
            None => {
                report.inserted += 1;
                coordinator::ActiveModel {
                    organization_id: Set(organization_id),
                    name_ja: Set((*name_ja).to_owned()),
                    name_en: Set((*name_en).to_owned()),
                    prefecture_code: Set((*prefecture).into()),
                    expertise: Set(fields::encode(expertise)),
                    profile_en: Set(Some((*profile).to_owned())),
                    contact_email: Set(None),
                    contact_phone: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?
            }
        };
        coordinators.insert(*name_en, row.id);
    }

    for (number, scheme_code, level_code, holder, awarded_on, suspension) in AWARDS {
        let exists = award::Entity::find()
            .filter(award::Column::CertificateNumber.eq(*number))
            .one(txn)
            .await?
            .is_some();
        if exists {
            continue;
        }
        report.inserted += 1;
        let scheme = &schemes[scheme_code];
        let awarded_on = date(*awarded_on)?;
        let (coordinator_id, holder_organization_id) = match holder {
            SeedHolder::Coordinator(name) => (Some(coordinators[name]), None),
            SeedHolder::Organization(code) => (None, Some(org(code)?)),
        };
        let level_id = levels
            .get(&(*scheme_code, (*level_code).to_owned()))
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("seed level {scheme_code} {level_code}")))?;
        award::ActiveModel {
            scheme_id: Set(scheme.id),
            level_id: Set(level_id),
            coordinator_id: Set(coordinator_id),
            holder_organization_id: Set(holder_organization_id),
            certificate_number: Set((*number).to_owned()),
            awarded_on: Set(awarded_on),
            expires_on: Set(scheme
                .validity_months
                .and_then(|m| dates::period_end(awarded_on, u32::try_from(m).unwrap_or(0)))),
            period_from: Set(Some(awarded_on)),
            version: Set(1),
            decision: Set(if suspension.is_some() {
                AwardDecision::Suspended
            } else {
                AwardDecision::Active
            }),
            decision_reason: Set(suspension.map(str::to_owned)),
            decided_at: Set(suspension.map(|_| now)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }

    for (name, course, completed_on) in TRAININGS {
        let (coordinator_id, course_id, completed_on) =
            (coordinators[name], courses[course], date(*completed_on)?);
        let exists = training_record::Entity::find()
            .filter(training_record::Column::CoordinatorId.eq(coordinator_id))
            .filter(training_record::Column::CourseId.eq(course_id))
            .filter(training_record::Column::CompletedOn.eq(completed_on))
            .one(txn)
            .await?
            .is_some();
        if !exists {
            report.inserted += 1;
            training_record::ActiveModel {
                coordinator_id: Set(coordinator_id),
                course_id: Set(course_id),
                completed_on: Set(completed_on),
                recorded_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certificate;

    #[test]
    fn seed_certificates_are_canonical_and_reference_known_rows() {
        for (number, scheme, level, holder, _, _) in AWARDS {
            assert_eq!(
                certificate::normalize(number).as_deref(),
                Some(*number),
                "{number}"
            );
            let scheme = SCHEMES
                .iter()
                .find(|s| s.code == *scheme)
                .expect("a seeded scheme");
            assert!(scheme.levels.iter().any(|l| l.code == *level), "{level}");
            let person = matches!(holder, SeedHolder::Coordinator(_));
            assert_eq!(person, scheme.holder == HolderKind::Person, "{number}");
            if let SeedHolder::Coordinator(name) = holder {
                assert!(COORDINATORS.iter().any(|c| c.2 == *name), "{name}");
            }
        }
        for (name, course, _) in TRAININGS {
            assert!(COORDINATORS.iter().any(|c| c.2 == *name), "{name}");
            assert!(COURSES.iter().any(|c| c.2 == *course), "{course}");
        }
        for level in SCHEMES.iter().flat_map(|s| s.levels) {
            if let Some(course) = level.course {
                assert!(COURSES.iter().any(|c| c.2 == course), "{course}");
            }
        }
    }
}
