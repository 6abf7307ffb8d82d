//! The GraphQL schema: one module per domain area, merged here.

mod access;
mod connection;
mod context;
mod directory;
mod evaluations;
mod ids;
mod inputs;
pub mod loaders;
mod money;
mod node;
pub mod persisted;
mod prefetch;
mod qualifications;
mod referrals;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::{
    domain::{events::EventBus, referrals::ReferralPolicy},
    settings::QueryLimits,
};

#[derive(MergedObject, Default)]
pub struct Query(
    directory::DirectoryQuery,
    qualifications::QualificationQuery,
    evaluations::EvaluationQuery,
    referrals::ReferralQuery,
    node::NodeQuery,
    access::AccessQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    directory::DirectoryMutation,
    qualifications::QualificationMutation,
    evaluations::EvaluationMutation,
    referrals::ReferralMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    evaluations::EvaluationSubscription,
    referrals::ReferralSubscription,
);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

fn builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
}

/// The schema that serves requests. Each request also needs its own loaders
/// ([`loaders::for_request`]) in its data. Without `suggestions`, validation errors do not
/// propose names ("did you mean …"): the schema for callers to whom introspection is closed.
pub fn build_schema(
    db: DatabaseConnection,
    events: EventBus,
    limits: &QueryLimits,
    referrals: ReferralPolicy,
    suggestions: bool,
) -> AppSchema {
    let builder = builder()
        .data(db)
        .data(events)
        .data(referrals)
        .extension(persisted::StoreAdmitted)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity);
    if suggestions {
        builder.finish()
    } else {
        builder.disable_suggestions().finish()
    }
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}
