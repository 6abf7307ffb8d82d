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

/// A qualified-invoice issuer registration number (適格請求書発行事業者の登録番号, National Tax
/// Agency, 「登録番号とは」 on its invoice publication site): `T` and 13 digits. A company's digits
/// are its corporate number; a sole proprietor's are a number of the same system that no corporation
/// holds (never the My Number), so the same check digit applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InvoiceNumber(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidInvoiceNumber {
    #[error("a qualified-invoice registration number is T followed by 13 digits")]
    Shape,
    #[error("the check digit does not match: this is not a valid registration number")]
    CheckDigit,
    #[error("a company's registration number is T followed by its corporate number")]
    NotTheCorporateNumber,
}

impl InvoiceNumber {
    /// `corporate` is the business's corporate number, when it has one.
    pub fn parse(
        value: &str,
        corporate: Option<&CorporateNumber>,
    ) -> Result<Self, InvalidInvoiceNumber> {
        let value = value.trim();
        let digits = value
            .strip_prefix('T')
            .filter(|d| d.len() == 13 && d.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(InvalidInvoiceNumber::Shape)?;
        let number =
            CorporateNumber::parse(digits).map_err(|_| InvalidInvoiceNumber::CheckDigit)?;
        if corporate.is_some_and(|corporate| *corporate != number) {
            return Err(InvalidInvoiceNumber::NotTheCorporateNumber);
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
    fn invoice_numbers_are_t_and_a_checked_number() {
        let nta = CorporateNumber::parse("7000012050002").unwrap();
        assert!(InvoiceNumber::parse("T7000012050002", Some(&nta)).is_ok());
        // A sole proprietor's number: no corporate number to match.
        let individual = format!("T{}", with_check_digit("912345678901"));
        assert!(InvoiceNumber::parse(&individual, None).is_ok());
        assert_eq!(
            InvoiceNumber::parse("T8000012050002", None),
            Err(InvalidInvoiceNumber::CheckDigit)
        );
        assert_eq!(
            InvoiceNumber::parse("T1180301018771", Some(&nta)),
            Err(InvalidInvoiceNumber::NotTheCorporateNumber)
        );
        for bad in [
            "7000012050002",
            "t7000012050002",
            "T700001205000",
            "T70000120500021",
            "Ｔ7000012050002",
            "",
        ] {
            assert_eq!(
                InvoiceNumber::parse(bad, None),
                Err(InvalidInvoiceNumber::Shape),
                "{bad}"
            );
        }
    }

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
