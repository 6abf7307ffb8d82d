//! Every relation loads through this one DataLoader, made afresh for each request, so a nested
//! read costs one statement per relation and level, however many rows the page holds. Each key
//! type names one relation.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{
    award, ce_requirement, cluster_participation, cluster_project, coordinator,
    coordinator_assignment, evaluation, evaluation_revision, organization, proposal_member,
    qualification_scheme, scheme_level, sme, sme_product, tie_up, training_course, training_record,
};
use sea_orm::{DatabaseConnection, DbErr};

use crate::{
    auth::Caller,
    domain::{
        assignments, batch, evaluation::evaluations, matching::showcase, patents::explanations,
    },
};

pub struct RelationLoader {
    db: DatabaseConnection,
    /// Relations whose rows depend on who may read them (evaluations) filter by this caller.
    caller: Caller,
    caching: Caching,
}

impl RelationLoader {
    /// Whether what is loaded stays in the request's cache (queries).
    pub fn caches(&self) -> bool {
        self.caching == Caching::PerRequest
    }
}

pub type Loaders = DataLoader<RelationLoader, HashMapCache>;

/// Whether the loaders remember what they loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// For a query: a row asked for again (the same scheme under many awards) comes from memory.
    PerRequest,
    /// For mutations, which read what they have just written, and for subscriptions, whose
    /// loaders outlive one event.
    Off,
}

pub fn for_request(
    db: &DatabaseConnection,
    caller: Caller,
    delay: std::time::Duration,
    caching: Caching,
) -> Loaders {
    let loaders = DataLoader::with_cache(
        RelationLoader {
            db: db.clone(),
            caller,
            caching,
        },
        tokio::spawn,
        HashMapCache::default(),
    )
    .delay(delay);
    loaders.enable_all_cache(caching == Caching::PerRequest);
    loaders
}

/// `one!(Key, entity)`: the row with that id. `many!(Key, entity, Column, field, Order)`: the
/// rows whose foreign key `Column` is the key, in `Order`.
///
/// `one!(Key, entity, shared)`: the same, held in an `Arc`, for rows that many others point at
/// (an institution behind its evaluations, an SME behind its referrals, a scheme and its levels
/// under every award): the cache hands each reader a copy of its value.
macro_rules! one {
    ($key:ident, $entity:ident) => {
        one!($key, $entity, $entity::Model, |row| row);
    };
    ($key:ident, $entity:ident, shared) => {
        one!($key, $entity, Arc<$entity::Model>, Arc::new);
    };
    ($key:ident, $entity:ident, $value:ty, $wrap:expr) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for RelationLoader {
            type Value = $value;
            type Error = Arc<DbErr>;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let rows =
                    batch::by_key::<$entity::Entity, _>(&self.db, $entity::Column::Id, &ids, |m| {
                        m.id
                    })
                    .await
                    .map_err(Arc::new)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, row)| ($key(id), $wrap(row)))
                    .collect())
            }
        }
    };
}

macro_rules! many {
    ($key:ident, $entity:ident, $column:ident, $field:ident, $order:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for RelationLoader {
            type Value = Vec<$entity::Model>;
            type Error = Arc<DbErr>;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let rows = batch::grouped_by::<$entity::Entity, _>(
                    &self.db,
                    $entity::Column::$column,
                    &ids,
                    |m| m.$field,
                    $entity::Column::$order,
                )
                .await
                .map_err(Arc::new)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, rows)| ($key(id), rows))
                    .collect())
            }
        }
    };
}

one!(OrganizationId, organization, shared);
one!(ClusterProjectId, cluster_project);
one!(CoordinatorId, coordinator);
one!(SchemeId, qualification_scheme, shared);
one!(LevelId, scheme_level, shared);
one!(CourseId, training_course);
one!(SmeId, sme, shared);
many!(
    ParticipationsOfProject,
    cluster_participation,
    ProjectId,
    project_id,
    OrganizationId
);
many!(
    ParticipationsOfOrganization,
    cluster_participation,
    OrganizationId,
    organization_id,
    ProjectId
);
many!(TieUpsOfProject, tie_up, ProjectId, project_id, Id);
// A proposal's SMEs, the lead first (it is stored first).
many!(
    MembersOfProposal,
    proposal_member,
    ProposalId,
    proposal_id,
    Id
);
many!(LevelsOfScheme, scheme_level, SchemeId, scheme_id, Rank);
many!(
    RequirementsOfScheme,
    ce_requirement,
    SchemeId,
    scheme_id,
    Id
);
many!(
    TrainingsOfCoordinator,
    training_record,
    CoordinatorId,
    coordinator_id,
    CompletedOn
);
many!(
    CoordinatorsOfOrganization,
    coordinator,
    OrganizationId,
    organization_id,
    Id
);

/// Awards held by a coordinator, or by an organisation (a nullable foreign key each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AwardsOfCoordinator(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AwardsOfOrganization(pub i64);

impl Loader<AwardsOfCoordinator> for RelationLoader {
    type Value = Vec<award::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[AwardsOfCoordinator],
    ) -> Result<HashMap<AwardsOfCoordinator, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = batch::grouped_by::<award::Entity, _>(
            &self.db,
            award::Column::CoordinatorId,
            &ids,
            |m| m.coordinator_id.unwrap_or_default(),
            award::Column::Id,
        )
        .await
        .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (AwardsOfCoordinator(id), rows))
            .collect())
    }
}

impl Loader<AwardsOfOrganization> for RelationLoader {
    type Value = Vec<award::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[AwardsOfOrganization],
    ) -> Result<HashMap<AwardsOfOrganization, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = batch::grouped_by::<award::Entity, _>(
            &self.db,
            award::Column::HolderOrganizationId,
            &ids,
            |m| m.holder_organization_id.unwrap_or_default(),
            award::Column::Id,
        )
        .await
        .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (AwardsOfOrganization(id), rows))
            .collect())
    }
}

many!(
    RevisionsOfEvaluation,
    evaluation_revision,
    EvaluationId,
    evaluation_id,
    Version
);

/// The assignments of a cluster project, or of a coordinator, that the request's caller may read
/// (those of the coordinators it may read), earliest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssignmentsOfProject(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssignmentsOfCoordinator(pub i64);

impl Loader<AssignmentsOfProject> for RelationLoader {
    type Value = Vec<coordinator_assignment::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[AssignmentsOfProject],
    ) -> Result<HashMap<AssignmentsOfProject, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = batch::grouped_within(
            &self.db,
            assignments::readable_by(&self.caller).select(),
            coordinator_assignment::Column::ProjectId,
            &ids,
            |m| m.project_id.unwrap_or_default(),
            coordinator_assignment::Column::StartsOn,
        )
        .await
        .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (AssignmentsOfProject(id), rows))
            .collect())
    }
}

impl Loader<AssignmentsOfCoordinator> for RelationLoader {
    type Value = Vec<coordinator_assignment::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[AssignmentsOfCoordinator],
    ) -> Result<HashMap<AssignmentsOfCoordinator, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = batch::grouped_within(
            &self.db,
            assignments::readable_by(&self.caller).select(),
            coordinator_assignment::Column::CoordinatorId,
            &ids,
            |m| m.coordinator_id,
            coordinator_assignment::Column::StartsOn,
        )
        .await
        .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (AssignmentsOfCoordinator(id), rows))
            .collect())
    }
}

/// The products of an SME that the request's caller may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProductsOfSme(pub i64);

impl Loader<ProductsOfSme> for RelationLoader {
    type Value = Vec<sme_product::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ProductsOfSme],
    ) -> Result<HashMap<ProductsOfSme, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = batch::grouped_within(
            &self.db,
            showcase::products_readable_by(&self.caller).select(),
            sme_product::Column::SmeId,
            &ids,
            |m| m.sme_id,
            sme_product::Column::Id,
        )
        .await
        .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (ProductsOfSme(id), rows))
            .collect())
    }
}

/// The rated evaluations of an SME that the request's caller may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RatedEvaluationsOfSme(pub i64);

impl Loader<RatedEvaluationsOfSme> for RelationLoader {
    type Value = Vec<evaluation::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[RatedEvaluationsOfSme],
    ) -> Result<HashMap<RatedEvaluationsOfSme, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rated = evaluations::rated_readable_by(&self.caller).select();
        let rows = batch::grouped_within(
            &self.db,
            rated,
            evaluation::Column::SmeId,
            &ids,
            |m| m.sme_id,
            evaluation::Column::Id,
        )
        .await
        .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (RatedEvaluationsOfSme(id), rows))
            .collect())
    }
}

/// A patent's explanation as the caller may see it (its working copy, or its latest published
/// version); the key names the patent and its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExplanationOfPatent {
    pub patent_id: i64,
    pub holder_id: i64,
}

impl Loader<ExplanationOfPatent> for RelationLoader {
    type Value = entity::patent_explanation::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ExplanationOfPatent],
    ) -> Result<HashMap<ExplanationOfPatent, Self::Value>, Self::Error> {
        let patents: Vec<(i64, i64)> = keys.iter().map(|k| (k.patent_id, k.holder_id)).collect();
        let mut found = explanations::of_patents(&self.db, &self.caller, &patents)
            .await
            .map_err(Arc::new)?;
        Ok(keys
            .iter()
            .filter_map(|k| found.remove(&k.patent_id).map(|row| (*k, row)))
            .collect())
    }
}
