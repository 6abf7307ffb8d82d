//! The public member directory: organisations, cluster projects and overseas tie-ups, their
//! filters and orders, and the batched reads that the GraphQL loaders use for relations.

use chrono::Utc;
use entity::{
    cluster_project,
    enums::{
        ClusterProgram, IndustryField, Membership, MembershipBasis, MetiBureau, OrganizationKind,
        WorldRegion,
    },
    organization, tie_up,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, Select, SqlErr,
};

use super::{
    audit::audited,
    change::Change,
    country::CountryCode,
    events::{EventBus, InstitutionEvent},
    fields,
    idempotency::{self, Idempotency},
    listing::{Listing, Ordering, list},
    page::{Keyset, PageArgs, SortValue},
    prefecture::{self, PrefectureCode},
    profile::{Code, EmailAddress, PhoneNumber, WebsiteUrl},
    search::{SearchText, TextIndex, like},
};
use crate::{
    auth::{Caller, Role},
    error::{ApiError, ApiResult},
};

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

/// What an organisation search reads: names, abbreviation, code and descriptions.
const ORGANIZATIONS_TEXT: TextIndex = TextIndex {
    table: "organizations",
    columns: &[
        "name_ja",
        "name_en",
        "abbreviation",
        "code",
        "description_ja",
        "description_en",
    ],
    fts_table: Some("organizations_fts"),
};

impl OrganizationFilter {
    fn select(&self, backend: DbBackend) -> Select<organization::Entity> {
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
            condition = condition.add(search.condition(backend, &ORGANIZATIONS_TEXT));
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
                m.prefecture_code
                    .map_or(SortValue::Null, |code| SortValue::Int(code.into()))
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

#[tracing::instrument(skip_all)]
pub async fn organizations<C: ConnectionTrait>(
    db: &C,
    filter: &OrganizationFilter,
    order: Ordering<OrganizationOrderField>,
    args: &PageArgs,
) -> ApiResult<Listing<organization::Entity>> {
    let matching = filter.select(db.get_database_backend());
    list(db, matching, organization_keyset(order), args).await
}

#[tracing::instrument(skip_all)]
pub async fn organization_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> ApiResult<Option<organization::Model>> {
    Ok(organization::Entity::find_by_id(id).one(db).await?)
}

#[tracing::instrument(skip_all)]
pub async fn organization_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> ApiResult<Option<organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Code.eq(code))
        .one(db)
        .await?)
}

// ---------------------------------------------------------------- organisation writes
//
// Each write is audited (allowed or refused) and checks, in this order: the caller, the target,
// the caller's right on it, then the input; so a caller without the right learns nothing of the
// input's validity.

/// What an organisation's own administrators may edit.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub website_url: Change<WebsiteUrl>,
    pub description_ja: Change<String>,
    pub description_en: Change<String>,
    pub contact_name: Change<String>,
    pub contact_email: Change<EmailAddress>,
    pub contact_phone: Change<PhoneNumber>,
}

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub code: Code,
    pub name_ja: String,
    pub name_en: String,
    pub abbreviation: Option<String>,
    pub kind: OrganizationKind,
    pub membership: Membership,
    pub prefecture: PrefectureCode,
    pub profile: ProfileChanges,
}

/// Org admins of the organisation and network admins edit its profile.
#[tracing::instrument(skip_all)]
pub async fn update_organization(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    changes: ApiResult<ProfileChanges>,
) -> ApiResult<organization::Model> {
    audited(
        db,
        caller,
        "updateOrganization",
        Some(target),
        async |txn| {
            caller.require_member()?;
            let row = organization::Entity::find_by_id(id?)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("organisation"))?;
            caller.require_for_or_network_admin(row.id, Role::OrgAdmin)?;
            let mut active = row.into_active_model();
            apply_profile(&mut active, changes?);
            active.updated_at = Set(Utc::now());
            Ok(active.update(txn).await?)
        },
    )
    .await
}

fn apply_profile(active: &mut organization::ActiveModel, changes: ProfileChanges) {
    changes
        .website_url
        .apply(&mut active.website_url, WebsiteUrl::into_inner);
    changes
        .description_ja
        .apply(&mut active.description_ja, |t| t);
    changes
        .description_en
        .apply(&mut active.description_en, |t| t);
    changes.contact_name.apply(&mut active.contact_name, |t| t);
    changes
        .contact_email
        .apply(&mut active.contact_email, EmailAddress::into_inner);
    changes
        .contact_phone
        .apply(&mut active.contact_phone, PhoneNumber::into_inner);
}

/// Network admins add organisations to the directory.
#[tracing::instrument(skip_all)]
pub async fn create_organization(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    input: ApiResult<NewOrganization>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<organization::Model> {
    idempotency::once(
        db,
        caller,
        "createOrganization",
        Some(target),
        key,
        async |txn| {
            caller.require_network_admin()?;
            let input = input?;
            let code = input.code.into_inner();
            let conflict = || ApiError::Conflict {
                field: "input.code".to_owned(),
                message: format!("an organisation with the code {code:?} exists"),
            };
            if organization_by_code(txn, &code).await?.is_some() {
                return Err(conflict());
            }
            let now = Utc::now();
            let mut active = organization::ActiveModel {
                code: Set(code.clone()),
                name_ja: Set(input.name_ja),
                name_en: Set(input.name_en),
                abbreviation: Set(input.abbreviation),
                kind: Set(input.kind),
                membership: Set(input.membership),
                membership_basis: Set(MembershipBasis::NetworkRecord),
                prefecture_code: Set(Some(input.prefecture.get().into())),
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
            };
            apply_profile(&mut active, input.profile);
            // A concurrent insert of the same code loses here rather than at the check above.
            let row = active
                .insert(txn)
                .await
                .map_err(|err| match err.sql_err() {
                    Some(SqlErr::UniqueConstraintViolation(_)) => conflict(),
                    _ => err.into(),
                })?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            caller.require_network_admin()?;
            organization_by_id(db, id)
                .await?
                .ok_or(ApiError::NotFound("organisation"))
        },
    )
    .await
}

/// Whether an institution's people read what members read: a member, cooperating or supporting
/// body of the network (the network itself is decided by its code, by the caller).
pub fn grants_member_rights(membership: Membership) -> bool {
    matches!(
        membership,
        Membership::Member | Membership::Cooperating | Membership::Supporting
    )
}

/// Network admins decide an organisation's relationship to the network. `Suspended` refuses the
/// institution's tokens on every instance (they learn of it through [`EventBus`]) until the
/// membership is set to another value; the network itself cannot be suspended.
#[tracing::instrument(skip_all)]
pub async fn set_membership(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    membership: Membership,
) -> ApiResult<organization::Model> {
    let row = audited(
        db,
        caller,
        "setOrganizationMembership",
        Some(target),
        async |txn| {
            caller.require_network_admin()?;
            let row = organization::Entity::find_by_id(id?)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("organisation"))?;
            if membership == Membership::Suspended && row.kind == OrganizationKind::Network {
                return Err(ApiError::bad_input(
                    "membership",
                    "the network itself cannot be suspended",
                ));
            }
            let mut active = row.into_active_model();
            active.membership = Set(membership);
            active.membership_basis = Set(MembershipBasis::NetworkRecord);
            active.updated_at = Set(Utc::now());
            let row = active.update(txn).await?;
            events.notify_in(txn, InstitutionEvent::of(&row)).await?;
            Ok(row)
        },
    )
    .await?;
    events.after_commit(InstitutionEvent::of(&row));
    Ok(row)
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
            condition = condition.add(like(Column::Fields, fields::like_pattern(field)));
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

#[tracing::instrument(skip_all)]
pub async fn cluster_projects<C: ConnectionTrait>(
    db: &C,
    filter: &ClusterProjectFilter,
    order: Ordering<ClusterProjectOrderField>,
    args: &PageArgs,
) -> ApiResult<Listing<cluster_project::Entity>> {
    list(db, filter.select(), cluster_project_keyset(order), args).await
}

#[tracing::instrument(skip_all)]
pub async fn cluster_project_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> ApiResult<Option<cluster_project::Model>> {
    Ok(cluster_project::Entity::find_by_id(id).one(db).await?)
}

#[tracing::instrument(skip_all)]
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
            condition = condition.add(like(Column::Fields, fields::like_pattern(field)));
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

#[tracing::instrument(skip_all)]
pub async fn tie_ups<C: ConnectionTrait>(
    db: &C,
    filter: &TieUpFilter,
    order: Ordering<TieUpOrderField>,
    args: &PageArgs,
) -> ApiResult<Listing<tie_up::Entity>> {
    list(db, filter.select(), tie_up_keyset(order), args).await
}

#[tracing::instrument(skip_all)]
pub async fn tie_up_by_id<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<Option<tie_up::Model>> {
    Ok(tie_up::Entity::find_by_id(id).one(db).await?)
}
