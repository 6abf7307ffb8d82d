//! The GraphQL schema: one module per domain area, merged here.

mod connection;
mod directory;
mod ids;
pub mod loaders;
mod node;

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

#[derive(MergedObject, Default)]
pub struct Query(directory::DirectoryQuery, node::NodeQuery);

pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

fn builder() -> SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
}

/// The schema that serves requests. Each request also needs its own loaders
/// ([`loaders::for_request`]) in its data.
pub fn build_schema(db: DatabaseConnection) -> AppSchema {
    builder().data(db).finish()
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}
