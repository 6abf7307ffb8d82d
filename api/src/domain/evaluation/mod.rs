//! SME technology and business-plan evaluations by member institutions.

pub mod criteria;
