//! Persisted queries (Apollo APQ), shared by every instance through the database, and the
//! safelist in which only registered operations run.

use iin_api::domain::persisted;
use iin_tests::{TestApp, error_parts};
use serde_json::{Value, json};

const QUERY: &str = r#"{ organization(code: "jetro") { nameEn } }"#;

fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn send(app: &TestApp, query: Option<&str>, extensions: Value) -> Value {
    let mut body = json!({ "extensions": extensions });
    if let Some(query) = query {
        body["query"] = json!(query);
    }
    app.post(&[("content-type", "application/json")], body.to_string())
        .await
        .json()
}

#[tokio::test]
async fn a_hash_alone_runs_once_the_document_is_known_on_every_instance() {
    let app = TestApp::spawn().await;
    let hash = persisted::hash(QUERY);
    let unknown = send(&app, None, apq(&hash)).await;
    let (code, _, message) = error_parts(&unknown);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
    );

    let registered = send(&app, Some(QUERY), apq(&hash)).await;
    assert_eq!(
        registered["data"]["organization"]["nameEn"],
        "Japan External Trade Organization"
    );
    let by_hash = send(&app, None, apq(&hash)).await;
    assert_eq!(by_hash, registered);

    // Another instance on the same database knows it too, and a GET by hash is cacheable.
    let other = app.spawn_beside().await;
    assert_eq!(send(&other, None, apq(&hash)).await, registered);
    let extensions = apq(&hash).to_string();
    let path = format!("/graphql?extensions={}", url_encode(&extensions));
    let get = other.get(&path, &[]).await;
    assert_eq!(get.status, 200, "{}", get.text);
    assert!(get.headers.get("etag").is_some());

    let mismatch = send(&app, Some("{ network { nameEn } }"), apq(&hash)).await;
    assert_eq!(error_parts(&mismatch).0, "BAD_REQUEST");
    let malformed = send(
        &app,
        None,
        json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } }),
    )
    .await;
    assert_eq!(error_parts(&malformed).0, "BAD_REQUEST");
}

#[tokio::test]
async fn with_the_safelist_on_only_registered_operations_run() {
    let app = TestApp::spawn_with(|s| s.http.safelist = true).await;
    let ad_hoc = app.graphql(QUERY, json!({})).await;
    assert_eq!(error_parts(&ad_hoc).0, "OPERATION_NOT_ALLOWED");
    let hash = persisted::hash(QUERY);
    let self_registered = send(&app, Some(QUERY), apq(&hash)).await;
    assert_eq!(
        error_parts(&self_registered).0,
        "OPERATION_NOT_ALLOWED",
        "clients cannot add to a safelist"
    );

    assert_eq!(persisted::register(&app.db, QUERY).await.unwrap(), hash);
    assert_eq!(
        app.data(QUERY, json!({})).await["organization"]["nameEn"],
        "Japan External Trade Organization"
    );
    assert_eq!(
        send(&app, None, apq(&hash)).await["data"]["organization"]["nameEn"],
        "Japan External Trade Organization"
    );
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
