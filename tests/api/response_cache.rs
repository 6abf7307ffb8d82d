//! Anonymous reads from the in-process response cache: the same normalised document, variables
//! and operation name get the same reply without executing it, until a write commits (on this
//! instance, or on another one through the event channel); authenticated callers and replies
//! with errors pass it by.

use std::time::{Duration, Instant};

use iin_api::auth::Role;
use iin_tests::{Backend, Reply, TestApp};
use serde_json::{Value, json};

const QUERY: &str = r#"{ organization(code: "aist") { descriptionEn } }"#;
/// The same document, written differently: comments, commas and white space do not count.
const SAME_QUERY: &str = "# AIST, once more\n{organization(code:\"aist\"),{\n  descriptionEn}}";
const AIST_GET: &str =
    "/graphql?query=%7B%20organization(code%3A%20%22aist%22)%20%7B%20descriptionEn%20%7D%20%7D";

async fn post(app: &TestApp, query: &str, variables: Value) -> Reply {
    app.post(
        &[("content-type", "application/json")],
        json!({ "query": query, "variables": variables }).to_string(),
    )
    .await
}

/// The cache's (hits, misses) as `/metrics` shows them.
async fn counts(app: &TestApp) -> (u64, u64) {
    let text = app.get("/metrics", &[]).await.text;
    let read = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{name} is not in /metrics")) as u64
    };
    (
        read("iin_response_cache_hits_total "),
        read("iin_response_cache_misses_total "),
    )
}

/// On PostgreSQL, waits until the event listeners of `instances` instances on the app's database
/// are listening: each one's first connection
/// ends the generation the instance started in (it cannot know what it missed before), and an
/// entry cached before that is not served after it.
async fn listening(app: &TestApp, instances: i64) {
    use sea_orm::ConnectionTrait;
    if app.backend != Backend::Postgres {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                 AND application_name = 'iin-event-listener' AND query LIKE '%event_outbox%'",
            ))
            .await
            .expect("pg_stat_activity")
            .expect("a row");
        if row.try_get::<i64>("", "n").expect("a count") >= instances {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the event listener never listened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn description(reply: &Reply) -> Value {
    reply.json()["data"]["organization"]["descriptionEn"].clone()
}

/// Changes AIST's English description through `app`, as AIST's administrator (a write whose
/// area sends no event of its own: the audited path tells every instance).
async fn describe_aist(app: &TestApp, text: &str) {
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let id = app
        .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let reply = app
        .graphql_as(
            &admin,
            r#"mutation($id: ID!, $text: String!) { updateOrganization(id: $id, input: { descriptionEn: $text }) { descriptionEn } }"#,
            json!({ "id": id, "text": text }),
        )
        .await;
    assert_eq!(
        reply.json()["data"]["updateOrganization"]["descriptionEn"],
        text,
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn anonymous_reads_are_answered_from_the_cache_until_a_write_commits() {
    let app = TestApp::spawn().await;
    listening(&app, 1).await;
    let first = post(&app, QUERY, json!({})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(counts(&app).await, (0, 1));

    // The same document, however written: answered without a statement.
    let statements = app.statements().await;
    let again = post(&app, SAME_QUERY, json!({})).await;
    assert_eq!(again.text, first.text);
    assert_eq!(counts(&app).await, (1, 1));
    assert_eq!(app.statements().await, statements);
    // A POST reply stays out of shared caches, cached here or not.
    assert_eq!(
        again
            .headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap(),
        "no-store"
    );

    // Other variables are another reply.
    let by_code = r#"query($code: String!) { organization(code: $code) { descriptionEn } }"#;
    let aist = post(&app, by_code, json!({ "code": "aist" })).await;
    let jetro = post(&app, by_code, json!({ "code": "jetro" })).await;
    assert_ne!(description(&aist), description(&jetro));
    assert_eq!(counts(&app).await, (1, 3));

    // GET shares the entry; its ETag gives a 304 without executing anything.
    let get = app.get(AIST_GET, &[]).await;
    assert_eq!(get.text, first.text);
    assert_eq!(counts(&app).await, (2, 3));
    let etag = get
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let statements = app.statements().await;
    let not_modified = app.get(AIST_GET, &[("if-none-match", &etag)]).await;
    assert_eq!(not_modified.status, 304);
    assert_eq!(counts(&app).await, (3, 3));
    assert_eq!(app.statements().await, statements);

    // Authenticated callers pass the cache by, both ways.
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let as_member = app.graphql_as(&member, QUERY, json!({})).await;
    assert_eq!(description(&as_member), description(&first));
    assert_eq!(counts(&app).await, (3, 3));

    // A committed write ends what was cached: the next reader sees it at once.
    describe_aist(&app, "Changed once").await;
    let after = post(&app, QUERY, json!({})).await;
    assert_eq!(description(&after), "Changed once");
    let changed = app.get(AIST_GET, &[("if-none-match", &etag)]).await;
    assert_eq!(changed.status, 200);
    assert_eq!(description(&changed), "Changed once");
    // (Not counted exactly here: on PostgreSQL the write's notification comes back to this
    // instance too, a moment later, and may end the generation once more.)
    let (hits, misses) = counts(&app).await;
    assert!(hits >= 3 && misses >= 5, "{hits} hits, {misses} misses");
}

#[tokio::test]
async fn replies_with_errors_are_not_kept() {
    let app = TestApp::spawn().await;
    // A field only members may read: the reply has data and an error.
    let query = r#"{ organization(code: "aist") { nameEn contact { name } } }"#;
    let first = post(&app, query, json!({})).await;
    assert!(first.json()["errors"].is_array(), "{}", first.text);
    let second = post(&app, query, json!({})).await;
    assert!(second.json()["errors"].is_array(), "{}", second.text);
    assert_eq!(counts(&app).await, (0, 2));
}

#[tokio::test]
async fn a_batch_s_operations_use_the_cache_each_as_if_alone() {
    let app = TestApp::spawn_with(|s| s.http.limits.max_batch_size = 3).await;
    listening(&app, 1).await;
    post(&app, QUERY, json!({})).await;
    let batch = json!([
        { "query": SAME_QUERY },
        { "query": "{ network { nameEn } }" },
        { "query": "{ network { nameEn } }" },
    ]);
    let reply = app
        .post(&[("content-type", "application/json")], batch.to_string())
        .await;
    let answers = reply.json();
    assert_eq!(answers.as_array().map(Vec::len), Some(3), "{}", reply.text);
    assert!(answers[0]["data"]["organization"]["descriptionEn"].is_string());
    assert_eq!(answers[1], answers[2]);
    assert_eq!(counts(&app).await, (2, 2));
}

#[tokio::test]
async fn zero_megabytes_turns_the_cache_off() {
    let app = TestApp::spawn_with(|s| s.http.response_cache_mb = 0).await;
    let statements = app.statements().await;
    post(&app, QUERY, json!({})).await;
    let after_one = app.statements().await;
    post(&app, QUERY, json!({})).await;
    assert!(after_one > statements);
    assert!(
        app.statements().await > after_one,
        "the second read ran too"
    );
    assert_eq!(counts(&app).await, (0, 0));
}

#[tokio::test]
#[ignore = "PostgreSQL only: run with IIN_TEST_POSTGRES_URL set and --include-ignored, as .ci/run does"]
async fn a_write_through_one_instance_reaches_the_cache_of_another_within_a_second() {
    // Several instances share events through PostgreSQL only.
    iin_tests::require_postgres();
    let first = TestApp::spawn().await;
    let second = first.spawn_beside().await;
    listening(&first, 2).await;
    for app in [&first, &second] {
        post(app, QUERY, json!({})).await;
        let cached = post(app, QUERY, json!({})).await;
        assert_ne!(description(&cached), "Changed elsewhere");
        assert_eq!(counts(app).await, (1, 1));
    }

    describe_aist(&first, "Changed elsewhere").await;
    let written = Instant::now();
    // The writing instance answers from after the write at once.
    assert_eq!(
        description(&post(&first, QUERY, json!({})).await),
        "Changed elsewhere"
    );
    // The other, once the channel has delivered the write: within a second.
    loop {
        let read = post(&second, QUERY, json!({})).await;
        if description(&read) == "Changed elsewhere" {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the other instance still answers from before the write"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // And keeps the new answer.
    let (hits, _) = counts(&second).await;
    assert_eq!(
        description(&post(&second, QUERY, json!({})).await),
        "Changed elsewhere"
    );
    assert_eq!(counts(&second).await.0, hits + 1);
}
