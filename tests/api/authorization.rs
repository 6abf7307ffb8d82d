//! The authorization matrix: every operation that is not public, for every role at the target's
//! own institution and at another one, and for anonymous callers, asserting exactly the allowed
//! set. The schema is walked first, so a new field or mutation that is neither listed as public
//! nor covered here fails this suite by itself.

use std::collections::{BTreeMap, BTreeSet};

use entity::audit_entry;
use futures_util::StreamExt;
use iin_api::auth::Role;
use iin_tests::{COMPLETE_SCORES, TestApp, only_error};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

/// Fields anyone may read, type by type.
const PUBLIC: &[(&str, &str)] = &[
    (
        "Query",
        "organizations organization clusterProjects clusterProject tieUps prefectures network node me \
        coordinators findCoordinators qualificationSchemes qualificationScheme trainingCourses verifyCertificate",
    ),
    (
        "Organization",
        "id code nameJa nameEn name abbreviation kind membership membershipBasis prefecture bureau \
        country websiteUrl descriptionJa descriptionEn clusterParticipations coordinators",
    ),
    (
        "ClusterProject",
        "id code nameJa nameEn name program bureau fields termStartFiscalYear termEndFiscalYear descriptionEn participants tieUps \
        coordinators",
    ),
    ("ClusterParticipation", "role organization project"),
    (
        "TieUp",
        "id region country fields fieldLabel japanesePartner foreignPartner partners partnersIncomplete \
        startYear status agreementType project",
    ),
    ("TieUpPartner", "name kind country"),
    ("Prefecture", "code isoCode nameJa nameEn region bureau"),
    ("Country", "code nameEn nameJa"),
    ("Network", "nameJa nameEn founded predecessor activities"),
    (
        "PageInfo",
        "hasPreviousPage hasNextPage startCursor endCursor",
    ),
    (
        "OrganizationConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("OrganizationEdge", "node cursor"),
    (
        "ClusterProjectConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("ClusterProjectEdge", "node cursor"),
    (
        "TieUpConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("TieUpEdge", "node cursor"),
    // `me` answers only about the caller, and null to anonymous callers.
    (
        "Viewer",
        "subject institution roles affiliations coordinator",
    ),
    ("Affiliation", "institutionCode institution roles acting"),
    // Which coordinators (and so which assignments) a caller reads is decided row by row: the
    // public only those with a public profile (tests/api/people.rs).
    (
        "Coordinator",
        "id nameJa nameEn organization prefecture expertise profileEn publicProfile linkedToPerson \
        assignments",
    ),
    (
        "CoordinatorAssignment",
        "id coordinator role clusterProject organization startsOn endsOn version",
    ),
    (
        "CoordinatorConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("CoordinatorEdge", "node cursor"),
    (
        "QualificationScheme",
        "id code nameJa nameEn issuer holderKind validityMonths renewalWindowMonths graceMonths \
        renewalValidityMonths lateRenewalMonths runByNetwork levels continuingEducation",
    ),
    (
        "QualificationSchemeConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("QualificationSchemeEdge", "node cursor"),
    (
        "SchemeLevel",
        "rank code nameJa nameEn requiresPrevious practiceMonths practiceWithinMonths requiredCourse",
    ),
    ("CeRequirement", "unit kind amount periodMonths"),
    (
        "TrainingCourse",
        "id titleJa titleEn provider unit amount kind",
    ),
    (
        "TrainingCourseConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("TrainingCourseEdge", "node cursor"),
    // What anyone may learn of a certificate from its number.
    (
        "CertificateVerification",
        "certificateNumber holderNameJa holderNameEn scheme level awardedOn expiresOn status",
    ),
    ("Query", "smes sme evaluations evaluation"),
    (
        "Sme",
        "id corporateNumber invoiceNumber nameJa nameEn prefecture industry industryClassification \
        industryNote nicheStatus clusterType clusterProjects ratingSummary",
    ),
    (
        "IndustryClassification",
        "code majorCode middleCode majorNameJa majorNameEn",
    ),
    (
        "SmeConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("SmeEdge", "node cursor"),
    ("RatingSummary", "latest meanScore count"),
    // Which evaluations a caller reads is decided row by row (tests/api/evaluations.rs); these
    // fields are what anyone who may read the row sees.
    (
        "Evaluation",
        "id sme institution status visibility version rating overallScore createdAt updatedAt",
    ),
    (
        "EvaluationConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("EvaluationEdge", "node cursor"),
    // Which patents and explanations a caller reads is decided row by row
    // (tests/api/patents.rs): anonymous callers read OPEN patents with a published explanation,
    // and only the published version of an explanation.
    ("Query", "patents patent patentStatistics"),
    ("Organization", "patents"),
    ("Sme", "suggestedPatents"),
    (
        "Patent",
        "id holder applicationNumber registrationNumber registrationNumberWritten titleJa titleEn \
        originalAbstract ipcClasses fields trl filedOn expiresOn licensing licenceForms version explanation",
    ),
    (
        "PatentConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("PatentEdge", "node cursor"),
    (
        "PatentExplanation",
        "id patent authorInstitution status version publishedVersion publishedAt summaryJa summaryEn \
        applicationsJa applicationsEn requirementsJa requirementsEn updatedAt versions",
    ),
    (
        "PatentExplanationVersion",
        "version change status summaryJa summaryEn applicationsJa applicationsEn requirementsJa \
        requirementsEn reason changedByInstitution changedAt",
    ),
    ("PatentSuggestion", "patent score reasons"),
    // The network's public report.
    (
        "PatentHolderFigures",
        "holder patentsExplained inquiries licencesAgreed",
    ),
    // Which referrals and consents a caller reads is decided row by row (anonymous callers and
    // other banks read none: tests/api/referrals.rs and the filter test); these fields are what
    // anyone who may read the row sees, except `Referral.evaluation`, which a revoked consent
    // hides from the bank (tests/api/referrals.rs). The statistics are the network's report.
    ("Query", "referrals referral referralStatistics"),
    (
        "Referral",
        "id sme institution bank purpose amountRequested note status version scope evaluationVersion \
        evaluation consent financing decline withdrawalReason referredBy createdAt updatedAt \
        acknowledgedAt decidedAt expiresAt",
    ),
    (
        "ReferralConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("ReferralEdge", "node cursor"),
    (
        "ReferralConsent",
        "id sme bank institution scope obtainedOn method documentReference recordedAt revokedAt live",
    ),
    (
        "ReferredEvaluation",
        "evaluationId version rating scores findings changedAt",
    ),
    ("ReferralFinancing", "amount product decidedOn"),
    ("ReferralDecline", "reason note decidedOn"),
    ("ReferralStatistics", "fiscalYear groupBy groups"),
    (
        "ReferralStatisticsGroup",
        "key label bankId referrals acknowledged financed declined totalFinanced medianDaysToDecision",
    ),
    // Business matching: which needs, proposals, products, events, meetings and outcomes a
    // caller reads is decided row by row, every caller of the matrix in tests/api/matching.rs
    // and the filter test; these fields are what anyone who may read the row sees, except
    // `BusinessNeed.invitedInstitutions` (null but for the need's institution, in
    // tests/api/matching.rs). Showcases are public; the statistics are the network's report.
    (
        "Query",
        "smeShowcase businessNeeds businessNeed proposals proposal matchCandidates matchingEvents \
        matchingEvent matchingStatistics",
    ),
    ("Sme", "showcase outcomes"),
    (
        "SmeShowcase",
        "id sme headlineJa headlineEn consentedOn live products",
    ),
    (
        "SmeShowcaseConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("SmeShowcaseEdge", "node cursor"),
    (
        "SmeProduct",
        "id sme nameJa nameEn descriptionJa descriptionEn fields processes",
    ),
    (
        "BusinessNeed",
        "id institution buyer kind patent titleJa titleEn description fields processes quantity \
        budgetMin budgetMax deadline deliveryPlace visibility invitedInstitutions status version \
        createdAt updatedAt proposals",
    ),
    (
        "BusinessNeedConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("BusinessNeedEdge", "node cursor"),
    (
        "Proposal",
        "id need institution leadSme members joint summary price status version decisionNote \
        createdAt updatedAt decidedAt",
    ),
    (
        "ProposalConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("ProposalEdge", "node cursor"),
    ("ProposalMember", "sme lead processes sharePercent"),
    ("MatchCandidate", "sme score reasons"),
    (
        "MatchingEvent",
        "id organiser kind nameJa nameEn place country startsOn endsOn slotMinutes meetings buyers smes",
    ),
    (
        "MatchingEventConnection",
        "pageInfo edges nodes totalCount totalCountIsExact",
    ),
    ("MatchingEventEdge", "node cursor"),
    (
        "MatchingMeeting",
        "id event need buyer sme slotStart outcome orderAmount outcomeNote version",
    ),
    (
        "SmeOutcome",
        "need proposal meeting amount sharePercent partners wonAt",
    ),
    ("MatchingStatistics", "fiscalYear groups"),
    (
        "MatchingStatisticsGroup",
        "key needs proposals jointOrders ordersWon orderValue",
    ),
];

/// Guarded fields whose every case is checked elsewhere, over the transport they need.
const GUARDED_ELSEWHERE: &[(&str, &str)] = &[
    (
        "Subscription.evaluationChanged",
        "tests/api/subscriptions.rs: members only (anonymous told to sign in, bad tokens closed with 4401), own institution only",
    ),
    (
        "Subscription.licensingInquiryChanged",
        "tests/api/patents.rs: both sides hear, a third institution does not, anonymous told to sign in",
    ),
    // Each move depends on the state the one before left, and two roles may take most of them:
    // every move by the right and the wrong roles, and its audit, is in tests/api/patents.rs.
    ("Mutation.updatePatent", "tests/api/patents.rs"),
    // A person's own record, and assignments whose writers depend on the project's lead or
    // promoter: by the right and the wrong callers in tests/api/people.rs.
    (
        "Mutation.updateOwnCoordinatorProfile",
        "tests/api/people.rs",
    ),
    (
        "Mutation.createCoordinatorAssignment",
        "tests/api/people.rs",
    ),
    (
        "Mutation.updateCoordinatorAssignment",
        "tests/api/people.rs",
    ),
    ("Mutation.createPatentExplanation", "tests/api/patents.rs"),
    ("Mutation.updatePatentExplanation", "tests/api/patents.rs"),
    ("Mutation.submitPatentExplanation", "tests/api/patents.rs"),
    ("Mutation.publishPatentExplanation", "tests/api/patents.rs"),
    ("Mutation.returnPatentExplanation", "tests/api/patents.rs"),
    ("Mutation.sendLicensingInquiry", "tests/api/patents.rs"),
    (
        "Mutation.acknowledgeLicensingInquiry",
        "tests/api/patents.rs",
    ),
    ("Mutation.startLicensingDiscussion", "tests/api/patents.rs"),
    ("Mutation.agreeLicensingInquiry", "tests/api/patents.rs"),
    ("Mutation.declineLicensingInquiry", "tests/api/patents.rs"),
    ("Mutation.withdrawLicensingInquiry", "tests/api/patents.rs"),
    (
        "Subscription.referralChanged",
        "tests/api/referrals.rs: the referrer and the bank addressed hear, another bank does not",
    ),
    // Business matching: who may take each move depends on the need's and the proposal's
    // institutions and on the state the move before left; every move by the right and the
    // wrong roles, anonymous callers, and its audit, is in tests/api/matching.rs.
    ("Mutation.publishSmeShowcase", "tests/api/matching.rs"),
    ("Mutation.withdrawSmeShowcase", "tests/api/matching.rs"),
    ("Mutation.addSmeProduct", "tests/api/matching.rs"),
    ("Mutation.removeSmeProduct", "tests/api/matching.rs"),
    ("Mutation.postBusinessNeed", "tests/api/matching.rs"),
    ("Mutation.closeBusinessNeed", "tests/api/matching.rs"),
    ("Mutation.cancelBusinessNeed", "tests/api/matching.rs"),
    ("Mutation.submitProposal", "tests/api/matching.rs"),
    ("Mutation.shortlistProposal", "tests/api/matching.rs"),
    ("Mutation.acceptProposal", "tests/api/matching.rs"),
    ("Mutation.declineProposal", "tests/api/matching.rs"),
    ("Mutation.withdrawProposal", "tests/api/matching.rs"),
    ("Mutation.createMatchingEvent", "tests/api/matching.rs"),
    ("Mutation.bookMeeting", "tests/api/matching.rs"),
    ("Mutation.recordMeetingOutcome", "tests/api/matching.rs"),
    (
        "Subscription.needChanged",
        "tests/api/matching.rs: the need's institution and its proposers hear, another member does not",
    ),
    (
        "Subscription.proposalChanged",
        "tests/api/matching.rs: the proposer and the need's institution hear, another member does not",
    ),
];

/// Types reached only through guarded fields: covered by those fields' rows of the matrix.
const BEHIND: &[(&str, &str)] = &[
    ("OrganizationContact", "Organization.contact"),
    ("CoordinatorContact", "Coordinator.contact"),
    ("AuditEntry", "Query.auditLog"),
    ("AuditEntryConnection", "Query.auditLog"),
    ("AuditEntryEdge", "Query.auditLog"),
    ("Award", "Query.awards"),
    ("AwardConnection", "Query.awards"),
    ("AwardEdge", "Query.awards"),
    ("Renewal", "Query.awards"),
    ("CeProgress", "Query.awards"),
    ("TrainingRecord", "Coordinator.trainings"),
    ("EvaluationScores", "Evaluation.scores"),
    ("IndicatorScore", "Evaluation.scores"),
    ("FiscalYearFigure", "Evaluation.scores"),
    ("ViewScore", "Evaluation.scores"),
    ("CriterionScore", "Evaluation.scores"),
    ("EvaluationRevision", "Evaluation.history"),
    ("EvaluationChange", "Subscription.evaluationChanged"),
    ("LicensingInquiry", "Query.licensingInquiries"),
    ("LicensingInquiryConnection", "Query.licensingInquiries"),
    ("LicensingInquiryEdge", "Query.licensingInquiries"),
    (
        "LicensingInquiryChange",
        "Subscription.licensingInquiryChanged",
    ),
    ("ReferralChange", "Subscription.referralChanged"),
    ("NeedChange", "Subscription.needChanged"),
    ("ProposalChange", "Subscription.proposalChanged"),
];

/// Operations a loan officer attempts from the bank (`OWN_BANK`), not from AIST: a referral
/// addressed to that bank is its own target. An attempt on a referral or consent the caller may
/// not read is refused as `NOT_FOUND` (it does not exist for them) rather than `FORBIDDEN`.
const AT_THE_BANK: &[&str] = &[
    "Mutation.recordReferralConsent",
    "Mutation.revokeReferralConsent",
    "Mutation.referSme",
    "Mutation.acknowledgeReferral",
    "Mutation.startReferralReview",
    "Mutation.recordFinancing",
    "Mutation.declineReferral",
    "Mutation.withdrawReferral",
];

/// The bank AIST refers to (own), and the one JETRO refers to (other).
const OWN_BANK: &str = "matrix-bank";
const OTHER_BANK: &str = "other-bank";

/// Consents and referrals made fresh for every attempt that may succeed.
const POOL: usize = 16;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Objects of the caller's own institution (AIST).
    Own,
    /// Objects of another institution (JETRO).
    Other,
}

/// IDs arranged before the matrix runs: for each institution, a scheme it issues, a coordinator
/// holding one of its awards, a coordinator to award, and (AIST) a course.
struct Arranged {
    organization: [Value; 2],
    /// SMEs registered by each institution (AIST's is evaluated by AIST).
    sme: [Value; 2],
    /// A published evaluation (AIST), and one shared with the network (JETRO, submitted).
    readable_evaluation: [Value; 2],
    /// A complete draft (AIST), and the shared JETRO one.
    draft: [Value; 2],
    /// An evaluation under review (AIST), and the shared JETRO one.
    in_review: [Value; 2],
    /// A submitted evaluation (AIST), and the shared JETRO one.
    submitted: [Value; 2],
    /// A rated evaluation (AIST), and the shared JETRO one.
    rated: [Value; 2],
    /// A suspended and a paused award of each institution's scheme.
    suspended_award: [Value; 2],
    paused_award: [Value; 2],
    /// A referral under the bank's review (version 3), AIST's and JETRO's.
    reviewing: [Value; 2],
    scheme: [Value; 2],
    award: [Value; 2],
    coordinator: [Value; 2],
    to_award: [Value; 2],
    course: Value,
    /// The banks: AIST refers to the first, JETRO to the second.
    bank: [Value; 2],
    /// Live consents, one per attempt (AIST's for its SME and bank, JETRO's for its own).
    consents: [Vec<Value>; 2],
    /// Referrals still SENT, one per attempt: AIST's to its bank, JETRO's to the other.
    sent: [Vec<Value>; 2],
    /// A referral moved by the bank: acknowledged (version 2) then reviewed (3); and JETRO's.
    answered: [Value; 2],
    /// An acknowledged referral (version 2), to decline; and JETRO's.
    acknowledged: [Value; 2],
    /// AIST's evaluated SME, and an SME JETRO registered that AIST never evaluates.
    consenting: [Value; 2],
}

impl Arranged {
    fn pick<'a>(&self, of: &'a [Value; 2], target: Target) -> &'a Value {
        &of[if target == Target::Own { 0 } else { 1 }]
    }
}

struct Operation {
    field: &'static str,
    query: &'static str,
    mutation: bool,
    variables: fn(&Arranged, Target, u32) -> Value,
    /// Who may: a role, at the target's own institution or another.
    allowed: fn(Role, Target) -> bool,
}

fn organization(a: &Arranged, t: Target, _: u32) -> Value {
    json!({ "id": a.pick(&a.organization, t) })
}
fn scheme(a: &Arranged, t: Target, _: u32) -> Value {
    json!({ "id": a.pick(&a.scheme, t) })
}
fn award(a: &Arranged, t: Target, _: u32) -> Value {
    json!({ "id": a.pick(&a.award, t) })
}
fn suspended_award(a: &Arranged, t: Target, _: u32) -> Value {
    json!({ "id": a.pick(&a.suspended_award, t) })
}
fn paused_award(a: &Arranged, t: Target, _: u32) -> Value {
    json!({ "id": a.pick(&a.paused_award, t) })
}
fn coordinator(a: &Arranged, t: Target, _: u32) -> Value {
    json!({ "id": a.pick(&a.coordinator, t) })
}
fn sme(a: &Arranged, t: Target, _: u32) -> Value {
    json!({ "id": a.pick(&a.sme, t) })
}
fn readable_evaluation(a: &Arranged, t: Target, _: u32) -> Value {
    json!({ "id": a.pick(&a.readable_evaluation, t) })
}
fn draft(a: &Arranged, t: Target, serial: u32) -> Value {
    json!({ "id": a.pick(&a.draft, t), "key": format!("k{serial}") })
}
fn in_review(a: &Arranged, t: Target, serial: u32) -> Value {
    json!({ "id": a.pick(&a.in_review, t), "key": format!("k{serial}") })
}
fn submitted(a: &Arranged, t: Target, serial: u32) -> Value {
    json!({ "id": a.pick(&a.submitted, t), "key": format!("k{serial}") })
}
fn rated(a: &Arranged, t: Target, serial: u32) -> Value {
    json!({ "id": a.pick(&a.rated, t), "key": format!("k{serial}") })
}
fn published(a: &Arranged, t: Target, serial: u32) -> Value {
    json!({ "id": a.pick(&a.readable_evaluation, t), "key": format!("k{serial}") })
}
fn pooled(of: &[Vec<Value>; 2], t: Target, serial: u32) -> &Value {
    let pool = &of[if t == Target::Own { 0 } else { 1 }];
    &pool[serial as usize % pool.len()]
}
fn own_desk(role: Role, target: Target) -> bool {
    matches!(role, Role::Evaluator | Role::OrgAdmin) && target == Target::Own
}
fn own_loan_officer(role: Role, target: Target) -> bool {
    role == Role::LoanOfficer && target == Target::Own
}
fn own_evaluator(role: Role, target: Target) -> bool {
    role == Role::Evaluator && target == Target::Own
}
fn own_org_admin(role: Role, target: Target) -> bool {
    role == Role::OrgAdmin && target == Target::Own
}
fn serial_code(_: &Arranged, _: Target, serial: u32) -> Value {
    json!({ "code": format!("made-{serial}") })
}
fn nothing(_: &Arranged, _: Target, _: u32) -> Value {
    json!({})
}
fn anyone(_: Role, _: Target) -> bool {
    true
}
fn network_admin(role: Role, _: Target) -> bool {
    role == Role::NetworkAdmin
}
fn own_registrar(role: Role, target: Target) -> bool {
    role == Role::Registrar && target == Target::Own
}
fn own_admin_or_network_admin(role: Role, target: Target) -> bool {
    role == Role::NetworkAdmin || (role == Role::OrgAdmin && target == Target::Own)
}

/// In order: later rows rely on the state earlier ones leave (suspend, reinstate, renew, revoke;
/// update, submit, review, return; rate, publish, withdraw).
const OPERATIONS: &[Operation] = &[
    Operation {
        field: "Sme.employees",
        query: "query($id: ID!) { node(id: $id) { ... on Sme { employees } } }",
        mutation: false,
        variables: sme,
        allowed: anyone,
    },
    Operation {
        field: "Sme.capitalYen",
        query: "query($id: ID!) { node(id: $id) { ... on Sme { capitalYen } } }",
        mutation: false,
        variables: sme,
        allowed: anyone,
    },
    Operation {
        field: "Sme.isSmeUnderBasicAct",
        query: "query($id: ID!) { node(id: $id) { ... on Sme { isSmeUnderBasicAct } } }",
        mutation: false,
        variables: sme,
        allowed: anyone,
    },
    Operation {
        field: "Sme.publicationConsent",
        query: "query($id: ID!) { node(id: $id) { ... on Sme { publicationConsent } } }",
        mutation: false,
        variables: sme,
        allowed: anyone,
    },
    Operation {
        field: "Evaluation.evaluator",
        query: "query($id: ID!) { node(id: $id) { ... on Evaluation { evaluator } } }",
        mutation: false,
        variables: readable_evaluation,
        allowed: anyone,
    },
    Operation {
        field: "Evaluation.scores",
        query: "query($id: ID!) { node(id: $id) { ... on Evaluation { scores { trl missing } } } }",
        mutation: false,
        variables: readable_evaluation,
        allowed: anyone,
    },
    Operation {
        field: "Evaluation.findings",
        query: "query($id: ID!) { node(id: $id) { ... on Evaluation { findings } } }",
        mutation: false,
        variables: readable_evaluation,
        allowed: anyone,
    },
    Operation {
        field: "Evaluation.history",
        query: "query($id: ID!) { node(id: $id) { ... on Evaluation { history { version } } } }",
        mutation: false,
        variables: readable_evaluation,
        allowed: anyone,
    },
    Operation {
        field: "Evaluation.revision",
        query: "query($id: ID!) { node(id: $id) { ... on Evaluation { revision(version: 1) { change } } } }",
        mutation: false,
        variables: readable_evaluation,
        allowed: anyone,
    },
    Operation {
        field: "Mutation.createSme",
        query: r#"mutation($number: String!, $key: String!) { createSme(idempotencyKey: $key, input: {
            corporateNumber: $number, nameJa: "試験工業", nameEn: "Test Industries", prefectureCode: 23 }) { id } }"#,
        mutation: true,
        variables: |_, _, serial| {
            json!({ "number": iin_api::domain::corporate_number::with_check_digit(&format!("{:012}", 500_000 + serial)),
            "key": format!("k{serial}") })
        },
        allowed: |role, _| matches!(role, Role::Evaluator | Role::OrgAdmin),
    },
    Operation {
        field: "Mutation.updateSme",
        query: r#"mutation($id: ID!) { updateSme(id: $id, input: { industry: "E26" }) { id } }"#,
        mutation: true,
        variables: sme,
        allowed: |role, target| {
            role == Role::NetworkAdmin
                || (matches!(role, Role::Evaluator | Role::OrgAdmin) && target == Target::Own)
        },
    },
    Operation {
        field: "Mutation.recordPublicationConsent",
        query: "mutation($id: ID!) { recordPublicationConsent(smeId: $id, consent: true) { id } }",
        mutation: true,
        variables: sme,
        allowed: own_admin_or_network_admin,
    },
    Operation {
        field: "Mutation.createEvaluation",
        query: "mutation($id: ID!, $key: String!) { createEvaluation(idempotencyKey: $key, input: { smeId: $id }) { id } }",
        mutation: true,
        variables: |a, t, serial| json!({ "id": a.pick(&a.sme, t), "key": format!("k{serial}") }),
        // The evaluating institution is always the caller's own.
        allowed: |role, _| role == Role::Evaluator,
    },
    Operation {
        field: "Mutation.updateEvaluation",
        query: r#"mutation($id: ID!) { updateEvaluation(id: $id, version: 1, input: { findings: "Strong export potential" }) { id } }"#,
        mutation: true,
        variables: draft,
        allowed: own_evaluator,
    },
    Operation {
        field: "Mutation.submitEvaluation",
        query: "mutation($id: ID!, $key: String!) { submitEvaluation(id: $id, idempotencyKey: $key) { id } }",
        mutation: true,
        variables: draft,
        allowed: own_evaluator,
    },
    Operation {
        field: "Mutation.startEvaluationReview",
        query: "mutation($id: ID!, $key: String!) { startEvaluationReview(id: $id, idempotencyKey: $key) { id } }",
        mutation: true,
        variables: submitted,
        allowed: own_org_admin,
    },
    Operation {
        field: "Mutation.returnEvaluation",
        query: r#"mutation($id: ID!, $key: String!) { returnEvaluation(id: $id, reason: "Add FY2024 figures", idempotencyKey: $key) { id } }"#,
        mutation: true,
        variables: in_review,
        allowed: own_org_admin,
    },
    Operation {
        field: "Mutation.rateEvaluation",
        query: "mutation($id: ID!, $key: String!) { rateEvaluation(id: $id, idempotencyKey: $key) { id } }",
        mutation: true,
        variables: in_review,
        allowed: own_org_admin,
    },
    Operation {
        field: "Mutation.publishEvaluation",
        query: "mutation($id: ID!, $key: String!) { publishEvaluation(id: $id, idempotencyKey: $key) { id } }",
        mutation: true,
        variables: rated,
        allowed: own_org_admin,
    },
    Operation {
        field: "Mutation.withdrawEvaluation",
        query: r#"mutation($id: ID!, $key: String!) { withdrawEvaluation(id: $id, reason: "SME left the programme", idempotencyKey: $key) { id } }"#,
        mutation: true,
        variables: published,
        allowed: own_org_admin,
    },
    Operation {
        field: "Organization.contact",
        query: "query($id: ID!) { node(id: $id) { ... on Organization { contact { email } } } }",
        mutation: false,
        variables: organization,
        allowed: anyone,
    },
    Operation {
        field: "Organization.awards",
        query: "query($id: ID!) { node(id: $id) { ... on Organization { awards { id } } } }",
        mutation: false,
        variables: organization,
        allowed: anyone,
    },
    Operation {
        field: "Coordinator.contact",
        query: "query($id: ID!) { node(id: $id) { ... on Coordinator { contact { email } } } }",
        mutation: false,
        variables: coordinator,
        allowed: anyone,
    },
    Operation {
        field: "Coordinator.contactPreference",
        query: "query($id: ID!) { node(id: $id) { ... on Coordinator { contactPreference } } }",
        mutation: false,
        variables: coordinator,
        allowed: anyone,
    },
    Operation {
        field: "Coordinator.awards",
        query: "query($id: ID!) { node(id: $id) { ... on Coordinator { awards { status } } } }",
        mutation: false,
        variables: coordinator,
        allowed: anyone,
    },
    Operation {
        field: "Coordinator.trainings",
        query: "query($id: ID!) { node(id: $id) { ... on Coordinator { trainings { completedOn } } } }",
        mutation: false,
        variables: coordinator,
        allowed: anyone,
    },
    Operation {
        field: "Query.awards",
        query: "{ awards(first: 1) { totalCount } }",
        mutation: false,
        variables: nothing,
        allowed: anyone,
    },
    Operation {
        field: "Query.auditLog",
        query: "{ auditLog(first: 1) { totalCount } }",
        mutation: false,
        variables: nothing,
        allowed: network_admin,
    },
    Operation {
        field: "Mutation.updateOrganization",
        query: r#"mutation($id: ID!) { updateOrganization(id: $id, input: { descriptionEn: "Edited" }) { id } }"#,
        mutation: true,
        variables: organization,
        allowed: own_admin_or_network_admin,
    },
    Operation {
        field: "Mutation.createOrganization",
        query: r#"mutation($code: String!, $key: String!) { createOrganization(idempotencyKey: $key, input: {
            code: $code, nameJa: "試験機関", nameEn: "Test body", kind: TLO, membership: MEMBER, prefectureCode: 26 }) { id } }"#,
        mutation: true,
        variables: serial_code,
        allowed: network_admin,
    },
    Operation {
        field: "Mutation.setOrganizationMembership",
        query: "mutation($id: ID!) { setOrganizationMembership(id: $id, membership: MEMBER) { id } }",
        mutation: true,
        variables: organization,
        allowed: network_admin,
    },
    Operation {
        field: "Mutation.createQualificationScheme",
        query: r#"mutation($code: String!, $key: String!) { createQualificationScheme(idempotencyKey: $key, input: {
            code: $code, nameJa: "試験", nameEn: "Test", holderKind: PERSON, validityMonths: 12,
            levels: [{ code: "basic", nameJa: "基礎", nameEn: "Basic" }] }) { id } }"#,
        mutation: true,
        variables: serial_code,
        // The issuer is always the caller's own institution.
        allowed: |role, _| role == Role::Registrar,
    },
    Operation {
        field: "Mutation.updateQualificationScheme",
        query: "mutation($id: ID!) { updateQualificationScheme(id: $id, input: { graceMonths: 1 }) { id } }",
        mutation: true,
        variables: scheme,
        allowed: own_registrar,
    },
    Operation {
        field: "Mutation.issueAward",
        query: r#"mutation($scheme: ID!, $holder: ID!, $key: String!) { issueAward(idempotencyKey: $key, input: { schemeId: $scheme, level: "basic", coordinatorId: $holder }) { id } }"#,
        mutation: true,
        variables: |a, t, _| json!({ "scheme": a.pick(&a.scheme, t), "holder": a.pick(&a.to_award, t) }),
        allowed: own_registrar,
    },
    Operation {
        field: "Mutation.suspendAward",
        query: r#"mutation($id: ID!) { suspendAward(id: $id, reason: "Under review") { id } }"#,
        mutation: true,
        variables: award,
        allowed: own_registrar,
    },
    Operation {
        field: "Mutation.reinstateAward",
        query: r#"mutation($id: ID!) { reinstateAward(id: $id, reason: "Review closed") { id } }"#,
        mutation: true,
        variables: suspended_award,
        allowed: own_registrar,
    },
    Operation {
        field: "Mutation.renewAward",
        query: "mutation($id: ID!) { renewAward(id: $id) { id } }",
        mutation: true,
        variables: award,
        allowed: own_registrar,
    },
    // A coordinator's award: its issuer's registrars record the holder's request.
    Operation {
        field: "Mutation.pauseAward",
        query: r#"mutation($id: ID!) { pauseAward(id: $id, reason: "Holder's request") { id } }"#,
        mutation: true,
        variables: award,
        allowed: own_registrar,
    },
    Operation {
        field: "Mutation.resumeAward",
        query: r#"mutation($id: ID!) { resumeAward(id: $id, reason: "Holder's request") { id } }"#,
        mutation: true,
        variables: paused_award,
        allowed: own_registrar,
    },
    Operation {
        field: "Mutation.revokeAward",
        query: r#"mutation($id: ID!) { revokeAward(id: $id, reason: "Withdrawn") { id } }"#,
        mutation: true,
        variables: award,
        allowed: own_registrar,
    },
    Operation {
        field: "Mutation.createCoordinator",
        query: r#"mutation($id: ID!, $key: String!) { createCoordinator(idempotencyKey: $key, input: { organizationId: $id, nameJa: "試験 太郎", nameEn: "Taro Test", prefectureCode: 13 }) { id } }"#,
        mutation: true,
        variables: organization,
        allowed: own_admin_or_network_admin,
    },
    Operation {
        field: "Mutation.updateCoordinator",
        query: r#"mutation($id: ID!) { updateCoordinator(id: $id, input: { profileEn: "Edited" }) { id } }"#,
        mutation: true,
        variables: coordinator,
        allowed: own_admin_or_network_admin,
    },
    Operation {
        field: "Mutation.createTrainingCourse",
        query: r#"mutation($key: String!) { createTrainingCourse(idempotencyKey: $key, input: { titleJa: "研修", titleEn: "Course", unit: HOURS, amount: 3 }) { id } }"#,
        mutation: true,
        variables: nothing,
        // The provider is always the caller's own institution.
        allowed: |role, _| matches!(role, Role::Registrar | Role::OrgAdmin),
    },
    Operation {
        field: "Mutation.recordTraining",
        query: "mutation($id: ID!, $course: ID!, $on: Date!, $key: String!) { recordTraining(idempotencyKey: $key, coordinatorId: $id, courseId: $course, completedOn: $on) { completedOn } }",
        mutation: true,
        // A different day each time, so allowed attempts never collide.
        variables: |a, t, serial| {
            json!({ "id": a.pick(&a.coordinator, t), "course": a.course,
            "on": format!("2020-{:02}-{:02}", 1 + serial / 28 % 12, 1 + serial % 28) })
        },
        allowed: own_admin_or_network_admin,
    },
    Operation {
        field: "Mutation.createPatent",
        query: r#"mutation($number: String!, $key: String!) { createPatent(idempotencyKey: $key, input: {
            applicationNumber: $number, titleJa: "試験", titleEn: "Test", filedOn: "2020-06-01",
            expiresOn: "2040-06-01", licensing: NOT_OFFERED }) { id } }"#,
        mutation: true,
        variables: |_, _, serial| json!({ "number": format!("2020-{:06}", serial), "key": format!("k{serial}") }),
        // The holder is always the caller's own institution.
        allowed: |role, _| matches!(role, Role::Licensing | Role::OrgAdmin),
    },
    Operation {
        field: "Query.licensingInquiries",
        query: "{ licensingInquiries(first: 1) { totalCount } }",
        mutation: false,
        variables: nothing,
        // Each reads its own institution's (tests/api/patents.rs).
        allowed: anyone,
    },
    Operation {
        field: "Mutation.recordReferralConsent",
        query: r#"mutation($sme: ID!, $bank: ID!, $key: String!) { recordReferralConsent(idempotencyKey: $key, input: { smeId: $sme, bankId: $bank,
            scope: FULL_EVALUATION, obtainedOn: "2026-04-01", method: ELECTRONIC, documentReference: "E-1" }) { id } }"#,
        mutation: true,
        variables: |a, t, serial| json!({ "sme": a.pick(&a.consenting, t), "bank": a.bank[0], "key": format!("k{serial}") }),
        // The institution that evaluated (or registered) the SME records it.
        allowed: own_desk,
    },
    Operation {
        field: "Mutation.revokeReferralConsent",
        query: "mutation($id: ID!) { revokeReferralConsent(id: $id) { id } }",
        mutation: true,
        variables: |a, t, serial| json!({ "id": pooled(&a.consents, t, serial) }),
        allowed: |role, target| role == Role::NetworkAdmin || own_desk(role, target),
    },
    Operation {
        field: "Mutation.referSme",
        query: r#"mutation($e: ID!, $b: ID!, $key: String!) { referSme(idempotencyKey: $key, input: {
            evaluationId: $e, bankId: $b, purpose: WORKING_CAPITAL, amountRequested: 50000000 }) { id } }"#,
        mutation: true,
        variables: |a, t, serial| json!({ "e": a.pick(&a.readable_evaluation, t), "b": a.pick(&a.bank, t), "key": format!("k{serial}") }),
        allowed: own_desk,
    },
    Operation {
        field: "Mutation.acknowledgeReferral",
        query: "mutation($id: ID!, $key: String!) { acknowledgeReferral(id: $id, version: 1, idempotencyKey: $key) { id } }",
        mutation: true,
        variables: |a, t, serial| json!({ "id": a.pick(&a.answered, t), "key": format!("k{serial}") }),
        allowed: own_loan_officer,
    },
    Operation {
        field: "Mutation.startReferralReview",
        query: "mutation($id: ID!, $key: String!) { startReferralReview(id: $id, version: 2, idempotencyKey: $key) { id } }",
        mutation: true,
        variables: |a, t, serial| json!({ "id": a.pick(&a.acknowledged, t), "key": format!("k{serial}") }),
        allowed: own_loan_officer,
    },
    Operation {
        field: "Mutation.recordFinancing",
        query: r#"mutation($id: ID!, $key: String!) { recordFinancing(id: $id, version: 3, idempotencyKey: $key,
            input: { amount: 40000000, product: LOAN, decidedOn: "2026-06-01" }) { id } }"#,
        mutation: true,
        variables: |a, t, serial| json!({ "id": a.pick(&a.reviewing, t), "key": format!("k{serial}") }),
        allowed: own_loan_officer,
    },
    Operation {
        field: "Mutation.declineReferral",
        query: "mutation($id: ID!, $key: String!) { declineReferral(id: $id, version: 2, reason: OUTSIDE_LENDING_POLICY, idempotencyKey: $key) { id } }",
        mutation: true,
        variables: |a, t, serial| json!({ "id": a.pick(&a.acknowledged, t), "key": format!("k{serial}") }),
        allowed: own_loan_officer,
    },
    Operation {
        field: "Mutation.withdrawReferral",
        query: "mutation($id: ID!, $key: String!) { withdrawReferral(id: $id, version: 1, idempotencyKey: $key) { id } }",
        mutation: true,
        variables: |a, t, serial| json!({ "id": pooled(&a.sent, t, serial), "key": format!("k{serial}") }),
        allowed: own_desk,
    },
];

/// Runs `query` as `token` and answers `data`, failing on any error.
async fn arrange(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let reply = app.graphql_as(token, query, variables).await;
    let body = reply.json();
    assert!(body.get("errors").is_none(), "arranging failed: {body:#}");
    body["data"].clone()
}

/// Drives an evaluation of `sme` by `code` through `steps` (mutation names), from a new draft.
async fn evaluation(
    app: &TestApp,
    code: &str,
    sme: &Value,
    visibility: &str,
    steps: &[&str],
) -> Value {
    let token = app.token(
        &format!("evaluator@{code}"),
        code,
        &[Role::Evaluator, Role::OrgAdmin],
    );
    let create = format!(
        "mutation($sme: ID!, $key: String!) {{ createEvaluation(idempotencyKey: $key, input: {{ smeId: $sme, visibility: {visibility}, scores: {COMPLETE_SCORES} }}) {{ id }} }}"
    );
    let key = format!("{code}-{}", uuid::Uuid::new_v4());
    let id =
        arrange(app, &token, &create, json!({ "sme": sme, "key": key })).await["createEvaluation"]
            ["id"]
            .clone();
    for step in steps {
        let query = match *step {
            "returnEvaluation" | "withdrawEvaluation" => format!(
                "mutation($id: ID!, $key: String!) {{ {step}(id: $id, reason: \"Arranged\", idempotencyKey: $key) {{ id }} }}"
            ),
            _ => format!(
                "mutation($id: ID!, $key: String!) {{ {step}(id: $id, idempotencyKey: $key) {{ id }} }}"
            ),
        };
        arrange(
            app,
            &token,
            &query,
            json!({ "id": id, "key": uuid::Uuid::new_v4().to_string() }),
        )
        .await;
    }
    id
}

/// SMEs and evaluations at AIST (own) and JETRO (other).
async fn arrange_evaluations(app: &TestApp) -> ArrangedEvaluations {
    let mut smes = Vec::new();
    for (code, twelve) in [("aist", "400000000001"), ("jetro", "400000000002")] {
        let token = app.token(
            &format!("evaluator@{code}"),
            code,
            &[Role::Evaluator, Role::OrgAdmin],
        );
        let created = arrange(
            app,
            &token,
            r#"mutation($number: String!, $key: String!) { createSme(idempotencyKey: $key, input: {
                corporateNumber: $number, nameJa: "試験精機", nameEn: "Test Precision", prefectureCode: 23, employees: 40 }) { id } }"#,
            json!({ "number": iin_api::domain::corporate_number::with_check_digit(twelve), "key": format!("sme-{code}") }),
        )
        .await;
        smes.push(created["createSme"]["id"].clone());
    }
    // An institution records consent for an SME it evaluates.
    let draft = evaluation(app, "aist", &smes[0], "PRIVATE", &[]).await;
    let admin = app.token("evaluator@aist", "aist", &[Role::Evaluator, Role::OrgAdmin]);
    arrange(
        app,
        &admin,
        "mutation($id: ID!) { recordPublicationConsent(smeId: $id, consent: true) { id } }",
        json!({ "id": smes[0] }),
    )
    .await;
    let published = evaluation(
        app,
        "aist",
        &smes[0],
        "PRIVATE",
        &[
            "submitEvaluation",
            "startEvaluationReview",
            "rateEvaluation",
            "publishEvaluation",
        ],
    )
    .await;
    let in_review = evaluation(
        app,
        "aist",
        &smes[0],
        "PRIVATE",
        &["submitEvaluation", "startEvaluationReview"],
    )
    .await;
    let submitted = evaluation(app, "aist", &smes[0], "PRIVATE", &["submitEvaluation"]).await;
    let rated = evaluation(
        app,
        "aist",
        &smes[0],
        "PRIVATE",
        &[
            "submitEvaluation",
            "startEvaluationReview",
            "rateEvaluation",
        ],
    )
    .await;
    let shared = evaluation(app, "jetro", &smes[1], "NETWORK", &["submitEvaluation"]).await;
    ArrangedEvaluations {
        sme: [smes[0].clone(), smes[1].clone()],
        published: [published, shared.clone()],
        draft: [draft, shared.clone()],
        in_review: [in_review, shared.clone()],
        submitted: [submitted, shared.clone()],
        rated: [rated, shared],
    }
}

/// Evaluations in each state the workflow's steps start from: AIST's (own), and JETRO's shared
/// one (other).
struct ArrangedEvaluations {
    sme: [Value; 2],
    published: [Value; 2],
    draft: [Value; 2],
    in_review: [Value; 2],
    submitted: [Value; 2],
    rated: [Value; 2],
}

/// Banks, consents and referrals: AIST's (own) from its published evaluation to `OWN_BANK`,
/// JETRO's (other) from a rated one of its SME to `OTHER_BANK`.
async fn arrange_referrals(
    app: &TestApp,
    sme: &[Value; 2],
    aist_published: &Value,
) -> (
    [Value; 2],
    [Vec<Value>; 2],
    [Vec<Value>; 2],
    [Value; 2],
    [Value; 2],
    [Value; 2],
    Value,
) {
    let banks = [app.bank(OWN_BANK, 8).await, app.bank(OTHER_BANK, 13).await];
    let jetro = app.token("evaluator@jetro", "jetro", &[Role::Evaluator]);
    let jetro_only = arrange(
        app,
        &jetro,
        r#"mutation($number: String!) { createSme(idempotencyKey: "jetro-only", input: {
            corporateNumber: $number, nameJa: "試験電機", nameEn: "Test Electric", prefectureCode: 13 }) { id } }"#,
        json!({ "number": iin_api::domain::corporate_number::with_check_digit("400000000003") }),
    )
    .await["createSme"]["id"]
        .clone();
    let jetro_rated = evaluation(
        app,
        "jetro",
        &sme[1],
        "PRIVATE",
        &[
            "submitEvaluation",
            "startEvaluationReview",
            "rateEvaluation",
        ],
    )
    .await;
    let mut consents = [Vec::new(), Vec::new()];
    let mut sent = [Vec::new(), Vec::new()];
    let mut answered = Vec::new();
    let mut acknowledged = Vec::new();
    let mut reviewing = Vec::new();
    for (i, (code, evaluation)) in [("aist", aist_published), ("jetro", &jetro_rated)]
        .into_iter()
        .enumerate()
    {
        let desk = app.token(
            &format!("evaluator@{code}"),
            code,
            &[Role::Evaluator, Role::OrgAdmin],
        );
        let consent = r#"mutation($sme: ID!, $bank: ID!, $key: String!) { recordReferralConsent(idempotencyKey: $key, input: { smeId: $sme, bankId: $bank,
            scope: FULL_EVALUATION, obtainedOn: "2026-04-01", method: WRITTEN, documentReference: "W-1" }) { id } }"#;
        let vars = json!({ "sme": sme[i], "bank": banks[i] });
        // The consent referrals rest on, and a pool to revoke.
        arrange(app, &desk, consent, vars.clone()).await;
        for _ in 0..POOL {
            let id =
                arrange(app, &desk, consent, vars.clone()).await["recordReferralConsent"]["id"]
                    .clone();
            consents[i].push(id);
        }
        let refer = async || {
            arrange(
                app,
                &desk,
                r#"mutation($e: ID!, $b: ID!, $key: String!) { referSme(idempotencyKey: $key, input: {
                    evaluationId: $e, bankId: $b, purpose: EQUIPMENT, amountRequested: 90000000 }) { id } }"#,
                json!({ "e": evaluation, "b": banks[i], "key": uuid::Uuid::new_v4().to_string() }),
            )
            .await["referSme"]["id"]
                .clone()
        };
        for _ in 0..POOL {
            let id = refer().await;
            sent[i].push(id);
        }
        answered.push(refer().await);
        let to_decline = refer().await;
        let bank_code = [OWN_BANK, OTHER_BANK][i];
        let officer = app.token(
            &format!("officer@{bank_code}"),
            bank_code,
            &[Role::LoanOfficer],
        );
        let to_review = refer().await;
        for id in [&to_decline, &to_review] {
            arrange(
                app,
                &officer,
                "mutation($id: ID!, $key: String!) { acknowledgeReferral(id: $id, version: 1, idempotencyKey: $key) { id } }",
                json!({ "id": id }),
            )
            .await;
        }
        arrange(
            app,
            &officer,
            "mutation($id: ID!, $key: String!) { startReferralReview(id: $id, version: 2, idempotencyKey: $key) { id } }",
            json!({ "id": to_review }),
        )
        .await;
        acknowledged.push(to_decline);
        reviewing.push(to_review);
    }
    (
        banks,
        consents,
        sent,
        [answered[0].clone(), answered[1].clone()],
        [acknowledged[0].clone(), acknowledged[1].clone()],
        [reviewing[0].clone(), reviewing[1].clone()],
        jetro_only,
    )
}

/// What an institution's registrar arranges: its scheme, a holder of an active award, a
/// candidate to award, and awards suspended and paused.
struct ArrangedInstitution {
    organization: Value,
    scheme: Value,
    award: Value,
    holder: Value,
    candidate: Value,
    suspended: Value,
    paused: Value,
}

async fn arrange_institution(app: &TestApp, code: &str) -> ArrangedInstitution {
    let registrar = app.token(
        &format!("registrar@{code}"),
        code,
        &[Role::Registrar, Role::OrgAdmin],
    );
    let organization = app.organization_id(code).await;
    let scheme = arrange(
        app,
        &registrar,
        r#"mutation($code: String!, $key: String!) { createQualificationScheme(idempotencyKey: $key, input: {
            code: $code, nameJa: "試験", nameEn: "Test", holderKind: PERSON, validityMonths: 12, renewalWindowMonths: 12,
            levels: [{ code: "basic", nameJa: "基礎", nameEn: "Basic" }] }) { id } }"#,
        json!({ "code": format!("{code}-scheme") }),
    )
    .await["createQualificationScheme"]["id"]
        .clone();
    let mut coordinators = Vec::new();
    for name in ["Holder", "Candidate", "Suspended holder", "Paused holder"] {
        let created = arrange(
            app,
            &registrar,
            r#"mutation($name: String!, $key: String!) { createCoordinator(idempotencyKey: $key, input: { nameJa: "試験", nameEn: $name, prefectureCode: 13 }) { id } }"#,
            json!({ "name": format!("{name} of {code}") }),
        )
        .await;
        coordinators.push(created["createCoordinator"]["id"].clone());
    }
    let issue = async |holder: &Value| {
        arrange(
            app,
            &registrar,
            r#"mutation($scheme: ID!, $holder: ID!, $key: String!) { issueAward(idempotencyKey: $key, input: { schemeId: $scheme, level: "basic", coordinatorId: $holder }) { id } }"#,
            json!({ "scheme": scheme, "holder": holder }),
        )
        .await["issueAward"]["id"]
            .clone()
    };
    let award = issue(&coordinators[0]).await;
    let suspended = issue(&coordinators[2]).await;
    let paused = issue(&coordinators[3]).await;
    for (step, id) in [("suspendAward", &suspended), ("pauseAward", &paused)] {
        arrange(
            app,
            &registrar,
            &format!(r#"mutation($id: ID!) {{ {step}(id: $id, reason: "Arranged") {{ id }} }}"#),
            json!({ "id": id }),
        )
        .await;
    }
    ArrangedInstitution {
        organization,
        scheme,
        award,
        holder: coordinators[0].clone(),
        candidate: coordinators[1].clone(),
        suspended,
        paused,
    }
}

async fn schema_fields(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let data = app
        .data(
            "{ __schema { types { name kind fields { name } } } }",
            json!({}),
        )
        .await;
    data["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "OBJECT" && !t["name"].as_str().unwrap().starts_with("__"))
        .map(|t| {
            let fields = t["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_owned());
            (t["name"].as_str().unwrap().to_owned(), fields.collect())
        })
        .collect()
}

#[tokio::test]
async fn every_field_of_the_schema_is_public_or_in_the_matrix() {
    let app = TestApp::spawn().await;
    let public: BTreeSet<String> = PUBLIC
        .iter()
        .flat_map(|(ty, fields)| fields.split_whitespace().map(move |f| format!("{ty}.{f}")))
        .collect();
    let guarded: BTreeSet<String> = OPERATIONS
        .iter()
        .map(|op| op.field.to_owned())
        .chain(
            GUARDED_ELSEWHERE
                .iter()
                .map(|(field, _)| (*field).to_owned()),
        )
        .collect();
    let behind: BTreeMap<&str, &str> = BEHIND.iter().copied().collect();
    for guard in behind.values() {
        assert!(
            guarded.contains(*guard),
            "{guard} hides types but has no row in the matrix"
        );
    }

    let mut seen = BTreeSet::new();
    let mut unclassified = Vec::new();
    for (ty, fields) in schema_fields(&app).await {
        for field in fields {
            let name = format!("{ty}.{field}");
            if !(public.contains(&name)
                || guarded.contains(&name)
                || behind.contains_key(ty.as_str()))
            {
                unclassified.push(name.clone());
            }
            seen.insert(name);
        }
    }
    assert!(
        unclassified.is_empty(),
        "fields neither public nor in the authorization matrix: {unclassified:?}"
    );
    let stale: Vec<_> = public
        .union(&guarded)
        .filter(|name| !seen.contains(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "listed fields the schema no longer has: {stale:?}"
    );
}

struct Outcome {
    status: u16,
    code: Option<String>,
}

async fn attempt(app: &TestApp, token: Option<&str>, op: &Operation, variables: Value) -> Outcome {
    let reply = match token {
        Some(token) => app.graphql_as(token, op.query, variables).await,
        None => {
            app.post(
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/graphql-response+json"),
                ],
                json!({ "query": op.query, "variables": iin_tests::with_fresh_key(op.query, variables) })
                    .to_string(),
            )
            .await
        }
    };
    let body = reply.json();
    let code = body.get("errors").map(|_| {
        only_error(&body)["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    });
    Outcome {
        status: reply.status.as_u16(),
        code,
    }
}

async fn audit_entries(app: &TestApp) -> u64 {
    audit_entry::Entity::find().count(&app.db).await.unwrap()
}

/// Everything the matrix acts on, in a fresh app.
async fn arrange_all(app: &TestApp) -> Arranged {
    let own = arrange_institution(app, "aist").await;
    let other = arrange_institution(app, "jetro").await;
    let course = arrange(
        app,
        &app.token("registrar@aist", "aist", &[Role::Registrar]),
        r#"mutation($key: String!) { createTrainingCourse(idempotencyKey: $key, input: { titleJa: "研修", titleEn: "Course", unit: CREDITS, amount: 1 }) { id } }"#,
        json!({}),
    )
    .await["createTrainingCourse"]["id"]
        .clone();
    let evaluations = arrange_evaluations(app).await;
    let (bank, consents, sent, answered, acknowledged, reviewing, jetro_only) =
        arrange_referrals(app, &evaluations.sme, &evaluations.published[0]).await;
    let both = |of: fn(&ArrangedInstitution) -> &Value| [of(&own).clone(), of(&other).clone()];
    Arranged {
        consenting: [evaluations.sme[0].clone(), jetro_only],
        bank,
        consents,
        sent,
        answered,
        acknowledged,
        reviewing,
        organization: both(|i| &i.organization),
        scheme: both(|i| &i.scheme),
        award: both(|i| &i.award),
        coordinator: both(|i| &i.holder),
        to_award: both(|i| &i.candidate),
        suspended_award: both(|i| &i.suspended),
        paused_award: both(|i| &i.paused),
        course,
        sme: evaluations.sme,
        readable_evaluation: evaluations.published,
        draft: evaluations.draft,
        in_review: evaluations.in_review,
        submitted: evaluations.submitted,
        rated: evaluations.rated,
    }
}

/// One row of the matrix: an operation tried by one role on its own or another institution's
/// objects.
struct Row {
    op: &'static Operation,
    role: Role,
    target: Target,
    serial: u32,
}

impl Row {
    fn allowed(&self) -> bool {
        (self.op.allowed)(self.role, self.target)
    }

    /// Tries the row in `app`; answers what went otherwise than the matrix says.
    async fn run(&self, app: &TestApp, arranged: &Arranged) -> Vec<String> {
        let Row {
            op,
            role,
            target,
            serial,
        } = *self;
        // Network admins are held at the network itself; everyone else here acts for AIST.
        let home = match role {
            Role::NetworkAdmin => "iin-japan",
            Role::LoanOfficer if AT_THE_BANK.contains(&op.field) => OWN_BANK,
            _ => "aist",
        };
        let token = app.token(&format!("{role}@{home}"), home, &[role]);
        let before = audit_entries(app).await;
        let outcome = attempt(
            app,
            Some(&token),
            op,
            (op.variables)(arranged, target, serial),
        )
        .await;
        let allowed = self.allowed();
        let as_expected = if allowed {
            outcome.status == 200 && outcome.code.is_none()
        } else {
            outcome.status == 200
                && (outcome.code.as_deref() == Some("FORBIDDEN")
                    || (AT_THE_BANK.contains(&op.field)
                        && outcome.code.as_deref() == Some("NOT_FOUND")))
        };
        let which = if target == Target::Own {
            "own"
        } else {
            "other"
        };
        let mut failures = Vec::new();
        if !as_expected {
            failures.push(format!(
                "{} as {role} at {which}: expected {}, got {} {:?}",
                op.field,
                if allowed { "allowed" } else { "FORBIDDEN" },
                outcome.status,
                outcome.code
            ));
        }
        if op.mutation && audit_entries(app).await != before + 1 {
            failures.push(format!("{} as {role} at {which}: not audited", op.field));
        }
        failures
    }
}

#[tokio::test]
async fn each_role_at_its_own_and_another_institution_gets_exactly_its_rights() {
    let app = TestApp::spawn().await;
    let arranged = arrange_all(&app).await;

    let mut serial = 0;
    let mut failures = Vec::new();
    let mut isolated = Vec::new();
    for op in OPERATIONS {
        // Anonymous callers are asked to sign in.
        serial += 1;
        let before = audit_entries(&app).await;
        let outcome = attempt(
            &app,
            None,
            op,
            (op.variables)(&arranged, Target::Own, serial),
        )
        .await;
        if outcome.status != 401 || outcome.code.as_deref() != Some("UNAUTHENTICATED") {
            failures.push(format!(
                "{} anonymous: {} {:?}",
                op.field, outcome.status, outcome.code
            ));
        }
        if op.mutation && audit_entries(&app).await != before + 1 {
            failures.push(format!("{} anonymous: not audited", op.field));
        }

        for role in Role::ALL {
            for target in [Target::Own, Target::Other] {
                serial += 1;
                let row = Row {
                    op,
                    role,
                    target,
                    serial,
                };
                // A row that changes what it acts on runs in an app of its own (below), so that
                // no row depends on the rows before it. Refused rows change nothing.
                if row.allowed() && op.mutation {
                    isolated.push(row);
                } else {
                    failures.extend(row.run(&app, &arranged).await);
                }
            }
        }
    }
    let isolated: Vec<Vec<String>> = futures_util::stream::iter(isolated)
        .map(async |row| {
            let app = TestApp::spawn().await;
            let arranged = arrange_all(&app).await;
            row.run(&app, &arranged).await
        })
        .buffer_unordered(4)
        .collect()
        .await;
    failures.extend(isolated.into_iter().flatten());
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
}
