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

/// A gauge or counter of `/metrics`.
async fn metric(app: &TestApp, name: &str) -> Option<i64> {
    let text = app.get("/metrics", &[]).await.text;
    text.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

#[tokio::test]
async fn only_documents_that_pass_every_limit_are_stored() {
    let app = TestApp::spawn_with(|s| {
        s.http.limits.max_tokens = 40;
        s.http.limits.max_aliases = 1;
        s.http.limits.max_depth = 6;
    })
    .await;
    let long = format!("{{ {} }}", "network { nameEn } ".repeat(10));
    for (document, code) in [
        ("{ network { ", "GRAPHQL_PARSE_FAILED"),
        (long.as_str(), "QUERY_TOO_LARGE"),
        (
            "{ a: network { nameEn } b: network { nameJa } }",
            "QUERY_TOO_LARGE",
        ),
        (
            "{ organizations { nodes { clusterParticipations { project { tieUps { project { participants { role } } } } } } } }",
            "QUERY_TOO_DEEP",
        ),
        ("{ network { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        (
            r#"{ smes(filter: { search: "\u0000" }) { totalCount } }"#,
            "BAD_USER_INPUT",
        ),
    ] {
        let hash = persisted::hash(document);
        let sent = send(&app, Some(document), apq(&hash)).await;
        assert_eq!(error_parts(&sent).0, code, "{document}: {sent:#}");
        let by_hash = send(&app, None, apq(&hash)).await;
        assert_eq!(
            error_parts(&by_hash).0,
            "PERSISTED_QUERY_NOT_FOUND",
            "{document} was stored"
        );
    }
    assert!(
        persisted::find(&app.db, &persisted::hash("{ network { nope } }"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_store_is_bounded_oldest_first_and_keeps_the_safelist() {
    let documents: Vec<String> = (1..=4)
        .map(|n| format!("{{ organizations(first: {n}) {{ totalCount }} }}"))
        .collect();
    let size = documents[0].len();
    for (by_count, adjust) in [
        (
            true,
            Box::new(|s: &mut iin_api::Settings| s.http.apq.max_entries = 2)
                as Box<dyn FnOnce(&mut iin_api::Settings)>,
        ),
        (
            false,
            Box::new(move |s: &mut iin_api::Settings| s.http.apq.max_bytes = 2 * size + 1),
        ),
    ] {
        let app = TestApp::spawn_with(adjust).await;
        // A safelisted document is never evicted, and does not count.
        persisted::register(&app.db, QUERY).await.unwrap();
        for document in &documents {
            let stored = send(&app, Some(document), apq(&persisted::hash(document))).await;
            assert!(stored.get("errors").is_none(), "{stored:#}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        for (i, document) in documents.iter().enumerate() {
            let by_hash = send(&app, None, apq(&persisted::hash(document))).await;
            if i < 2 {
                assert_eq!(
                    error_parts(&by_hash).0,
                    "PERSISTED_QUERY_NOT_FOUND",
                    "by count {by_count}: the oldest, {document}, was evicted"
                );
            } else {
                assert!(by_hash.get("errors").is_none(), "{by_hash:#}");
            }
        }
        assert_eq!(
            send(&app, None, apq(&persisted::hash(QUERY))).await["data"]["organization"]["nameEn"],
            "Japan External Trade Organization"
        );
        assert_eq!(metric(&app, "iin_apq_entries").await, Some(2));
        assert_eq!(metric(&app, "iin_apq_bytes").await, Some(2 * size as i64));
        assert_eq!(metric(&app, "iin_apq_evictions_total").await, Some(2));
    }
}
