//! Authentication: who is calling. A request carries no token (an anonymous caller) or a bearer
//! JWT naming a subject, the institution it acts for (by code) and its roles there, or the
//! person's roles at several institutions (`affiliations`), of which each request acts for one. Verification
//! is configured, never chosen by the token; authorization is decided in `domain`, from the
//! [`Caller`] this module produces.

pub mod jwks;
mod principal;
pub mod token;

pub use principal::{Affiliation, Caller, Principal, Role};
