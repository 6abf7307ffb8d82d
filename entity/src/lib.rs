//! SeaORM entities, one file per table: plain models, no business logic (that lives in the API's
//! `domain` module).

pub mod audit_entry;
pub mod award;
pub mod business_need;
pub mod ce_requirement;
pub mod cluster_participation;
pub mod cluster_project;
pub mod coordinator;
pub mod enums;
pub mod evaluation;
pub mod evaluation_revision;
pub mod idempotency_key;
pub mod licensing_inquiry;
pub mod matching_enums;
pub mod matching_event;
pub mod matching_meeting;
pub mod organization;
pub mod patent;
pub mod patent_explanation;
pub mod patent_explanation_version;
pub mod persisted_query;
pub mod proposal;
pub mod proposal_member;
pub mod qualification_scheme;
pub mod referral;
pub mod referral_consent;
pub mod referral_enums;
pub mod scheme_level;
pub mod sme;
pub mod sme_product;
pub mod sme_showcase;
pub mod tie_up;
pub mod training_course;
pub mod training_record;

pub use sea_orm;
