use std::time::{Duration, Instant};

use iin_tests::{TestApp, error_parts, private_postgres::PrivatePostgres};
use serde_json::json;

#[tokio::test]
async fn liveness_and_readiness_answer_ok() {
    let app = TestApp::spawn().await;
    let live = app.get("/healthz", &[]).await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["status"], "ok");
    let ready = app.get("/readyz", &[]).await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
}

#[tokio::test]
async fn readiness_goes_red_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.clone().close().await.expect("close the pool");
    let ready = app.get("/readyz", &[]).await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["status"], "unavailable");
    // The process itself is still up.
    assert_eq!(app.get("/healthz", &[]).await.status, 200);
}

/// Polls `/readyz` until it answers `status`, for at most `within`.
async fn readiness_becomes(app: &TestApp, status: u16, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let reply = app.get("/readyz", &[]).await;
        if reply.status == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/readyz still answers {} after {within:?}",
            reply.status
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
#[ignore = "PostgreSQL only, with its server binaries (initdb, pg_ctl): run with IIN_TEST_POSTGRES_URL set and --include-ignored, as .ci/run does"]
async fn a_postgresql_restart_turns_readiness_red_then_green_and_the_process_lives_on() {
    iin_tests::require_postgres();
    let server = PrivatePostgres::start()
        .await
        .expect("PostgreSQL's server binaries (initdb, pg_ctl) are installed");
    let app = TestApp::spawn_on(server.url(), |s| {
        s.database.acquire_timeout = Duration::from_millis(500);
        // What is tested is how a request that needs the database fails: the response cache
        // would answer this anonymous read from memory while the database is away.
        s.http.response_cache_mb = 0;
    })
    .await;
    let query = r#"{ organization(code: "aist") { nameEn } }"#;
    assert_eq!(app.get("/readyz", &[]).await.status, 200);
    app.data(query, json!({})).await;

    server.stop().await;
    readiness_becomes(&app, 503, Duration::from_secs(10)).await;
    // Requests fail cleanly while the database is away, and the process stays up.
    let (code, _, message) = error_parts(&app.graphql(query, json!({})).await);
    assert_eq!(code, "SERVICE_UNAVAILABLE", "{message}");
    assert!(!message.to_lowercase().contains("connection"), "{message}");
    assert_eq!(app.get("/healthz", &[]).await.status, 200);

    server.start_again().await;
    readiness_becomes(&app, 200, Duration::from_secs(15)).await;
    let data = app.data(query, json!({})).await;
    assert_eq!(
        data["organization"]["nameEn"],
        "National Institute of Advanced Industrial Science and Technology"
    );
}
