//! Control characters in string inputs are refused with `BAD_USER_INPUT` naming the argument, on
//! both databases (PostgreSQL's `text` cannot hold NUL; SQLite would match or store it), and a
//! mutation refused for it is audited like any other refusal.

use entity::audit_entry;
use iin_api::auth::Role;
use iin_tests::{TestApp, assert_bad_input};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn a_control_character_in_a_search_or_filter_is_refused() {
    let app = TestApp::spawn().await;
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    for (query, field) in [
        (
            "query($s: String) { smes(filter: { search: $s }) { totalCount } }",
            "filter.search",
        ),
        (
            "query($s: String) { organizations(filter: { search: $s }) { totalCount } }",
            "filter.search",
        ),
        (
            "query($s: String) { tieUps(filter: { country: $s }) { totalCount } }",
            "filter.country",
        ),
        (
            "query($s: String) { organization(code: $s) { id } }",
            "code",
        ),
    ] {
        for text in ["\u{0}", "a\u{0}b", "\u{1b}[2J", "tab\there", "line\nbreak"] {
            let reply = app.graphql_as(&member, query, json!({ "s": text })).await;
            assert_bad_input(&reply.json(), field);
        }
    }
    // Written in the document, the same.
    let body = app
        .graphql(
            r#"{ smes(filter: { search: "\u0000" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_bad_input(&body, "filter.search");
    // Ordinary text, Japanese included, still searches.
    let body = app
        .graphql(
            r#"{ organizations(filter: { search: "産業" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
}

#[tokio::test]
async fn long_texts_may_break_lines_and_refused_mutations_are_audited() {
    let app = TestApp::spawn().await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let aist = app
        .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let update = r#"mutation($id: ID!, $input: UpdateOrganizationInput!) {
        updateOrganization(id: $id, input: $input) { id descriptionEn } }"#;
    let refusals = || async {
        audit_entry::Entity::find()
            .filter(audit_entry::Column::Operation.eq("updateOrganization"))
            .filter(audit_entry::Column::Outcome.eq("BAD_USER_INPUT"))
            .count(&app.db)
            .await
            .unwrap()
    };

    let fine = app
        .graphql_as(
            &admin,
            update,
            json!({ "id": aist, "input": { "descriptionEn": "First line.\r\nSecond\tline." } }),
        )
        .await
        .json();
    assert!(fine.get("errors").is_none(), "{fine:#}");
    assert_eq!(
        fine["data"]["updateOrganization"]["descriptionEn"],
        "First line.\r\nSecond\tline."
    );

    for (input, field) in [
        (
            json!({ "descriptionEn": "nul \u{0} inside" }),
            "input.descriptionEn",
        ),
        (
            json!({ "descriptionJa": "bell \u{7}" }),
            "input.descriptionJa",
        ),
        (json!({ "contactName": "two\nlines" }), "input.contactName"),
    ] {
        let before = refusals().await;
        let reply = app
            .graphql_as(&admin, update, json!({ "id": aist, "input": input }))
            .await;
        assert_ne!(reply.status, 500);
        assert_bad_input(&reply.json(), field);
        assert_eq!(
            refusals().await,
            before + 1,
            "{field}: the refusal is audited"
        );
    }
    let unchanged = app
        .data(
            r#"{ organization(code: "aist") { descriptionEn } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        unchanged["organization"]["descriptionEn"],
        "First line.\r\nSecond\tline."
    );
}
