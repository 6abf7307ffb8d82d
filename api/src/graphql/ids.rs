//! Opaque global IDs (Relay's `Node`): base64url of `Type:id`. Callers must treat them as opaque;
//! we decode them strictly and refuse anything else with `BAD_USER_INPUT`.

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Organization,
    ClusterProject,
    TieUp,
    Coordinator,
    QualificationScheme,
    Award,
    Sme,
    Evaluation,
    Patent,
    PatentExplanation,
    LicensingInquiry,
    TrainingCourse,
    AuditEntry,
    Referral,
    ReferralConsent,
    CoordinatorAssignment,
    SmeShowcase,
    SmeProduct,
    BusinessNeed,
    Proposal,
    MatchingEvent,
    MatchingMeeting,
}

impl NodeType {
    const ALL: [NodeType; 22] = [
        Self::Organization,
        Self::ClusterProject,
        Self::TieUp,
        Self::Coordinator,
        Self::QualificationScheme,
        Self::Award,
        Self::Sme,
        Self::Evaluation,
        Self::Patent,
        Self::PatentExplanation,
        Self::LicensingInquiry,
        Self::TrainingCourse,
        Self::AuditEntry,
        Self::Referral,
        Self::ReferralConsent,
        Self::CoordinatorAssignment,
        Self::SmeShowcase,
        Self::SmeProduct,
        Self::BusinessNeed,
        Self::Proposal,
        Self::MatchingEvent,
        Self::MatchingMeeting,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Organization => "Organization",
            Self::ClusterProject => "ClusterProject",
            Self::TieUp => "TieUp",
            Self::Coordinator => "Coordinator",
            Self::QualificationScheme => "QualificationScheme",
            Self::Award => "Award",
            Self::Sme => "Sme",
            Self::Evaluation => "Evaluation",
            Self::Patent => "Patent",
            Self::PatentExplanation => "PatentExplanation",
            Self::LicensingInquiry => "LicensingInquiry",
            Self::TrainingCourse => "TrainingCourse",
            Self::AuditEntry => "AuditEntry",
            Self::Referral => "Referral",
            Self::ReferralConsent => "ReferralConsent",
            Self::CoordinatorAssignment => "CoordinatorAssignment",
            Self::SmeShowcase => "SmeShowcase",
            Self::SmeProduct => "SmeProduct",
            Self::BusinessNeed => "BusinessNeed",
            Self::Proposal => "Proposal",
            Self::MatchingEvent => "MatchingEvent",
            Self::MatchingMeeting => "MatchingMeeting",
        }
    }

    pub fn id(self, key: i64) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", self.name())))
    }
}

/// Decodes any node's ID; `argument` names the argument in the error.
pub fn decode(id: &ID, argument: &str) -> ApiResult<(NodeType, i64)> {
    let malformed = || ApiError::bad_input(argument, format!("`{argument}` is not a valid ID"));
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_str())
        .map_err(|_| malformed())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    let (name, key) = text.split_once(':').ok_or_else(malformed)?;
    let node_type = NodeType::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(malformed)?;
    // Only the canonical spelling: no sign, no leading zeros, so each node has exactly one ID.
    let key: i64 = key.parse().map_err(|_| malformed())?;
    if key <= 0 || key.to_string().len() != text.len() - name.len() - 1 {
        return Err(malformed());
    }
    Ok((node_type, key))
}

/// Decodes an ID that must belong to `expected`.
pub fn decode_as(id: &ID, expected: NodeType, argument: &str) -> ApiResult<i64> {
    match decode(id, argument)? {
        (node_type, key) if node_type == expected => Ok(key),
        _ => Err(ApiError::bad_input(
            argument,
            format!("`{argument}` is not the ID of a {}", expected.name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let id = NodeType::TieUp.id(42);
        assert_eq!(decode(&id, "id").unwrap(), (NodeType::TieUp, 42));
        assert_eq!(decode_as(&id, NodeType::TieUp, "id").unwrap(), 42);
        assert!(decode_as(&id, NodeType::Organization, "id").is_err());
    }

    #[test]
    fn malformed_ids_are_refused_naming_the_argument() {
        let encode = |s: &str| ID(URL_SAFE_NO_PAD.encode(s));
        for bad in [
            ID("42".into()),
            ID("!!".into()),
            encode("Organization"),
            encode("Organization:"),
            encode("Organization:x"),
            encode("Organization:-1"),
            encode("Organization:0"),
            encode("Organization:007"),
            encode("Organization:+7"),
            encode("Unknown:1"),
        ] {
            let err = decode(&bad, "id").unwrap_err();
            assert!(
                matches!(err, ApiError::BadUserInput { ref field, .. } if field == "id"),
                "{bad:?}"
            );
        }
    }
}
