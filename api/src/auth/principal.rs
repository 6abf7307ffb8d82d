use std::fmt;

use crate::error::{ApiError, ApiResult};

/// A role at one institution (DESIGN.md, "Who may do what").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Reads network-internal fields.
    Member,
    /// Writes and submits the institution's evaluations.
    Evaluator,
    /// Edits the institution's profile and coordinators; approves its evaluations.
    OrgAdmin,
    /// Issues the qualifications the institution defines.
    Registrar,
    /// The institution's patents, their explanations for SMEs, and answers to licensing
    /// inquiries (the token spells it `licensing`).
    Licensing,
    /// At a bank: reads the referrals addressed to it and answers them.
    LoanOfficer,
    /// Manages organisations and membership, reads everything; held only at the network itself.
    NetworkAdmin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Member,
        Role::Evaluator,
        Role::OrgAdmin,
        Role::Registrar,
        Role::Licensing,
        Role::LoanOfficer,
        Role::NetworkAdmin,
    ];

    /// The role's name in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Evaluator => "evaluator",
            Self::OrgAdmin => "org_admin",
            Self::Registrar => "registrar",
            Self::Licensing => "licensing",
            Self::LoanOfficer => "loan_officer",
            Self::NetworkAdmin => "network_admin",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated caller, acting for one institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub institution_id: i64,
    pub institution_code: String,
    /// Sorted, without duplicates, never empty.
    pub roles: Vec<Role>,
    /// The institution is recorded as a member, cooperating or supporting body of the network, or
    /// is the network itself: its people read what members read. Another institution's people
    /// keep the rights of their roles at their own institution (a registrar of a scheme's
    /// issuer), nothing more.
    pub member: bool,
    /// Every institution the person holds roles at, the acting one among them, in the token's
    /// order. Only the acting institution's roles (`roles`) grant anything in this request.
    pub affiliations: Vec<Affiliation>,
}

/// A person's roles at one institution, as the token grants them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affiliation {
    /// The institution's directory code.
    pub institution_code: String,
    /// Sorted, without duplicates; possibly empty (no role this API knows).
    pub roles: Vec<Role>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// `role` at `institution_id` itself.
    pub fn acts_for(&self, institution_id: i64, role: Role) -> bool {
        self.institution_id == institution_id && self.has(role)
    }
}

/// Whoever sent the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Authenticated(Principal),
}

impl Caller {
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Self::Anonymous => None,
            Self::Authenticated(principal) => Some(principal),
        }
    }

    /// Anyone with a token: what a role at one's own institution needs first.
    pub fn require_authenticated(&self) -> ApiResult<&Principal> {
        self.principal().ok_or(ApiError::Unauthenticated)
    }

    /// A person of an institution whose recorded membership gives members' rights (every role
    /// there reads what members read).
    pub fn require_member(&self) -> ApiResult<&Principal> {
        let principal = self.require_authenticated()?;
        if principal.member {
            Ok(principal)
        } else {
            Err(ApiError::Forbidden(
                "members of the network only: the institution is not recorded as a member, \
                 cooperating or supporting body"
                    .to_owned(),
            ))
        }
    }

    /// `role` acting for `institution_id`, and nobody else.
    pub fn require_for(&self, institution_id: i64, role: Role) -> ApiResult<&Principal> {
        let principal = self.require_authenticated()?;
        if principal.acts_for(institution_id, role) {
            Ok(principal)
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs the {role} role at that institution"
            )))
        }
    }

    /// `role` acting for `institution_id`, or a network admin.
    pub fn require_for_or_network_admin(
        &self,
        institution_id: i64,
        role: Role,
    ) -> ApiResult<&Principal> {
        let principal = self.require_authenticated()?;
        if principal.has(Role::NetworkAdmin) || principal.acts_for(institution_id, role) {
            Ok(principal)
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs the {role} role at that institution, or network_admin"
            )))
        }
    }

    pub fn require_network_admin(&self) -> ApiResult<&Principal> {
        let principal = self.require_authenticated()?;
        if principal.has(Role::NetworkAdmin) {
            Ok(principal)
        } else {
            Err(ApiError::Forbidden(
                "this needs the network_admin role".to_owned(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(institution_id: i64, roles: &[Role]) -> Caller {
        Caller::Authenticated(Principal {
            subject: "u".into(),
            institution_id,
            institution_code: "x".into(),
            roles: roles.to_vec(),
            member: true,
            affiliations: Vec::new(),
        })
    }

    #[test]
    fn roles_are_named_as_in_tokens() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("ORG_ADMIN"), None);
    }

    #[test]
    fn nobody_acts_for_another_institution() {
        let admin_of_1 = caller(1, &[Role::OrgAdmin]);
        assert!(admin_of_1.require_for(1, Role::OrgAdmin).is_ok());
        assert!(matches!(
            admin_of_1.require_for(2, Role::OrgAdmin),
            Err(ApiError::Forbidden(_))
        ));
        assert!(matches!(
            admin_of_1.require_for(1, Role::Registrar),
            Err(ApiError::Forbidden(_))
        ));
        let network = caller(9, &[Role::NetworkAdmin]);
        assert!(
            network
                .require_for_or_network_admin(2, Role::OrgAdmin)
                .is_ok()
        );
        assert!(
            matches!(
                network.require_for(2, Role::Registrar),
                Err(ApiError::Forbidden(_))
            ),
            "a network admin does not act as another institution's registrar"
        );
        assert!(matches!(
            Caller::Anonymous.require_member(),
            Err(ApiError::Unauthenticated)
        ));
        assert!(matches!(
            admin_of_1.require_network_admin(),
            Err(ApiError::Forbidden(_))
        ));
    }
}
