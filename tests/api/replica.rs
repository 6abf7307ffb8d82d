//! Reads from a streaming replica (`DATABASE_REPLICA_URL`): a private primary, a replica made
//! from it with `pg_basebackup -R`, and the API on both. Replay paused on the replica makes the
//! primary's latest write visible only where a request really reads the primary.

use std::time::{Duration, Instant};

use iin_api::auth::Role;
use iin_tests::{TestApp, private_postgres::PrivatePostgres};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

const QUERY: &str = r#"{ organization(code: "aist") { descriptionEn } }"#;

async fn metric(app: &TestApp, name: &str) -> i64 {
    let text = app.get("/metrics", &[]).await.text;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("{name} is not in /metrics")) as i64
}

/// Waits until the replica is (or is not) in use, as `/metrics` says.
async fn replica_in_use_becomes(app: &TestApp, in_use: bool, within: Duration) {
    let deadline = Instant::now() + within;
    while metric(app, "iin_db_replica_in_use ").await != i64::from(in_use) {
        assert!(
            Instant::now() < deadline,
            "the replica is still {}in use after {within:?}",
            if in_use { "not " } else { "" }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn description(body: &Value) -> Value {
    body["data"]["organization"]["descriptionEn"].clone()
}

async fn describe_aist(app: &TestApp, admin: &str, text: &str) -> Value {
    let id = app
        .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let reply = app
        .graphql_as(
            admin,
            r#"mutation($id: ID!, $text: String!) { updateOrganization(id: $id, input: { descriptionEn: $text }) { descriptionEn } }"#,
            json!({ "id": id, "text": text }),
        )
        .await;
    reply.json()["data"]["updateOrganization"]["descriptionEn"].clone()
}

#[tokio::test]
#[ignore = "PostgreSQL only, with its server binaries (initdb, pg_ctl, pg_basebackup): run with IIN_TEST_POSTGRES_URL set and --include-ignored, as .ci/run does"]
async fn queries_read_the_replica_writes_the_primary_and_a_replica_behind_or_down_is_skipped() {
    iin_tests::require_postgres();
    let primary = PrivatePostgres::start()
        .await
        .expect("PostgreSQL's server binaries (initdb, pg_ctl) are installed");
    let replica = primary.replica().await;
    let app = TestApp::spawn_on(primary.url(), |s| {
        // Every read executes: what is tested is where.
        s.http.response_cache_mb = 0;
        s.database.replica_url = Some(replica.url());
        s.database.replica_max_lag = Duration::from_secs(3);
        s.database.acquire_timeout = Duration::from_millis(500);
        s.http.limits.max_batch_size = 2;
    })
    .await;
    replica_in_use_becomes(&app, true, Duration::from_secs(15)).await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let original = description(&app.graphql(QUERY, json!({})).await);

    // Replay paused: the primary's next write is not on the replica.
    let standby = Database::connect(replica.url()).await.expect("the replica");
    standby
        .execute_unprepared("SELECT pg_wal_replay_pause()")
        .await
        .expect("pause replay");
    // A mutation and its reply read the primary.
    assert_eq!(
        describe_aist(&app, &admin, "Written on the primary").await,
        "Written on the primary"
    );
    // Anonymous and member queries read the replica (still within the lag allowed).
    assert_eq!(description(&app.graphql(QUERY, json!({})).await), original);
    let as_member = app.graphql_as(&member, QUERY, json!({})).await.json();
    assert_eq!(description(&as_member), original);
    // In a request that ran a mutation (refused or not), the rest reads the primary.
    let id = app
        .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let batch = json!([
        {
            "query": r#"mutation($id: ID!) { updateOrganization(id: $id, input: { descriptionEn: "no" }) { id } }"#,
            "variables": { "id": id },
        },
        { "query": QUERY },
    ]);
    let bearer = format!("Bearer {member}");
    let answers = app
        .post(
            &[
                ("content-type", "application/json"),
                ("authorization", &bearer),
            ],
            batch.to_string(),
        )
        .await
        .json();
    assert_eq!(
        description(&answers[1]),
        "Written on the primary",
        "{answers}"
    );
    // A caller who writes reads what was written, from the primary.
    let as_admin = app.graphql_as(&admin, QUERY, json!({})).await.json();
    assert_eq!(description(&as_admin), "Written on the primary");
    let readers: i64 = standby
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'iin-api-replica-reads'",
        ))
        .await
        .expect("pg_stat_activity")
        .expect("a row")
        .try_get("", "n")
        .expect("a count");
    assert!(readers > 0, "the API holds connections to the replica");

    // Further behind than IIN_REPLICA_MAX_LAG_MS: skipped, reads go to the primary.
    replica_in_use_becomes(&app, false, Duration::from_secs(10)).await;
    assert_eq!(
        description(&app.graphql(QUERY, json!({})).await),
        "Written on the primary"
    );
    // Caught up again: back in use, and it has the write.
    standby
        .execute_unprepared("SELECT pg_wal_replay_resume()")
        .await
        .expect("resume replay");
    replica_in_use_becomes(&app, true, Duration::from_secs(10)).await;
    assert_eq!(
        description(&app.graphql(QUERY, json!({})).await),
        "Written on the primary"
    );

    // Down: skipped until it recovers; reads go on from the primary.
    drop(standby);
    replica.stop().await;
    replica_in_use_becomes(&app, false, Duration::from_secs(10)).await;
    assert_eq!(
        describe_aist(&app, &admin, "Written while the replica is down").await,
        "Written while the replica is down"
    );
    let read = app.graphql(QUERY, json!({})).await;
    assert_eq!(
        description(&read),
        "Written while the replica is down",
        "{read}"
    );
    replica.start_again().await;
    replica_in_use_becomes(&app, true, Duration::from_secs(15)).await;
    assert_eq!(
        description(&app.graphql(QUERY, json!({})).await),
        "Written while the replica is down"
    );
}
