//! The public member directory: organisations, cluster projects and overseas tie-ups, their
//! filters and orders, and the batched reads that the GraphQL loaders use for relations.

use std::collections::HashMap;

use entity::{
    cluster_participation, cluster_project,
    enums::{ClusterProgram, IndustryField, Membership, MetiBureau, OrganizationKind, WorldRegion},
    organization, tie_up,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Select,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};

use super::{
    country::CountryCode,
    fields,
    page::{self, Keyset, Page, PageArgs, PageRequest, SortValue},
    prefecture::{self, PrefectureCode},
    search::SearchText,
};
use crate::error::ApiResult;

/// One page of a listing, and the filtered query behind it (for a total count, asked lazily).
pub struct Listing<E: sea_orm::EntityTrait> {
    pub page: Page<E::Model>,
    pub matching: Select<E>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ordering<F> {
    pub field: F,
    pub descending: bool,
}

async fn list<E, C>(
    db: &C,
    matching: Select<E>,
    keyset: Keyset<E>,
    args: &PageArgs,
) -> ApiResult<Listing<E>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let request = PageRequest::parse(args, &keyset)?;
    let page = page::fetch(db, matching.clone(), &keyset, &request).await?;
    Ok(Listing { page, matching })
}

// ---------------------------------------------------------------- organisations

#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    pub kind: Option<OrganizationKind>,
    pub bureau: Option<MetiBureau>,
    pub prefecture: Option<PrefectureCode>,
    pub membership: Option<Membership>,
    pub search: Option<SearchText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationOrderField {
    Code,
    NameEn,
    NameJa,
    PrefectureCode,
}

impl OrganizationFilter {
    fn select(&self) -> Select<organization::Entity> {
        use organization::Column;
        let mut condition = Condition::all();
        if let Some(kind) = self.kind {
            condition = condition.add(Column::Kind.eq(kind));
        }
        if let Some(membership) = self.membership {
            condition = condition.add(Column::Membership.eq(membership));
        }
        if let Some(code) = self.prefecture {
            condition = condition.add(Column::PrefectureCode.eq(i16::from(code.get())));
        }
        if let Some(bureau) = self.bureau {
            let codes = prefecture::covered_by(bureau).map(|p| i16::from(p.code));
            condition = condition.add(Column::PrefectureCode.is_in(codes));
        }
        if let Some(search) = &self.search {
            let pattern = search.contains_pattern();
            let like = |column: Column| {
                Expr::expr(Func::lower(Expr::col(column)))
                    .like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            condition = condition.add(
                Condition::any()
                    .add(like(Column::NameEn))
                    .add(like(Column::NameJa))
                    .add(like(Column::Abbreviation))
                    .add(like(Column::Code)),
            );
        }
        organization::Entity::find().filter(condition)
    }
}

fn organization_keyset(order: Ordering<OrganizationOrderField>) -> Keyset<organization::Entity> {
    use organization::{Column, Model};
    let (name, column, value_of): (_, _, fn(&Model) -> SortValue) = match order.field {
        OrganizationOrderField::Code => ("code", Column::Code, |m| SortValue::Text(m.code.clone())),
        OrganizationOrderField::NameEn => ("name_en", Column::NameEn, |m| {
            SortValue::Text(m.name_en.clone())
        }),
        OrganizationOrderField::NameJa => ("name_ja", Column::NameJa, |m| {
            SortValue::Text(m.name_ja.clone())
        }),
        OrganizationOrderField::PrefectureCode => {
            ("prefecture_code", Column::PrefectureCode, |m| {
                SortValue::Int(m.prefecture_code.into())
            })
        }
    };
    Keyset {
        name,
        column,
        id: Column::Id,
        descending: order.descending,
        value_of,
        id_of: |m| m.id,
    }
}

pub async fn organizations<C: ConnectionTrait>(
    db: &C,
    filter: &OrganizationFilter,
    order: Ordering<OrganizationOrderField>,
    args: &PageArgs,
) -> ApiResult<Listing<organization::Entity>> {
    list(db, filter.select(), organization_keyset(order), args).await
}

pub async fn organization_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> ApiResult<Option<organization::Model>> {
    Ok(organization::Entity::find_by_id(id).one(db).await?)
}

pub async fn organization_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> ApiResult<Option<organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Code.eq(code))
        .one(db)
        .await?)
}

// ---------------------------------------------------------------- cluster projects

#[derive(Debug, Clone, Default)]
pub struct ClusterProjectFilter {
    pub bureau: Option<MetiBureau>,
    pub field: Option<IndustryField>,
    pub program: Option<ClusterProgram>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterProjectOrderField {
    Code,
    NameEn,
    NameJa,
    TermStart,
}

impl ClusterProjectFilter {
    fn select(&self) -> Select<cluster_project::Entity> {
        use cluster_project::Column;
        let mut condition = Condition::all();
        if let Some(bureau) = self.bureau {
            condition = condition.add(Column::Bureau.eq(bureau));
        }
        if let Some(program) = self.program {
            condition = condition.add(Column::Program.eq(program));
        }
        if let Some(field) = self.field {
            condition = condition.add(
                Expr::col(Column::Fields)
                    .like(LikeExpr::new(fields::like_pattern(field)).escape('\\')),
            );
        }
        cluster_project::Entity::find().filter(condition)
    }
}

fn cluster_project_keyset(
    order: Ordering<ClusterProjectOrderField>,
) -> Keyset<cluster_project::Entity> {
    use cluster_project::{Column, Model};
    let (name, column, value_of): (_, _, fn(&Model) -> SortValue) = match order.field {
        ClusterProjectOrderField::Code => {
            ("code", Column::Code, |m| SortValue::Text(m.code.clone()))
        }
        ClusterProjectOrderField::NameEn => ("name_en", Column::NameEn, |m| {
            SortValue::Text(m.name_en.clone())
        }),
        ClusterProjectOrderField::NameJa => ("name_ja", Column::NameJa, |m| {
            SortValue::Text(m.name_ja.clone())
        }),
        ClusterProjectOrderField::TermStart => ("term_start", Column::TermStartFiscalYear, |m| {
            SortValue::Int(m.term_start_fiscal_year.into())
        }),
    };
    Keyset {
        name,
        column,
        id: Column::Id,
        descending: order.descending,
        value_of,
        id_of: |m| m.id,
    }
}

pub async fn cluster_projects<C: ConnectionTrait>(
    db: &C,
    filter: &ClusterProjectFilter,
    order: Ordering<ClusterProjectOrderField>,
    args: &PageArgs,
) -> ApiResult<Listing<cluster_project::Entity>> {
    list(db, filter.select(), cluster_project_keyset(order), args).await
}

pub async fn cluster_project_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> ApiResult<Option<cluster_project::Model>> {
    Ok(cluster_project::Entity::find_by_id(id).one(db).await?)
}

pub async fn cluster_project_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> ApiResult<Option<cluster_project::Model>> {
    Ok(cluster_project::Entity::find()
        .filter(cluster_project::Column::Code.eq(code))
        .one(db)
        .await?)
}

// ---------------------------------------------------------------- tie-ups

#[derive(Debug, Clone, Default)]
pub struct TieUpFilter {
    pub country: Option<CountryCode>,
    pub field: Option<IndustryField>,
    pub region: Option<WorldRegion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieUpOrderField {
    Country,
    ForeignPartner,
}

impl TieUpFilter {
    fn select(&self) -> Select<tie_up::Entity> {
        use tie_up::Column;
        let mut condition = Condition::all();
        if let Some(country) = &self.country {
            condition = condition.add(Column::CountryCode.eq(country.as_str()));
        }
        if let Some(region) = self.region {
            condition = condition.add(Column::Region.eq(region));
        }
        if let Some(field) = self.field {
            condition = condition.add(
                Expr::col(Column::Fields)
                    .like(LikeExpr::new(fields::like_pattern(field)).escape('\\')),
            );
        }
        tie_up::Entity::find().filter(condition)
    }
}

fn tie_up_keyset(order: Ordering<TieUpOrderField>) -> Keyset<tie_up::Entity> {
    use tie_up::{Column, Model};
    let (name, column, value_of): (_, _, fn(&Model) -> SortValue) = match order.field {
        TieUpOrderField::Country => ("country", Column::CountryCode, |m| {
            SortValue::Text(m.country_code.clone())
        }),
        TieUpOrderField::ForeignPartner => ("foreign_partner", Column::ForeignPartner, |m| {
            SortValue::Text(m.foreign_partner.clone())
        }),
    };
    Keyset {
        name,
        column,
        id: Column::Id,
        descending: order.descending,
        value_of,
        id_of: |m| m.id,
    }
}

pub async fn tie_ups<C: ConnectionTrait>(
    db: &C,
    filter: &TieUpFilter,
    order: Ordering<TieUpOrderField>,
    args: &PageArgs,
) -> ApiResult<Listing<tie_up::Entity>> {
    list(db, filter.select(), tie_up_keyset(order), args).await
}

pub async fn tie_up_by_id<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<Option<tie_up::Model>> {
    Ok(tie_up::Entity::find_by_id(id).one(db).await?)
}

// ---------------------------------------------------------------- batched relation reads
//
// One statement per batch, whatever the number of keys: the GraphQL loaders call these.

pub async fn organizations_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, organization::Model>, DbErr> {
    let rows = organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

pub async fn cluster_projects_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, cluster_project::Model>, DbErr> {
    let rows = cluster_project::Entity::find()
        .filter(cluster_project::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

/// Participations of each project, in organisation-id order.
pub async fn participations_by_projects<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<cluster_participation::Model>>, DbErr> {
    use cluster_participation::Column;
    let rows = cluster_participation::Entity::find()
        .filter(Column::ProjectId.is_in(project_ids.iter().copied()))
        .order_by_asc(Column::ProjectId)
        .order_by_asc(Column::OrganizationId)
        .all(db)
        .await?;
    Ok(group(rows, |row| row.project_id))
}

/// Participations of each organisation, in project-id order.
pub async fn participations_by_organizations<C: ConnectionTrait>(
    db: &C,
    organization_ids: &[i64],
) -> Result<HashMap<i64, Vec<cluster_participation::Model>>, DbErr> {
    use cluster_participation::Column;
    let rows = cluster_participation::Entity::find()
        .filter(Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .order_by_asc(Column::OrganizationId)
        .order_by_asc(Column::ProjectId)
        .all(db)
        .await?;
    Ok(group(rows, |row| row.organization_id))
}

/// Tie-ups of each project, in id (source) order.
pub async fn tie_ups_by_projects<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<tie_up::Model>>, DbErr> {
    let rows = tie_up::Entity::find()
        .filter(tie_up::Column::ProjectId.is_in(project_ids.iter().copied()))
        .order_by_asc(tie_up::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |row| row.project_id))
}

fn group<M>(rows: Vec<M>, key: impl Fn(&M) -> i64) -> HashMap<i64, Vec<M>> {
    let mut groups: HashMap<i64, Vec<M>> = HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}
