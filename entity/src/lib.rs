//! SeaORM entities, one file per table: plain models, no business logic (that lives in the API's
//! `domain` module).

pub mod audit_entry;
pub mod cluster_participation;
pub mod cluster_project;
pub mod enums;
pub mod organization;
pub mod tie_up;

pub use sea_orm;
