//! Sessions that outlive their right: a suspended institution's tokens stop working on every
//! instance at once, and subscriptions end when their token expires or their institution is
//! suspended.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use iin_api::auth::{Role, token};
use iin_tests::{
    Backend, TestApp, error_code_and_field, only_error,
    ws::{self, Socket},
};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const SUBSCRIBE: &str = "subscription { evaluationChanged { evaluationId status version change } }";

const ME: &str = "{ me { subject institution { code } } }";
const SET_MEMBERSHIP: &str = "mutation($id: ID!, $m: Membership!) {
  setOrganizationMembership(id: $id, membership: $m) { code membership } }";

/// The first instance, and on PostgreSQL a second one beside it on the same database (SQLite is
/// served by one process).
async fn instances() -> (TestApp, Option<TestApp>) {
    let first = TestApp::spawn().await;
    let second = match first.backend {
        Backend::Postgres => Some(first.spawn_beside().await),
        Backend::Sqlite => None,
    };
    (first, second)
}

/// Waits, at most a second from `since`, until `token` gets `status` from `app`.
async fn answers_within_a_second(app: &TestApp, token: &str, status: u16, since: Instant) {
    loop {
        let reply = app.graphql_as(token, ME, json!({})).await;
        if reply.status == status {
            if status == 401 {
                assert_eq!(
                    only_error(&reply.json())["extensions"]["code"],
                    "UNAUTHENTICATED"
                );
            }
            return;
        }
        assert!(
            since.elapsed() < Duration::from_secs(1),
            "still {} instead of {status} a second later: {}",
            reply.status,
            reply.text
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_suspended_institutions_tokens_are_refused_on_every_instance_until_reinstated() {
    let (first, second) = instances().await;
    let apps: Vec<&TestApp> = std::iter::once(&first).chain(second.as_ref()).collect();
    let member = first.token("sato@jetro", "jetro", &[Role::Member]);
    let other = first.token("kato@aist", "aist", &[Role::Member]);
    // Every instance knows JETRO (and remembers it) before the suspension.
    for app in &apps {
        assert_eq!(app.graphql_as(&member, ME, json!({})).await.status, 200);
    }
    let network = first.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let jetro = first.organization_id("jetro").await;

    // Only network admins suspend, and never the network itself.
    let admin = first.token("head@jetro", "jetro", &[Role::OrgAdmin]);
    let refused = first
        .graphql_as(
            &admin,
            SET_MEMBERSHIP,
            json!({ "id": jetro, "m": "SUSPENDED" }),
        )
        .await
        .json();
    assert_eq!(error_code_and_field(&refused).0, "FORBIDDEN", "{refused:#}");
    let iin = first.organization_id("iin-japan").await;
    let refused = first
        .graphql_as(
            &network,
            SET_MEMBERSHIP,
            json!({ "id": iin, "m": "SUSPENDED" }),
        )
        .await
        .json();
    assert_eq!(
        error_code_and_field(&refused),
        ("BAD_USER_INPUT".to_owned(), "membership".to_owned())
    );

    let reply = first
        .graphql_as(
            &network,
            SET_MEMBERSHIP,
            json!({ "id": jetro, "m": "SUSPENDED" }),
        )
        .await;
    let suspended_at = Instant::now();
    assert_eq!(
        reply.json()["data"]["setOrganizationMembership"],
        json!({ "code": "jetro", "membership": "SUSPENDED" }),
        "{}",
        reply.text
    );
    for app in &apps {
        answers_within_a_second(app, &member, 401, suspended_at).await;
        // Another institution is not concerned.
        assert_eq!(app.graphql_as(&other, ME, json!({})).await.status, 200);
    }
    // The directory shows it.
    let listed = first
        .data(
            "{ organizations(filter: { membership: SUSPENDED }) { nodes { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["organizations"]["nodes"],
        json!([{ "code": "jetro" }])
    );

    // Reversible: reinstated, the same token works again everywhere.
    let last = apps.last().unwrap();
    let reply = last
        .graphql_as(
            &network,
            SET_MEMBERSHIP,
            json!({ "id": jetro, "m": "MEMBER" }),
        )
        .await;
    let reinstated_at = Instant::now();
    assert_eq!(
        reply.json()["data"]["setOrganizationMembership"]["membership"],
        "MEMBER"
    );
    for app in &apps {
        answers_within_a_second(app, &member, 200, reinstated_at).await;
    }

    // Every attempt is audited.
    let log = first
        .data_as(
            &network,
            r#"{ auditLog(first: 10, filter: { operation: "setOrganizationMembership" }) {
                 nodes { subject outcome target } } }"#,
        )
        .await;
    let outcomes: Vec<_> = log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["subject"].clone(), e["outcome"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (json!("root@iin"), json!("SUCCEEDED")),
            (json!("root@iin"), json!("SUCCEEDED")),
            (json!("root@iin"), json!("BAD_USER_INPUT")),
            (json!("head@jetro"), json!("FORBIDDEN")),
        ],
        "newest first"
    );
}

trait DataAs {
    async fn data_as(&self, token: &str, query: &str) -> Value;
    async fn data_as_with(&self, token: &str, query: &str, variables: Value) -> Value;
}

impl DataAs for TestApp {
    async fn data_as(&self, token: &str, query: &str) -> Value {
        self.data_as_with(token, query, json!({})).await
    }

    async fn data_as_with(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.graphql_as(token, query, variables).await.json();
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}

/// A socket of `token`'s caller with one subscription (id "1") running.
async fn subscribed(app: &TestApp, token: &str) -> Socket {
    let mut socket = ws::connect(app, Some(token)).await;
    ws::subscribe(&mut socket, "1", &json!({ "query": SUBSCRIBE })).await;
    socket
}

/// The subscription gets `UNAUTHENTICATED` and completes, then the socket closes with 4401.
async fn ends_unauthenticated(socket: &mut Socket) {
    let error = ws::receive(socket).await;
    assert_eq!(
        (&error["type"], &error["id"]),
        (&json!("next"), &json!("1")),
        "{error:#}"
    );
    assert_eq!(
        error["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{error:#}"
    );
    assert_eq!(
        ws::receive(socket).await,
        json!({ "id": "1", "type": "complete" })
    );
    match ws::next_frame(socket).await {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 4401),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn a_subscription_ends_when_its_token_expires() {
    let app = TestApp::spawn().await;
    let brief = token::issue_hs256(
        &app.auth,
        "brief@aist",
        "aist",
        &[Role::Member],
        Duration::from_secs(2),
    )
    .unwrap();
    let lasting = app.token("long@aist", "aist", &[Role::Member]);
    let started = Instant::now();
    let mut socket = subscribed(&app, &brief).await;
    let mut other = subscribed(&app, &lasting).await;
    ends_unauthenticated(&mut socket).await;
    let lasted = started.elapsed();
    assert!(lasted < Duration::from_secs(3), "ended after {lasted:?}");
    // A token that has not expired keeps its subscription.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), other.next())
            .await
            .is_err(),
        "the other subscription goes on"
    );
}

#[tokio::test]
async fn a_subscription_ends_within_a_second_when_its_institution_is_suspended() {
    let (first, second) = instances().await;
    // On PostgreSQL the socket is on the other instance than the suspension.
    let beside = second.as_ref().unwrap_or(&first);
    let member = first.token("listener@jetro", "jetro", &[Role::Member]);
    let other = first.token("listener@aist", "aist", &[Role::Member]);
    let mut socket = subscribed(beside, &member).await;
    let mut unconcerned = subscribed(beside, &other).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let network = first.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let jetro = first.organization_id("jetro").await;
    let reply = first
        .graphql_as(
            &network,
            SET_MEMBERSHIP,
            json!({ "id": jetro, "m": "SUSPENDED" }),
        )
        .await;
    let suspended_at = Instant::now();
    assert_eq!(reply.status, 200, "{}", reply.text);
    ends_unauthenticated(&mut socket).await;
    let took = suspended_at.elapsed();
    assert!(took < Duration::from_secs(1), "ended after {took:?}");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), unconcerned.next())
            .await
            .is_err(),
        "another institution's subscription goes on"
    );
}

// ---------------------------------------------------------------- idempotency keys

const CREATE_SME: &str = r#"mutation($n: String!, $k: String!) { createSme(idempotencyKey: $k, input: {
    corporateNumber: $n, nameJa: "試作", nameEn: "Replay Works", prefectureCode: 21 }) { id } }"#;
const CREATE_EVALUATION: &str = "mutation($sme: ID!, $k: String!, $f: String) {
  createEvaluation(idempotencyKey: $k, input: { smeId: $sme, findings: $f }) { id evaluator } }";

async fn new_sme(app: &TestApp, twelve: &str) -> Value {
    let desk = app.token("desk@jst", "jst", &[Role::Evaluator, Role::OrgAdmin]);
    let number = iin_api::domain::corporate_number::with_check_digit(twelve);
    let body = app
        .graphql_as(&desk, CREATE_SME, json!({ "n": number, "k": twelve }))
        .await
        .json();
    body["data"]["createSme"]["id"].clone()
}

#[tokio::test]
async fn a_replay_checks_the_callers_rights_and_is_audited_first() {
    let app = TestApp::spawn().await;
    let sme = new_sme(&app, "300000000101").await;
    let evaluator = app.token("ito@jst", "jst", &[Role::Evaluator]);
    let variables = json!({ "sme": sme, "k": "eval-1", "f": "first" });
    let first = app
        .data_as_with(&evaluator, CREATE_EVALUATION, variables.clone())
        .await;
    let again = app
        .data_as_with(&evaluator, CREATE_EVALUATION, variables.clone())
        .await;
    assert_eq!(first, again, "a retry replays the first answer");

    // The same subject, without the evaluator role any more, is refused.
    let demoted = app.token("ito@jst", "jst", &[Role::Member]);
    let refused = app
        .graphql_as(&demoted, CREATE_EVALUATION, variables.clone())
        .await
        .json();
    assert_eq!(error_code_and_field(&refused).0, "FORBIDDEN", "{refused:#}");
    assert!(refused["data"].is_null(), "{refused:#}");

    let network = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let log = app
        .data_as(
            &network,
            r#"{ auditLog(first: 10, filter: { operation: "createEvaluation" }) {
                 nodes { subject roles outcome } } }"#,
        )
        .await;
    assert_eq!(
        log["auditLog"]["nodes"],
        json!([
            { "subject": "ito@jst", "roles": ["member"], "outcome": "FORBIDDEN" },
            { "subject": "ito@jst", "roles": ["evaluator"], "outcome": "REPLAYED" },
            { "subject": "ito@jst", "roles": ["evaluator"], "outcome": "SUCCEEDED" },
        ]),
        "newest first"
    );
}

#[tokio::test]
async fn another_callers_key_of_the_same_name_is_another_key() {
    let app = TestApp::spawn().await;
    let sme = new_sme(&app, "300000000102").await;
    let ito = app.token("ito@jst", "jst", &[Role::Evaluator]);
    let abe = app.token("abe@jst", "jst", &[Role::Evaluator]);
    let same = json!({ "sme": sme, "k": "shared-key", "f": "notes" });
    let of_ito = app
        .data_as_with(&ito, CREATE_EVALUATION, same.clone())
        .await;
    // The same key and input from a colleague: their own evaluation, not Ito's answer.
    let of_abe = app
        .data_as_with(&abe, CREATE_EVALUATION, same.clone())
        .await;
    assert_eq!(of_ito["createEvaluation"]["evaluator"], "ito@jst");
    assert_eq!(of_abe["createEvaluation"]["evaluator"], "abe@jst");
    assert_ne!(
        of_ito["createEvaluation"]["id"],
        of_abe["createEvaluation"]["id"]
    );
    // Other input with the colleague's key name is no conflict either.
    let ueda = app.token("ueda@jst", "jst", &[Role::Evaluator]);
    let other = json!({ "sme": sme, "k": "shared-key", "f": "other notes" });
    let of_ueda = app.data_as_with(&ueda, CREATE_EVALUATION, other).await;
    assert_eq!(of_ueda["createEvaluation"]["evaluator"], "ueda@jst");
    // Each still replays their own.
    assert_eq!(
        app.data_as_with(&abe, CREATE_EVALUATION, same).await,
        of_abe
    );
}

// ---------------------------------------------------------------- start-up

/// Settings for an instance on `url`, as the harness makes them.
fn settings_on(url: &str) -> iin_api::Settings {
    let mut settings = iin_api::Settings::from_lookup(|_| None).expect("default settings");
    settings.workers = 1;
    settings.shutdown_timeout = Duration::from_secs(1);
    settings.auth.jwt_secret = Some(iin_tests::TEST_SECRET.to_owned());
    settings.auth.algorithms = vec![jsonwebtoken::Algorithm::HS256];
    settings.listen = "127.0.0.1:0".parse().expect("an address");
    settings.database.url = url.to_owned();
    settings.database.max_connections = 5;
    settings
}

async fn seeded_rows(db: &sea_orm::DatabaseConnection) -> [u64; 3] {
    use sea_orm::{EntityTrait, PaginatorTrait};
    [
        entity::organization::Entity::find()
            .count(db)
            .await
            .unwrap(),
        entity::cluster_project::Entity::find()
            .count(db)
            .await
            .unwrap(),
        entity::tie_up::Entity::find().count(db).await.unwrap(),
    ]
}

#[tokio::test]
#[ignore = "PostgreSQL only: run with IIN_TEST_POSTGRES_URL set and --include-ignored, as .ci/run does"]
async fn instances_started_together_on_an_empty_database_migrate_and_seed_it_once() {
    // One process serves a SQLite database.
    iin_tests::require_postgres();
    let (database, url) = iin_tests::TestDatabase::create().await;
    let (a, b, c) = tokio::join!(
        iin_api::Application::build(settings_on(&url)),
        iin_api::Application::build(settings_on(&url)),
        iin_api::Application::build(settings_on(&url)),
    );
    let mut handles = Vec::new();
    for app in [a, b, c] {
        let app = app.expect("every instance starts");
        let address = format!("http://127.0.0.1:{}/readyz", app.port());
        handles.push(app.handle());
        tokio::spawn(app.run_until_stopped());
        let ready = reqwest::get(&address).await.expect("the instance answers");
        assert_eq!(ready.status(), 200, "{address} is ready");
    }
    let db = sea_orm::Database::connect(&url).await.unwrap();
    let single = TestApp::spawn().await;
    assert_eq!(
        seeded_rows(&db).await,
        seeded_rows(&single.db).await,
        "the seed exists once"
    );
    for handle in handles {
        handle.stop(false).await;
    }
    db.close().await.ok();
    drop(database);
}

// ---------------------------------------------------------------- events

#[tokio::test]
#[ignore = "PostgreSQL only: run with IIN_TEST_POSTGRES_URL set and --include-ignored, as .ci/run does"]
async fn an_event_committed_while_the_listener_reconnects_still_arrives() {
    // SQLite's events never leave the process.
    iin_tests::require_postgres();
    let app = TestApp::spawn().await;
    use sea_orm::ConnectionTrait;
    let sme = new_sme(&app, "300000000103").await;
    let member = app.token("listener@jst", "jst", &[Role::Member]);
    let mut socket = subscribed(&app, &member).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let terminated = app
        .db
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{}' AND datname = current_database()",
            iin_api::domain::events::LISTENER_NAME
        ))
        .await
        .unwrap();
    assert_eq!(terminated.rows_affected(), 1, "one listener per instance");
    // At once, while the listener is away.
    let evaluator = app.token("ito@jst", "jst", &[Role::Evaluator]);
    let created = app
        .data_as_with(
            &evaluator,
            CREATE_EVALUATION,
            json!({ "sme": sme, "k": "while-away", "f": null }),
        )
        .await;
    let heard = ws::receive(&mut socket).await;
    assert_eq!(heard["type"], "next", "{heard:#}");
    assert_eq!(
        heard["payload"]["data"]["evaluationChanged"],
        json!({ "evaluationId": created["createEvaluation"]["id"], "status": "DRAFT", "version": 1, "change": "created" })
    );
    // And only once.
    assert!(
        tokio::time::timeout(Duration::from_millis(1500), socket.next())
            .await
            .is_err(),
        "no second delivery"
    );
}
