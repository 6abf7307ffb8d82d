//! What the network learns from business matching in a fiscal year (April to March, by the day
//! in Japan each thing happened), per METI bureau of the need's posting institution: needs
//! posted, proposals submitted, joint orders (accepted proposals of a consortium), orders won
//! (accepted proposals and meetings that ended in an order) and their value. The small-group rule
//! is the referrals' ([`crate::domain::referrals::statistics::shown`]): callers outside the
//! network see only bureaus with at least `PUBLIC_MINIMUM` needs posted, the rest folded into
//! `other`.

use std::collections::BTreeMap;

use entity::{
    business_need,
    matching_enums::{MeetingOutcome, ProposalStatus},
    matching_meeting, organization, proposal,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::Caller,
    domain::{
        prefecture::PrefectureCode,
        referrals::statistics::{Figures, OTHER, fiscal_year_span, shown},
    },
    error::ApiResult,
};

/// One bureau's figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    /// The bureau (`kanto`), `unknown` (an institution whose prefecture is not recorded), or
    /// [`OTHER`].
    pub key: String,
    pub needs: u64,
    pub proposals: u64,
    pub joint_orders: u64,
    pub orders_won: u64,
    /// In yen.
    pub order_value: i64,
}

impl Figures for Group {
    fn size(&self) -> u64 {
        self.needs
    }

    fn merge(&mut self, other: Self) {
        self.needs += other.needs;
        self.proposals += other.proposals;
        self.joint_orders += other.joint_orders;
        self.orders_won += other.orders_won;
        self.order_value = self.order_value.saturating_add(other.order_value);
    }

    fn finish(self) -> Self {
        self
    }
}

fn institution_key(bureaus: &BTreeMap<i64, String>, institution_id: i64) -> String {
    bureaus
        .get(&institution_id)
        .cloned()
        .unwrap_or_else(|| "unknown".to_owned())
}

fn group<'a>(tally: &'a mut BTreeMap<String, Group>, key: &str) -> &'a mut Group {
    tally.entry(key.to_owned()).or_insert_with(|| Group {
        key: key.to_owned(),
        ..Default::default()
    })
}

/// The figures of `fiscal_year`, per bureau, as `caller` may see them.
pub async fn statistics(
    db: &DatabaseConnection,
    caller: &Caller,
    fiscal_year: i32,
) -> ApiResult<Vec<Group>> {
    let (start, end) = fiscal_year_span(fiscal_year)?;
    let needs = business_need::Entity::find()
        .filter(business_need::Column::CreatedAt.gte(start))
        .filter(business_need::Column::CreatedAt.lt(end))
        .all(db)
        .await?;
    let proposals = proposal::Entity::find()
        .filter(proposal::Column::CreatedAt.gte(start))
        .filter(proposal::Column::CreatedAt.lt(end))
        .all(db)
        .await?;
    let accepted = proposal::Entity::find()
        .filter(proposal::Column::Status.eq(ProposalStatus::Accepted))
        .filter(proposal::Column::DecidedAt.gte(start))
        .filter(proposal::Column::DecidedAt.lt(end))
        .all(db)
        .await?;
    let orders = matching_meeting::Entity::find()
        .filter(matching_meeting::Column::Outcome.eq(MeetingOutcome::Order))
        .filter(matching_meeting::Column::OutcomeRecordedAt.gte(start))
        .filter(matching_meeting::Column::OutcomeRecordedAt.lt(end))
        .all(db)
        .await?;
    let bureaus: BTreeMap<i64, String> = organization::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| {
            let bureau = o
                .prefecture_code
                .and_then(|code| PrefectureCode::parse(code.into()).ok())
                .map(|code| sea_orm::ActiveEnum::to_value(&code.prefecture().bureau))
                .unwrap_or_else(|| "unknown".to_owned());
            (o.id, bureau)
        })
        .collect();
    let mut tally: BTreeMap<String, Group> = BTreeMap::new();
    // Each row adds to the group of the need's institution.
    let at = |institution_id: i64| institution_key(&bureaus, institution_id);
    for need in &needs {
        let key = at(need.institution_id);
        group(&mut tally, &key).needs += 1;
    }
    for p in &proposals {
        let key = at(p.need_institution_id);
        group(&mut tally, &key).proposals += 1;
    }
    for p in &accepted {
        let key = at(p.need_institution_id);
        let g = group(&mut tally, &key);
        g.orders_won += 1;
        if p.joint {
            g.joint_orders += 1;
        }
        g.order_value = g.order_value.saturating_add(p.price.unwrap_or(0));
    }
    for m in &orders {
        let key = at(m.need_institution_id);
        let g = group(&mut tally, &key);
        g.orders_won += 1;
        g.order_value = g.order_value.saturating_add(m.order_amount.unwrap_or(0));
    }
    let other = Group {
        key: OTHER.to_owned(),
        ..Default::default()
    };
    Ok(shown(caller, tally.into_values(), other))
}
