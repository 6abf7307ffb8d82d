//! Seed data: the source document's directory, loaded idempotently. Rows are matched by their
//! natural keys (organisation and project codes, participation pairs, a tie-up's project, country
//! and partner) and written only where they differ, so a second run changes nothing. Profile
//! fields that institutions edit themselves (website, descriptions) are set on insert only. The
//! qualification data (schemes, coordinators, awards, trainings) is written where missing.

mod qualifications;
mod source;
pub mod synthetic;

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    cluster_participation, cluster_project, enums::MembershipBasis, organization, tie_up,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    TransactionTrait,
};

use crate::domain::{
    fields,
    tie_ups::{Partner, TieUpPartners},
};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub inserted: usize,
    pub updated: usize,
}

pub async fn load_source(db: &DatabaseConnection) -> Result<SeedReport, DbErr> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let mut report = SeedReport::default();

    let mut organizations: HashMap<String, organization::Model> = organization::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|row| (row.code.clone(), row))
        .collect();
    for seed in source::ORGANIZATIONS {
        let row = match organizations.get(seed.code) {
            None => {
                report.inserted += 1;
                organization::ActiveModel {
                    code: Set(seed.code.to_owned()),
                    name_ja: Set(seed.name_ja.to_owned()),
                    name_en: Set(seed.name_en.to_owned()),
                    abbreviation: Set(seed.abbreviation.map(str::to_owned)),
                    kind: Set(seed.kind),
                    membership: Set(seed.membership),
                    membership_basis: Set(seed.basis),
                    prefecture_code: Set(seed.prefecture.map(i16::from)),
                    country_code: Set(seed.country.to_owned()),
                    website_url: Set(None),
                    description_ja: Set(None),
                    description_en: Set(seed.description_en.map(str::to_owned)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
            Some(row) => {
                // A membership the network has recorded is the network's to change, not the seed's.
                let (membership, basis) = if row.membership_basis == MembershipBasis::NetworkRecord
                {
                    (row.membership, row.membership_basis)
                } else {
                    (seed.membership, seed.basis)
                };
                let wanted = (
                    seed.name_ja,
                    seed.name_en,
                    seed.abbreviation,
                    seed.kind,
                    membership,
                    basis,
                    seed.prefecture.map(i16::from),
                    seed.country,
                );
                let current = (
                    row.name_ja.as_str(),
                    row.name_en.as_str(),
                    row.abbreviation.as_deref(),
                    row.kind,
                    row.membership,
                    row.membership_basis,
                    row.prefecture_code,
                    row.country_code.as_str(),
                );
                if current == wanted {
                    row.clone()
                } else {
                    report.updated += 1;
                    let mut active = row.clone().into_active_model();
                    active.name_ja = Set(seed.name_ja.to_owned());
                    active.name_en = Set(seed.name_en.to_owned());
                    active.abbreviation = Set(seed.abbreviation.map(str::to_owned));
                    active.kind = Set(seed.kind);
                    active.membership = Set(membership);
                    active.membership_basis = Set(basis);
                    active.prefecture_code = Set(seed.prefecture.map(i16::from));
                    active.country_code = Set(seed.country.to_owned());
                    active.updated_at = Set(now);
                    active.update(&txn).await?
                }
            }
        };
        organizations.insert(row.code.clone(), row);
    }

    let mut projects: HashMap<String, cluster_project::Model> = cluster_project::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|row| (row.code.clone(), row))
        .collect();
    for seed in source::PROJECTS {
        let field_text = fields::encode(seed.fields);
        let wanted = (
            seed.name_ja,
            seed.name_en,
            seed.program,
            seed.bureau,
            field_text.as_str(),
            seed.term,
            seed.description_en,
        );
        let row = match projects.get(seed.code) {
            None => {
                report.inserted += 1;
                cluster_project::ActiveModel {
                    code: Set(seed.code.to_owned()),
                    name_ja: Set(seed.name_ja.to_owned()),
                    name_en: Set(seed.name_en.to_owned()),
                    program: Set(seed.program),
                    bureau: Set(seed.bureau),
                    fields: Set(field_text.clone()),
                    term_start_fiscal_year: Set(seed.term.0),
                    term_end_fiscal_year: Set(seed.term.1),
                    description_en: Set(seed.description_en.map(str::to_owned)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
            Some(row)
                if (
                    row.name_ja.as_str(),
                    row.name_en.as_str(),
                    row.program,
                    row.bureau,
                    row.fields.as_str(),
                    (row.term_start_fiscal_year, row.term_end_fiscal_year),
                    row.description_en.as_deref(),
                ) != wanted =>
            {
                report.updated += 1;
                let mut active = row.clone().into_active_model();
                active.name_ja = Set(seed.name_ja.to_owned());
                active.name_en = Set(seed.name_en.to_owned());
                active.program = Set(seed.program);
                active.bureau = Set(seed.bureau);
                active.fields = Set(field_text.clone());
                active.term_start_fiscal_year = Set(seed.term.0);
                active.term_end_fiscal_year = Set(seed.term.1);
                active.description_en = Set(seed.description_en.map(str::to_owned));
                active.updated_at = Set(now);
                active.update(&txn).await?
            }
            Some(row) => row.clone(),
        };
        projects.insert(row.code.clone(), row);
    }

    let participations: HashMap<(i64, i64), cluster_participation::Model> =
        cluster_participation::Entity::find()
            .all(&txn)
            .await?
            .into_iter()
            .map(|row| ((row.project_id, row.organization_id), row))
            .collect();
    for seed in source::PARTICIPATIONS {
        let key = (
            projects[seed.project].id,
            organizations[seed.organization].id,
        );
        match participations.get(&key) {
            None => {
                report.inserted += 1;
                cluster_participation::ActiveModel {
                    project_id: Set(key.0),
                    organization_id: Set(key.1),
                    role: Set(seed.role),
                }
                .insert(&txn)
                .await?;
            }
            Some(row) if row.role != seed.role => {
                report.updated += 1;
                let mut active = row.clone().into_active_model();
                active.role = Set(seed.role);
                active.update(&txn).await?;
            }
            Some(_) => {}
        }
    }

    // A tie-up is known by its country and both partners as the source words them, so that a
    // correction of its project, region or fields updates it in place.
    let tie_ups: HashMap<(String, String, String), tie_up::Model> = tie_up::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|row| {
            (
                (
                    row.country_code.clone(),
                    row.japanese_partner.clone(),
                    row.foreign_partner.clone(),
                ),
                row,
            )
        })
        .collect();
    for seed in source::TIE_UPS {
        let project_id = projects[seed.project].id;
        let key = (
            seed.country.to_owned(),
            seed.japanese_partner.to_owned(),
            seed.foreign_partner.to_owned(),
        );
        let field_text = fields::encode(seed.fields);
        let partners = TieUpPartners {
            partners: seed
                .partners
                .iter()
                .map(|(name, kind)| Partner {
                    name: (*name).to_owned(),
                    kind: Some(*kind),
                    country: seed.country.to_owned(),
                })
                .collect(),
            incomplete: seed.partners_incomplete,
        }
        .encode();
        let wanted = (
            project_id,
            seed.region,
            seed.field_label,
            field_text.as_str(),
            partners.as_str(),
            seed.start_year,
            seed.status,
            seed.agreement_type,
        );
        match tie_ups.get(&key) {
            None => {
                report.inserted += 1;
                tie_up::ActiveModel {
                    project_id: Set(project_id),
                    region: Set(seed.region),
                    country_code: Set(seed.country.to_owned()),
                    japanese_partner: Set(seed.japanese_partner.to_owned()),
                    foreign_partner: Set(seed.foreign_partner.to_owned()),
                    partners: Set(partners.clone()),
                    start_year: Set(seed.start_year),
                    status: Set(seed.status),
                    agreement_type: Set(seed.agreement_type),
                    field_label: Set(seed.field_label.to_owned()),
                    fields: Set(field_text.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
            Some(row)
                if (
                    row.project_id,
                    row.region,
                    row.field_label.as_str(),
                    row.fields.as_str(),
                    row.partners.as_str(),
                    row.start_year,
                    row.status,
                    row.agreement_type,
                ) != wanted =>
            {
                report.updated += 1;
                let mut active = row.clone().into_active_model();
                active.project_id = Set(project_id);
                active.region = Set(seed.region);
                active.field_label = Set(seed.field_label.to_owned());
                active.fields = Set(field_text.clone());
                active.partners = Set(partners.clone());
                active.start_year = Set(seed.start_year);
                active.status = Set(seed.status);
                active.agreement_type = Set(seed.agreement_type);
                active.updated_at = Set(now);
                active.update(&txn).await?;
            }
            Some(_) => {}
        }
    }

    qualifications::load(&txn, &organizations, &mut report).await?;

    txn.commit().await?;
    Ok(report)
}
