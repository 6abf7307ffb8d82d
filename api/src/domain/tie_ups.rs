//! The foreign side of an overseas tie-up, structured: the places, clusters or universities the
//! source names, each in a country, and whether its list is open ("Beijing, Shenyang, Dalian, etc").
//! Kept as JSON in the tie-up's row; the source's own wording stays beside it.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    City,
    /// A region, province or département.
    Region,
    Country,
    /// A cluster organisation or area ("Food Valley", "Medicon Valley").
    Cluster,
    University,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub name: String,
    /// Unknown for partners carried over from before they were structured.
    pub kind: Option<PartnerKind>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TieUpPartners {
    pub partners: Vec<Partner>,
    /// The source's list ends in "etc".
    pub incomplete: bool,
}

impl TieUpPartners {
    pub fn decode(text: &str, tie_up_id: i64) -> ApiResult<Self> {
        serde_json::from_str(text)
            .map_err(|e| ApiError::corrupt(format!("tie-up {tie_up_id} partners: {e}")))
    }

    pub fn encode(&self) -> String {
        // Strings, booleans and unit variants: serialising cannot fail.
        serde_json::to_string(self).expect("tie-up partners serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partners_round_trip_and_read_what_the_migration_wrote() {
        let partners = TieUpPartners {
            partners: vec![Partner {
                name: "Jena".into(),
                kind: Some(PartnerKind::City),
                country: "DE".into(),
            }],
            incomplete: false,
        };
        assert_eq!(
            TieUpPartners::decode(&partners.encode(), 1).unwrap(),
            partners
        );
        let migrated = r#"{"partners":[{"name":"Geneva, etc","kind":null,"country":"CH"}],"incomplete":false}"#;
        assert_eq!(
            TieUpPartners::decode(migrated, 2).unwrap().partners[0].kind,
            None
        );
    }
}
