//! The network's shared vocabulary in GraphQL: the enums every area's types and filters use
//! (organisation kinds, memberships, METI bureaus, industry fields, orders), and the places
//! (prefectures, countries) they refer to.

use async_graphql::{Enum, Object, Result};
use entity::enums;

use crate::{
    domain::{
        country,
        prefecture::{self, PrefectureCode},
        tie_ups,
    },
    error::{ApiError, ApiResult},
};

// ---------------------------------------------------------------- enums

/// What kind of body an organisation is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::OrganizationKind")]
pub enum OrganizationKind {
    /// Promotes an industrial cluster (METI's Industrial Cluster Program and its successors).
    IndustrialClusterPromotion,
    /// Core organisation of a knowledge cluster (MEXT's Knowledge Cluster Initiative).
    KnowledgeClusterCore,
    /// Support organisation of a local government.
    LocalGovernmentSupport,
    /// A university or college.
    University,
    /// A research institute other than the national agencies (`NATIONAL_AGENCY`).
    ResearchInstitute,
    /// Technology licensing organisation.
    Tlo,
    /// Regional bank or other financial institution.
    FinancialInstitution,
    /// SMRJ, AIST, JETRO, JST and other national bodies.
    NationalAgency,
    /// A ministry (METI, MEXT …) or one of its regional bureaus.
    Ministry,
    /// A prefecture or municipality.
    LocalGovernment,
    /// An economic federation, an agricultural union or another business association.
    BusinessAssociation,
    /// A company taking part in a cluster project.
    Company,
    /// IIN Japan itself.
    Network,
    /// A general or public-interest incorporated foundation (一般財団法人, 公益財団法人), such as JILC.
    IncorporatedFoundation,
    /// A vocational school (専門学校).
    VocationalSchool,
    /// A study group a ministry set up (研究会).
    StudyGroup,
}

/// Where an organisation's recorded membership comes from.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::MembershipBasis")]
pub enum MembershipBasis {
    /// The source document (METI, February 2011) states it.
    SourceDocument,
    /// The network recorded it (a network admin set it).
    NetworkRecord,
    /// Nobody has stated it: the organisation is in the directory, its membership is unknown.
    NotStated,
}

/// An organisation's relationship to IIN Japan.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::Membership")]
pub enum Membership {
    /// A member of the network (cluster organisations, local support bodies, universities, TLOs,
    /// financial institutions).
    Member,
    /// A national body that cooperates with the network (SMRJ, AIST, JETRO, JST, JILC).
    Cooperating,
    /// A ministry that supports the network (METI, MEXT).
    Supporting,
    /// Listed as a cluster participant, with no tie to the network recorded.
    NonMember,
    /// Suspended by a network admin: the institution's tokens are refused (401) until its
    /// membership is set to another value.
    Suspended,
}

/// A METI regional bureau (Okinawa: the Cabinet Office's Okinawa General Bureau).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::MetiBureau")]
pub enum MetiBureau {
    /// Hokkaido Bureau of Economy, Trade and Industry (Sapporo).
    Hokkaido,
    /// Tohoku Bureau (Sendai): the six Tohoku prefectures.
    Tohoku,
    /// Kanto Bureau (Saitama): Kanto plus Niigata, Yamanashi, Nagano and Shizuoka.
    Kanto,
    /// Chubu Bureau (Nagoya): Aichi, Gifu, Mie, Toyama and Ishikawa.
    Chubu,
    /// Kinki Bureau (Osaka): Shiga, Kyoto, Osaka, Hyogo, Nara, Wakayama and Fukui.
    Kinki,
    /// Chugoku Bureau (Hiroshima).
    Chugoku,
    /// Shikoku Bureau (Takamatsu).
    Shikoku,
    /// Kyushu Bureau (Fukuoka).
    Kyushu,
    /// The Cabinet Office's Okinawa General Bureau, which does METI's work in Okinawa.
    Okinawa,
}

/// The cluster programme a project belongs to.
#[allow(clippy::enum_variant_names)] // "Industrial Cluster Program" is the programme's own name.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::ClusterProgram")]
pub enum ClusterProgram {
    /// METI's Industrial Cluster Program, FY2001–2009 (18 projects led by the regional bureaus).
    IndustrialClusterProgram,
    /// From FY2010: bottom-up clusters with local roots.
    RegionalBottomUp,
    /// From FY2010: top-down initiatives for internationally competitive clusters.
    InternationalTopDown,
    /// MEXT's Knowledge Cluster Initiative (知的クラスター創成事業), from FY2002.
    KnowledgeClusterInitiative,
    /// MEXT's City Area Program (都市エリア産学官連携促進事業), from FY2002.
    CityAreaProgram,
    /// MEXT's Regional Innovation Cluster Program, which combined the two above from FY2010.
    RegionalInnovationClusterProgram,
}

/// The part an organisation plays in a cluster project.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::ParticipationRole")]
pub enum ParticipationRole {
    /// Leads the project (for the Industrial Cluster Program, the METI regional bureau).
    Lead,
    /// The promotion organisation that runs the cluster day to day.
    Promoter,
    /// A company or business association.
    Industry,
    /// A university or research institute.
    Academia,
    /// A ministry, bureau, prefecture or municipality.
    Government,
}

/// The world region of a tie-up's foreign side.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::WorldRegion")]
pub enum WorldRegion {
    /// Europe, including the Nordic countries.
    Europe,
    /// Asia (China, Korea, Taiwan, South-East and South Asia) and Oceania.
    AsiaOceania,
    /// North, Central and South America.
    Americas,
    /// The Middle East.
    MiddleEast,
}

/// Whether a tie-up still runs.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::TieUpStatus")]
pub enum TieUpStatus {
    /// The tie-up is running.
    Active,
    /// The tie-up has ended.
    Ended,
    /// Not recorded (the source lists tie-ups without saying whether they run).
    Unknown,
}

/// The form of a tie-up.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::AgreementType")]
pub enum AgreementType {
    /// A signed memorandum of understanding.
    Mou,
    /// Exchanges (missions, joint events) without a signed agreement.
    Exchange,
}

/// What a tie-up's foreign partner is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "tie_ups::PartnerKind")]
pub enum PartnerKind {
    /// A city or town.
    City,
    /// A region, province or département.
    Region,
    /// A whole country.
    Country,
    /// A cluster organisation or area ("Food Valley").
    Cluster,
    /// A university or research institute.
    University,
}

/// A field of industry a cluster project or tie-up works in; one may have several.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::IndustryField")]
pub enum IndustryField {
    /// Biotechnology and life sciences.
    Biotechnology,
    /// Food, food processing and functional food.
    Food,
    /// Medical devices, drugs and medical care.
    Medical,
    /// Health, nursing care and welfare.
    HealthAndWelfare,
    /// Cosmetics.
    Cosmetics,
    /// Information technology, software and services.
    It,
    /// Manufacturing (ものづくり): machinery, materials, parts and processing.
    Manufacturing,
    /// Cars and their parts.
    Automotive,
    /// Aircraft and space.
    Aerospace,
    /// Optics and electronics (photonics).
    Optoelectronics,
    /// Semiconductors and their equipment.
    Semiconductors,
    /// Recycling and environmental technology.
    Environment,
    /// Energy: new energy, batteries, efficiency.
    Energy,
    /// A region's industry as a whole rather than one field.
    RegionalIndustry,
}

/// The eight textbook regions of Japan (Okinawa counted with Kyushu).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "prefecture::Region")]
pub enum Region {
    /// Hokkaido (prefecture 1).
    Hokkaido,
    /// Prefectures 2–7, Aomori to Fukushima.
    Tohoku,
    /// Prefectures 8–14, Ibaraki to Kanagawa.
    Kanto,
    /// Prefectures 15–23, Niigata to Aichi.
    Chubu,
    /// Prefectures 24–30, Mie to Wakayama (also called Kansai).
    Kinki,
    /// Prefectures 31–35, Tottori to Yamaguchi.
    Chugoku,
    /// Prefectures 36–39, Tokushima to Kochi.
    Shikoku,
    /// Prefectures 40–47, Fukuoka to Okinawa.
    Kyushu,
}

/// The language of a name chosen with a `lang` argument.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum Language {
    /// Japanese (the default).
    #[default]
    Ja,
    /// English.
    En,
}

/// The direction of an ordering.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum OrderDirection {
    /// Smallest first (the default).
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl OrderDirection {
    pub(super) fn descending(self) -> bool {
        self == Self::Desc
    }
}

// ---------------------------------------------------------------- places

pub struct Prefecture(pub(super) &'static prefecture::Prefecture);

/// One of Japan's 47 prefectures (JIS X 0401).
#[Object]
impl Prefecture {
    /// JIS X 0401 code, 1–47.
    async fn code(&self) -> u8 {
        self.0.code
    }
    /// ISO 3166-2 code, e.g. `JP-13`.
    async fn iso_code(&self) -> String {
        self.0.iso_code()
    }
    /// The Japanese name with its suffix (`東京都`, `北海道`).
    async fn name_ja(&self) -> &str {
        self.0.name_ja
    }
    /// The English name without suffix (`Tokyo`, `Hokkaido`).
    async fn name_en(&self) -> &str {
        self.0.name_en
    }
    /// The textbook region.
    async fn region(&self) -> Region {
        self.0.region.into()
    }
    /// The METI regional bureau that covers it (not always the textbook region's).
    async fn bureau(&self) -> MetiBureau {
        self.0.bureau.into()
    }
}

pub(super) fn prefecture_of(code: i16) -> ApiResult<&'static prefecture::Prefecture> {
    PrefectureCode::parse(code.into())
        .map(PrefectureCode::prefecture)
        .map_err(|e| ApiError::corrupt(e.to_string()))
}

impl Prefecture {
    /// The prefecture of a stored code (the database keeps codes in range).
    pub(super) fn of(code: i16) -> Result<Self> {
        Ok(Self(prefecture_of(code)?))
    }
}

pub struct Country(pub(super) String);

/// A country, by ISO 3166-1 alpha-2 code.
#[Object]
impl Country {
    /// ISO 3166-1 alpha-2 code, upper case (`JP`, `DE`).
    async fn code(&self) -> &str {
        &self.0
    }
    /// The English short name; null for a code the API has no name for.
    async fn name_en(&self) -> Option<&str> {
        country::names(&self.0).map(|(en, _)| en)
    }
    /// The Japanese name in katakana or kanji (`ドイツ`); null for a code the API has no name for.
    async fn name_ja(&self) -> Option<&str> {
        country::names(&self.0).map(|(_, ja)| ja)
    }
}
