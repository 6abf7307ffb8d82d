//! Industries as codes of the Japan Standard Industrial Classification (日本標準産業分類, JSIC,
//! Revision 13, Ministry of Internal Affairs and Communications notice of 2013): a major
//! classification letter (A–T), optionally its two-digit middle classification, optionally the
//! third digit of a minor classification ("E", "E25", "E251"). Each major classification owns a
//! fixed range of middle ones; a middle code outside its letter's range is refused.

use std::fmt;

/// Majors: letter, first and last middle classification, Japanese and English names.
const MAJORS: [(char, u8, u8, &str, &str); 20] = [
    ('A', 1, 2, "農業、林業", "Agriculture and forestry"),
    ('B', 3, 4, "漁業", "Fisheries"),
    (
        'C',
        5,
        5,
        "鉱業、採石業、砂利採取業",
        "Mining and quarrying of stone and gravel",
    ),
    ('D', 6, 8, "建設業", "Construction"),
    ('E', 9, 32, "製造業", "Manufacturing"),
    (
        'F',
        33,
        36,
        "電気・ガス・熱供給・水道業",
        "Electricity, gas, heat supply and water",
    ),
    ('G', 37, 41, "情報通信業", "Information and communications"),
    (
        'H',
        42,
        49,
        "運輸業、郵便業",
        "Transport and postal activities",
    ),
    ('I', 50, 61, "卸売業、小売業", "Wholesale and retail trade"),
    ('J', 62, 67, "金融業、保険業", "Finance and insurance"),
    (
        'K',
        68,
        70,
        "不動産業、物品賃貸業",
        "Real estate and goods rental and leasing",
    ),
    (
        'L',
        71,
        74,
        "学術研究、専門・技術サービス業",
        "Scientific research, professional and technical services",
    ),
    (
        'M',
        75,
        77,
        "宿泊業、飲食サービス業",
        "Accommodations, eating and drinking services",
    ),
    (
        'N',
        78,
        80,
        "生活関連サービス業、娯楽業",
        "Living-related and personal services and amusement services",
    ),
    (
        'O',
        81,
        82,
        "教育、学習支援業",
        "Education, learning support",
    ),
    (
        'P',
        83,
        85,
        "医療、福祉",
        "Medical, health care and welfare",
    ),
    ('Q', 86, 87, "複合サービス事業", "Compound services"),
    (
        'R',
        88,
        96,
        "サービス業（他に分類されないもの）",
        "Services, not elsewhere classified",
    ),
    (
        'S',
        97,
        98,
        "公務（他に分類されるものを除く）",
        "Government, except elsewhere classified",
    ),
    (
        'T',
        99,
        99,
        "分類不能の産業",
        "Industries unable to classify",
    ),
];

/// A JSIC classification, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsicCode {
    major: char,
    middle: Option<u8>,
    minor_digit: Option<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidJsicCode {
    #[error(
        "a JSIC code is a major classification letter A–T, optionally followed by its two-digit \
         middle classification and one more digit of the minor one (\"E\", \"E25\", \"E251\")"
    )]
    Shape,
    #[error("middle classification {middle:02} is not under major classification {major}")]
    NotUnderMajor { major: char, middle: u8 },
}

impl JsicCode {
    pub fn parse(text: &str) -> Result<Self, InvalidJsicCode> {
        let text = text.trim();
        let mut chars = text.chars();
        let major = chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .ok_or(InvalidJsicCode::Shape)?;
        let (_, first, last, _, _) = MAJORS
            .iter()
            .find(|m| m.0 == major)
            .ok_or(InvalidJsicCode::Shape)?;
        let digits: Vec<u8> = chars
            .map(|c| c.to_digit(10).map(|d| d as u8))
            .collect::<Option<_>>()
            .ok_or(InvalidJsicCode::Shape)?;
        let (middle, minor_digit) = match digits.as_slice() {
            [] => (None, None),
            [a, b] => (Some(a * 10 + b), None),
            [a, b, c] => (Some(a * 10 + b), Some(*c)),
            _ => return Err(InvalidJsicCode::Shape),
        };
        if let Some(middle) = middle
            && !(*first..=*last).contains(&middle)
        {
            return Err(InvalidJsicCode::NotUnderMajor { major, middle });
        }
        Ok(Self {
            major,
            middle,
            minor_digit,
        })
    }

    pub fn major(self) -> char {
        self.major
    }

    pub fn middle(self) -> Option<u8> {
        self.middle
    }

    /// The minor classification's three digits ("251"), when given.
    pub fn minor(self) -> Option<u16> {
        Some(u16::from(self.middle?) * 10 + u16::from(self.minor_digit?))
    }

    fn names(self) -> (&'static str, &'static str) {
        MAJORS
            .iter()
            .find(|m| m.0 == self.major)
            .map(|m| (m.3, m.4))
            .unwrap_or_default()
    }

    pub fn major_name_ja(self) -> &'static str {
        self.names().0
    }

    pub fn major_name_en(self) -> &'static str {
        self.names().1
    }
}

impl fmt::Display for JsicCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.major)?;
        if let Some(middle) = self.middle {
            write!(f, "{middle:02}")?;
        }
        if let Some(digit) = self.minor_digit {
            write!(f, "{digit}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_at_the_edges_of_each_major_parse() {
        for (major, first, last, _, _) in MAJORS {
            for middle in [first, last] {
                let code = format!("{major}{middle:02}");
                assert_eq!(JsicCode::parse(&code).unwrap().to_string(), code);
            }
            assert_eq!(JsicCode::parse(&major.to_string()).unwrap().middle(), None);
        }
        assert_eq!(JsicCode::parse("e251").unwrap().minor(), Some(251));
    }

    #[test]
    fn a_middle_outside_its_major_or_a_bad_shape_is_refused() {
        assert_eq!(
            JsicCode::parse("E08"),
            Err(InvalidJsicCode::NotUnderMajor {
                major: 'E',
                middle: 8
            })
        );
        assert_eq!(
            JsicCode::parse("E33"),
            Err(InvalidJsicCode::NotUnderMajor {
                major: 'E',
                middle: 33
            })
        );
        for bad in [
            "",
            "U",
            "Machinery",
            "E2",
            "E2511",
            "E-25",
            "２５",
            "E\u{0}25",
        ] {
            assert_eq!(JsicCode::parse(bad), Err(InvalidJsicCode::Shape), "{bad:?}");
        }
    }
}
