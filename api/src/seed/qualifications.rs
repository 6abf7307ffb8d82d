//! Qualification seed data, modelled on real schemes: Japan's certified incubation manager (a
//! course, then a review; IIN Japan carries on JANBO's certification), an SME-consultant-style
//! licence (five years; renewal needs update courses and consulting practice), URA skill levels,
//! and cluster-management labels for organisations after the European bronze / silver / gold
//! labels (bronze valid two years). The coordinators are fictional; their awards' fixed dates
//! give, as time passes, active, expiring, expired and suspended certificates.
//!
//! Rows are matched by natural key (scheme code, level code, course title, coordinator name,
//! certificate number) and only missing ones are written, so seeding twice changes nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{
    award, ce_requirement, coordinator,
    enums::{AwardDecision, CeUnit, HolderKind, IndustryField},
    organization, qualification_scheme, scheme_level, training_course, training_record,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};

use super::SeedReport;
use crate::domain::{dates, fields};

struct Scheme {
    code: &'static str,
    issuer: &'static str,
    name_ja: &'static str,
    name_en: &'static str,
    holder: HolderKind,
    validity_months: Option<i16>,
    window_months: i16,
    grace_months: i16,
    /// (code, Japanese, English, requires the level below)
    levels: &'static [(&'static str, &'static str, &'static str, bool)],
    requirements: &'static [(CeUnit, i32, i16)],
}

const SCHEMES: &[Scheme] = &[
    Scheme {
        code: "incubation-manager",
        issuer: "iin-japan",
        name_ja: "認定インキュベーション・マネージャー",
        name_en: "Certified Incubation Manager",
        holder: HolderKind::Person,
        validity_months: Some(60),
        window_months: 6,
        grace_months: 3,
        levels: &[
            (
                "course-graduate",
                "養成研修修了",
                "Training course graduate",
                false,
            ),
            (
                "certified",
                "認定インキュベーション・マネージャー",
                "Certified incubation manager",
                true,
            ),
        ],
        requirements: &[(CeUnit::Credits, 10, 60)],
    },
    Scheme {
        code: "sme-consultant",
        issuer: "smea",
        name_ja: "中小企業診断士（登録）",
        name_en: "Registered SME Management Consultant",
        holder: HolderKind::Person,
        validity_months: Some(60),
        window_months: 12,
        grace_months: 0,
        levels: &[("registered", "登録", "Registered", false)],
        requirements: &[(CeUnit::Credits, 5, 60), (CeUnit::Points, 30, 60)],
    },
    Scheme {
        code: "ura-skill",
        issuer: "jst",
        name_ja: "リサーチ・アドミニストレーター（URA）スキル認定",
        name_en: "University Research Administrator (URA) skill certification",
        holder: HolderKind::Person,
        validity_months: Some(60),
        window_months: 6,
        grace_months: 6,
        levels: &[
            ("fundamental", "ファンダメンタル", "Fundamental", false),
            ("core", "コア", "Core", true),
            ("advanced", "アドバンスト", "Advanced", true),
        ],
        requirements: &[(CeUnit::Hours, 20, 60)],
    },
    Scheme {
        code: "cluster-management-label",
        issuer: "iin-japan",
        name_ja: "クラスター・マネジメント・エクセレンス・ラベル",
        name_en: "Cluster Management Excellence Label",
        holder: HolderKind::Organization,
        validity_months: Some(24),
        window_months: 3,
        grace_months: 0,
        levels: &[
            ("bronze", "ブロンズ", "Bronze", false),
            ("silver", "シルバー", "Silver", true),
            ("gold", "ゴールド", "Gold", true),
        ],
        requirements: &[],
    },
];

/// (provider, Japanese title, English title, unit, amount)
const COURSES: &[(&str, &str, &str, CeUnit, i32)] = &[
    (
        "iin-japan",
        "インキュベーション・マネージャー養成研修",
        "Incubation manager training course",
        CeUnit::Credits,
        5,
    ),
    (
        "smrj",
        "中小企業診断士 理論政策更新研修",
        "SME consultant theory and policy update course",
        CeUnit::Credits,
        1,
    ),
    (
        "smrj",
        "実務従事（5日間）",
        "Consulting practice (5 days)",
        CeUnit::Points,
        5,
    ),
    (
        "jst",
        "URA研修（コア）",
        "URA training (core)",
        CeUnit::Hours,
        10,
    ),
    (
        "jilc",
        "支援人材育成研修",
        "Training for support professionals",
        CeUnit::Credits,
        2,
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
        "IIN-6C1Z-T7HJ-9QNA",
        "ura-skill",
        "fundamental",
        SeedHolder::Coordinator("Yumi Takahashi"),
        (2023, 10, 1),
        None,
    ),
    (
        "IIN-4X9B-M2KE-6WTS",
        "ura-skill",
        "core",
        SeedHolder::Coordinator("Yumi Takahashi"),
        (2024, 10, 1),
        None,
    ),
    (
        "IIN-7R5D-P8GC-3VHM",
        "ura-skill",
        "fundamental",
        SeedHolder::Coordinator("Naoko Ito"),
        (2022, 4, 1),
        None,
    ),
    (
        "IIN-1W2E-J4QX-5BZK",
        "ura-skill",
        "core",
        SeedHolder::Coordinator("Naoko Ito"),
        (2023, 4, 1),
        None,
    ),
    (
        "IIN-0F6T-H3NR-8DYC",
        "ura-skill",
        "advanced",
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
    ("Yumi Takahashi", "URA training (core)", (2024, 9, 1)),
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

    let mut schemes = HashMap::new();
    let mut levels = HashMap::new();
    for seed in SCHEMES {
        let existing = qualification_scheme::Entity::find()
            .filter(qualification_scheme::Column::Code.eq(seed.code))
            .one(txn)
            .await?;
        let scheme = match existing {
            Some(scheme) => scheme,
            None => {
                report.inserted += 1;
                let scheme = qualification_scheme::ActiveModel {
                    code: Set(seed.code.to_owned()),
                    issuer_id: Set(org(seed.issuer)?),
                    name_ja: Set(seed.name_ja.to_owned()),
                    name_en: Set(seed.name_en.to_owned()),
                    holder_kind: Set(seed.holder),
                    validity_months: Set(seed.validity_months),
                    renewal_window_months: Set(seed.window_months),
                    grace_months: Set(seed.grace_months),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                for (rank, (code, ja, en, requires_previous)) in seed.levels.iter().enumerate() {
                    report.inserted += 1;
                    scheme_level::ActiveModel {
                        scheme_id: Set(scheme.id),
                        rank: Set(rank as i16 + 1),
                        code: Set((*code).to_owned()),
                        name_ja: Set((*ja).to_owned()),
                        name_en: Set((*en).to_owned()),
                        requires_previous: Set(*requires_previous),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                }
                for (unit, amount, period) in seed.requirements {
                    report.inserted += 1;
                    ce_requirement::ActiveModel {
                        scheme_id: Set(scheme.id),
                        unit: Set(*unit),
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
        for level in scheme_level::Entity::find()
            .filter(scheme_level::Column::SchemeId.eq(scheme.id))
            .all(txn)
            .await?
        {
            levels.insert((seed.code, level.code.clone()), level.id);
        }
        schemes.insert(seed.code, scheme);
    }

    let mut courses = HashMap::new();
    for (provider, title_ja, title_en, unit, amount) in COURSES {
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
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?
            }
        };
        courses.insert(*title_en, course.id);
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
        award::ActiveModel {
            scheme_id: Set(scheme.id),
            level_id: Set(levels[&(*scheme_code, (*level_code).to_owned())]),
            coordinator_id: Set(coordinator_id),
            holder_organization_id: Set(holder_organization_id),
            certificate_number: Set((*number).to_owned()),
            awarded_on: Set(awarded_on),
            expires_on: Set(scheme
                .validity_months
                .and_then(|m| dates::period_end(awarded_on, u32::try_from(m).unwrap_or(0)))),
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
            assert!(
                scheme.levels.iter().any(|(code, ..)| code == level),
                "{level}"
            );
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
    }
}
