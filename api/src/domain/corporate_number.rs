//! Japanese corporate numbers (法人番号): 13 digits, the first a check digit over the other twelve
//! (National Tax Agency rule): with P(n) the n-th digit counted from the right of the twelve and
//! Q(n) = 1 for odd n and 2 for even n, the check digit is 9 − (Σ P(n)·Q(n) mod 9).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CorporateNumber(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidCorporateNumber {
    #[error("a corporate number is 13 digits")]
    Shape,
    #[error("the check digit does not match: this is not a valid corporate number")]
    CheckDigit,
}

impl CorporateNumber {
    pub fn parse(value: &str) -> Result<Self, InvalidCorporateNumber> {
        let digits: Vec<u32> = value
            .trim()
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(InvalidCorporateNumber::Shape)?;
        if digits.len() != 13 {
            return Err(InvalidCorporateNumber::Shape);
        }
        let weighted: u32 = digits[1..]
            .iter()
            .rev()
            .enumerate()
            .map(|(i, digit)| digit * if i % 2 == 0 { 1 } else { 2 })
            .sum();
        if digits[0] == 9 - weighted % 9 {
            Ok(Self(value.trim().to_owned()))
        } else {
            Err(InvalidCorporateNumber::CheckDigit)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorporateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A valid number from twelve digits, for seeds and tests.
pub fn with_check_digit(twelve: &str) -> String {
    let weighted: u32 = twelve
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    format!("{}{twelve}", 9 - weighted % 9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_numbers_validate() {
        // The National Tax Agency's own corporate number, and the NTA's worked example.
        for number in ["7000012050002", "1180301018771"] {
            assert!(CorporateNumber::parse(number).is_ok(), "{number}");
        }
    }

    #[test]
    fn a_wrong_check_digit_or_shape_is_refused() {
        assert_eq!(
            CorporateNumber::parse("8000012050002"),
            Err(InvalidCorporateNumber::CheckDigit)
        );
        for bad in ["700001205000", "70000120500021", "700001205000A", ""] {
            assert_eq!(
                CorporateNumber::parse(bad),
                Err(InvalidCorporateNumber::Shape),
                "{bad}"
            );
        }
    }

    #[test]
    fn check_digits_are_computed_as_parsed() {
        for twelve in [
            "000012050002",
            "180301018771",
            "123456789012",
            "999999999999",
        ] {
            let number = with_check_digit(twelve);
            assert!(CorporateNumber::parse(&number).is_ok(), "{number}");
        }
    }
}
