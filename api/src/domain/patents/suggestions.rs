//! Patents suggested to an SME, each with the reasons it was suggested.
//!
//! A candidate is a patent the caller may read that is `OPEN` and in force, and that shares an
//! industry field with the SME's cluster projects or has an IPC class that fits the SME's
//! industry (its JSIC code, by the table below). Candidates score by what they share; the SME's
//! latest evaluation that the caller may read adds the TRL the SME can take on: an SME rated A
//! or B can develop a technology from TRL 4, one rated C or D needs one close to market (TRL 7).

use entity::{
    cluster_project,
    enums::{IndustryField, PatentLicensing, Rating},
    evaluation, patent, sme,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{ipc, like, readable_by};
use crate::{
    auth::Caller,
    db::limits,
    domain::{
        dates, evaluation::evaluations, evaluation::smes::decode_projects, fields, jsic::JsicCode,
    },
    error::ApiResult,
};

/// How many candidates are scored at most.
const CANDIDATES: u64 = 1000;

/// IPC classes whose inventions an industry makes use of, by JSIC middle classification
/// (manufacturing, E09–E32) or major classification.
fn ipc_classes_for(code: &JsicCode) -> &'static [&'static str] {
    match (code.major(), code.middle()) {
        ('E', Some(9)) => &["A23"],
        ('E', Some(10)) => &["A23", "C12"],
        ('E', Some(11)) => &["D01", "D02", "D03", "D04", "D06"],
        ('E', Some(12)) => &["B27"],
        ('E', Some(13)) => &["A47"],
        ('E', Some(14)) => &["D21"],
        ('E', Some(15)) => &["B41"],
        ('E', Some(16)) => &["C01", "C07", "C08", "C09", "A61K"],
        ('E', Some(17)) => &["C10"],
        ('E', Some(18)) => &["B29", "C08"],
        ('E', Some(19)) => &["B29", "C08"],
        ('E', Some(20)) => &["C14"],
        ('E', Some(21)) => &["C03", "C04"],
        ('E', Some(22)) => &["C21", "C22"],
        ('E', Some(23)) => &["C22", "C25"],
        ('E', Some(24)) => &["B21", "B23"],
        ('E', Some(25)) => &["F01", "F04", "F16"],
        ('E', Some(26)) => &["B23", "B25", "B65"],
        ('E', Some(27)) => &["G01", "G02", "A61B"],
        ('E', Some(28)) => &["H01", "H05"],
        ('E', Some(29)) => &["H01", "H02"],
        ('E', Some(30)) => &["H04", "G06"],
        ('E', Some(31)) => &["B60", "B62", "B64"],
        ('A', _) => &["A01"],
        ('D', _) => &["E04"],
        ('F', _) => &["H02", "F24"],
        ('G', _) => &["G06", "H04"],
        ('L', _) => &["G01"],
        _ => &[],
    }
}

/// One suggestion.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub patent: patent::Model,
    pub score: i32,
    pub reasons: Vec<String>,
}

/// The SME's industry fields, from its cluster projects.
async fn fields_of<C: ConnectionTrait>(db: &C, sme: &sme::Model) -> ApiResult<Vec<IndustryField>> {
    let projects = decode_projects(&sme.cluster_projects);
    if projects.is_empty() {
        return Ok(Vec::new());
    }
    let rows = cluster_project::Entity::find()
        .filter(cluster_project::Column::Id.is_in(projects))
        .all(db)
        .await?;
    let mut found: Vec<IndustryField> = Vec::new();
    for row in rows {
        for field in fields::decode(&row.fields) {
            if !found.contains(&field) {
                found.push(field);
            }
        }
    }
    Ok(found)
}

/// The rating of the SME's latest rated evaluation that the caller may read.
async fn latest_rating<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    sme_id: i64,
) -> ApiResult<Option<Rating>> {
    let row = evaluations::rated_readable_by(caller)
        .narrow(evaluation::Column::SmeId.eq(sme_id))
        .select()
        .order_by_desc(evaluation::Column::UpdatedAt)
        .order_by_desc(evaluation::Column::Id)
        .one(db)
        .await?;
    Ok(row.and_then(|e| e.rating))
}

/// Up to `first` patents for the SME, best first.
#[tracing::instrument(skip_all)]
pub async fn for_sme<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    sme: &sme::Model,
    first: usize,
) -> ApiResult<Vec<Suggestion>> {
    let sme_fields = fields_of(db, sme).await?;
    let industry = sme
        .industry
        .as_deref()
        .and_then(|code| JsicCode::parse(code).ok());
    let classes = industry.as_ref().map_or(&[][..], ipc_classes_for);
    if first == 0 || (sme_fields.is_empty() && classes.is_empty()) {
        return Ok(Vec::new());
    }
    let mut fits = Condition::any();
    for field in &sme_fields {
        fits = fits.add(like(patent::Column::Fields, fields::like_pattern(*field)));
    }
    for class in classes {
        fits = fits.add(like(patent::Column::IpcClasses, format!("%,{class}%")));
    }
    let candidates = readable_by(caller)
        .narrow(patent::Column::Licensing.eq(PatentLicensing::Open))
        .narrow(patent::Column::ExpiresOn.gte(dates::today_in_japan()))
        .narrow(fits)
        .select()
        .order_by_desc(patent::Column::Id)
        .limit(CANDIDATES);
    let candidates = limits::all(db, candidates).await?;
    let rating = latest_rating(db, caller, sme.id).await?;
    let reachable_trl = match rating {
        Some(Rating::A | Rating::B) => Some(4),
        Some(_) => Some(7),
        None => None,
    };
    let mut suggestions: Vec<Suggestion> = candidates
        .into_iter()
        .map(|patent| {
            let mut score = 0;
            let mut reasons = Vec::new();
            for field in fields::decode(&patent.fields) {
                if sme_fields.contains(&field) {
                    score += 3;
                    reasons.push(format!(
                        "shares the field {} with the SME's cluster projects",
                        field.to_value()
                    ));
                }
            }
            if let Some(code) = &industry {
                for symbol in ipc::decode(&patent.ipc_classes) {
                    if let Some(class) = classes.iter().find(|c| symbol.starts_with(**c)) {
                        score += 2;
                        reasons.push(format!(
                            "its IPC class {symbol} is under {class}, used by the SME's industry {code} ({})",
                            code.major_name_en()
                        ));
                        break;
                    }
                }
            }
            if let (Some(needed), Some(trl), Some(rating)) = (reachable_trl, patent.trl, &rating)
                && i32::from(trl) >= needed
            {
                score += 1;
                reasons.push(format!(
                    "at TRL {trl}, within reach of an SME whose latest evaluation is rated {} (TRL {needed} or more)",
                    sea_orm::ActiveEnum::to_value(rating)
                ));
            }
            Suggestion {
                patent,
                score,
                reasons,
            }
        })
        .filter(|s| s.score > 0)
        .collect();
    suggestions.sort_by(|a, b| b.score.cmp(&a.score).then(b.patent.id.cmp(&a.patent.id)));
    suggestions.truncate(first);
    Ok(suggestions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industries_map_to_ipc_classes() {
        let classes = |code: &str| ipc_classes_for(&JsicCode::parse(code).unwrap()).to_vec();
        assert_eq!(classes("E29"), ["H01", "H02"]);
        assert_eq!(classes("E291"), ["H01", "H02"]);
        assert!(classes("E").is_empty());
        assert_eq!(classes("G39"), ["G06", "H04"]);
        assert!(classes("N").is_empty());
    }
}
