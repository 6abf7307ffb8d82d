//! Japan's 47 prefectures (JIS X 0401; the same numbers as ISO 3166-2 `JP-NN`), with the textbook
//! region and the METI regional bureau that covers each. The two differ: Niigata, Yamanashi, Nagano
//! and Shizuoka are under the Kanto bureau, Fukui under Kinki, Okinawa has its own office.

use entity::enums::MetiBureau;

/// The eight textbook regions (Okinawa counted with Kyushu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    Hokkaido,
    Tohoku,
    Kanto,
    Chubu,
    Kinki,
    Chugoku,
    Shikoku,
    Kyushu,
}

#[derive(Debug)]
pub struct Prefecture {
    pub code: u8,
    pub name_ja: &'static str,
    pub name_en: &'static str,
    pub region: Region,
    pub bureau: MetiBureau,
}

impl Prefecture {
    /// `JP-13` for Tokyo.
    pub fn iso_code(&self) -> String {
        format!("JP-{:02}", self.code)
    }
}

/// A prefecture code known to be 1–47.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrefectureCode(u8);

#[derive(Debug, thiserror::Error)]
#[error("a prefecture code is a JIS X 0401 number from 1 to 47, not {0}")]
pub struct InvalidPrefectureCode(pub i64);

impl PrefectureCode {
    pub fn parse(value: i64) -> Result<Self, InvalidPrefectureCode> {
        match u8::try_from(value) {
            Ok(code @ 1..=47) => Ok(Self(code)),
            _ => Err(InvalidPrefectureCode(value)),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn prefecture(self) -> &'static Prefecture {
        &PREFECTURES[usize::from(self.0) - 1]
    }
}

/// The prefectures a bureau covers, in code order.
pub fn covered_by(bureau: MetiBureau) -> impl Iterator<Item = &'static Prefecture> {
    PREFECTURES.iter().filter(move |p| p.bureau == bureau)
}

pub fn all() -> &'static [Prefecture] {
    &PREFECTURES
}

macro_rules! prefectures {
    ($(($code:literal, $ja:literal, $en:literal, $region:ident, $bureau:ident)),* $(,)?) => {
        static PREFECTURES: [Prefecture; 47] = [$(Prefecture {
            code: $code,
            name_ja: $ja,
            name_en: $en,
            region: Region::$region,
            bureau: MetiBureau::$bureau,
        }),*];
    };
}

prefectures![
    (1, "北海道", "Hokkaido", Hokkaido, Hokkaido),
    (2, "青森県", "Aomori", Tohoku, Tohoku),
    (3, "岩手県", "Iwate", Tohoku, Tohoku),
    (4, "宮城県", "Miyagi", Tohoku, Tohoku),
    (5, "秋田県", "Akita", Tohoku, Tohoku),
    (6, "山形県", "Yamagata", Tohoku, Tohoku),
    (7, "福島県", "Fukushima", Tohoku, Tohoku),
    (8, "茨城県", "Ibaraki", Kanto, Kanto),
    (9, "栃木県", "Tochigi", Kanto, Kanto),
    (10, "群馬県", "Gunma", Kanto, Kanto),
    (11, "埼玉県", "Saitama", Kanto, Kanto),
    (12, "千葉県", "Chiba", Kanto, Kanto),
    (13, "東京都", "Tokyo", Kanto, Kanto),
    (14, "神奈川県", "Kanagawa", Kanto, Kanto),
    (15, "新潟県", "Niigata", Chubu, Kanto),
    (16, "富山県", "Toyama", Chubu, Chubu),
    (17, "石川県", "Ishikawa", Chubu, Chubu),
    (18, "福井県", "Fukui", Chubu, Kinki),
    (19, "山梨県", "Yamanashi", Chubu, Kanto),
    (20, "長野県", "Nagano", Chubu, Kanto),
    (21, "岐阜県", "Gifu", Chubu, Chubu),
    (22, "静岡県", "Shizuoka", Chubu, Kanto),
    (23, "愛知県", "Aichi", Chubu, Chubu),
    (24, "三重県", "Mie", Kinki, Chubu),
    (25, "滋賀県", "Shiga", Kinki, Kinki),
    (26, "京都府", "Kyoto", Kinki, Kinki),
    (27, "大阪府", "Osaka", Kinki, Kinki),
    (28, "兵庫県", "Hyogo", Kinki, Kinki),
    (29, "奈良県", "Nara", Kinki, Kinki),
    (30, "和歌山県", "Wakayama", Kinki, Kinki),
    (31, "鳥取県", "Tottori", Chugoku, Chugoku),
    (32, "島根県", "Shimane", Chugoku, Chugoku),
    (33, "岡山県", "Okayama", Chugoku, Chugoku),
    (34, "広島県", "Hiroshima", Chugoku, Chugoku),
    (35, "山口県", "Yamaguchi", Chugoku, Chugoku),
    (36, "徳島県", "Tokushima", Shikoku, Shikoku),
    (37, "香川県", "Kagawa", Shikoku, Shikoku),
    (38, "愛媛県", "Ehime", Shikoku, Shikoku),
    (39, "高知県", "Kochi", Shikoku, Shikoku),
    (40, "福岡県", "Fukuoka", Kyushu, Kyushu),
    (41, "佐賀県", "Saga", Kyushu, Kyushu),
    (42, "長崎県", "Nagasaki", Kyushu, Kyushu),
    (43, "熊本県", "Kumamoto", Kyushu, Kyushu),
    (44, "大分県", "Oita", Kyushu, Kyushu),
    (45, "宮崎県", "Miyazaki", Kyushu, Kyushu),
    (46, "鹿児島県", "Kagoshima", Kyushu, Kyushu),
    (47, "沖縄県", "Okinawa", Kyushu, Okinawa),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_in_table_order() {
        for (index, prefecture) in all().iter().enumerate() {
            assert_eq!(usize::from(prefecture.code), index + 1);
        }
    }

    #[test]
    fn parse_accepts_exactly_1_to_47() {
        assert!(PrefectureCode::parse(0).is_err());
        assert!(PrefectureCode::parse(48).is_err());
        assert!(PrefectureCode::parse(-1).is_err());
        assert!(PrefectureCode::parse(256 + 13).is_err());
        assert_eq!(
            PrefectureCode::parse(13).unwrap().prefecture().name_en,
            "Tokyo"
        );
        assert_eq!(PrefectureCode::parse(47).unwrap().iso_code_str(), "JP-47");
    }

    #[test]
    fn bureau_areas_differ_from_textbook_regions() {
        let kanto: Vec<_> = covered_by(MetiBureau::Kanto).map(|p| p.name_en).collect();
        assert_eq!(
            kanto,
            [
                "Ibaraki",
                "Tochigi",
                "Gunma",
                "Saitama",
                "Chiba",
                "Tokyo",
                "Kanagawa",
                "Niigata",
                "Yamanashi",
                "Nagano",
                "Shizuoka"
            ]
        );
        let fukui = PrefectureCode::parse(18).unwrap().prefecture();
        assert_eq!(
            (fukui.region, fukui.bureau),
            (Region::Chubu, MetiBureau::Kinki)
        );
        assert_eq!(covered_by(MetiBureau::Okinawa).count(), 1);
        let total: usize = [
            MetiBureau::Hokkaido,
            MetiBureau::Tohoku,
            MetiBureau::Kanto,
            MetiBureau::Chubu,
            MetiBureau::Kinki,
            MetiBureau::Chugoku,
            MetiBureau::Shikoku,
            MetiBureau::Kyushu,
            MetiBureau::Okinawa,
        ]
        .into_iter()
        .map(|b| covered_by(b).count())
        .sum();
        assert_eq!(
            total, 47,
            "every prefecture is covered by exactly one bureau"
        );
    }

    impl PrefectureCode {
        fn iso_code_str(self) -> String {
            self.prefecture().iso_code()
        }
    }
}
