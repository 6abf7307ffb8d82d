//! Closed vocabularies stored as short text codes, so that the database stays readable and a new
//! value needs no schema change.

use sea_orm::entity::prelude::*;

/// What kind of body an organisation is (DESIGN.md, "Members"), plus the kinds the source document
/// names beside the network's members: local governments, business associations and companies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum OrganizationKind {
    #[sea_orm(string_value = "industrial_cluster_promotion")]
    IndustrialClusterPromotion,
    #[sea_orm(string_value = "knowledge_cluster_core")]
    KnowledgeClusterCore,
    #[sea_orm(string_value = "local_government_support")]
    LocalGovernmentSupport,
    #[sea_orm(string_value = "university")]
    University,
    #[sea_orm(string_value = "research_institute")]
    ResearchInstitute,
    #[sea_orm(string_value = "tlo")]
    Tlo,
    #[sea_orm(string_value = "financial_institution")]
    FinancialInstitution,
    #[sea_orm(string_value = "national_agency")]
    NationalAgency,
    #[sea_orm(string_value = "ministry")]
    Ministry,
    #[sea_orm(string_value = "local_government")]
    LocalGovernment,
    #[sea_orm(string_value = "business_association")]
    BusinessAssociation,
    #[sea_orm(string_value = "company")]
    Company,
    #[sea_orm(string_value = "network")]
    Network,
    /// A foundation incorporated under the 2008 Act on General Incorporated Associations and
    /// General Incorporated Foundations (一般財団法人, or 公益財団法人 once certified), such as JILC.
    #[sea_orm(string_value = "incorporated_foundation")]
    IncorporatedFoundation,
    /// A vocational school (専修学校専門課程, 専門学校) under the School Education Act, Article 124.
    #[sea_orm(string_value = "vocational_school")]
    VocationalSchool,
    /// A study group set up by a ministry (研究会), such as METI's study group on GNT companies.
    #[sea_orm(string_value = "study_group")]
    StudyGroup,
}

/// Where an organisation's recorded membership comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum MembershipBasis {
    /// The source document states it (its "Cooperate" and "Support" lists, the RBAJ tie-up).
    #[sea_orm(string_value = "source_document")]
    SourceDocument,
    /// The network's own records: set by a network admin.
    #[sea_orm(string_value = "network_record")]
    NetworkRecord,
    /// Nobody has stated it: the organisation is in the directory, its membership is not known.
    #[sea_orm(string_value = "not_stated")]
    NotStated,
}

/// An organisation's relationship to IIN Japan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum Membership {
    #[sea_orm(string_value = "member")]
    Member,
    #[sea_orm(string_value = "cooperating")]
    Cooperating,
    #[sea_orm(string_value = "supporting")]
    Supporting,
    /// Named in the directory (a cluster's participant) without a tie to the network itself.
    #[sea_orm(string_value = "non_member")]
    NonMember,
    /// Suspended by the network: its tokens are refused until its membership is set again.
    #[sea_orm(string_value = "suspended")]
    Suspended,
}

/// The METI regional bureaus (and the Cabinet Office's Okinawa General Bureau, which plays that
/// role for Okinawa). Their areas are not the textbook regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum MetiBureau {
    #[sea_orm(string_value = "hokkaido")]
    Hokkaido,
    #[sea_orm(string_value = "tohoku")]
    Tohoku,
    #[sea_orm(string_value = "kanto")]
    Kanto,
    #[sea_orm(string_value = "chubu")]
    Chubu,
    #[sea_orm(string_value = "kinki")]
    Kinki,
    #[sea_orm(string_value = "chugoku")]
    Chugoku,
    #[sea_orm(string_value = "shikoku")]
    Shikoku,
    #[sea_orm(string_value = "kyushu")]
    Kyushu,
    #[sea_orm(string_value = "okinawa")]
    Okinawa,
}

/// Which cluster programme a project belongs to.
#[allow(clippy::enum_variant_names)] // "Industrial Cluster Program" is the programme's own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum ClusterProgram {
    /// METI's Industrial Cluster Program, FY2001–2009: the 18 projects led by the regional bureaus.
    #[sea_orm(string_value = "industrial_cluster_program")]
    IndustrialClusterProgram,
    /// From FY2010: bottom-up clusters with local roots, under local governments' basic plans.
    #[sea_orm(string_value = "regional_bottom_up")]
    RegionalBottomUp,
    /// From FY2010: top-down initiatives for internationally competitive clusters.
    #[sea_orm(string_value = "international_top_down")]
    InternationalTopDown,
    /// MEXT's Knowledge Cluster Initiative (知的クラスター創成事業, from FY2002).
    #[sea_orm(string_value = "knowledge_cluster_initiative")]
    KnowledgeClusterInitiative,
    /// MEXT's City Area Program (都市エリア産学官連携促進事業, from FY2002).
    #[sea_orm(string_value = "city_area_program")]
    CityAreaProgram,
    /// MEXT's Regional Innovation Cluster Program (地域イノベーションクラスタープログラム), which
    /// combined the two above from FY2010 and runs until FY2013.
    #[sea_orm(string_value = "regional_innovation_cluster_program")]
    RegionalInnovationClusterProgram,
}

/// The part an organisation plays in a cluster project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ParticipationRole {
    #[sea_orm(string_value = "lead")]
    Lead,
    #[sea_orm(string_value = "promoter")]
    Promoter,
    #[sea_orm(string_value = "industry")]
    Industry,
    #[sea_orm(string_value = "academia")]
    Academia,
    #[sea_orm(string_value = "government")]
    Government,
}

/// The world region of a tie-up's foreign partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum WorldRegion {
    #[sea_orm(string_value = "europe")]
    Europe,
    #[sea_orm(string_value = "asia_oceania")]
    AsiaOceania,
    #[sea_orm(string_value = "americas")]
    Americas,
    #[sea_orm(string_value = "middle_east")]
    MiddleEast,
}

/// Whether a tie-up is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(10))")]
pub enum TieUpStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "ended")]
    Ended,
    /// Not recorded: the source (February 2011) lists tie-ups without saying whether they run.
    #[sea_orm(string_value = "unknown")]
    Unknown,
}

/// The form of a tie-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum AgreementType {
    /// A signed memorandum of understanding.
    #[sea_orm(string_value = "mou")]
    Mou,
    /// Exchanges (missions, joint events) without a signed agreement.
    #[sea_orm(string_value = "exchange")]
    Exchange,
}

/// Industry fields of projects and tie-ups. Stored as a list in one text column (see
/// `FieldList` in the API's domain), so this enum has no column of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(30))")]
pub enum IndustryField {
    #[sea_orm(string_value = "biotechnology")]
    Biotechnology,
    #[sea_orm(string_value = "food")]
    Food,
    #[sea_orm(string_value = "medical")]
    Medical,
    #[sea_orm(string_value = "health_and_welfare")]
    HealthAndWelfare,
    #[sea_orm(string_value = "cosmetics")]
    Cosmetics,
    #[sea_orm(string_value = "it")]
    It,
    #[sea_orm(string_value = "manufacturing")]
    Manufacturing,
    #[sea_orm(string_value = "automotive")]
    Automotive,
    #[sea_orm(string_value = "aerospace")]
    Aerospace,
    #[sea_orm(string_value = "optoelectronics")]
    Optoelectronics,
    #[sea_orm(string_value = "semiconductors")]
    Semiconductors,
    #[sea_orm(string_value = "environment")]
    Environment,
    #[sea_orm(string_value = "energy")]
    Energy,
    /// A project that promotes a region's industry as a whole rather than one field.
    #[sea_orm(string_value = "regional_industry")]
    RegionalIndustry,
}

/// Who holds a qualification of a scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum HolderKind {
    #[sea_orm(string_value = "person")]
    Person,
    #[sea_orm(string_value = "organization")]
    Organization,
}

/// The unit of continuing education.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum CeUnit {
    #[sea_orm(string_value = "credits")]
    Credits,
    #[sea_orm(string_value = "hours")]
    Hours,
    #[sea_orm(string_value = "points")]
    Points,
}

/// The last decision taken on an award. Expiry is not a decision: it follows from the dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum AwardDecision {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "suspended")]
    Suspended,
    #[sea_orm(string_value = "revoked")]
    Revoked,
    /// Paused at the holder's own request (休止), not a decision against the holder; resumed on
    /// request.
    #[sea_orm(string_value = "paused")]
    Paused,
}

/// What a training record is: a course taken, or practice (consulting work, 実務従事). A
/// continuing-education requirement counts one kind only, so practice points cannot be earned
/// from a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum TrainingKind {
    #[sea_orm(string_value = "course")]
    Course,
    #[sea_orm(string_value = "practice")]
    Practice,
}

/// An SME's standing as a niche leader (the source's GNT / DNT companies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum NicheStatus {
    /// Global niche top.
    #[sea_orm(string_value = "gnt")]
    Gnt,
    /// Domestic niche top.
    #[sea_orm(string_value = "dnt")]
    Dnt,
    /// A candidate GNT company ("potential hidden champion").
    #[sea_orm(string_value = "candidate")]
    Candidate,
    #[sea_orm(string_value = "none")]
    None,
}

/// The source's typology of cluster policy targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(10))")]
pub enum ClusterType {
    /// Type 1: embryos of new clusters in metropolitan areas (bio, ICT start-ups).
    #[sea_orm(string_value = "type1")]
    Type1,
    /// Type 2: hidden champions in industrial areas (machinery, materials, metal processing).
    #[sea_orm(string_value = "type2")]
    Type2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum EvaluationStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "under_review")]
    UnderReview,
    #[sea_orm(string_value = "returned")]
    Returned,
    #[sea_orm(string_value = "rated")]
    Rated,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum Visibility {
    /// The evaluating institution only.
    #[sea_orm(string_value = "private")]
    Private,
    /// Every member of the network (once submitted).
    #[sea_orm(string_value = "network")]
    Network,
}

/// Whether and how a patent's holder offers it for licensing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(30))")]
pub enum PatentLicensing {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "under_negotiation")]
    UnderNegotiation,
    #[sea_orm(string_value = "licensed_exclusively")]
    LicensedExclusively,
    #[sea_orm(string_value = "not_offered")]
    NotOffered,
}

/// A form of licence a holder offers, or that an inquiry agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum LicenceForm {
    #[sea_orm(string_value = "non_exclusive")]
    NonExclusive,
    #[sea_orm(string_value = "exclusive")]
    Exclusive,
    #[sea_orm(string_value = "option")]
    Option,
    #[sea_orm(string_value = "assignment")]
    Assignment,
}

/// Where a patent's explanation for SMEs stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ExplanationStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "in_review")]
    InReview,
    #[sea_orm(string_value = "published")]
    Published,
}

/// Where a licensing inquiry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum InquiryStatus {
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "acknowledged")]
    Acknowledged,
    #[sea_orm(string_value = "in_discussion")]
    InDiscussion,
    #[sea_orm(string_value = "agreed")]
    Agreed,
    #[sea_orm(string_value = "declined")]
    Declined,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// The rating an evaluation's overall score earns, A (best) to D; stored as its letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(1))")]
pub enum Rating {
    #[sea_orm(string_value = "A")]
    A,
    #[sea_orm(string_value = "B")]
    B,
    #[sea_orm(string_value = "C")]
    C,
    #[sea_orm(string_value = "D")]
    D,
}

/// How a coordinator prefers to be contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ContactPreference {
    #[sea_orm(string_value = "email")]
    Email,
    #[sea_orm(string_value = "phone")]
    Phone,
    /// Through the coordinator's organisation.
    #[sea_orm(string_value = "organization")]
    Organization,
}

/// What a coordinator is arranged to a cluster project or an institution as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum AssignmentRole {
    #[sea_orm(string_value = "project_manager")]
    ProjectManager,
    #[sea_orm(string_value = "technology_coordinator")]
    TechnologyCoordinator,
    #[sea_orm(string_value = "industry_academia_coordinator")]
    IndustryAcademiaCoordinator,
    #[sea_orm(string_value = "finance_coordinator")]
    FinanceCoordinator,
    #[sea_orm(string_value = "overseas_liaison")]
    OverseasLiaison,
}
