//! Requests that would cost too much are refused before they run, with a clear code.

use std::time::Duration;

use iin_api::auth::Role;
use iin_tests::{TestApp, error_parts};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

#[tokio::test]
async fn oversized_documents_are_refused_before_parsing_or_running() {
    let app = TestApp::spawn_with(|s| {
        s.http.limits.max_tokens = 50;
        s.http.limits.max_aliases = 3;
    })
    .await;
    let long = format!("{{ {} }}", "network { nameEn } ".repeat(20));
    let (code, _, message) = error_parts(&app.graphql(&long, json!({})).await);
    assert_eq!(code, "QUERY_TOO_LARGE");
    assert!(message.contains("50 tokens"), "{message}");

    let aliased = "{ a: network { nameEn } b: network { nameEn } c: network { nameEn } d: network { nameEn } }";
    let (code, _, message) = error_parts(&app.graphql(aliased, json!({})).await);
    assert_eq!(code, "QUERY_TOO_LARGE");
    assert!(message.contains("3 aliases"), "{message}");

    let fine = app
        .graphql("{ a: network { nameEn } b: network { nameEn } }", json!({}))
        .await;
    assert!(fine.get("errors").is_none(), "{fine:#}");
}

#[tokio::test]
async fn depth_and_connection_weighted_complexity_are_bounded() {
    let app = TestApp::spawn_with(|s| {
        s.http.limits.max_depth = 6;
        s.http.limits.max_complexity = 500;
    })
    .await;
    let deep = "{ organizations { nodes { clusterParticipations { project { tieUps { project { participants { role } } } } } } } }";
    let reply = app
        .post(
            &[
                ("content-type", "application/json"),
                ("accept", "application/graphql-response+json"),
            ],
            json!({ "query": deep }).to_string(),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(error_parts(&reply.json()).0, "QUERY_TOO_DEEP");

    // A page of 100 costs a hundred times its selection; the same selection on 5 rows passes.
    let page = |n: i32| {
        format!(
            "{{ organizations(first: {n}) {{ nodes {{ code nameEn nameJa kind membership bureau }} }} }}"
        )
    };
    let (code, _, _) = error_parts(&app.graphql(&page(100), json!({})).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    let small = app.graphql(&page(5), json!({})).await;
    assert!(small.get("errors").is_none(), "{small:#}");
    // `last` counts the same, and so does the default page.
    let (code, _, _) = error_parts(
        &app.graphql(&page(100).replace("first", "last"), json!({}))
            .await,
    );
    assert_eq!(code, "QUERY_TOO_COMPLEX");
}

#[tokio::test]
async fn the_defaults_admit_real_queries() {
    let app = TestApp::spawn().await;
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let heavy = r#"{ organizations(first: 100) { totalCount edges { cursor node { code
        clusterParticipations { role project { code tieUps { foreignPartner country { nameEn } } participants { organization { code } } } }
        coordinators { nameEn awards { status renewal { continuingEducation { missing } } } } } } } }"#;
    let body = app.graphql_as(&member, heavy, json!({})).await.json();
    assert!(body.get("errors").is_none(), "{body:#}");
}

#[tokio::test]
async fn execution_has_a_deadline() {
    let app = TestApp::spawn_with(|s| s.http.limits.timeout = Duration::from_millis(300)).await;
    // Hold a write on AIST's row, so that an update of it must wait (far) past the deadline.
    let (blocker, update) = app.hold_aist().await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let reply = app
        .graphql_as(
            &admin,
            update["query"].as_str().unwrap(),
            update["variables"].clone(),
        )
        .await;
    blocker.rollback().await.unwrap();
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(error_parts(&reply.json()).0, "TIMEOUT");
}

#[tokio::test]
async fn introspection_can_be_closed_to_anonymous_callers() {
    let app = TestApp::spawn_with(|s| s.http.limits.introspection_for_anonymous = false).await;
    let query = "{ __schema { queryType { name } } }";
    // Closed introspection answers nothing about the schema.
    let anonymous = app.graphql(query, json!({})).await;
    assert_eq!(anonymous, json!({ "data": { "__schema": null } }));
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let reply = app.graphql_as(&member, query, json!({})).await.json();
    assert_eq!(reply["data"]["__schema"]["queryType"]["name"], "Query");
    // The public API still answers.
    assert!(
        app.graphql("{ network { nameEn } }", json!({}))
            .await
            .get("errors")
            .is_none()
    );
}

async fn post(app: &TestApp, body: serde_json::Value) -> iin_tests::Reply {
    app.post(
        &[
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ],
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn batches_run_in_order_up_to_the_configured_size() {
    let one = json!({ "query": "{ organization(code: \"aist\") { code } }" });
    let two = json!({ "query": "{ organization(code: \"jst\") { code } }" });

    // By default a batch holds one operation.
    let app = TestApp::spawn().await;
    let reply = post(&app, json!([one.clone(), two.clone()])).await;
    assert_eq!(reply.status, 400);
    let (code, _, message) = error_parts(&reply.json());
    assert_eq!(code, "BATCH_TOO_LARGE");
    assert!(message.contains("at most 1 "), "{message}");
    let reply = post(&app, json!([one.clone()])).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!([{ "data": { "organization": { "code": "aist" } } }])
    );

    let app = TestApp::spawn_with(|s| s.http.limits.max_batch_size = 3).await;
    let before = app.statements().await;
    let reply = post(
        &app,
        json!([one.clone(), two.clone(), one.clone(), two.clone()]),
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(error_parts(&reply.json()).0, "BATCH_TOO_LARGE");
    assert_eq!(
        app.statements().await,
        before,
        "a refused batch runs nothing"
    );

    // Each answer stands on its own, in the order sent; one failing does not fail the others.
    let bad = json!({ "query": "{ organization(code: \"aist\") { nope } }" });
    let reply = post(&app, json!([two, bad, one])).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let answers = reply.json();
    assert_eq!(answers[0]["data"]["organization"]["code"], "jst");
    assert_eq!(
        answers[1]["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(answers[2]["data"]["organization"]["code"], "aist");
    assert_eq!(reply.headers["cache-control"], "no-store");

    let reply = post(&app, json!([])).await;
    assert_eq!(reply.status, 400);
    let reply = post(&app, json!([{ "query": 1 }])).await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn operations_beyond_the_concurrency_limit_wait_their_turn() {
    for limit in [1, 2] {
        let app = TestApp::spawn_with(|s| s.http.limits.max_concurrent_operations = limit).await;
        let aist = app
            .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
            .await["organization"]["id"]
            .clone();
        let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
        // A held write on AIST's row keeps an update of it executing until the hold ends.
        let blocker = app.db.begin().await.unwrap();
        blocker
            .execute_unprepared(
                "UPDATE organizations SET description_en = 'held' WHERE code = 'aist'",
            )
            .await
            .unwrap();
        let held = app.graphql_as(
            &admin,
            r#"mutation($id: ID!) { updateOrganization(id: $id, input: { descriptionEn: "after" }) { id } }"#,
            json!({ "id": aist }),
        );
        let second = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let query = app.graphql("{ network { nameEn } }", json!({}));
            tokio::pin!(query);
            let early = tokio::time::timeout(Duration::from_millis(700), &mut query)
                .await
                .ok();
            // What operators see meanwhile: the held operation runs; with one turn, the second
            // waits.
            let metrics = app.get("/metrics", &[]).await.text;
            let gauge = |name: &str| {
                metrics
                    .lines()
                    .find_map(|line| line.strip_prefix(name)?.trim().parse::<i64>().ok())
            };
            let waiting = if limit == 1 { 1 } else { 0 };
            assert_eq!(
                gauge("iin_graphql_operations_running "),
                Some(1),
                "{metrics}"
            );
            assert_eq!(
                gauge("iin_graphql_operations_waiting "),
                Some(waiting),
                "{metrics}"
            );
            blocker.rollback().await.unwrap();
            match early {
                Some(reply) => (true, reply),
                None => (false, query.await),
            }
        };
        let (held, (answered_early, reply)) = tokio::join!(held, second);

        assert_eq!(held.status, 200, "{}", held.text);
        assert!(held.json().get("errors").is_none(), "{}", held.text);
        assert!(reply.get("errors").is_none(), "{reply:#}");
        assert_eq!(
            reply["data"]["network"]["nameEn"],
            "Innovation Initiative Network Japan"
        );
        if limit == 1 {
            assert!(
                !answered_early,
                "with one turn, a second operation ran beside the first"
            );
        } else {
            assert!(
                answered_early,
                "with two turns, the second operation waited"
            );
        }
    }
}
