//! What an operator and a partner's browser see: metrics and cross-origin access.

use iin_tests::TestApp;
use serde_json::json;

fn metric(text: &str, line_start: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {line_start} in\n{text}"))
}

#[tokio::test]
async fn metrics_count_requests_latency_errors_and_the_pool() {
    let app = TestApp::spawn().await;
    app.graphql("{ network { nameEn } }", json!({})).await;
    app.data(r#"{ organization(code: "aist") { nameEn } }"#, json!({}))
        .await;
    app.graphql("{ organizations(first: 500) { totalCount } }", json!({}))
        .await;
    app.graphql("{ nope }", json!({})).await;
    let reply = app.get("/metrics", &[]).await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type().starts_with("text/plain"));
    let text = reply.text;
    assert!(
        metric(
            &text,
            r#"iin_http_requests_total{route="/graphql",status="200"}"#
        ) >= 2.0,
        "{text}"
    );
    assert!(
        metric(
            &text,
            r#"iin_http_requests_total{route="/graphql",status="400"}"#
        ) >= 1.0,
        "{text}"
    );
    assert!(
        metric(
            &text,
            r#"iin_http_request_duration_seconds_count{route="/graphql"}"#
        ) >= 3.0
    );
    assert_eq!(
        metric(&text, r#"iin_graphql_errors_total{code="BAD_USER_INPUT"}"#),
        1.0
    );
    assert_eq!(
        metric(
            &text,
            r#"iin_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}"#
        ),
        1.0
    );
    // The lookup read the database; every statement is timed.
    let statements = metric(&text, r#"iin_db_statements_total{outcome="ok"}"#);
    assert!(statements >= 1.0, "{text}");
    assert!(metric(&text, "iin_db_statement_duration_seconds_count") >= statements);
    assert!(metric(&text, "iin_db_pool_connections ") >= 1.0);
    assert!(text.contains("iin_db_pool_idle_connections"));
}

#[tokio::test]
async fn partner_browsers_may_call_from_any_origin_unless_restricted() {
    let open = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let preflight = |app: &TestApp, origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let reply = preflight(&open, "https://www.pref.aichi.jp").await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(
        reply.headers()["access-control-allow-origin"],
        "https://www.pref.aichi.jp"
    );

    let closed =
        TestApp::spawn_with(|s| s.http.cors_origins = vec!["https://partner.example".into()]).await;
    let allowed = preflight(&closed, "https://partner.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://partner.example"
    );
    let refused = preflight(&closed, "https://elsewhere.example")
        .await
        .unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn a_graceful_stop_finishes_requests_in_flight_and_takes_no_new_ones() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = TestApp::spawn().await;
    let aist = app
        .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let admin = app.token("kato@aist", "aist", &[iin_api::auth::Role::OrgAdmin]);
    // A write the mutation must wait for keeps it in flight.
    let blocker = app.db.begin().await.unwrap();
    blocker
        .execute_unprepared("UPDATE organizations SET description_en = 'held' WHERE code = 'aist'")
        .await
        .unwrap();
    let in_flight = tokio::spawn({
        let (url, token, id) = (app.url("/graphql"), admin.clone(), aist.clone());
        async move {
            reqwest::Client::new()
                .post(url)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(json!({ "query": r#"mutation($id: ID!) { updateOrganization(id: $id, input: { descriptionEn: "Finished" }) { descriptionEn } }"#, "variables": { "id": id } }).to_string())
                .send()
                .await
                .expect("the request in flight is answered")
                .text()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let stopping = tokio::spawn(app.handle.stop(true));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let refused = reqwest::Client::new().get(app.url("/healthz")).send().await;
    assert!(
        refused.is_err(),
        "a stopping server takes no new connections"
    );
    blocker.rollback().await.unwrap();
    let answer: serde_json::Value = serde_json::from_str(&in_flight.await.unwrap()).unwrap();
    assert_eq!(
        answer["data"]["updateOrganization"]["descriptionEn"],
        "Finished"
    );
    stopping.await.unwrap();
}
