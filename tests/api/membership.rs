//! Members-only rights follow the membership the directory records: people of a body the network
//! does not record as a member, cooperating or supporting body read what anyone reads, and keep
//! the rights of their roles at their own institution (a scheme issuer's registrar issues its
//! certificates), nothing more.

use std::time::{Duration, Instant};

use iin_api::auth::Role;
use iin_tests::TestApp;
use serde_json::{Value, json};

const MEMBERS_ONLY: &str = "{ awards(first: 1) { totalCount } }";

fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

#[tokio::test]
async fn members_only_reads_follow_the_recorded_membership() {
    let app = TestApp::spawn().await;
    // Nagoya University is named by the source only as a participant: no membership is stated.
    let professor = app.token("prof@nagoya-u", "nagoya-u", &[Role::Member]);
    let refused = app
        .graphql_as(&professor, MEMBERS_ONLY, json!({}))
        .await
        .json();
    assert_eq!(code(&refused), Some("FORBIDDEN"), "{refused:#}");
    // Public reads still answer with the token.
    let public = app
        .graphql_as(
            &professor,
            "{ organization(code: \"nagoya-u\") { membership } }",
            json!({}),
        )
        .await
        .json();
    assert_eq!(public["data"]["organization"]["membership"], "NON_MEMBER");
    // A cooperating body's people read what members read.
    let aist = app.token("kato@aist", "aist", &[Role::Member]);
    let allowed = app.graphql_as(&aist, MEMBERS_ONLY, json!({})).await.json();
    assert!(allowed.get("errors").is_none(), "{allowed:#}");

    // Once the network records the university as a member, its people read as members.
    let admin = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let id = public_id(&app, "nagoya-u").await;
    let set = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { setOrganizationMembership(id: $id, membership: MEMBER) { membership } }",
            json!({ "id": id }),
        )
        .await
        .json();
    assert_eq!(
        set["data"]["setOrganizationMembership"]["membership"], "MEMBER",
        "{set:#}"
    );
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let body = app
            .graphql_as(&professor, MEMBERS_ONLY, json!({}))
            .await
            .json();
        if body.get("errors").is_none() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused a second later: {body:#}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn public_id(app: &TestApp, code: &str) -> Value {
    app.data(
        "query($code: String!) { organization(code: $code) { id } }",
        json!({ "code": code }),
    )
    .await["organization"]["id"]
        .clone()
}

#[tokio::test]
async fn an_issuer_outside_the_network_still_issues_its_own_certificates() {
    let app = TestApp::spawn().await;
    let schemes = app
        .data(
            "{ qualificationSchemes(first: 50) { nodes { id code } } }",
            json!({}),
        )
        .await;
    let scheme = schemes["qualificationSchemes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "incubation-manager")
        .unwrap()["id"]
        .clone();
    let coordinator = app
        .data("{ coordinators(first: 1) { nodes { id } } }", json!({}))
        .await["coordinators"]["nodes"][0]["id"]
        .clone();
    let registrar = app.token("registrar@jbia", "jbia", &[Role::Registrar]);
    let body = app
        .graphql_as(
            &registrar,
            "mutation($input: IssueAwardInput!, $key: String!) { issueAward(idempotencyKey: $key, input: $input) { status } }",
            json!({ "input": { "schemeId": scheme, "level": "course-graduate", "coordinatorId": coordinator,
                               "awardedOn": chrono::Utc::now().date_naive().to_string() } }),
        )
        .await
        .json();
    assert_eq!(body["data"]["issueAward"]["status"], "ACTIVE", "{body:#}");
    // …but reads no more than anyone outside the network.
    let refused = app
        .graphql_as(&registrar, MEMBERS_ONLY, json!({}))
        .await
        .json();
    assert_eq!(code(&refused), Some("FORBIDDEN"), "{refused:#}");
}
