//! Every relation loads through this one DataLoader, made afresh for each request, so a nested
//! read costs one statement per relation and level, however many rows the page holds.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{cluster_participation, cluster_project, organization, tie_up};
use sea_orm::{DatabaseConnection, DbErr};

use crate::domain::directory;

pub struct DirectoryLoader {
    db: DatabaseConnection,
}

pub type Loaders = DataLoader<DirectoryLoader>;

pub fn for_request(db: &DatabaseConnection) -> Loaders {
    DataLoader::new(DirectoryLoader { db: db.clone() }, tokio::spawn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrganizationId(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClusterProjectId(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParticipationsOfProject(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParticipationsOfOrganization(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TieUpsOfProject(pub i64);

fn keys<K>(keys: &[K], id: impl Fn(&K) -> i64) -> Vec<i64> {
    keys.iter().map(id).collect()
}

fn rekey<K, V>(rows: HashMap<i64, V>, key: impl Fn(i64) -> K) -> HashMap<K, V>
where
    K: std::hash::Hash + Eq,
{
    rows.into_iter().map(|(id, v)| (key(id), v)).collect()
}

impl Loader<OrganizationId> for DirectoryLoader {
    type Value = organization::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        ids: &[OrganizationId],
    ) -> Result<HashMap<OrganizationId, Self::Value>, Self::Error> {
        let rows = directory::organizations_by_ids(&self.db, &keys(ids, |k| k.0))
            .await
            .map_err(Arc::new)?;
        Ok(rekey(rows, OrganizationId))
    }
}

impl Loader<ClusterProjectId> for DirectoryLoader {
    type Value = cluster_project::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        ids: &[ClusterProjectId],
    ) -> Result<HashMap<ClusterProjectId, Self::Value>, Self::Error> {
        let rows = directory::cluster_projects_by_ids(&self.db, &keys(ids, |k| k.0))
            .await
            .map_err(Arc::new)?;
        Ok(rekey(rows, ClusterProjectId))
    }
}

impl Loader<ParticipationsOfProject> for DirectoryLoader {
    type Value = Vec<cluster_participation::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        ids: &[ParticipationsOfProject],
    ) -> Result<HashMap<ParticipationsOfProject, Self::Value>, Self::Error> {
        let rows = directory::participations_by_projects(&self.db, &keys(ids, |k| k.0))
            .await
            .map_err(Arc::new)?;
        Ok(rekey(rows, ParticipationsOfProject))
    }
}

impl Loader<ParticipationsOfOrganization> for DirectoryLoader {
    type Value = Vec<cluster_participation::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        ids: &[ParticipationsOfOrganization],
    ) -> Result<HashMap<ParticipationsOfOrganization, Self::Value>, Self::Error> {
        let rows = directory::participations_by_organizations(&self.db, &keys(ids, |k| k.0))
            .await
            .map_err(Arc::new)?;
        Ok(rekey(rows, ParticipationsOfOrganization))
    }
}

impl Loader<TieUpsOfProject> for DirectoryLoader {
    type Value = Vec<tie_up::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        ids: &[TieUpsOfProject],
    ) -> Result<HashMap<TieUpsOfProject, Self::Value>, Self::Error> {
        let rows = directory::tie_ups_by_projects(&self.db, &keys(ids, |k| k.0))
            .await
            .map_err(Arc::new)?;
        Ok(rekey(rows, TieUpsOfProject))
    }
}
