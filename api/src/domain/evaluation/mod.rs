//! SME technology and business-plan evaluations by member institutions.

pub mod criteria;
pub mod evaluations;
pub mod smes;
