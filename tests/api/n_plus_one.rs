//! Nested reads load through DataLoaders: the number of SQL statements does not grow with the page.

use iin_tests::TestApp;
use serde_json::json;

const NESTED: &str = r#"query($first: Int!) {
  organizations(first: $first) { edges { node { code
    clusterParticipations { role project { code
      tieUps { foreignPartner project { code } }
      participants { organization { code } } } } } } } }"#;

async fn statements_for(app: &TestApp, first: i32) -> u64 {
    let before = app.statements().await;
    let data = app.data(NESTED, json!({ "first": first })).await;
    assert_eq!(
        data["organizations"]["edges"].as_array().unwrap().len(),
        first as usize
    );
    app.statements().await - before
}

/// Lists load their relations ahead, all rows at once, so these counts must not depend on timing:
/// the loaders' gathering window is set to nothing, the worst case for anything left to it (a
/// batch would fire after the first key).
/// These tests count statements, not time: on a machine busy with the rest of the suite, a
/// request that waits for a connection or a turn must wait rather than answer
/// `SERVICE_UNAVAILABLE` (which it did, under load, with the defaults of 3 and 10 seconds).
async fn spawn() -> TestApp {
    TestApp::spawn_with(|s| {
        s.http.dataloader_delay = std::time::Duration::ZERO;
        s.database.acquire_timeout = std::time::Duration::from_secs(60);
        s.http.limits.timeout = std::time::Duration::from_secs(120);
    })
    .await
}

#[tokio::test]
async fn nested_reads_cost_the_same_statements_for_5_rows_as_for_all() {
    let app = spawn().await;
    let all = app
        .data("{ organizations { totalCount } }", json!({}))
        .await["organizations"]["totalCount"]
        .as_i64()
        .unwrap() as i32;
    assert!(all > 30, "the seeded directory has {all} organisations");
    // One statement for the page, then at most one per relation and level: participations,
    // projects, tie-ups, participants, tie-ups' projects, participants' organisations. A level
    // with nothing to load costs none, so a small page may cost less; one query per row would
    // cost dozens.
    const BOUND: u64 = 7;
    for first in [5, all] {
        let statements = statements_for(&app, first).await;
        assert!(
            (2..=BOUND).contains(&statements),
            "{statements} statements for a nested page of {first}"
        );
    }
}

const CREDENTIALS: &str = r#"query($first: Int!) {
  coordinators(first: $first) { nodes { nameEn organization { code }
    awards { status scheme { code issuer { code } } level { code }
      renewal { dueOn continuingEducation { missing } } }
    trainings { course { titleEn } } } } }"#;

#[tokio::test]
async fn coordinators_with_awards_and_renewal_cost_a_fixed_number_of_statements() {
    let app = spawn().await;
    let member = app.token("member@jetro", "jetro", &[iin_api::auth::Role::Member]);
    // Page, then per level: organisations, awards, trainings; schemes, levels, requirements,
    // courses; issuers. A level with nothing to load costs none.
    const BOUND: u64 = 12;
    for first in [1, 6] {
        let before = app.statements().await;
        let reply = app
            .graphql_as(&member, CREDENTIALS, json!({ "first": first }))
            .await;
        let body = reply.json();
        assert!(body.get("errors").is_none(), "{body:#}");
        assert_eq!(
            body["data"]["coordinators"]["nodes"]
                .as_array()
                .unwrap()
                .len(),
            first as usize
        );
        // The token's institution is looked up at its first request only.
        let statements = app.statements().await - before;
        assert!(
            (2..=BOUND).contains(&statements),
            "{statements} statements for {first} coordinators"
        );
    }
}

/// Statements for one request, as `token`'s caller.
async fn statements_as(app: &TestApp, token: &str, query: &str, first: usize, path: &str) -> u64 {
    let before = app.statements().await;
    let body = app
        .graphql_as(token, query, json!({ "first": first }))
        .await
        .json();
    assert!(body.get("errors").is_none(), "{body:#}");
    let rows = body["data"][path]["nodes"].as_array().unwrap().len();
    assert_eq!(rows, first, "a full page of {first}");
    app.statements().await - before
}

#[tokio::test]
async fn synthetic_pages_of_5_and_100_cost_the_same_statements() {
    let app = spawn().await;
    iin_api::seed::synthetic::load(
        &app.db,
        iin_api::seed::synthetic::Counts {
            organizations: 120,
            coordinators: 500,
            awards: 1000,
            // Every fourth SME has a showcase: a full page of 100.
            smes: 400,
            evaluations: 300,
            patents: 300,
            banks: 10,
            referrals: 300,
            needs: 100,
            proposals: 200,
        },
    )
    .await
    .expect("synthetic data");
    let admin = app.token(
        "root@iin",
        "iin-japan",
        &[iin_api::auth::Role::NetworkAdmin],
    );

    let organizations = r#"query($first: Int!) { organizations(first: $first, filter: { search: "Synthetic" }) { nodes {
        code coordinators { nameEn awards { certificateNumber status scheme { code } level { code } } } } } }"#;
    let evaluations = r#"query($first: Int!) { evaluations(first: $first) { nodes {
        status rating sme { nameEn prefecture { nameEn } } institution { code nameEn } } } }"#;
    let referrals = r#"query($first: Int!) { referrals(first: $first) { nodes {
        status amountRequested sme { nameEn } institution { code } bank { code nameEn } } } }"#;
    // The same selection through a named fragment, an inline fragment and aliases.
    let fragments = r#"query($first: Int!) { organizations(first: $first, filter: { search: "Synthetic" }) {
        nodes { ...Org } }
      }
      fragment Org on Organization { code staff: coordinators { nameEn ... on Coordinator {
        held: awards { certificateNumber status scheme { code } level { code } } } } }"#;
    let showcase = r#"query($first: Int!) { smeShowcase(first: $first) { nodes {
        headlineEn sme { nameEn prefecture { nameEn } } products { nameEn processes } } } }"#;
    let needs = r#"query($first: Int!) { businessNeeds(first: $first) { nodes {
        titleEn status institution { code } buyer { code } } } }"#;
    let proposals = r#"query($first: Int!) { proposals(first: $first) { nodes {
        status institution { code } leadSme { nameEn } members { sharePercent sme { nameEn } } } } }"#;
    // The server looks a token's institution up at its first request only.
    app.graphql_as(&admin, "{ me { subject } }", json!({}))
        .await;
    // Per request: the page, then one statement per relation and level.
    for (query, path, bound) in [
        (organizations, "organizations", 5),
        (fragments, "organizations", 5),
        (evaluations, "evaluations", 3),
        // The page, SMEs, referring institutions, banks.
        (referrals, "referrals", 4),
        // The page, SMEs, products (as the caller may read them).
        (showcase, "smeShowcase", 3),
        // The page, institutions, buyers.
        (needs, "businessNeeds", 3),
        // The page, institutions, lead SMEs, members, members' SMEs.
        (proposals, "proposals", 5),
    ] {
        let small = statements_as(&app, &admin, query, 5, path).await;
        let large = statements_as(&app, &admin, query, 100, path).await;
        assert!(
            (2..=bound).contains(&large),
            "{path}: {large} statements for 100 rows"
        );
        assert_eq!(
            small, large,
            "{path}: the same statements for 5 rows as for 100"
        );

        // Under load, other requests run between the rounds in which a list's fields resolve;
        // a batch left to the gathering window would fire early and split. Loaded ahead, each
        // request still costs exactly what it costs alone.
        const CONCURRENT: u64 = 16;
        let before = app.statements().await;
        let replies = futures_util::future::join_all(
            (0..CONCURRENT).map(|_| app.graphql_as(&admin, query, json!({ "first": 100 }))),
        )
        .await;
        for reply in replies {
            let body = reply.json();
            assert!(body.get("errors").is_none(), "{body:#}");
            assert_eq!(body["data"][path]["nodes"].as_array().unwrap().len(), 100);
        }
        let statements = app.statements().await - before;
        assert_eq!(
            statements,
            CONCURRENT * large,
            "{path}: {CONCURRENT} requests at once cost {statements} statements, alone {large} each"
        );
    }
}

#[tokio::test]
async fn relations_read_over_more_keys_than_one_sqlite_statement_takes() {
    use entity::organization;
    let app = TestApp::spawn().await;
    // More keys than SQLite binds in one statement (32766 at most): read in several there, in one
    // array on PostgreSQL.
    let keys: Vec<i64> = (1..=40_000).collect();
    let found = iin_api::domain::batch::by_key::<organization::Entity, _>(
        &app.db,
        organization::Column::Id,
        &keys,
        |row| row.id,
    )
    .await
    .expect("a long key list reads");
    let all = app
        .data("{ organizations { totalCount } }", json!({}))
        .await["organizations"]["totalCount"]
        .as_u64()
        .unwrap();
    assert_eq!(found.len() as u64, all, "every organisation, each once");
}
