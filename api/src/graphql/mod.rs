//! The GraphQL schema: one module per domain area, merged here.

/// `shared_row!(Object, entity)`: a GraphQL object that holds its row shared (an `Arc`, as the
/// loaders' `one!(…, shared)` hand it out), made from a row just read or from the loaders' copy.
macro_rules! shared_row {
    ($object:ident, $entity:ident) => {
        impl From<$entity::Model> for $object {
            fn from(row: $entity::Model) -> Self {
                Self(std::sync::Arc::new(row))
            }
        }

        impl From<std::sync::Arc<$entity::Model>> for $object {
            fn from(row: std::sync::Arc<$entity::Model>) -> Self {
                Self(row)
            }
        }
    };
}

mod access;
mod connection;
mod context;
mod coordinators;
mod directory;
mod evaluations;
mod ids;
mod inputs;
pub mod loaders;
mod matching;
mod matching_events;
mod money;
mod node;
mod patents;
pub mod persisted;
mod prefetch;
mod qualifications;
mod referrals;
mod scores;
mod smes;
mod vocabulary;

pub use context::ReplicaReads;

use async_graphql::{
    MergedObject, MergedSubscription, Schema, SchemaBuilder,
    connection::{Edge, EmptyFields, PageInfo},
};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::{
    domain::{events::EventBus, referrals::ReferralPolicy},
    settings::QueryLimits,
};

/// Reads: the directory, coordinators and qualifications, SMEs and evaluations. Public fields
/// need no token; the others say who may read them.
#[derive(MergedObject, Default)]
pub struct Query(
    directory::DirectoryQuery,
    // Coordinators and qualifications interleave, in the order the schema has always listed them.
    coordinators::CoordinatorQuery,
    qualifications::QualificationQuery,
    coordinators::TrainingQuery,
    qualifications::CertificateQuery,
    smes::SmeQuery,
    evaluations::EvaluationQuery,
    patents::PatentQuery,
    referrals::ReferralQuery,
    matching::MatchingQuery,
    matching_events::MatchingEventQuery,
    node::NodeQuery,
    access::AccessQuery,
);

/// Changes, each stating who may make it. Every attempt, allowed or refused, is written to the
/// audit log.
#[derive(MergedObject, Default)]
pub struct Mutation(
    directory::DirectoryMutation,
    qualifications::QualificationMutation,
    coordinators::CoordinatorMutation,
    smes::SmeMutation,
    evaluations::EvaluationMutation,
    patents::PatentMutation,
    referrals::ReferralMutation,
    matching::MatchingMutation,
    matching_events::MatchingEventMutation,
);

/// Live changes over graphql-ws (`/graphql`, WebSocket), for members of the network and, for
/// licensing inquiries, the holders they are sent to.
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    evaluations::EvaluationSubscription,
    patents::PatentSubscription,
    referrals::ReferralSubscription,
    matching::MatchingSubscription,
);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Descriptions for the connection and edge types async-graphql names after their nodes, which
/// carry none of their own.
macro_rules! describe_connections {
    ($builder:expr, $($node:ty => $what:literal),+ $(,)?) => {
        $builder
            $(
                .override_output_type_description::<connection::Conn<$node>>(concat!(
                    "A page of ",
                    $what,
                    ", with cursors to page on (`first`/`after` forward, `last`/`before` back)."
                ))
                .override_output_type_description::<Edge<String, $node, EmptyFields>>(concat!(
                    "One of the ",
                    $what,
                    " on a page, with its cursor."
                ))
            )+
    };
}

fn builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .override_output_type_description::<DateTime<Utc>>(
        "An instant as RFC 3339 text. Answers are in UTC, with fractions of a second when there \
         are any (`2026-04-01T00:30:00.250+00:00`); inputs may carry any offset \
         (`2026-04-01T09:30:00+09:00`). A day without a time is a `Date`.",
    )
    .override_output_type_description::<PageInfo>(
        "Where a page lies in its listing: whether items lie beyond it either way, and the \
         cursors of its first and last edges.",
    );
    describe_connections!(
        builder,
        access::AuditEntry => "entries of the audit log",
        qualifications::Award => "awards",
        directory::ClusterProject => "cluster projects",
        coordinators::Coordinator => "coordinators",
        evaluations::Evaluation => "evaluations",
        directory::Organization => "organisations",
        patents::Patent => "patents",
        patents::LicensingInquiry => "licensing inquiries",
        qualifications::QualificationScheme => "qualification schemes",
        referrals::Referral => "financing referrals",
        smes::Sme => "SMEs",
        directory::TieUp => "tie-ups",
        matching::SmeShowcase => "SME showcases",
        matching::BusinessNeed => "buyers' needs",
        matching::Proposal => "proposals",
        matching_events::MatchingEvent => "matching events",
        coordinators::TrainingCourse => "training courses",
    )
}

/// What a schema does besides answering: async-graphql sets both per schema, so the server
/// keeps one schema for each combination ([`crate::http::Schemas`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Serving {
    /// Validation errors propose names ("did you mean …"); off for callers to whom
    /// introspection is closed.
    pub suggestions: bool,
    /// The request's pending persisted query is stored once the document passes validation
    /// ([`persisted::StoreAdmitted`]). Only requests that register a document need it: with
    /// an extension on the schema, async-graphql runs every field and list item through the
    /// extension chain (a registry look-up and a boxed future each), used or not.
    pub stores_documents: bool,
}

/// The schema that serves requests. Each request also needs its own loaders
/// ([`loaders::for_request`]) in its data.
pub fn build_schema(
    db: DatabaseConnection,
    events: EventBus,
    limits: &QueryLimits,
    referrals: ReferralPolicy,
    serving: Serving,
) -> AppSchema {
    let mut builder = builder()
        .data(db)
        .data(events)
        .data(referrals)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity);
    if serving.stores_documents {
        builder = builder.extension(persisted::StoreAdmitted);
    }
    if !serving.suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}
