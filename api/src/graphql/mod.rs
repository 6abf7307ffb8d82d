//! The GraphQL schema: one module per domain area, merged here.

mod access;
mod connection;
mod directory;
mod evaluations;
mod ids;
pub mod loaders;
mod node;
mod qualifications;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

#[derive(MergedObject, Default)]
pub struct Query(
    directory::DirectoryQuery,
    qualifications::QualificationQuery,
    evaluations::EvaluationQuery,
    node::NodeQuery,
    access::AccessQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    directory::DirectoryMutation,
    qualifications::QualificationMutation,
    evaluations::EvaluationMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
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
