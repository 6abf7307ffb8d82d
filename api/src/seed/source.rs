//! The data of the source document (`shared/source/meti-2011-iin-japan-cluster-policy.md`, METI,
//! February 2011): every organisation it names, the cluster projects, who takes part in them, and
//! the overseas tie-ups.
//!
//! Memberships are seeded only where the source states them, and say so (`MembershipBasis`): the
//! national organisations it shows under "Cooperate" (SMRJ, AIST, JETRO, JST, JILC) cooperate; the
//! state it shows as supporting (METI, MEXT) supports; the Regional Banks Association of Japan is the
//! network's tie-up partner (its fourth activity). The source names the *categories* of members
//! (cluster promotion organisations, universities, TLOs …), never a member, so every other body is
//! recorded as "not stated": the network records its members itself (`setOrganizationMembership`).

use crate::domain::tie_ups::PartnerKind::{self, City, Cluster, Country, Region};
use entity::enums::{
    AgreementType,
    ClusterProgram::{self, *},
    IndustryField::{self, *},
    Membership::{self, *},
    MembershipBasis::{self, *},
    MetiBureau::{self, *},
    OrganizationKind::{self, *},
    ParticipationRole::{self, *},
    TieUpStatus,
    WorldRegion::{self, *},
};

pub struct OrganizationSeed {
    pub code: &'static str,
    pub name_ja: &'static str,
    pub name_en: &'static str,
    pub abbreviation: Option<&'static str>,
    pub kind: OrganizationKind,
    pub membership: Membership,
    pub basis: MembershipBasis,
    /// None where the seat is abroad or not recorded.
    pub prefecture: Option<u8>,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    pub description_en: Option<&'static str>,
}

pub struct ProjectSeed {
    pub code: &'static str,
    pub name_ja: &'static str,
    pub name_en: &'static str,
    pub program: ClusterProgram,
    pub bureau: MetiBureau,
    pub fields: &'static [IndustryField],
    pub term: (i16, Option<i16>),
    pub description_en: Option<&'static str>,
}

pub struct ParticipationSeed {
    pub project: &'static str,
    pub organization: &'static str,
    pub role: ParticipationRole,
}

pub struct TieUpSeed {
    pub project: &'static str,
    pub region: WorldRegion,
    pub country: &'static str,
    pub japanese_partner: &'static str,
    pub foreign_partner: &'static str,
    pub field_label: &'static str,
    pub fields: &'static [IndustryField],
    /// The foreign side, structured: each partner in the tie-up's country.
    pub partners: &'static [(&'static str, PartnerKind)],
    /// The source's list ends in "etc".
    pub partners_incomplete: bool,
    pub start_year: Option<i16>,
    pub status: TieUpStatus,
    pub agreement_type: Option<AgreementType>,
}

// Positional, so that the rows below read as a table.
#[allow(clippy::too_many_arguments)]
const fn org(
    code: &'static str,
    name_ja: &'static str,
    name_en: &'static str,
    abbreviation: Option<&'static str>,
    kind: OrganizationKind,
    (membership, basis): (Membership, MembershipBasis),
    prefecture: u8,
    description_en: Option<&'static str>,
) -> OrganizationSeed {
    OrganizationSeed {
        code,
        name_ja,
        name_en,
        abbreviation,
        kind,
        membership,
        basis,
        prefecture: Some(prefecture),
        country: "JP",
        description_en,
    }
}

/// Listed under "Cooperate: national organizations concerned".
const COOPERATES: (Membership, MembershipBasis) = (Cooperating, SourceDocument);
/// Shown as the state that supports the network.
const SUPPORTS: (Membership, MembershipBasis) = (Supporting, SourceDocument);
/// "Tie up with Regional Banks Association of Japan" (the network's fourth activity).
const TIED_UP: (Membership, MembershipBasis) = (Cooperating, SourceDocument);
/// In the directory; the source says nothing of its relationship to the network.
const NOT_STATED: (Membership, MembershipBasis) = (NonMember, NotStated);

impl OrganizationSeed {
    /// A body whose seat no source at hand records: no prefecture rather than a guessed one.
    const fn seat_not_recorded(self) -> Self {
        Self {
            prefecture: None,
            ..self
        }
    }

    /// A body abroad.
    const fn abroad(self, country: &'static str) -> Self {
        Self {
            prefecture: None,
            country,
            ..self
        }
    }
}

pub const ORGANIZATIONS: &[OrganizationSeed] = &[
    org(
        "iin-japan",
        "全国イノベーション推進機関ネットワーク",
        "Innovation Initiative Network Japan",
        Some("IIN Japan"),
        Network,
        NOT_STATED,
        13,
        Some(
            "National cluster association, launched in April 2009 as the successor of JANBO: local \
             economy revitalisation by promoting regional innovation.",
        ),
    ),
    // The state.
    org(
        "meti",
        "経済産業省",
        "Ministry of Economy, Trade and Industry",
        Some("METI"),
        Ministry,
        SUPPORTS,
        13,
        None,
    ),
    org(
        "mext",
        "文部科学省",
        "Ministry of Education, Culture, Sports, Science and Technology",
        Some("MEXT"),
        Ministry,
        SUPPORTS,
        13,
        Some(
            "Runs the Regional Innovation Cluster Program (to FY2013) and the Support Program for Regional Innovation (from FY2011).",
        ),
    ),
    org(
        "maff",
        "農林水産省",
        "Ministry of Agriculture, Forestry and Fisheries",
        Some("MAFF"),
        Ministry,
        NOT_STATED,
        13,
        Some("Selects regional innovation areas jointly with MEXT and METI."),
    ),
    org(
        "smea",
        "中小企業庁",
        "Small and Medium Enterprise Agency",
        Some("SMEA"),
        NationalAgency,
        NOT_STATED,
        13,
        None,
    ),
    // The national organisations that cooperate with the network.
    org(
        "smrj",
        "中小企業基盤整備機構",
        "Organization for Small & Medium Enterprises and Regional Innovation, JAPAN",
        Some("SMRJ"),
        NationalAgency,
        COOPERATES,
        13,
        Some("Support of SMEs for new business establishment."),
    ),
    org(
        "aist",
        "産業技術総合研究所",
        "National Institute of Advanced Industrial Science and Technology",
        Some("AIST"),
        NationalAgency,
        COOPERATES,
        13,
        Some("Transfer of the results of industrial technology development."),
    ),
    org(
        "jetro",
        "日本貿易振興機構",
        "Japan External Trade Organization",
        Some("JETRO"),
        NationalAgency,
        COOPERATES,
        13,
        Some("Support for the overseas operations of clusters."),
    ),
    org(
        "jst",
        "科学技術振興機構",
        "Japan Science and Technology Agency",
        Some("JST"),
        NationalAgency,
        COOPERATES,
        11,
        Some("Funding of R&D at universities and other institutions."),
    ),
    org(
        "jilc",
        "日本立地センター",
        "Japan Industrial Location Center",
        Some("JILC"),
        IncorporatedFoundation,
        COOPERATES,
        13,
        Some("Training of the professionals who provide support."),
    ),
    org(
        "rbaj",
        "全国地方銀行協会",
        "Regional Banks Association of Japan",
        None,
        BusinessAssociation,
        TIED_UP,
        13,
        Some(
            "Tie-up with the network for cooperation between its members and financial institutions.",
        ),
    ),
    // METI's regional bureaus, which led the 18 Industrial Cluster Program projects.
    org(
        "meti-hokkaido",
        "北海道経済産業局",
        "Hokkaido Bureau of Economy, Trade and Industry",
        None,
        Ministry,
        NOT_STATED,
        1,
        None,
    ),
    org(
        "meti-tohoku",
        "東北経済産業局",
        "Tohoku Bureau of Economy, Trade and Industry",
        None,
        Ministry,
        NOT_STATED,
        4,
        None,
    ),
    org(
        "meti-kanto",
        "関東経済産業局",
        "Kanto Bureau of Economy, Trade and Industry",
        None,
        Ministry,
        NOT_STATED,
        11,
        None,
    ),
    org(
        "meti-chubu",
        "中部経済産業局",
        "Chubu Bureau of Economy, Trade and Industry",
        None,
        Ministry,
        NOT_STATED,
        23,
        None,
    ),
    org(
        "meti-kinki",
        "近畿経済産業局",
        "Kinki Bureau of Economy, Trade and Industry",
        None,
        Ministry,
        NOT_STATED,
        27,
        None,
    ),
    org(
        "meti-chugoku",
        "中国経済産業局",
        "Chugoku Bureau of Economy, Trade and Industry",
        None,
        Ministry,
        NOT_STATED,
        34,
        None,
    ),
    org(
        "meti-shikoku",
        "四国経済産業局",
        "Shikoku Bureau of Economy, Trade and Industry",
        None,
        Ministry,
        NOT_STATED,
        37,
        None,
    ),
    org(
        "meti-kyushu",
        "九州経済産業局",
        "Kyushu Bureau of Economy, Trade and Industry",
        None,
        Ministry,
        NOT_STATED,
        40,
        None,
    ),
    org(
        "meti-okinawa",
        "内閣府沖縄総合事務局",
        "Okinawa General Bureau, Cabinet Office",
        None,
        Ministry,
        NOT_STATED,
        47,
        None,
    ),
    // The Hokkaido Food Cluster.
    org(
        "fcnw",
        "食クラスター連携協議体",
        "Food Cluster Network",
        Some("FC/NW"),
        IndustrialClusterPromotion,
        NOT_STATED,
        1,
        Some(
            "Launched on 19 May 2010; some 800 members (businesses, government institutions and others) by 31 December 2010.",
        ),
    ),
    org(
        "hokkaido-econ-fed",
        "北海道経済連合会",
        "Hokkaido Economic Federation",
        None,
        BusinessAssociation,
        NOT_STATED,
        1,
        None,
    ),
    org(
        "ja-hokkaido",
        "北海道農業協同組合中央会",
        "Hokkaido Central Union of Agricultural Cooperatives",
        None,
        BusinessAssociation,
        NOT_STATED,
        1,
        None,
    ),
    org(
        "pref-hokkaido",
        "北海道",
        "Hokkaido Government",
        None,
        LocalGovernment,
        NOT_STATED,
        1,
        None,
    ),
    // The Next Generation Aircraft Cluster: the Aerospace Industry Forum and its committee.
    org(
        "aerospace-forum",
        "航空宇宙産業フォーラム",
        "Aerospace Industry Forum",
        None,
        IndustrialClusterPromotion,
        NOT_STATED,
        23,
        Some(
            "Launched in Nagoya in April 2008 to promote Japan's aerospace industry collectively: R&D, \
             market expansion (missions to the Paris and Farnborough air shows) and human resources.",
        ),
    ),
    org(
        "chukeiren",
        "中部経済連合会",
        "Chubu Economic Federation",
        None,
        BusinessAssociation,
        NOT_STATED,
        23,
        None,
    ),
    org(
        "c-astec",
        "中部科学技術センター",
        "Chubu Science and Technology Center",
        Some("C-ASTEC"),
        IncorporatedFoundation,
        NOT_STATED,
        23,
        None,
    ),
    org(
        "mhi-nagoya-aerospace",
        "三菱重工業株式会社 名古屋航空宇宙システム製作所",
        "Mitsubishi Heavy Industries, Ltd. Nagoya Aerospace Systems",
        Some("MHI"),
        Company,
        NOT_STATED,
        23,
        None,
    ),
    org(
        "khi-aerospace",
        "川崎重工業株式会社 航空宇宙カンパニー",
        "Kawasaki Heavy Industries, Ltd. Aerospace Company",
        Some("KHI"),
        Company,
        NOT_STATED,
        21,
        None,
    ),
    org(
        "nagoya-u",
        "名古屋大学",
        "Nagoya University",
        None,
        University,
        NOT_STATED,
        23,
        None,
    ),
    org(
        "naka-nippon-aviation",
        "中日本航空専門学校",
        "College of Naka-Nippon Aviation",
        None,
        VocationalSchool,
        NOT_STATED,
        21,
        None,
    ),
    org(
        "pref-aichi",
        "愛知県",
        "Aichi Prefecture",
        None,
        LocalGovernment,
        NOT_STATED,
        23,
        None,
    ),
    org(
        "pref-gifu",
        "岐阜県",
        "Gifu Prefecture",
        None,
        LocalGovernment,
        NOT_STATED,
        21,
        None,
    ),
    org(
        "city-nagoya",
        "名古屋市",
        "Nagoya City",
        None,
        LocalGovernment,
        NOT_STATED,
        23,
        None,
    ),
    // Named as global niche top (GNT) examples that are no longer "hidden".
    org(
        "shimadzu",
        "株式会社島津製作所",
        "Shimadzu Corporation",
        None,
        Company,
        NOT_STATED,
        26,
        None,
    ),
    org(
        "horiba",
        "株式会社堀場製作所",
        "HORIBA, Ltd.",
        None,
        Company,
        NOT_STATED,
        26,
        None,
    ),
    // The source gives this study group's English name only, so both names are the English one.
    org(
        "meti-gnt-study-group",
        "Study group for business system strategies of GNT companies",
        "Study group for business system strategies of GNT companies",
        None,
        StudyGroup,
        NOT_STATED,
        13,
        Some(
            "Launched by METI in November 2010. Under its supervision, an interview survey of 30 \
             typical GNT companies across Japan has been conducted since January 2011.",
        ),
    ),
    // ---- Issuers of the qualification schemes (seed/qualifications.rs).
    // The source document does not name them: none is a member. No seat was verified for JBIA
    // and CRAMS, so they have no prefecture; ESCA is in Berlin.
    //
    // JBIA: 一般社団法人JBIA (日本ビジネス・インキュベーション協会), which certifies incubation
    // managers (認定IM) and incubators; it carries on JANBO's incubation work since 2008.
    // Sources: http://jbia.jp/recog.html ("JBIA認定IM及びBI取得のご説明"); the JBIA chair's
    // article in かわらばん地域版95号 (sic-sagamihara.jp, March 2025).
    org(
        "jbia",
        "日本ビジネス・インキュベーション協会",
        "Japan Business Incubation Association",
        Some("JBIA"),
        BusinessAssociation,
        NOT_STATED,
        13,
        Some(
            "Certifies incubation managers (認定インキュベーション・マネジャー) and business incubators; \
             runs the incubation manager training course.",
        ),
    )
    .seat_not_recorded(),
    // CRAMS: 一般社団法人リサーチ・アドミニストレータースキル認定機構 (URAスキル認定機構), which
    // certifies 認定URA and 認定専門URA. Its own pages name it "CRAMS"; no English name of its own
    // was found, so `name_en` translates the Japanese one. Sources: https://crams.or.jp/wp/judge
    // ("審査概要"), https://www.crams.or.jp/training/ ("研修概要"), https://www.crams.or.jp/?p=2133.
    org(
        "crams",
        "リサーチ・アドミニストレータースキル認定機構",
        "Research Administrator Skills Certification Organization",
        Some("CRAMS"),
        BusinessAssociation,
        NOT_STATED,
        13,
        Some(
            "Certifies research administrators (認定URA, 認定専門URA). Its training moved to JST in \
             FY2024; certification stays with CRAMS.",
        ),
    )
    .seat_not_recorded(),
    // ESCA: the European Secretariat for Cluster Analysis, Berlin (set up in November 2010 by
    // VDI/VDE Innovation + Technik GmbH), which awards the Cluster Management Excellence labels
    // (Bronze, Silver, Gold); EUCLES (Brussels, December 2020) is taking the labelling over.
    // Sources: https://cluster-analysis.org, https://eucles.be.
    org(
        "esca",
        "欧州クラスター分析事務局",
        "European Secretariat for Cluster Analysis",
        Some("ESCA"),
        BusinessAssociation,
        NOT_STATED,
        13,
        Some(
            "Based in Berlin, Germany. Benchmarks cluster organisations and awards the Cluster \
             Management Excellence labels.",
        ),
    )
    .abroad("DE"),
];

const ICP: (i16, Option<i16>) = (2001, Some(2009));

#[allow(clippy::too_many_arguments)]
const fn project(
    code: &'static str,
    name_ja: &'static str,
    name_en: &'static str,
    program: ClusterProgram,
    bureau: MetiBureau,
    fields: &'static [IndustryField],
    term: (i16, Option<i16>),
    description_en: Option<&'static str>,
) -> ProjectSeed {
    ProjectSeed {
        code,
        name_ja,
        name_en,
        program,
        bureau,
        fields,
        term,
        description_en,
    }
}

/// The 18 Industrial Cluster Program projects (FY2001–2009, as of 31 March 2010), the two FY2010
/// cluster cases the source describes, and MEXT's knowledge cluster behind the Hamamatsu tie-up.
/// A project's fields include every field of its tie-ups.
pub const PROJECTS: &[ProjectSeed] = &[
    project(
        "hokkaido-cluster",
        // The FY2001–2006 strategy (北海道スーパー・クラスター振興戦略) gave way in FY2007–2010 to
        // the two the source lists (Hokkaido Bureau of METI, hkd.meti.go.jp/hokii/s_cluster).
        "北海道ITイノベーション戦略・北海道バイオ産業成長戦略",
        "HOKKAIDO Cluster Project",
        IndustrialClusterProgram,
        Hokkaido,
        &[It, Biotechnology, Food],
        ICP,
        Some("Hokkaido IT Innovation Project and Hokkaido Biotech Industrial Growth Strategy."),
    ),
    project(
        "tohoku-manufacturing-corridor",
        "TOHOKUものづくりコリドー",
        "TOHOKU Manufacturing Corridor",
        IndustrialClusterProgram,
        Tohoku,
        &[Manufacturing],
        ICP,
        None,
    ),
    project(
        "kanto-regional-industry",
        "地域産業活性化プロジェクト",
        "Regional Industry Revitalization Project",
        IndustrialClusterProgram,
        Kanto,
        &[Manufacturing, It, HealthAndWelfare],
        ICP,
        Some(
            "Network formation support for the Western Metropolitan area (TAMA), the area along the Chuo \
             Expressway, Tokatsu-Kawaguchi-Tsukuba (along the TX Line), the San-En-Nanshin area, the \
             Northern Tokyo metropolitan area and the Keihin area.",
        ),
    ),
    project(
        "kanto-bio-ventures",
        "バイオベンチャー育成",
        "Fostering Bio-ventures",
        IndustrialClusterProgram,
        Kanto,
        &[Biotechnology],
        ICP,
        None,
    ),
    project(
        "kanto-it-ventures",
        "情報ベンチャー育成",
        "Fostering IT ventures",
        IndustrialClusterProgram,
        Kanto,
        &[It],
        ICP,
        None,
    ),
    project(
        "tokai-monozukuri",
        "東海ものづくり創生プロジェクト",
        "TOKAI Monozukuri Revitalization Project",
        IndustrialClusterProgram,
        Chubu,
        &[Manufacturing, It],
        ICP,
        None,
    ),
    project(
        "tokai-bio-monozukuri",
        "東海バイオものづくり創生プロジェクト",
        "TOKAI Bio-Monozukuri Revitalization Project",
        IndustrialClusterProgram,
        Chubu,
        &[Biotechnology, Manufacturing],
        ICP,
        None,
    ),
    project(
        "hokuriku-monozukuri",
        "北陸ものづくり創生プロジェクト",
        "HOKURIKU Monozukuri Revitalization Project",
        IndustrialClusterProgram,
        Chubu,
        &[Manufacturing, Cosmetics, Food],
        ICP,
        None,
    ),
    project(
        "kansai-bio",
        "関西バイオクラスタープロジェクト（Bio Cluster）",
        "KANSAI Bio-Cluster Project \"Bio Cluster\"",
        IndustrialClusterProgram,
        Kinki,
        &[Biotechnology, Food, Medical],
        ICP,
        None,
    ),
    project(
        "kansai-front-runner",
        "関西フロントランナープロジェクト（Neo Cluster）",
        "KANSAI Front Runner Project \"Neo Cluster\"",
        IndustrialClusterProgram,
        Kinki,
        &[Manufacturing, Environment],
        ICP,
        None,
    ),
    project(
        "kansai-green",
        "環境ビジネスKANSAIプロジェクト（Green）",
        "Environment Business KANSAI Project \"Green\"",
        IndustrialClusterProgram,
        Kinki,
        &[Environment],
        ICP,
        None,
    ),
    project(
        "chugoku-next-generation",
        "次世代中核産業形成プロジェクト",
        "Next Generation Key Industry Creation Project",
        IndustrialClusterProgram,
        Chugoku,
        &[Manufacturing, Automotive],
        ICP,
        None,
    ),
    project(
        "chugoku-recycling-environment",
        "循環・環境型社会形成プロジェクト",
        "Recycling-oriented and Environment-friendly Society Establishing Project",
        IndustrialClusterProgram,
        Chugoku,
        &[Environment, Energy],
        ICP,
        None,
    ),
    project(
        "shikoku-techno-bridge",
        "四国テクノブリッジ計画",
        "SHIKOKU Techno-bridge Project",
        IndustrialClusterProgram,
        Shikoku,
        &[RegionalIndustry, Food, Environment],
        ICP,
        None,
    ),
    project(
        "kyushu-k-rip",
        "九州地域環境・リサイクル産業交流プラザ（K-RIP）",
        "Kyushu Recycle and Environmental Industry Plaza (K-RIP)",
        IndustrialClusterProgram,
        Kyushu,
        &[Environment],
        ICP,
        None,
    ),
    project(
        "kyushu-silicon",
        "九州シリコン・クラスター計画",
        "Kyusyu Silicon Cluster Project",
        IndustrialClusterProgram,
        Kyushu,
        &[Semiconductors],
        ICP,
        None,
    ),
    project(
        "kyushu-bio",
        "九州地域バイオクラスター計画",
        "Kyusyu bio Cluster Project",
        IndustrialClusterProgram,
        Kyushu,
        &[Biotechnology],
        ICP,
        None,
    ),
    project(
        "okinawa-industry-promotion",
        "OKINAWA型産業振興プロジェクト",
        "OKINAWA Industry Promotion Project",
        IndustrialClusterProgram,
        Okinawa,
        &[RegionalIndustry],
        ICP,
        None,
    ),
    project(
        "hokkaido-food-cluster",
        "北海道食クラスター",
        "Hokkaido Food Cluster",
        RegionalBottomUp,
        Hokkaido,
        &[Food],
        (2010, None),
        Some(
            "Food clusters spanning food processing, biotechnology, machinery, distribution, IT and \
             tourism: high value for food resources, hot-selling products, sales in Japan and abroad.",
        ),
    ),
    project(
        "chubu-next-generation-aircraft",
        "次世代航空機クラスター",
        "Next Generation Aircraft Cluster",
        InternationalTopDown,
        Chubu,
        &[Aerospace],
        (2010, None),
        Some("Aero parts industry around Nagoya, driven by the Aerospace Industry Forum."),
    ),
    // MEXT's Knowledge Cluster Initiative in Hamamatsu: the Hamamatsu optronics cluster from FY2002,
    // joined by Higashi-Mikawa from FY2007 (MEXT's evaluation of the Knowledge Cluster Initiative,
    // mext.go.jp/b_menu/houdou/25/03/attach/1331572.htm; hai.or.jp/optronics). Its core is in
    // Hamamatsu, Shizuoka, which the Kanto bureau covers.
    project(
        "hamamatsu-optronics",
        "浜松・東三河地域オプトロニクスクラスター",
        "Hamamatsu and Higashi-Mikawa Optronics Cluster",
        KnowledgeClusterInitiative,
        Kanto,
        &[Optoelectronics],
        (2002, None),
        Some("Optronics: the technologies of light and electronics, around Hamamatsu."),
    ),
];

const fn part(
    project: &'static str,
    organization: &'static str,
    role: ParticipationRole,
) -> ParticipationSeed {
    ParticipationSeed {
        project,
        organization,
        role,
    }
}

pub const PARTICIPATIONS: &[ParticipationSeed] = &[
    part("hokkaido-cluster", "meti-hokkaido", Lead),
    part("tohoku-manufacturing-corridor", "meti-tohoku", Lead),
    part("kanto-regional-industry", "meti-kanto", Lead),
    part("kanto-bio-ventures", "meti-kanto", Lead),
    part("kanto-it-ventures", "meti-kanto", Lead),
    part("tokai-monozukuri", "meti-chubu", Lead),
    part("tokai-bio-monozukuri", "meti-chubu", Lead),
    part("hokuriku-monozukuri", "meti-chubu", Lead),
    part("kansai-bio", "meti-kinki", Lead),
    part("kansai-front-runner", "meti-kinki", Lead),
    part("kansai-green", "meti-kinki", Lead),
    part("chugoku-next-generation", "meti-chugoku", Lead),
    part("chugoku-recycling-environment", "meti-chugoku", Lead),
    part("shikoku-techno-bridge", "meti-shikoku", Lead),
    part("kyushu-k-rip", "meti-kyushu", Lead),
    part("kyushu-silicon", "meti-kyushu", Lead),
    part("kyushu-bio", "meti-kyushu", Lead),
    part("okinawa-industry-promotion", "meti-okinawa", Lead),
    part("hokkaido-food-cluster", "fcnw", Promoter),
    part("hokkaido-food-cluster", "hokkaido-econ-fed", Industry),
    part("hokkaido-food-cluster", "ja-hokkaido", Industry),
    part("hokkaido-food-cluster", "meti-hokkaido", Government),
    part("hokkaido-food-cluster", "pref-hokkaido", Government),
    part(
        "chubu-next-generation-aircraft",
        "aerospace-forum",
        Promoter,
    ),
    part("chubu-next-generation-aircraft", "chukeiren", Industry),
    part("chubu-next-generation-aircraft", "c-astec", Industry),
    part(
        "chubu-next-generation-aircraft",
        "mhi-nagoya-aerospace",
        Industry,
    ),
    part("chubu-next-generation-aircraft", "khi-aerospace", Industry),
    part("chubu-next-generation-aircraft", "nagoya-u", Academia),
    part(
        "chubu-next-generation-aircraft",
        "naka-nippon-aviation",
        Academia,
    ),
    part("chubu-next-generation-aircraft", "meti-chubu", Government),
    part("chubu-next-generation-aircraft", "pref-aichi", Government),
    part("chubu-next-generation-aircraft", "pref-gifu", Government),
    part("chubu-next-generation-aircraft", "city-nagoya", Government),
];

// Positional, so that the rows below read as a table.
#[allow(clippy::too_many_arguments)]
const fn tie(
    project: &'static str,
    region: WorldRegion,
    country: &'static str,
    japanese_partner: &'static str,
    foreign_partner: &'static str,
    field_label: &'static str,
    fields: &'static [IndustryField],
    partners: &'static [(&'static str, PartnerKind)],
    partners_incomplete: bool,
) -> TieUpSeed {
    TieUpSeed {
        project,
        region,
        country,
        japanese_partner,
        foreign_partner,
        field_label,
        fields,
        partners,
        partners_incomplete,
        start_year: None,
        status: TieUpStatus::Unknown,
        agreement_type: None,
    }
}

impl TieUpSeed {
    /// A tie-up whose start and form another source records.
    const fn since(self, start_year: i16, agreement_type: AgreementType) -> Self {
        Self {
            start_year: Some(start_year),
            agreement_type: Some(agreement_type),
            ..self
        }
    }
}

/// The source's two lists, in its order. The Japanese side is named as the source names it; the
/// project is the cluster project that covers it (Kazusa and the "Kanto Biotechnology project" are
/// Kanto's bio-venture project; Suwa and TAMA its regional industry networks; Hamamatsu's tie-up
/// with Jena ran through MEXT's knowledge cluster there). The foreign side is kept as worded and as
/// a list of places, clusters or universities; "etc" marks a list the source leaves open. Saudi
/// Arabia, listed under "Asia, Oceania", is in the Middle East. The source does not say when a tie-up
/// started, in what form, or whether it still runs, except where a comment names another source.
pub const TIE_UPS: &[TieUpSeed] = &[
    tie(
        "kanto-bio-ventures",
        Europe,
        "GB",
        "Kazusa Biotechnology project",
        "UK",
        "Biotechnology",
        &[Biotechnology],
        &[("United Kingdom", Country)],
        false,
    ),
    tie(
        "kanto-bio-ventures",
        Europe,
        "GB",
        "Kanto Biotechnology project",
        "South West England",
        "Biotechnology",
        &[Biotechnology],
        &[("South West England", Region)],
        false,
    ),
    tie(
        "kansai-bio",
        Europe,
        "NL",
        "Kansai Biotechnology project",
        "Food Valley",
        "Functional food",
        &[Food],
        &[("Food Valley", Cluster)],
        false,
    ),
    tie(
        "chugoku-next-generation",
        Europe,
        "DE",
        "Chugoku Next Generation Industries project",
        "Germany",
        "Automobile",
        &[Automotive],
        &[("Germany", Country)],
        false,
    ),
    tie(
        "kanto-bio-ventures",
        Europe,
        "DE",
        "Kazusa Biotechnology project",
        "Dusseldorf",
        "Biotechnology",
        &[Biotechnology],
        &[("Dusseldorf", City)],
        false,
    ),
    // Exchanges between the Hamamatsu optronics cluster and the Jena region (Thuringia) began in
    // FY2006 (平成18年度), with JETRO's support (Hamamatsu Agency for Innovation, the cluster's
    // own account: hai.or.jp/optronics/outline/008.html).
    tie(
        "hamamatsu-optronics",
        Europe,
        "DE",
        "Hamamatsu",
        "Jena",
        "Optoelectronic equipment",
        &[Optoelectronics],
        &[("Jena", City)],
        false,
    )
    .since(2006, AgreementType::Exchange),
    tie(
        "kansai-bio",
        Europe,
        "FR",
        "Kansai Biotechnology project",
        "Life Science Corridor",
        "Medicine, medical equipment, etc",
        &[Medical],
        &[("Life Science Corridor", Cluster)],
        false,
    ),
    tie(
        "hokuriku-monozukuri",
        Europe,
        "FR",
        "Hokuriku",
        "Loiret",
        "Cosmetics, functional food",
        &[Cosmetics, Food],
        &[("Loiret", Region)],
        false,
    ),
    tie(
        "shikoku-techno-bridge",
        Europe,
        "FR",
        "Shikoku Techno Bridge plan",
        "Lyon",
        "Functional food",
        &[Food],
        &[("Lyon", City)],
        false,
    ),
    tie(
        "kanto-regional-industry",
        Europe,
        "CH",
        "Suwa",
        "Geneva, etc",
        "Micro machinery",
        &[Manufacturing],
        &[("Geneva", City)],
        true,
    ),
    tie(
        "kanto-regional-industry",
        Europe,
        "IT",
        "TAMA project",
        "Veneto",
        "IT, health and welfare",
        &[It, HealthAndWelfare],
        &[("Veneto", Region)],
        false,
    ),
    tie(
        "tokai-monozukuri",
        Europe,
        "IT",
        "Tokai Manufacturing project",
        "Torino",
        "IT, manufacturing",
        &[It, Manufacturing],
        &[("Torino", City)],
        false,
    ),
    tie(
        "kansai-front-runner",
        Europe,
        "SE",
        "Kansai Front Runner Project",
        "Sweden",
        "Manufacturing",
        &[Manufacturing],
        &[("Sweden", Country)],
        false,
    ),
    // The source spells it "Medicom Valley"; the cluster is Medicon Valley.
    tie(
        "kansai-bio",
        Europe,
        "DK",
        "Kansai Biotechnology project",
        "Medicon Valley",
        "Medical treatment",
        &[Medical],
        &[("Medicon Valley", Cluster)],
        false,
    ),
    tie(
        "kyushu-k-rip",
        AsiaOceania,
        "CN",
        "Kyushu K-RIP project",
        "Dalian, Qingdao",
        "Recycling, environment purification",
        &[Environment],
        &[("Dalian", City), ("Qingdao", City)],
        false,
    ),
    tie(
        "hokkaido-cluster",
        AsiaOceania,
        "CN",
        "Hokkaido IT project",
        "Beijing, Shenyang, Dalian, etc",
        "IT",
        &[It],
        &[("Beijing", City), ("Shenyang", City), ("Dalian", City)],
        true,
    ),
    tie(
        "kansai-green",
        AsiaOceania,
        "CN",
        "Environment Kansai project",
        "Guangdong, Liaoning",
        "Waste management, reduction of environmental burdens",
        &[Environment],
        &[("Guangdong", Region), ("Liaoning", Region)],
        false,
    ),
    tie(
        "kansai-front-runner",
        AsiaOceania,
        "CN",
        "Kansai Front Runner project",
        "Beijing, Zhongguancun",
        "Environment, manufacturing",
        &[Environment, Manufacturing],
        &[("Beijing", City), ("Zhongguancun", Cluster)],
        false,
    ),
    tie(
        "kanto-regional-industry",
        AsiaOceania,
        "CN",
        "TAMA project",
        "Shanghai",
        "Manufacturing",
        &[Manufacturing],
        &[("Shanghai", City)],
        false,
    ),
    tie(
        "kanto-bio-ventures",
        AsiaOceania,
        "CN",
        "Kanto Biotechnology project",
        "Shanghai",
        "Biotechnology",
        &[Biotechnology],
        &[("Shanghai", City)],
        false,
    ),
    tie(
        "chugoku-recycling-environment",
        AsiaOceania,
        "CN",
        "Chugoku circulation and environmental project",
        "Shanghai",
        "New energy, energy conservation",
        &[Energy],
        &[("Shanghai", City)],
        false,
    ),
    tie(
        "kyushu-k-rip",
        AsiaOceania,
        "KR",
        "Kyushu K-RIP project",
        "Seoul",
        "Recycling, environment purification",
        &[Environment],
        &[("Seoul", City)],
        false,
    ),
    tie(
        "kansai-bio",
        AsiaOceania,
        "KR",
        "Kansai Biotechnology project",
        "Seoul National University",
        "Biotechnology",
        &[Biotechnology],
        &[("Seoul National University", PartnerKind::University)],
        false,
    ),
    tie(
        "kanto-regional-industry",
        AsiaOceania,
        "KR",
        "TAMA project",
        "Hanyang University",
        "Manufacturing",
        &[Manufacturing],
        &[("Hanyang University", PartnerKind::University)],
        false,
    ),
    tie(
        "kansai-green",
        AsiaOceania,
        "TH",
        "Environment Kansai project",
        "Thailand",
        "Waste management, reduction of environmental burdens",
        &[Environment],
        &[("Thailand", Country)],
        false,
    ),
    tie(
        "shikoku-techno-bridge",
        AsiaOceania,
        "ID",
        "Shikoku Techno Bridge plan",
        "West Java",
        "Wastewater treatment",
        &[Environment],
        &[("West Java", Region)],
        false,
    ),
    tie(
        "chugoku-recycling-environment",
        MiddleEast,
        "SA",
        "Chugoku Recycling and Environment project",
        "Saudi Arabia",
        "Environment",
        &[Environment],
        &[("Saudi Arabia", Country)],
        false,
    ),
    tie(
        "hokkaido-cluster",
        AsiaOceania,
        "NZ",
        "Hokkaido Biotechnology project",
        "New Zealand",
        "Functional food",
        &[Food],
        &[("New Zealand", Country)],
        false,
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::{country, prefecture::PrefectureCode};

    #[test]
    fn codes_are_unique_lowercase_and_references_resolve() {
        let codes: HashSet<_> = ORGANIZATIONS.iter().map(|o| o.code).collect();
        assert_eq!(codes.len(), ORGANIZATIONS.len());
        for code in &codes {
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
        }
        let projects: HashSet<_> = PROJECTS.iter().map(|p| p.code).collect();
        assert_eq!(projects.len(), PROJECTS.len());
        for p in PARTICIPATIONS {
            assert!(
                projects.contains(p.project) && codes.contains(p.organization),
                "{}",
                p.project
            );
        }
        for t in TIE_UPS {
            assert!(projects.contains(t.project), "{}", t.project);
            assert!(country::names(t.country).is_some(), "{}", t.country);
        }
        for o in ORGANIZATIONS {
            assert!(
                o.prefecture
                    .is_none_or(|p| PrefectureCode::parse(p.into()).is_ok()),
                "{}",
                o.code
            );
            assert!(country::names(o.country).is_some(), "{}", o.code);
            assert!(o.prefecture.is_none() || o.country == "JP", "{}", o.code);
        }
    }

    #[test]
    fn the_source_lists_18_program_projects_and_its_tie_ups() {
        let program = PROJECTS
            .iter()
            .filter(|p| p.program == IndustrialClusterProgram)
            .count();
        assert_eq!(program, 18);
        // The document's Europe table has 7 rows of 2; its Asia/Oceania list has 14 entries, one
        // of them Saudi Arabia, in the Middle East.
        assert_eq!(TIE_UPS.iter().filter(|t| t.region == Europe).count(), 14);
        assert_eq!(
            TIE_UPS.iter().filter(|t| t.region == AsiaOceania).count(),
            13
        );
        assert_eq!(TIE_UPS.iter().filter(|t| t.region == MiddleEast).count(), 1);
    }

    #[test]
    fn every_field_of_a_tie_up_is_a_field_of_its_project() {
        for tie in TIE_UPS {
            let project = PROJECTS.iter().find(|p| p.code == tie.project).unwrap();
            for field in tie.fields {
                assert!(
                    project.fields.contains(field),
                    "{} ⇔ {}: {field:?} is not a field of {}",
                    tie.japanese_partner,
                    tie.foreign_partner,
                    project.code
                );
            }
        }
    }

    #[test]
    fn memberships_are_seeded_only_where_the_source_states_them() {
        let stated: Vec<_> = ORGANIZATIONS
            .iter()
            .filter(|o| o.basis == SourceDocument)
            .map(|o| (o.code, o.membership))
            .collect();
        assert_eq!(
            stated,
            [
                ("meti", Supporting),
                ("mext", Supporting),
                ("smrj", Cooperating),
                ("aist", Cooperating),
                ("jetro", Cooperating),
                ("jst", Cooperating),
                ("jilc", Cooperating),
                ("rbaj", Cooperating),
            ]
        );
        // No organisation is seeded as a member: the source names categories of members only.
        assert!(ORGANIZATIONS.iter().all(|o| o.membership != Member));
        assert!(
            ORGANIZATIONS
                .iter()
                .filter(|o| o.basis == NotStated)
                .all(|o| o.membership == NonMember)
        );
    }

    #[test]
    fn every_tie_up_has_structured_partners() {
        for tie in TIE_UPS {
            assert!(!tie.partners.is_empty(), "{}", tie.foreign_partner);
            assert_eq!(
                tie.partners_incomplete,
                tie.foreign_partner.ends_with("etc")
            );
        }
    }
}
