//! Relay's `Node` interface and `node(id:)`.

use async_graphql::{Context, ID, Interface, Object, Result};

use super::{
    access::AuditEntry,
    context::{caller, db},
    coordinators::{Coordinator, CoordinatorAssignment, TrainingCourse},
    directory::{ClusterProject, Organization, TieUp},
    evaluations::Evaluation,
    ids::{self, NodeType},
    matching::{BusinessNeed, Proposal, SmeProduct, SmeShowcase},
    matching_events::{MatchingEvent, MatchingMeeting},
    patents::{LicensingInquiry, Patent, PatentExplanation},
    qualifications::{Award, QualificationScheme},
    referrals::{Referral, ReferralConsent},
    smes::Sme,
};
use crate::domain::{
    assignments, audit, coordinators, directory,
    evaluation::{evaluations, smes},
    matching, patents, qualifications, referrals,
};

/// An object with a global ID, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    Organization(Organization),
    ClusterProject(ClusterProject),
    TieUp(TieUp),
    Coordinator(Coordinator),
    QualificationScheme(QualificationScheme),
    /// Members of the network only.
    Award(Award),
    Sme(Sme),
    /// Only as the caller may read it.
    Evaluation(Evaluation),
    /// Only as the caller may read it.
    Patent(Patent),
    /// As the caller may read it: its latest published version for most callers.
    PatentExplanation(PatentExplanation),
    /// Only the two institutions and network admins.
    LicensingInquiry(LicensingInquiry),
    TrainingCourse(TrainingCourse),
    /// Network admins only.
    AuditEntry(AuditEntry),
    /// Only to the referring institution, the bank addressed and network admins.
    Referral(Referral),
    /// Only to the recording institution, the bank and network admins.
    ReferralConsent(ReferralConsent),
    /// As the caller may read its coordinator.
    CoordinatorAssignment(CoordinatorAssignment),
    /// Live showcases for anyone.
    SmeShowcase(SmeShowcase),
    /// With its SME's live showcase, or for the SME's registering institution.
    SmeProduct(SmeProduct),
    /// As its visibility says.
    BusinessNeed(BusinessNeed),
    /// Only to the proposing institution, the need's institution and network admins.
    Proposal(Proposal),
    /// Members of the network.
    MatchingEvent(MatchingEvent),
    /// Only to the event's organiser, the need's institution and network admins.
    MatchingMeeting(MatchingMeeting),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when there is none.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID as an object's `id` field gave it.")] id: ID,
    ) -> Result<Option<Node>> {
        let db = db(ctx)?;
        let node = match ids::decode(&id, "id")? {
            (NodeType::Organization, key) => directory::organization_by_id(db, key)
                .await?
                .map(|m| Node::Organization(Organization::from(m))),
            (NodeType::ClusterProject, key) => directory::cluster_project_by_id(db, key)
                .await?
                .map(|m| Node::ClusterProject(ClusterProject(m))),
            (NodeType::TieUp, key) => directory::tie_up_by_id(db, key)
                .await?
                .map(|m| Node::TieUp(TieUp(m))),
            (NodeType::Coordinator, key) => coordinators::readable_by_id(db, caller(ctx), key)
                .await?
                .map(|m| Node::Coordinator(Coordinator(m))),
            (NodeType::QualificationScheme, key) => qualifications::scheme_by_id(db, key)
                .await?
                .map(|m| Node::QualificationScheme(QualificationScheme::from(m))),
            (NodeType::Award, key) => qualifications::award_by_id(db, caller(ctx), key)
                .await?
                .map(|m| Node::Award(Award(m))),
            (NodeType::Sme, key) => smes::sme_by_id(db, caller(ctx), key)
                .await?
                .map(|m| Node::Sme(Sme::from(m))),
            (NodeType::Evaluation, key) => evaluations::readable(db, caller(ctx), key)
                .await?
                .map(|m| Node::Evaluation(Evaluation(m))),
            (NodeType::Patent, key) => patents::readable(db, caller(ctx), key)
                .await?
                .map(|m| Node::Patent(Patent(m))),
            (NodeType::PatentExplanation, key) => {
                patents::explanations::readable(db, caller(ctx), key)
                    .await?
                    .map(|(m, _)| Node::PatentExplanation(PatentExplanation(m)))
            }
            (NodeType::LicensingInquiry, key) => patents::inquiries::readable(db, caller(ctx), key)
                .await?
                .map(|m| Node::LicensingInquiry(LicensingInquiry(m))),
            (NodeType::TrainingCourse, key) => coordinators::course_by_id(db, key)
                .await?
                .map(|m| Node::TrainingCourse(TrainingCourse(m))),
            (NodeType::AuditEntry, key) => audit::entry_by_id(db, caller(ctx), key)
                .await?
                .map(|m| Node::AuditEntry(AuditEntry(m))),
            (NodeType::Referral, key) => referrals::readable(db, caller(ctx), key)
                .await?
                .map(|m| Node::Referral(Referral(m))),
            (NodeType::ReferralConsent, key) => referrals::consent::readable(db, caller(ctx), key)
                .await?
                .map(|m| Node::ReferralConsent(ReferralConsent(m))),
            (NodeType::CoordinatorAssignment, key) => assignments::by_id(db, caller(ctx), key)
                .await?
                .map(|m| Node::CoordinatorAssignment(CoordinatorAssignment(m))),
            (NodeType::SmeShowcase, key) => matching::showcase::readable(db, caller(ctx), key)
                .await?
                .map(|m| Node::SmeShowcase(SmeShowcase(m))),
            (NodeType::SmeProduct, key) => matching::showcase::product(db, caller(ctx), key)
                .await?
                .map(|m| Node::SmeProduct(SmeProduct(m))),
            (NodeType::BusinessNeed, key) => matching::needs::readable(db, caller(ctx), key)
                .await?
                .map(|m| Node::BusinessNeed(BusinessNeed(m))),
            (NodeType::Proposal, key) => matching::proposals::readable(db, caller(ctx), key)
                .await?
                .map(|m| Node::Proposal(Proposal(m))),
            (NodeType::MatchingEvent, key) => matching::meetings::event(db, caller(ctx), key)
                .await?
                .map(|m| Node::MatchingEvent(MatchingEvent(m))),
            (NodeType::MatchingMeeting, key) => matching::meetings::meeting(db, caller(ctx), key)
                .await?
                .map(|m| Node::MatchingMeeting(MatchingMeeting(m))),
        };
        Ok(node)
    }
}
