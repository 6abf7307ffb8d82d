//! Coordinators arranged to cluster projects and member institutions (the source's "coordinator
//! arrangement"), each with a role and a period. The project's org admins (an organisation that
//! leads or promotes it) or the institution's own org admins write them; what anyone reads of
//! them follows what they may read of the coordinator ([`coordinators::readable_by`]).

use chrono::{NaiveDate, Utc};
use entity::{
    cluster_participation, cluster_project, coordinator, coordinator_assignment,
    enums::{AssignmentRole, ParticipationRole},
    organization,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    sea_query::Query,
};

use super::{
    access::Readable,
    audit::audited,
    change::Change,
    coordinators, directory,
    idempotency::{self, Idempotency},
};
use crate::{
    auth::{Caller, Role},
    error::{ApiError, ApiResult},
};

/// What a coordinator is arranged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignedTo {
    Project(i64),
    Organization(i64),
}

#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub coordinator_id: i64,
    pub role: AssignmentRole,
    pub to: AssignedTo,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct AssignmentChanges {
    pub role: Option<AssignmentRole>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Change<NaiveDate>,
}

/// The assignments `caller` may read: those of the coordinators the caller may read.
pub fn readable_by(caller: &Caller) -> Readable<coordinator_assignment::Entity> {
    if caller.require_member().is_ok() {
        return Readable::everything();
    }
    let public = Query::select()
        .column(coordinator::Column::Id)
        .from(coordinator::Entity)
        .and_where(coordinators::public())
        .to_owned();
    Readable::only(
        Condition::all().add(coordinator_assignment::Column::CoordinatorId.in_subquery(public)),
    )
}

/// One assignment the caller may read (`node(id:)`).
pub async fn by_id(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<coordinator_assignment::Model>> {
    Ok(readable_by(caller)
        .narrow(coordinator_assignment::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// The caller must be an org admin of the member institution, or, for a cluster project, of an
/// organisation that leads or promotes it (a METI bureau or a promotion organisation, members of
/// the network or not).
async fn require_writer<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    to: AssignedTo,
) -> ApiResult<()> {
    let principal = caller.require_authenticated()?;
    match to {
        AssignedTo::Organization(id) => {
            caller.require_for(id, Role::OrgAdmin)?;
            let institution = organization::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input("input.organizationId", "no such organisation")
                })?;
            if !directory::grants_member_rights(institution.membership) {
                return Err(ApiError::bad_input(
                    "input.organizationId",
                    "coordinators are arranged to member institutions of the network",
                ));
            }
        }
        AssignedTo::Project(id) => {
            cluster_project::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| ApiError::bad_input("input.clusterProjectId", "no such project"))?;
            let runs = cluster_participation::Entity::find()
                .filter(cluster_participation::Column::ProjectId.eq(id))
                .filter(cluster_participation::Column::OrganizationId.eq(principal.institution_id))
                .filter(
                    cluster_participation::Column::Role
                        .is_in([ParticipationRole::Lead, ParticipationRole::Promoter]),
                )
                .one(db)
                .await?
                .is_some();
            if !(runs && principal.has(Role::OrgAdmin)) {
                return Err(ApiError::Forbidden(
                    "this needs the org_admin role at an organisation that leads or promotes \
                     the project"
                        .into(),
                ));
            }
        }
    }
    Ok(())
}

fn assigned_to(row: &coordinator_assignment::Model) -> ApiResult<AssignedTo> {
    match (row.project_id, row.organization_id) {
        (Some(project), None) => Ok(AssignedTo::Project(project)),
        (None, Some(organization)) => Ok(AssignedTo::Organization(organization)),
        _ => Err(ApiError::corrupt(
            "an assignment to both or neither of a project and an organisation",
        )),
    }
}

fn check_period(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> ApiResult<()> {
    match ends_on {
        Some(ends_on) if ends_on < starts_on => Err(ApiError::bad_input(
            "input.endsOn",
            "the period ends before it starts",
        )),
        _ => Ok(()),
    }
}

/// Arranges a coordinator to a project or an institution; retry-safe with its idempotency key.
pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    input: ApiResult<NewAssignment>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<coordinator_assignment::Model> {
    let target = input.as_ref().ok().map(|i| i.coordinator_id.to_string());
    let create = async |txn: &DatabaseTransaction| {
        caller.require_authenticated()?;
        let input = input?;
        require_writer(txn, caller, input.to).await?;
        coordinators::coordinator_by_id(txn, input.coordinator_id)
            .await?
            .ok_or_else(|| ApiError::bad_input("input.coordinatorId", "no such coordinator"))?;
        check_period(input.starts_on, input.ends_on)?;
        let (project_id, organization_id) = match input.to {
            AssignedTo::Project(id) => (Some(id), None),
            AssignedTo::Organization(id) => (None, Some(id)),
        };
        let now = Utc::now();
        let row = coordinator_assignment::ActiveModel {
            coordinator_id: Set(input.coordinator_id),
            role: Set(input.role),
            project_id: Set(project_id),
            organization_id: Set(organization_id),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let id = row.id;
        Ok((row, id))
    };
    let replay = async |id| {
        let row = coordinator_assignment::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("coordinator assignment"))?;
        require_writer(db, caller, assigned_to(&row)?).await?;
        Ok(row)
    };
    idempotency::once(
        db,
        caller,
        "createCoordinatorAssignment",
        target,
        key,
        create,
        replay,
    )
    .await
}

/// Changes an assignment's role or period: the same callers as [`create`]. `version`, when
/// given, must be the assignment's current one (CONFLICT naming `version` otherwise).
pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    version: Option<i32>,
    changes: ApiResult<AssignmentChanges>,
) -> ApiResult<coordinator_assignment::Model> {
    audited(
        db,
        caller,
        "updateCoordinatorAssignment",
        Some(target),
        async |txn| {
            caller.require_authenticated()?;
            let row = coordinator_assignment::Entity::find_by_id(id?)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("coordinator assignment"))?;
            require_writer(txn, caller, assigned_to(&row)?).await?;
            let changes = changes?;
            if let Some(expected) = version
                && expected != row.version
            {
                return Err(ApiError::Conflict {
                    field: "version".into(),
                    message: format!(
                        "the assignment is at version {}, not {expected}: reload it",
                        row.version
                    ),
                });
            }
            let starts_on = changes.starts_on.unwrap_or(row.starts_on);
            let ends_on = match changes.ends_on {
                Change::Keep => row.ends_on,
                Change::Clear => None,
                Change::Set(day) => Some(day),
            };
            check_period(starts_on, ends_on)?;
            let version = row.version + 1;
            let mut active = row.into_active_model();
            if let Some(role) = changes.role {
                active.role = Set(role);
            }
            active.starts_on = Set(starts_on);
            active.ends_on = Set(ends_on);
            active.version = Set(version);
            active.updated_at = Set(Utc::now());
            Ok(active.update(txn).await?)
        },
    )
    .await
}
