//! Relay's `Node` interface and `node(id:)`.

use async_graphql::{Context, ID, Interface, Object, Result};

use super::{
    directory::{ClusterProject, Organization, TieUp, db},
    ids::{self, NodeType},
};
use crate::domain::directory;

/// An object with a global ID, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    Organization(Organization),
    ClusterProject(ClusterProject),
    TieUp(TieUp),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when there is none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let db = db(ctx)?;
        let node = match ids::decode(&id, "id")? {
            (NodeType::Organization, key) => directory::organization_by_id(db, key)
                .await?
                .map(|m| Node::Organization(Organization(m))),
            (NodeType::ClusterProject, key) => directory::cluster_project_by_id(db, key)
                .await?
                .map(|m| Node::ClusterProject(ClusterProject(m))),
            (NodeType::TieUp, key) => directory::tie_up_by_id(db, key)
                .await?
                .map(|m| Node::TieUp(TieUp(m))),
        };
        Ok(node)
    }
}
