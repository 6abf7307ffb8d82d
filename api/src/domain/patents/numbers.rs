//! Japanese patent numbers, parsed once.
//!
//! - An **application number** (出願番号) is written `YYYY-NNNNNN`: the year of filing, from 1985
//!   to the current year, and six digits. Nothing else is accepted: no era years, no `特願`
//!   prefix, no full-width digits.
//! - A **registration number** (登録番号) is seven digits. Input may be the plain digits
//!   (`5123456`) or as a patent gazette writes it (`特許第5123456号`); it is stored and answered
//!   as the seven digits. A leading zero is refused: registrations are numbered from 1, and no
//!   number is written zero-padded.

use std::fmt;

/// The first filing year the network accepts.
pub const FIRST_YEAR: i32 = 1985;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationNumber {
    year: i32,
    serial: u32,
}

impl ApplicationNumber {
    /// `current_year` is the latest year a number may carry.
    pub fn parse(value: &str, current_year: i32) -> Result<Self, String> {
        let value = value.trim();
        let refuse = || {
            format!(
                "an application number is written YYYY-NNNNNN (a year and six digits), not {value:?}"
            )
        };
        let (year, serial) = value.split_once('-').ok_or_else(refuse)?;
        if year.len() != 4
            || serial.len() != 6
            || !year.bytes().all(|b| b.is_ascii_digit())
            || !serial.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(refuse());
        }
        let year: i32 = year.parse().map_err(|_| refuse())?;
        if !(FIRST_YEAR..=current_year).contains(&year) {
            return Err(format!(
                "the application year must be from {FIRST_YEAR} to {current_year}, not {year}"
            ));
        }
        let serial: u32 = serial.parse().map_err(|_| refuse())?;
        if serial == 0 {
            return Err("the application serial number is not zero".into());
        }
        Ok(Self { year, serial })
    }

    pub fn year(&self) -> i32 {
        self.year
    }
}

impl fmt::Display for ApplicationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:06}", self.year, self.serial)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationNumber(String);

impl RegistrationNumber {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let digits = value
            .strip_prefix("特許第")
            .and_then(|rest| rest.strip_suffix('号'))
            .unwrap_or(value);
        if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "a registration number is seven digits, written 1234567 or 特許第1234567号, not {value:?}"
            ));
        }
        if digits.starts_with('0') {
            return Err("a registration number does not start with 0".into());
        }
        Ok(Self(digits.to_owned()))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// As the gazette writes it: `特許第1234567号`.
    pub fn written(digits: &str) -> String {
        format!("特許第{digits}号")
    }
}

/// Technology Readiness Level, 1–9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Trl(u8);

impl Trl {
    pub fn parse(value: i32) -> Result<Self, String> {
        u8::try_from(value)
            .ok()
            .filter(|v| (1..=9).contains(v))
            .map(Self)
            .ok_or_else(|| format!("a Technology Readiness Level is 1–9, not {value}"))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_numbers_at_their_boundaries() {
        let ok = ApplicationNumber::parse("2010-123456", 2026).unwrap();
        assert_eq!(ok.to_string(), "2010-123456");
        assert_eq!(ok.year(), 2010);
        assert!(ApplicationNumber::parse(" 1985-000001 ", 2026).is_ok());
        assert!(ApplicationNumber::parse("2026-999999", 2026).is_ok());
        for bad in [
            "1984-123456",
            "2027-123456",
            "2010-12345",
            "2010-1234567",
            "10-123456",
            "2010123456",
            "2010/123456",
            "２０１０-123456",
            "特願2010-123456",
            "2010-12345a",
            "2010-000000",
            "-2010-12345",
            "",
        ] {
            assert!(ApplicationNumber::parse(bad, 2026).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn registration_numbers_plain_or_as_written() {
        assert_eq!(
            RegistrationNumber::parse("5123456").unwrap().digits(),
            "5123456"
        );
        assert_eq!(
            RegistrationNumber::parse("特許第5123456号")
                .unwrap()
                .digits(),
            "5123456"
        );
        assert_eq!(RegistrationNumber::written("5123456"), "特許第5123456号");
        for bad in [
            "512345",
            "51234567",
            "0123456",
            "特許第512345号",
            "特許5123456号",
            "特許第5123456",
            "5123-456",
            "",
        ] {
            assert!(RegistrationNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn trl_is_one_to_nine() {
        assert_eq!(Trl::parse(1).unwrap().get(), 1);
        assert_eq!(Trl::parse(9).unwrap().get(), 9);
        for bad in [0, 10, -1, 300] {
            assert!(Trl::parse(bad).is_err(), "{bad}");
        }
    }
}
