//! The rules, in plain Rust over SeaORM. Resolvers turn arguments into these types and ask here;
//! nothing below knows about GraphQL or HTTP.

pub mod access;
pub mod audit;
pub mod basic_act;
pub mod batch;
pub mod certificate;
pub mod change;
pub mod coordinators;
pub mod corporate_number;
pub mod country;
pub mod dates;
pub mod directory;
pub mod evaluation;
pub mod events;
pub mod fields;
pub mod idempotency;
pub mod jsic;
pub mod listing;
pub mod money;
pub mod page;
pub mod persisted;
pub mod prefecture;
pub mod profile;
pub mod qualifications;
pub mod referrals;
pub mod search;
pub mod tie_ups;
