//! Look-ahead loading for lists.
//!
//! The rows of a list arrive together, but their fields resolve in rounds: async-graphql yields
//! between rounds of 32 items, and a busy worker may fire a DataLoader's batch between two rounds.
//! Left to the loaders' gathering window alone, one relation of a large page can then cost several
//! statements. So before a list returns its rows, these functions read the selection, load each
//! relation it asks for once for every row, level by level, and feed the request's loaders: the
//! fields then read from that cache, and a nested query costs one statement per relation and
//! level, whatever the timing.
//!
//! Only queries cache; under a mutation these functions do nothing and the fields load for
//! themselves. A relation that needs a member is loaded only for members, as its field refuses
//! the others. An award's holder (a union, rarely read in lists) is left to its field's own load,
//! which is batched too.

use std::{
    collections::{HashMap, HashSet},
    hash::Hash,
    sync::Arc,
};

use async_graphql::{Context, Lookahead, Result, dataloader::Loader};
use entity::{
    award, business_need, cluster_participation, cluster_project, coordinator, evaluation,
    organization, proposal, proposal_member, qualification_scheme, referral, sme, sme_product,
    sme_showcase, tie_up,
};
use futures_util::{future::BoxFuture, try_join};
use sea_orm::DbErr;

use super::loaders::{
    AwardsOfCoordinator, AwardsOfOrganization, ClusterProjectId, CoordinatorsOfOrganization,
    CourseId, LevelId, LevelsOfScheme, Loaders, MembersOfProposal, OrganizationId,
    ParticipationsOfOrganization, ParticipationsOfProject, ProductsOfSme, RatedEvaluationsOfSme,
    RelationLoader, RequirementsOfScheme, RevisionsOfEvaluation, SchemeId, SmeId, TieUpsOfProject,
    TrainingsOfCoordinator,
};
use crate::{domain::evaluation::smes, error::ApiError};

/// Before a connection returns its rows: loads ahead what its nodes select.
pub(super) async fn connection<'r, M: Ahead + 'r>(
    ctx: &Context<'_>,
    rows: impl IntoIterator<Item = &'r M>,
) -> Result<()> {
    let Some(p) = Prefetch::of(ctx)? else {
        return Ok(());
    };
    let look = ctx.look_ahead();
    let Some(sel) = nodes(&look) else {
        return Ok(());
    };
    let rows: Vec<&M> = rows.into_iter().collect();
    M::ahead(&p, &sel, &rows).await
}

/// Before a field returns its rows (one object or a list): loads ahead what it selects.
pub(super) async fn field<'r, M: Ahead + 'r>(
    ctx: &Context<'_>,
    rows: impl IntoIterator<Item = &'r M>,
) -> Result<()> {
    let Some(p) = Prefetch::of(ctx)? else {
        return Ok(());
    };
    let rows: Vec<&M> = rows.into_iter().collect();
    M::ahead(&p, &ctx.look_ahead(), &rows).await
}

/// The selection on the nodes of a connection: `nodes { … }` and `edges { node { … } }`.
pub(super) fn nodes<'a>(connection: &Lookahead<'a>) -> Option<Lookahead<'a>> {
    let mut fields = connection.field("nodes").selection_fields();
    fields.extend(connection.field("edges").field("node").selection_fields());
    Lookahead::try_from(fields.as_slice()).ok()
}

/// The rows of a kind whose relations can be loaded ahead.
pub(super) trait Ahead: Send + Sync + Clone + Sized + 'static {
    /// Loads, for all `rows` at once, each relation `sel` asks for, and the levels below it.
    fn ahead<'f>(
        p: &'f Prefetch<'_>,
        sel: &'f Lookahead<'_>,
        rows: &'f [&'f Self],
    ) -> BoxFuture<'f, Result<()>>;
}

macro_rules! ahead {
    ($($model:ty => $level:ident),* $(,)?) => {$(
        impl Ahead for $model {
            fn ahead<'f>(
                p: &'f Prefetch<'_>,
                sel: &'f Lookahead<'_>,
                rows: &'f [&'f Self],
            ) -> BoxFuture<'f, Result<()>> {
                Box::pin($level(p, sel, rows))
            }
        }
    )*};
}

/// Rows held shared (see `one!(…, shared)` in the loaders) load ahead as the rows themselves.
impl<M: Ahead> Ahead for Arc<M> {
    fn ahead<'f>(
        p: &'f Prefetch<'_>,
        sel: &'f Lookahead<'_>,
        rows: &'f [&'f Self],
    ) -> BoxFuture<'f, Result<()>> {
        Box::pin(async move {
            let rows: Vec<&M> = rows.iter().map(|row| row.as_ref()).collect();
            M::ahead(p, sel, &rows).await
        })
    }
}

ahead! {
    organization::Model => organizations,
    coordinator::Model => coordinators,
    award::Model => awards,
    qualification_scheme::Model => schemes,
    cluster_project::Model => cluster_projects,
    cluster_participation::Model => participations,
    tie_up::Model => tie_ups,
    evaluation::Model => evaluations,
    sme::Model => smes,
    referral::Model => referrals,
    sme_showcase::Model => showcases,
    sme_product::Model => products,
    business_need::Model => needs,
    proposal::Model => proposals,
    proposal_member::Model => proposal_members,
}

/// What every level needs: the request's loaders and whether the caller is a member.
pub(super) struct Prefetch<'a> {
    loaders: &'a Loaders,
    member: bool,
}

impl<'a> Prefetch<'a> {
    /// `None` when the request's loaders do not cache (mutations, subscriptions).
    fn of(ctx: &Context<'a>) -> Result<Option<Self>> {
        let loaders = super::context::loaders(ctx)?;
        Ok(loaders.loader().caches().then(|| Self {
            loaders,
            member: super::context::members_only(ctx).is_ok(),
        }))
    }

    /// A to-one relation: the rows `keys` name, and what `sel` asks of them, into the cache.
    async fn one<K, M>(&self, keys: impl IntoIterator<Item = K>, sel: &Lookahead<'_>) -> Result<()>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        M: Ahead,
        RelationLoader: Loader<K, Value = M, Error = Arc<DbErr>>,
    {
        let found = self.rows(keys).await?;
        M::ahead(self, sel, &found.values().collect::<Vec<_>>()).await?;
        self.feed(found).await;
        Ok(())
    }

    /// A to-many relation: each key's rows, and what `sel` asks of them, into the cache.
    async fn many<K, M>(&self, keys: impl IntoIterator<Item = K>, sel: &Lookahead<'_>) -> Result<()>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        M: Ahead,
        RelationLoader: Loader<K, Value = Vec<M>, Error = Arc<DbErr>>,
    {
        let found = self.lists(keys).await?;
        M::ahead(self, sel, &found.values().flatten().collect::<Vec<_>>()).await?;
        self.feed(found).await;
        Ok(())
    }

    /// The rows these keys name, loaded in one statement (no gathering window: the keys are all
    /// here). Not yet in the cache: [`Self::feed`] puts them there.
    async fn rows<K, V>(&self, keys: impl IntoIterator<Item = K>) -> Result<HashMap<K, V>>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        RelationLoader: Loader<K, Value = V, Error = Arc<DbErr>>,
    {
        let mut seen = HashSet::new();
        let keys: Vec<K> = keys
            .into_iter()
            .filter(|key| seen.insert(key.clone()))
            .collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .loaders
            .loader()
            .load(&keys)
            .await
            .map_err(ApiError::from)?)
    }

    /// The rows of a one-to-many relation for each key; a key without rows gets an empty list,
    /// so that its field, too, finds its answer in the cache.
    async fn lists<K, V>(&self, keys: impl IntoIterator<Item = K>) -> Result<HashMap<K, Vec<V>>>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        RelationLoader: Loader<K, Value = Vec<V>, Error = Arc<DbErr>>,
    {
        let keys: Vec<K> = keys.into_iter().collect();
        let mut found = self.rows(keys.iter().cloned()).await?;
        for key in keys {
            found.entry(key).or_default();
        }
        Ok(found)
    }

    /// Rows with nothing below them to load ahead: loaded and put in the cache.
    async fn cache_rows<K, V>(&self, keys: impl IntoIterator<Item = K>) -> Result<()>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        RelationLoader: Loader<K, Value = V, Error = Arc<DbErr>>,
    {
        self.feed(self.rows(keys).await?).await;
        Ok(())
    }

    /// [`Self::cache_rows`] for a one-to-many relation.
    async fn cache_lists<K, V>(&self, keys: impl IntoIterator<Item = K>) -> Result<()>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        RelationLoader: Loader<K, Value = Vec<V>, Error = Arc<DbErr>>,
    {
        self.feed(self.lists(keys).await?).await;
        Ok(())
    }

    async fn feed<K, V>(&self, values: HashMap<K, V>)
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        RelationLoader: Loader<K, Value = V, Error = Arc<DbErr>>,
    {
        self.loaders.feed_many(values).await;
    }
}

/// A relation of a level, loaded when `$wanted`; a level's relations load side by side.
macro_rules! when {
    ($wanted:expr, $load:expr) => {
        async {
            if $wanted {
                $load.await?;
            }
            Ok::<_, async_graphql::Error>(())
        }
    };
}

async fn organizations(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&organization::Model],
) -> Result<()> {
    let ids = || rows.iter().map(|row| row.id);
    let (coordinators, awards, participations) = (
        sel.field("coordinators"),
        sel.field("awards"),
        sel.field("clusterParticipations"),
    );
    try_join!(
        when!(
            coordinators.exists(),
            p.many(ids().map(CoordinatorsOfOrganization), &coordinators)
        ),
        when!(
            awards.exists() && p.member,
            p.many(ids().map(AwardsOfOrganization), &awards)
        ),
        when!(
            participations.exists(),
            p.many(ids().map(ParticipationsOfOrganization), &participations)
        ),
    )?;
    Ok(())
}

async fn coordinators(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&coordinator::Model],
) -> Result<()> {
    let ids = || rows.iter().map(|row| row.id);
    let (organization, awards, trainings) = (
        sel.field("organization"),
        sel.field("awards"),
        sel.field("trainings"),
    );
    let trainings_with_courses = async {
        let found = p.lists(ids().map(TrainingsOfCoordinator)).await?;
        if trainings.field("course").exists() {
            p.cache_rows(found.values().flatten().map(|t| CourseId(t.course_id)))
                .await?;
        }
        p.feed(found).await;
        Ok::<_, async_graphql::Error>(())
    };
    try_join!(
        when!(
            organization.exists(),
            p.one(
                rows.iter().map(|row| OrganizationId(row.organization_id)),
                &organization
            )
        ),
        when!(
            awards.exists() && p.member,
            p.many(ids().map(AwardsOfCoordinator), &awards)
        ),
        when!(trainings.exists() && p.member, trainings_with_courses),
    )?;
    Ok(())
}

async fn awards(p: &Prefetch<'_>, sel: &Lookahead<'_>, rows: &[&award::Model]) -> Result<()> {
    let (scheme, renewal) = (sel.field("scheme"), sel.field("renewal"));
    // An award's status and renewal are worked out from its scheme.
    let needs_scheme = scheme.exists() || sel.field("status").exists() || renewal.exists();
    // A renewal's progress: the scheme's requirements, and the holder's trainings with their
    // courses.
    let progress = async {
        let (requirements, trainings) = try_join!(
            p.lists(rows.iter().map(|row| RequirementsOfScheme(row.scheme_id))),
            p.lists(
                rows.iter()
                    .filter_map(|row| row.coordinator_id)
                    .map(TrainingsOfCoordinator)
            ),
        )?;
        p.cache_rows(trainings.values().flatten().map(|t| CourseId(t.course_id)))
            .await?;
        p.feed(requirements).await;
        p.feed(trainings).await;
        Ok::<_, async_graphql::Error>(())
    };
    try_join!(
        when!(
            needs_scheme,
            p.one(rows.iter().map(|row| SchemeId(row.scheme_id)), &scheme)
        ),
        when!(
            sel.field("level").exists(),
            p.cache_rows(rows.iter().map(|row| LevelId(row.level_id)))
        ),
        when!(renewal.exists(), progress),
    )?;
    Ok(())
}

async fn schemes(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&qualification_scheme::Model],
) -> Result<()> {
    let ids = || rows.iter().map(|row| row.id);
    let issuer = sel.field("issuer");
    try_join!(
        when!(
            issuer.exists(),
            p.one(
                rows.iter().map(|row| OrganizationId(row.issuer_id)),
                &issuer
            )
        ),
        when!(
            sel.field("levels").exists(),
            p.cache_lists(ids().map(LevelsOfScheme))
        ),
        when!(
            sel.field("continuingEducation").exists(),
            p.cache_lists(ids().map(RequirementsOfScheme))
        ),
    )?;
    Ok(())
}

async fn cluster_projects(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&cluster_project::Model],
) -> Result<()> {
    let ids = || rows.iter().map(|row| row.id);
    let (participants, tie_ups) = (sel.field("participants"), sel.field("tieUps"));
    try_join!(
        when!(
            participants.exists(),
            p.many(ids().map(ParticipationsOfProject), &participants)
        ),
        when!(
            tie_ups.exists(),
            p.many(ids().map(TieUpsOfProject), &tie_ups)
        ),
    )?;
    Ok(())
}

async fn participations(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&cluster_participation::Model],
) -> Result<()> {
    let (organization, project) = (sel.field("organization"), sel.field("project"));
    try_join!(
        when!(
            organization.exists(),
            p.one(
                rows.iter().map(|row| OrganizationId(row.organization_id)),
                &organization
            )
        ),
        when!(
            project.exists(),
            p.one(
                rows.iter().map(|row| ClusterProjectId(row.project_id)),
                &project
            )
        ),
    )?;
    Ok(())
}

async fn tie_ups(p: &Prefetch<'_>, sel: &Lookahead<'_>, rows: &[&tie_up::Model]) -> Result<()> {
    let project = sel.field("project");
    if project.exists() {
        p.one(
            rows.iter().map(|row| ClusterProjectId(row.project_id)),
            &project,
        )
        .await?;
    }
    Ok(())
}

async fn evaluations(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&evaluation::Model],
) -> Result<()> {
    let (sme, institution) = (sel.field("sme"), sel.field("institution"));
    let history = sel.field("history").exists() || sel.field("revision").exists();
    try_join!(
        when!(
            sme.exists(),
            p.one(rows.iter().map(|row| SmeId(row.sme_id)), &sme)
        ),
        when!(
            institution.exists(),
            p.one(
                rows.iter().map(|row| OrganizationId(row.institution_id)),
                &institution
            )
        ),
        when!(
            history && p.member,
            p.cache_lists(rows.iter().map(|row| RevisionsOfEvaluation(row.id)))
        ),
    )?;
    Ok(())
}

async fn referrals(p: &Prefetch<'_>, sel: &Lookahead<'_>, rows: &[&referral::Model]) -> Result<()> {
    let (sme, institution, bank) = (
        sel.field("sme"),
        sel.field("institution"),
        sel.field("bank"),
    );
    try_join!(
        when!(
            sme.exists(),
            p.one(rows.iter().map(|row| SmeId(row.sme_id)), &sme)
        ),
        when!(
            institution.exists(),
            p.one(
                rows.iter().map(|row| OrganizationId(row.institution_id)),
                &institution
            )
        ),
        when!(
            bank.exists(),
            p.one(rows.iter().map(|row| OrganizationId(row.bank_id)), &bank)
        ),
    )?;
    Ok(())
}

async fn showcases(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&sme_showcase::Model],
) -> Result<()> {
    let (sme, products) = (sel.field("sme"), sel.field("products"));
    // The products the caller may read: the loader filters by the request's caller.
    try_join!(
        when!(
            sme.exists(),
            p.one(rows.iter().map(|row| SmeId(row.sme_id)), &sme)
        ),
        when!(
            products.exists(),
            p.many(rows.iter().map(|row| ProductsOfSme(row.sme_id)), &products)
        ),
    )?;
    Ok(())
}

async fn products(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&sme_product::Model],
) -> Result<()> {
    let sme = sel.field("sme");
    if sme.exists() {
        p.one(rows.iter().map(|row| SmeId(row.sme_id)), &sme)
            .await?;
    }
    Ok(())
}

async fn needs(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&business_need::Model],
) -> Result<()> {
    let (institution, buyer) = (sel.field("institution"), sel.field("buyer"));
    try_join!(
        when!(
            institution.exists(),
            p.one(
                rows.iter().map(|row| OrganizationId(row.institution_id)),
                &institution
            )
        ),
        when!(
            buyer.exists(),
            p.one(rows.iter().map(|row| OrganizationId(row.buyer_id)), &buyer)
        ),
    )?;
    Ok(())
}

async fn proposals(p: &Prefetch<'_>, sel: &Lookahead<'_>, rows: &[&proposal::Model]) -> Result<()> {
    let (institution, lead, members) = (
        sel.field("institution"),
        sel.field("leadSme"),
        sel.field("members"),
    );
    try_join!(
        when!(
            institution.exists(),
            p.one(
                rows.iter().map(|row| OrganizationId(row.institution_id)),
                &institution
            )
        ),
        when!(
            lead.exists(),
            p.one(rows.iter().map(|row| SmeId(row.lead_sme_id)), &lead)
        ),
        when!(
            members.exists(),
            p.many(rows.iter().map(|row| MembersOfProposal(row.id)), &members)
        ),
    )?;
    Ok(())
}

async fn proposal_members(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&proposal_member::Model],
) -> Result<()> {
    let sme = sel.field("sme");
    if sme.exists() {
        p.one(rows.iter().map(|row| SmeId(row.sme_id)), &sme)
            .await?;
    }
    Ok(())
}

async fn smes(p: &Prefetch<'_>, sel: &Lookahead<'_>, rows: &[&sme::Model]) -> Result<()> {
    let (projects, summary) = (sel.field("clusterProjects"), sel.field("ratingSummary"));
    let project_ids = rows
        .iter()
        .flat_map(|row| smes::decode_projects(&row.cluster_projects))
        .map(ClusterProjectId);
    // The evaluations the caller may read: the loader filters by the request's caller.
    let rated = rows.iter().map(|row| RatedEvaluationsOfSme(row.id));
    try_join!(
        when!(projects.exists(), p.one(project_ids, &projects)),
        when!(summary.exists(), p.many(rated, &summary.field("latest"))),
    )?;
    Ok(())
}
