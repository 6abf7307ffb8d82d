//! Countries of the overseas tie-ups and of organisations' seats, by ISO 3166-1 alpha-2 code.

use std::fmt;

/// An ISO 3166-1 alpha-2 code: two ASCII capital letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

#[derive(Debug, thiserror::Error)]
#[error("a country is an ISO 3166-1 alpha-2 code of two capital letters, such as \"DE\"")]
pub struct InvalidCountryCode;

impl CountryCode {
    pub fn parse(value: &str) -> Result<Self, InvalidCountryCode> {
        if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidCountryCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// English and Japanese names of the countries the directory refers to.
pub fn names(code: &str) -> Option<(&'static str, &'static str)> {
    COUNTRIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, ja)| (*en, *ja))
}

const COUNTRIES: &[(&str, &str, &str)] = &[
    ("CH", "Switzerland", "スイス"),
    ("CN", "China", "中国"),
    ("DE", "Germany", "ドイツ"),
    ("DK", "Denmark", "デンマーク"),
    ("FR", "France", "フランス"),
    ("GB", "United Kingdom", "イギリス"),
    ("ID", "Indonesia", "インドネシア"),
    ("IT", "Italy", "イタリア"),
    ("JP", "Japan", "日本"),
    ("KR", "South Korea", "韓国"),
    ("NL", "Netherlands", "オランダ"),
    ("NZ", "New Zealand", "ニュージーランド"),
    ("SA", "Saudi Arabia", "サウジアラビア"),
    ("SE", "Sweden", "スウェーデン"),
    ("TH", "Thailand", "タイ"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_wants_two_capital_letters() {
        assert!(CountryCode::parse("DE").is_ok());
        for bad in ["de", "D", "DEU", "D1", "", "ÄÖ"] {
            assert!(
                CountryCode::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn names_are_known_for_every_listed_code() {
        assert_eq!(names("GB"), Some(("United Kingdom", "イギリス")));
        assert_eq!(names("US"), None);
    }
}
