//! `matchCandidates`: the SMEs that may answer a need, ranked by a documented, deterministic
//! score, each with the reasons for it. Everything the score uses is read as the caller may read
//! it (products, evaluations, proposals), so a reason never reveals what the caller could not
//! read otherwise.
//!
//! | what | points |
//! | --- | --- |
//! | each industry field of the need that the SME covers (its products' fields and its cluster projects' fields) | 3 |
//! | each manufacturing process the need requires that the SME's products cover | 3 |
//! | the rating of the SME's latest rated evaluation the caller may read: A / B / C / D | 3 / 2 / 1 / 0 |
//! | niche status: GNT or DNT / candidate | 2 / 1 |
//! | the SME is in the buyer's prefecture / else in the same METI bureau (the posting institution's when the buyer's prefecture is not recorded) | 2 / 1 |
//! | each earlier accepted proposal the SME was part of (that the caller may read), at most 3 | 1 |
//!
//! An SME is a candidate only when it covers at least one field or process of the need. Ties go to
//! the SME registered first (the smaller id), so the same data always gives the same order.

use std::collections::{BTreeMap, BTreeSet};

use entity::{
    business_need, cluster_project,
    enums::{IndustryField, NicheStatus, Rating},
    evaluation,
    matching_enums::{ManufacturingProcess, ProposalStatus},
    organization, proposal, proposal_member, sme, sme_product,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};

use super::{decode_processes, process_pattern, proposals, showcase};
use crate::{
    auth::Caller,
    db::limits,
    domain::{
        evaluation::{evaluations, smes},
        fields,
        prefecture::PrefectureCode,
        search::like,
    },
    error::ApiResult,
};

/// How many SMEs are scored at most.
const CANDIDATES: u64 = 1000;

/// Points per covered field or process.
pub const PER_COVERED: i32 = 3;
/// The most that earlier accepted proposals add.
pub const MOST_FOR_TRACK_RECORD: i32 = 3;

/// One ranked SME.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub sme: sme::Model,
    pub score: i32,
    pub reasons: Vec<String>,
}

/// Points for a rating.
pub fn rating_points(rating: Rating) -> i32 {
    match rating {
        Rating::A => 3,
        Rating::B => 2,
        Rating::C => 1,
        Rating::D => 0,
    }
}

/// Points for a niche status.
pub fn niche_points(status: NicheStatus) -> i32 {
    match status {
        NicheStatus::Gnt | NicheStatus::Dnt => 2,
        NicheStatus::Candidate => 1,
        NicheStatus::None => 0,
    }
}

fn bureau_of(code: i16) -> Option<entity::enums::MetiBureau> {
    PrefectureCode::parse(code.into())
        .ok()
        .map(|c| c.prefecture().bureau)
}

/// Up to `first` candidates for `need` (which the caller reads), best first.
pub async fn candidates<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    need: &business_need::Model,
    first: usize,
) -> ApiResult<Vec<Candidate>> {
    let need_fields = fields::decode(&need.fields);
    let need_processes = decode_processes(&need.processes);
    if first == 0 || (need_fields.is_empty() && need_processes.is_empty()) {
        return Ok(Vec::new());
    }
    // Projects by field, and the products the caller may read that cover the need.
    let projects = cluster_project::Entity::find().all(db).await?;
    let project_fields: BTreeMap<i64, Vec<IndustryField>> = projects
        .iter()
        .map(|p| (p.id, fields::decode(&p.fields)))
        .collect();
    let mut covers = Condition::any();
    for field in &need_fields {
        covers = covers.add(like(
            (sme_product::Entity, sme_product::Column::Fields),
            fields::like_pattern(*field),
        ));
    }
    for process in &need_processes {
        covers = covers.add(like(
            (sme_product::Entity, sme_product::Column::Processes),
            process_pattern(*process),
        ));
    }
    let mut sme_covers = Condition::any().add(
        sme::Column::Id.in_subquery(
            showcase::products_readable_by(caller)
                .narrow(covers)
                .select()
                .select_only()
                .column(sme_product::Column::SmeId)
                .into_query(),
        ),
    );
    for (id, found) in &project_fields {
        if found.iter().any(|f| need_fields.contains(f)) {
            sme_covers = sme_covers.add(like(
                (sme::Entity, sme::Column::ClusterProjects),
                format!("%,{id},%"),
            ));
        }
    }
    let candidates = smes::readable_by(caller)
        .narrow(sme_covers)
        .select()
        .order_by_asc(sme::Column::Id)
        .limit(CANDIDATES);
    let rows = limits::all(db, candidates).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();

    let mut products: BTreeMap<i64, (Vec<IndustryField>, BTreeSet<ManufacturingProcess>)> =
        BTreeMap::new();
    for product in showcase::products_readable_by(caller)
        .narrow(sme_product::Column::SmeId.is_in(ids.clone()))
        .select()
        .all(db)
        .await?
    {
        let entry = products.entry(product.sme_id).or_default();
        entry.0.extend(fields::decode(&product.fields));
        entry.1.extend(decode_processes(&product.processes));
    }

    // The latest rated evaluation of each SME that the caller may read.
    let mut ratings: BTreeMap<i64, Rating> = BTreeMap::new();
    for row in evaluations::rated_readable_by(caller)
        .narrow(evaluation::Column::SmeId.is_in(ids.clone()))
        .select()
        .order_by_desc(evaluation::Column::UpdatedAt)
        .order_by_desc(evaluation::Column::Id)
        .all(db)
        .await?
    {
        if let Some(rating) = row.rating {
            ratings.entry(row.sme_id).or_insert(rating);
        }
    }

    // Earlier accepted proposals the caller may read.
    let accepted = proposals::readable_by(caller)
        .narrow(proposal::Column::Status.eq(ProposalStatus::Accepted))
        .select()
        .select_only()
        .column(proposal::Column::Id)
        .into_query();
    let mut track: BTreeMap<i64, i32> = BTreeMap::new();
    for member in proposal_member::Entity::find()
        .filter(proposal_member::Column::SmeId.is_in(ids.clone()))
        .filter(proposal_member::Column::ProposalId.in_subquery(accepted))
        .all(db)
        .await?
    {
        *track.entry(member.sme_id).or_default() += 1;
    }

    // Where the buyer is: its prefecture, or the posting institution's.
    let places = organization::Entity::find()
        .filter(organization::Column::Id.is_in([need.buyer_id, need.institution_id]))
        .all(db)
        .await?;
    let place = |id: i64| {
        places
            .iter()
            .find(|o| o.id == id)
            .and_then(|o| o.prefecture_code)
    };
    let home = place(need.buyer_id).or_else(|| place(need.institution_id));

    let mut ranked: Vec<Candidate> = rows
        .into_iter()
        .filter_map(|sme| {
            let mut score = 0;
            let mut reasons = Vec::new();
            let (product_fields, product_processes) =
                products.get(&sme.id).cloned().unwrap_or_default();
            let mut sme_fields = product_fields;
            for project in crate::domain::evaluation::smes::decode_projects(&sme.cluster_projects) {
                if let Some(found) = project_fields.get(&project) {
                    sme_fields.extend(found.iter().copied());
                }
            }
            let mut covered = 0;
            for field in &need_fields {
                if sme_fields.contains(field) {
                    covered += 1;
                    reasons.push(format!(
                        "covers the field {} (+{PER_COVERED})",
                        field.to_value()
                    ));
                }
            }
            for process in &need_processes {
                if product_processes.contains(process) {
                    covered += 1;
                    reasons.push(format!(
                        "its products cover the process {} (+{PER_COVERED})",
                        process.to_value()
                    ));
                }
            }
            if covered == 0 {
                return None;
            }
            score += covered * PER_COVERED;
            if let Some(rating) = ratings.get(&sme.id) {
                let points = rating_points(*rating);
                score += points;
                reasons.push(format!(
                    "its latest evaluation is rated {} (+{points})",
                    sea_orm::ActiveEnum::to_value(rating)
                ));
            }
            let niche = niche_points(sme.niche_status);
            if niche > 0 {
                score += niche;
                reasons.push(format!(
                    "niche status {} (+{niche})",
                    sme.niche_status.to_value().to_uppercase()
                ));
            }
            if let Some(home) = home {
                if sme.prefecture_code == home {
                    score += 2;
                    reasons.push("in the buyer's prefecture (+2)".to_owned());
                } else if bureau_of(sme.prefecture_code).is_some()
                    && bureau_of(sme.prefecture_code) == bureau_of(home)
                {
                    score += 1;
                    reasons.push("in the buyer's METI bureau area (+1)".to_owned());
                }
            }
            if let Some(count) = track.get(&sme.id) {
                let points = std::cmp::min(*count, MOST_FOR_TRACK_RECORD);
                score += points;
                reasons.push(format!(
                    "part of {count} earlier accepted proposal(s) (+{points})"
                ));
            }
            Some(Candidate {
                sme,
                score,
                reasons,
            })
        })
        .collect();
    ranked.sort_by(|a, b| b.score.cmp(&a.score).then(a.sme.id.cmp(&b.sme.id)));
    ranked.truncate(first);
    Ok(ranked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_as_documented() {
        assert_eq!(
            [Rating::A, Rating::B, Rating::C, Rating::D].map(rating_points),
            [3, 2, 1, 0]
        );
        assert_eq!(niche_points(NicheStatus::Gnt), 2);
        assert_eq!(niche_points(NicheStatus::Dnt), 2);
        assert_eq!(niche_points(NicheStatus::Candidate), 1);
        assert_eq!(niche_points(NicheStatus::None), 0);
    }
}
