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

use std::{collections::HashMap, hash::Hash, sync::Arc};

use async_graphql::{Context, Lookahead, Result, dataloader::Loader};
use entity::{
    award, cluster_participation, cluster_project, coordinator, evaluation, organization,
    qualification_scheme, sme, tie_up,
};
use futures_util::{future::BoxFuture, try_join};
use sea_orm::DbErr;

use super::loaders::{
    AwardsOfCoordinator, AwardsOfOrganization, ClusterProjectId, CoordinatorsOfOrganization, CourseId,
    LevelId, LevelsOfScheme, Loaders, OrganizationId, ParticipationsOfOrganization,
    ParticipationsOfProject, RatedEvaluationsOfSme, RelationLoader, RequirementsOfScheme,
    RevisionsOfEvaluation, SchemeId, SmeId, TieUpsOfProject, TrainingsOfCoordinator,
};
use crate::{domain::evaluation::smes, error::ApiError};

/// What every level needs: the request's loaders and whether the caller is a member.
pub(super) struct Prefetch<'a> {
    loaders: &'a Loaders,
    member: bool,
}

impl<'a> Prefetch<'a> {
    /// `None` when the request's loaders do not cache (mutations, subscriptions).
    pub(super) fn of(ctx: &Context<'a>) -> Result<Option<Self>> {
        let loaders = super::directory::loaders(ctx)?;
        Ok(loaders.loader().caches().then(|| Self {
            loaders,
            member: super::directory::caller(ctx).require_member().is_ok(),
        }))
    }

    /// The rows these keys name, loaded in one statement (no gathering window: the keys are all
    /// here). Not yet in the cache: [`Self::feed`] puts them there once the next level is done.
    async fn rows<K, V>(&self, keys: impl IntoIterator<Item = K>) -> Result<HashMap<K, V>>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        RelationLoader: Loader<K, Value = V, Error = Arc<DbErr>>,
    {
        let mut keys: Vec<K> = keys.into_iter().collect();
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        keys.retain(|key| seen.insert(key.clone()));
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

    async fn feed<K, V>(&self, values: HashMap<K, V>)
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        RelationLoader: Loader<K, Value = V, Error = Arc<DbErr>>,
    {
        self.loaders.feed_many(values).await;
    }
}

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

/// The rows of a kind whose relations can be loaded ahead.
pub(super) trait Ahead: Sync + Sized {
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
}

/// The selection on the nodes of a connection: `nodes { … }` and `edges { node { … } }`.
fn nodes<'a>(connection: &Lookahead<'a>) -> Option<Lookahead<'a>> {
    let mut fields = connection.field("nodes").selection_fields();
    fields.extend(connection.field("edges").field("node").selection_fields());
    Lookahead::try_from(fields.as_slice()).ok()
}

/// Runs a level's relations side by side; each is skipped when not selected.
macro_rules! relation {
    ($selected:expr, $body:expr) => {
        async {
            if $selected {
                $body.await
            } else {
                Ok(())
            }
        }
    };
}

fn values<K, V>(found: &HashMap<K, V>) -> Vec<&V> {
    found.values().collect()
}

fn flat<K, V>(found: &HashMap<K, Vec<V>>) -> Vec<&V> {
    found.values().flatten().collect()
}

async fn organizations(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&organization::Model],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids = || rows.iter().map(|row| row.id);
    let (coordinators, awards, participations) = (
        sel.field("coordinators"),
        sel.field("awards"),
        sel.field("clusterParticipations"),
    );
    try_join!(
        relation!(coordinators.exists(), async {
            let found = p.lists(ids().map(CoordinatorsOfOrganization)).await?;
            coordinator::Model::ahead(p, &coordinators, &flat(&found)).await?;
            p.feed(found).await;
            Ok::<_, async_graphql::Error>(())
        }),
        relation!(awards.exists() && p.member, async {
            let found = p.lists(ids().map(AwardsOfOrganization)).await?;
            award::Model::ahead(p, &awards, &flat(&found)).await?;
            p.feed(found).await;
            Ok(())
        }),
        relation!(participations.exists(), async {
            let found = p.lists(ids().map(ParticipationsOfOrganization)).await?;
            cluster_participation::Model::ahead(p, &participations, &flat(&found)).await?;
            p.feed(found).await;
            Ok(())
        }),
    )?;
    Ok(())
}

async fn coordinators(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&coordinator::Model],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids = || rows.iter().map(|row| row.id);
    let (organization, awards, trainings) = (
        sel.field("organization"),
        sel.field("awards"),
        sel.field("trainings"),
    );
    try_join!(
        relation!(organization.exists(), async {
            let found = p
                .rows(rows.iter().map(|row| OrganizationId(row.organization_id)))
                .await?;
            organization::Model::ahead(p, &organization, &values(&found)).await?;
            p.feed(found).await;
            Ok::<_, async_graphql::Error>(())
        }),
        relation!(awards.exists() && p.member, async {
            let found = p.lists(ids().map(AwardsOfCoordinator)).await?;
            award::Model::ahead(p, &awards, &flat(&found)).await?;
            p.feed(found).await;
            Ok(())
        }),
        relation!(trainings.exists() && p.member, async {
            let found = p.lists(ids().map(TrainingsOfCoordinator)).await?;
            if trainings.field("course").exists() {
                p.feed(p.rows(flat(&found).iter().map(|t| CourseId(t.course_id))).await?)
                    .await;
            }
            p.feed(found).await;
            Ok(())
        }),
    )?;
    Ok(())
}

async fn awards(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&award::Model],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let (scheme, renewal) = (sel.field("scheme"), sel.field("renewal"));
    // An award's status and renewal are worked out from its scheme.
    let needs_scheme = scheme.exists() || sel.field("status").exists() || renewal.exists();
    try_join!(
        relation!(needs_scheme, async {
            let found = p.rows(rows.iter().map(|row| SchemeId(row.scheme_id))).await?;
            qualification_scheme::Model::ahead(p, &scheme, &values(&found)).await?;
            p.feed(found).await;
            Ok::<_, async_graphql::Error>(())
        }),
        relation!(sel.field("level").exists(), async {
            p.feed(p.rows(rows.iter().map(|row| LevelId(row.level_id))).await?)
                .await;
            Ok(())
        }),
        // A renewal's progress: the scheme's requirements, and the holder's trainings with
        // their courses.
        relation!(renewal.exists(), async {
            let (requirements, trainings) = try_join!(
                p.lists(rows.iter().map(|row| RequirementsOfScheme(row.scheme_id))),
                p.lists(
                    rows.iter()
                        .filter_map(|row| row.coordinator_id)
                        .map(TrainingsOfCoordinator)
                ),
            )?;
            let courses = p
                .rows(flat(&trainings).iter().map(|t| CourseId(t.course_id)))
                .await?;
            p.feed(requirements).await;
            p.feed(trainings).await;
            p.feed(courses).await;
            Ok(())
        }),
    )?;
    Ok(())
}

async fn schemes(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&qualification_scheme::Model],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids = || rows.iter().map(|row| row.id);
    let issuer = sel.field("issuer");
    try_join!(
        relation!(issuer.exists(), async {
            let found = p
                .rows(rows.iter().map(|row| OrganizationId(row.issuer_id)))
                .await?;
            organization::Model::ahead(p, &issuer, &values(&found)).await?;
            p.feed(found).await;
            Ok::<_, async_graphql::Error>(())
        }),
        relation!(sel.field("levels").exists(), async {
            p.feed(p.lists(ids().map(LevelsOfScheme)).await?).await;
            Ok(())
        }),
        relation!(sel.field("continuingEducation").exists(), async {
            p.feed(p.lists(ids().map(RequirementsOfScheme)).await?)
                .await;
            Ok(())
        }),
    )?;
    Ok(())
}

async fn cluster_projects(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&cluster_project::Model],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids = || rows.iter().map(|row| row.id);
    let (participants, tie_ups) = (sel.field("participants"), sel.field("tieUps"));
    try_join!(
        relation!(participants.exists(), async {
            let found = p.lists(ids().map(ParticipationsOfProject)).await?;
            cluster_participation::Model::ahead(p, &participants, &flat(&found)).await?;
            p.feed(found).await;
            Ok::<_, async_graphql::Error>(())
        }),
        relation!(tie_ups.exists(), async {
            let found = p.lists(ids().map(TieUpsOfProject)).await?;
            tie_up::Model::ahead(p, &tie_ups, &flat(&found)).await?;
            p.feed(found).await;
            Ok(())
        }),
    )?;
    Ok(())
}

async fn participations(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&cluster_participation::Model],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let (organization, project) = (sel.field("organization"), sel.field("project"));
    try_join!(
        relation!(organization.exists(), async {
            let found = p
                .rows(rows.iter().map(|row| OrganizationId(row.organization_id)))
                .await?;
            organization::Model::ahead(p, &organization, &values(&found)).await?;
            p.feed(found).await;
            Ok::<_, async_graphql::Error>(())
        }),
        relation!(project.exists(), async {
            let found = p
                .rows(rows.iter().map(|row| ClusterProjectId(row.project_id)))
                .await?;
            cluster_project::Model::ahead(p, &project, &values(&found)).await?;
            p.feed(found).await;
            Ok(())
        }),
    )?;
    Ok(())
}

async fn tie_ups(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&tie_up::Model],
) -> Result<()> {
    let project = sel.field("project");
    if rows.is_empty() || !project.exists() {
        return Ok(());
    }
    let found = p
        .rows(rows.iter().map(|row| ClusterProjectId(row.project_id)))
        .await?;
    cluster_project::Model::ahead(p, &project, &values(&found)).await?;
    p.feed(found).await;
    Ok(())
}

async fn evaluations(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&evaluation::Model],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let (sme, institution) = (sel.field("sme"), sel.field("institution"));
    let history = sel.field("history").exists() || sel.field("revision").exists();
    try_join!(
        relation!(sme.exists(), async {
            let found = p.rows(rows.iter().map(|row| SmeId(row.sme_id))).await?;
            sme::Model::ahead(p, &sme, &values(&found)).await?;
            p.feed(found).await;
            Ok::<_, async_graphql::Error>(())
        }),
        relation!(institution.exists(), async {
            let found = p
                .rows(rows.iter().map(|row| OrganizationId(row.institution_id)))
                .await?;
            organization::Model::ahead(p, &institution, &values(&found)).await?;
            p.feed(found).await;
            Ok(())
        }),
        relation!(history && p.member, async {
            p.feed(
                p.lists(rows.iter().map(|row| RevisionsOfEvaluation(row.id)))
                    .await?,
            )
            .await;
            Ok(())
        }),
    )?;
    Ok(())
}

async fn smes(
    p: &Prefetch<'_>,
    sel: &Lookahead<'_>,
    rows: &[&sme::Model],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let (projects, summary) = (sel.field("clusterProjects"), sel.field("ratingSummary"));
    try_join!(
        relation!(projects.exists(), async {
            let keys = rows
                .iter()
                .flat_map(|row| smes::decode_projects(&row.cluster_projects))
                .map(ClusterProjectId);
            let found = p.rows(keys).await?;
            cluster_project::Model::ahead(p, &projects, &values(&found)).await?;
            p.feed(found).await;
            Ok::<_, async_graphql::Error>(())
        }),
        relation!(summary.exists(), async {
            // The evaluations the caller may read: the loader filters by the request's caller.
            let found = p
                .lists(rows.iter().map(|row| RatedEvaluationsOfSme(row.id)))
                .await?;
            let latest = summary.field("latest");
            evaluation::Model::ahead(p, &latest, &flat(&found)).await?;
            p.feed(found).await;
            Ok(())
        }),
    )?;
    Ok(())
}
