//! Bad input gets a coded error naming the field; a server fault never shows its internals.

use iin_tests::{TestApp, assert_bad_input, only_error};
use sea_orm::ConnectionTrait;
use serde_json::json;

#[tokio::test]
async fn bad_filters_and_ids_name_the_field() {
    let app = TestApp::spawn().await;
    let q = "query($f: OrganizationFilter) { organizations(filter: $f) { totalCount } }";
    assert_bad_input(
        &app.graphql(q, json!({ "f": { "prefectureCode": 48 } }))
            .await,
        "filter.prefectureCode",
    );
    assert_bad_input(
        &app.graphql(q, json!({ "f": { "prefectureCode": 0 } }))
            .await,
        "filter.prefectureCode",
    );
    assert_bad_input(
        &app.graphql(q, json!({ "f": { "search": "   " } })).await,
        "filter.search",
    );
    assert_bad_input(
        &app.graphql(q, json!({ "f": { "search": "x".repeat(101) } }))
            .await,
        "filter.search",
    );

    let t = "query($c: String) { tieUps(filter: { country: $c }) { totalCount } }";
    assert_bad_input(
        &app.graphql(t, json!({ "c": "de" })).await,
        "filter.country",
    );
    assert_bad_input(
        &app.graphql(t, json!({ "c": "DEU" })).await,
        "filter.country",
    );

    assert_bad_input(
        &app.graphql(r#"{ node(id: "garbage") { id } }"#, json!({}))
            .await,
        "id",
    );
    assert_bad_input(
        &app.graphql(r#"{ organization(id: "42") { code } }"#, json!({}))
            .await,
        "id",
    );
    assert_bad_input(
        &app.graphql(r#"{ organization { code } }"#, json!({})).await,
        "id",
    );
    assert_bad_input(
        &app.graphql(
            r#"{ organization(id: "x", code: "aist") { code } }"#,
            json!({}),
        )
        .await,
        "code",
    );

    // The ID of a project is not the ID of an organisation.
    let data = app
        .data(
            r#"{ clusterProject(code: "kansai-bio") { id } }"#,
            json!({}),
        )
        .await;
    let body = app
        .graphql(
            "query($id: ID) { organization(id: $id) { code } }",
            json!({ "id": data["clusterProject"]["id"] }),
        )
        .await;
    assert_bad_input(&body, "id");
}

#[tokio::test]
async fn a_database_fault_answers_a_fixed_message_without_sql() {
    let app = TestApp::spawn().await;
    app.db
        .execute_unprepared("DROP TABLE tie_ups")
        .await
        .expect("drop a table under the server");
    let reply = app
        .post(
            &[("content-type", "application/json")],
            json!({ "query": "{ tieUps { totalCount } }" }).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let error = only_error(&body);
    assert_eq!(error["extensions"]["code"], "INTERNAL_SERVER_ERROR");
    assert_eq!(error["message"], "internal error");
    let text = reply.text.to_lowercase();
    for leak in ["tie_ups", "select", "sqlite", "relation", "no such table"] {
        assert!(
            !text.contains(leak),
            "the reply leaks {leak:?}: {}",
            reply.text
        );
    }
    // The rest of the directory still answers.
    let data = app
        .data(r#"{ organization(code: "aist") { code } }"#, json!({}))
        .await;
    assert_eq!(data["organization"]["code"], "aist");
}
