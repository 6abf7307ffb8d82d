//! Partner websites' anonymous GET queries are cacheable and revalidate by ETag; nothing that
//! depends on a caller is.

use iin_api::auth::Role;
use iin_tests::TestApp;
use serde_json::json;

const AIST: &str =
    "/graphql?query=%7B%20organization(code%3A%20%22aist%22)%20%7B%20descriptionEn%20%7D%20%7D";

fn header<'a>(reply: &'a iin_tests::Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn anonymous_get_replies_carry_an_etag_and_revalidate_with_304() {
    let app = TestApp::spawn().await;
    let first = app.get(AIST, &[]).await;
    assert_eq!(first.status, 200);
    assert_eq!(header(&first, "cache-control"), "public, max-age=60");
    assert!(header(&first, "vary").contains("Authorization"));
    let etag = header(&first, "etag").to_owned();
    // Weak: it names the JSON, whichever encoding (gzip, brotli, none) carries it.
    assert!(etag.starts_with("W/\"") && etag.len() > 10, "{etag}");

    let again = app.get(AIST, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    assert_eq!(header(&again, "etag"), etag);

    // The reply changes with the data, and so does its validator.
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let id = app
        .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    app.graphql_as(&admin, r#"mutation($id: ID!) { updateOrganization(id: $id, input: { descriptionEn: "Changed" }) { id } }"#, json!({ "id": id }))
        .await;
    let changed = app.get(AIST, &[("if-none-match", &etag)]).await;
    assert_eq!(changed.status, 200);
    assert_ne!(header(&changed, "etag"), etag);
    assert_eq!(
        changed.json()["data"]["organization"]["descriptionEn"],
        "Changed"
    );
}

#[tokio::test]
async fn replies_for_a_caller_or_with_errors_or_by_post_are_not_stored() {
    let app = TestApp::spawn().await;
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let bearer = format!("Bearer {member}");
    let private = app.get(AIST, &[("authorization", &bearer)]).await;
    assert_eq!(private.status, 200);
    assert_eq!(header(&private, "cache-control"), "no-store");
    assert!(header(&private, "etag").is_empty());

    let failed = app
        .get(
            "/graphql?query=%7B%20organizations(first%3A%20500)%20%7B%20totalCount%20%7D%20%7D",
            &[],
        )
        .await;
    assert_eq!(header(&failed, "cache-control"), "no-store");

    let posted = app
        .post(
            &[("content-type", "application/json")],
            json!({ "query": "{ network { nameEn } }" }).to_string(),
        )
        .await;
    assert_eq!(header(&posted, "cache-control"), "no-store");
}
