//! Institutions edit their own profile, network admins manage the directory, and every attempt
//! lands in the audit log, which nobody can alter.

use iin_api::auth::Role;
use iin_tests::{TestApp, error_code_and_field};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const UPDATE: &str = "mutation($id: ID!, $input: UpdateOrganizationInput!) {
  updateOrganization(id: $id, input: $input) { code websiteUrl descriptionEn contact { name email phone } } }";

#[tokio::test]
async fn an_org_admin_edits_its_profile_and_members_see_the_contact() {
    let app = TestApp::spawn().await;
    let aist = app.organization_id("aist").await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let input = json!({
        "websiteUrl": "https://www.aist.go.jp",
        "descriptionEn": "  Transfer of industrial technology.  ",
        "contactName": "Industry liaison office",
        "contactEmail": "liaison@aist.go.jp",
        "contactPhone": "+81 3-5501-0900",
    });
    let reply = app
        .graphql_as(&admin, UPDATE, json!({ "id": aist, "input": input }))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["data"]["updateOrganization"],
        json!({ "code": "aist", "websiteUrl": "https://www.aist.go.jp/", "descriptionEn": "Transfer of industrial technology.",
                "contact": { "name": "Industry liaison office", "email": "liaison@aist.go.jp", "phone": "+81 3-5501-0900" } })
    );

    // A member elsewhere reads the contact; the public reads the profile only.
    let member = app.token("sato@jetro", "jetro", &[Role::Member]);
    let reply = app
        .graphql_as(
            &member,
            r#"{ organization(code: "aist") { contact { email } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        reply.json()["data"]["organization"]["contact"]["email"],
        "liaison@aist.go.jp"
    );
    let public = app
        .data(
            r#"{ organization(code: "aist") { websiteUrl } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        public["organization"]["websiteUrl"],
        "https://www.aist.go.jp/"
    );

    // Omitted fields stay; null and blank clear.
    let reply = app
        .graphql_as(
            &admin,
            UPDATE,
            json!({ "id": aist, "input": { "websiteUrl": null, "contactPhone": "" } }),
        )
        .await;
    let after = &reply.json()["data"]["updateOrganization"];
    assert_eq!(after["websiteUrl"], Value::Null);
    assert_eq!(after["descriptionEn"], "Transfer of industrial technology.");
    assert_eq!(
        after["contact"],
        json!({ "name": "Industry liaison office", "email": "liaison@aist.go.jp", "phone": null })
    );
}

#[tokio::test]
async fn bad_profile_input_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let aist = app.organization_id("aist").await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    for (input, field) in [
        (
            json!({ "websiteUrl": "javascript:alert(1)" }),
            "input.websiteUrl",
        ),
        (
            json!({ "websiteUrl": "https://user:pw@aist.go.jp/" }),
            "input.websiteUrl",
        ),
        (
            json!({ "contactEmail": "not-an-address" }),
            "input.contactEmail",
        ),
        (json!({ "contactPhone": "call us" }), "input.contactPhone"),
        (
            json!({ "descriptionJa": "あ".repeat(2001) }),
            "input.descriptionJa",
        ),
        (
            json!({ "contactName": "x".repeat(201), "websiteUrl": "https://ok.example/" }),
            "input.contactName",
        ),
    ] {
        let reply = app
            .graphql_as(&admin, UPDATE, json!({ "id": aist, "input": input }))
            .await;
        assert_eq!(
            error_code_and_field(&reply.json()),
            ("BAD_USER_INPUT".to_owned(), field.to_owned()),
            "{input}"
        );
    }
    let unchanged = app
        .data(
            r#"{ organization(code: "aist") { websiteUrl } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        unchanged["organization"]["websiteUrl"],
        Value::Null,
        "a refused update writes nothing"
    );

    // Without the right, the input's validity is not even looked at.
    let other = app.token("sato@jetro", "jetro", &[Role::OrgAdmin]);
    let reply = app
        .graphql_as(
            &other,
            UPDATE,
            json!({ "id": aist, "input": { "websiteUrl": "nope" } }),
        )
        .await;
    assert_eq!(error_code_and_field(&reply.json()).0, "FORBIDDEN");

    // A well-formed ID of nothing, and an ID of another type.
    let network = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let reply = app
        .graphql_as(
            &network,
            UPDATE,
            json!({ "id": "T3JnYW5pemF0aW9uOjk5OTk5", "input": {} }),
        )
        .await;
    assert_eq!(error_code_and_field(&reply.json()).0, "NOT_FOUND");
    let project = app
        .data(
            r#"{ clusterProject(code: "kansai-bio") { id } }"#,
            json!({}),
        )
        .await;
    let reply = app
        .graphql_as(
            &network,
            UPDATE,
            json!({ "id": project["clusterProject"]["id"], "input": {} }),
        )
        .await;
    assert_eq!(
        error_code_and_field(&reply.json()),
        ("BAD_USER_INPUT".to_owned(), "id".to_owned())
    );
}

const CREATE: &str = "mutation($input: CreateOrganizationInput!, $key: String!) {
  createOrganization(idempotencyKey: $key, input: $input) { id code nameJa kind membership prefecture { code } bureau websiteUrl } }";

fn new_body(code: &str) -> Value {
    json!({ "code": code, "nameJa": "京都産業技術振興財団", "nameEn": "Kyoto Industrial Technology Foundation",
            "kind": "LOCAL_GOVERNMENT_SUPPORT", "membership": "MEMBER", "prefectureCode": 26,
            "profile": { "websiteUrl": "https://example.kyoto.jp" } })
}

#[tokio::test]
async fn network_admins_add_organisations_and_set_membership() {
    let app = TestApp::spawn().await;
    let network = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let reply = app
        .graphql_as(&network, CREATE, json!({ "input": new_body("kyoto-itf") }))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let created = reply.json()["data"]["createOrganization"].clone();
    assert_eq!(created["code"], "kyoto-itf");
    assert_eq!(created["bureau"], "KINKI");
    assert_eq!(created["websiteUrl"], "https://example.kyoto.jp/");
    let found = app
        .data(
            r#"{ organizations(filter: { search: "産業技術振興" }) { nodes { code } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        found["organizations"]["nodes"],
        json!([{ "code": "kyoto-itf" }])
    );

    let reply = app
        .graphql_as(&network, CREATE, json!({ "input": new_body("kyoto-itf") }))
        .await;
    assert_eq!(
        error_code_and_field(&reply.json()),
        ("CONFLICT".to_owned(), "input.code".to_owned())
    );
    for (patch, field) in [
        (json!({ "code": "Kyoto ITF" }), "input.code"),
        (json!({ "prefectureCode": 0 }), "input.prefectureCode"),
        (json!({ "nameEn": "   " }), "input.nameEn"),
        (
            json!({ "abbreviation": "x".repeat(41) }),
            "input.abbreviation",
        ),
        (
            json!({ "profile": { "contactEmail": "nobody" } }),
            "input.profile.contactEmail",
        ),
    ] {
        let mut body = new_body("kyoto-other");
        for (key, value) in patch.as_object().unwrap() {
            body[key] = value.clone();
        }
        let reply = app
            .graphql_as(&network, CREATE, json!({ "input": body }))
            .await;
        assert_eq!(
            error_code_and_field(&reply.json()),
            ("BAD_USER_INPUT".to_owned(), field.to_owned()),
            "{patch}"
        );
    }

    let reply = app
        .graphql_as(
            &network,
            "mutation($id: ID!) { setOrganizationMembership(id: $id, membership: COOPERATING) { membership } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(
        reply.json()["data"]["setOrganizationMembership"]["membership"],
        "COOPERATING"
    );
}

const LOG: &str = "query($filter: AuditLogFilter) { auditLog(first: 50, filter: $filter) {
  totalCount nodes { id subject institutionCode roles operation target outcome occurredAt } } }";

#[tokio::test]
async fn every_attempt_is_in_the_audit_log_newest_first() {
    let app = TestApp::spawn().await;
    let aist = app.organization_id("aist").await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin, Role::Evaluator]);
    let stranger = app.token("sato@jetro", "jetro", &[Role::OrgAdmin]);
    let network = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let anonymous =
        json!({ "query": UPDATE, "variables": { "id": aist, "input": {} } }).to_string();

    app.graphql_as(
        &admin,
        UPDATE,
        json!({ "id": aist, "input": { "descriptionEn": "ok" } }),
    )
    .await;
    app.graphql_as(
        &stranger,
        UPDATE,
        json!({ "id": aist, "input": { "descriptionEn": "no" } }),
    )
    .await;
    app.post(&[("content-type", "application/json")], anonymous)
        .await;
    app.graphql_as(
        &admin,
        UPDATE,
        json!({ "id": aist, "input": { "websiteUrl": "bad" } }),
    )
    .await;

    let reply = app
        .graphql_as(
            &network,
            LOG,
            json!({ "filter": { "operation": "updateOrganization" } }),
        )
        .await;
    let log = reply.json()["data"]["auditLog"].clone();
    assert_eq!(log["totalCount"], 4);
    let entries: Vec<_> = log["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["subject"].clone(),
                e["institutionCode"].clone(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                json!("kato@aist"),
                json!("aist"),
                "BAD_USER_INPUT".to_owned()
            ),
            (Value::Null, Value::Null, "UNAUTHENTICATED".to_owned()),
            (json!("sato@jetro"), json!("jetro"), "FORBIDDEN".to_owned()),
            (json!("kato@aist"), json!("aist"), "SUCCEEDED".to_owned()),
        ],
        "newest first"
    );
    let first = &log["nodes"][3];
    assert_eq!(first["roles"], json!(["evaluator", "org_admin"]));
    assert_eq!(first["target"], aist);
    assert!(
        first["occurredAt"].as_str().unwrap().ends_with('Z')
            || first["occurredAt"].as_str().unwrap().contains('+')
    );

    let refused = app
        .graphql_as(
            &network,
            LOG,
            json!({ "filter": { "outcome": "FORBIDDEN" } }),
        )
        .await;
    assert_eq!(refused.json()["data"]["auditLog"]["totalCount"], 1);
    let jetro = app
        .graphql_as(
            &network,
            LOG,
            json!({ "filter": { "institutionCode": "jetro" } }),
        )
        .await;
    assert_eq!(jetro.json()["data"]["auditLog"]["totalCount"], 1);
    let future = app
        .graphql_as(
            &network,
            LOG,
            json!({ "filter": { "since": "2100-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(future.json()["data"]["auditLog"]["totalCount"], 0);
    let backwards = app
        .graphql_as(&network, LOG, json!({ "filter": { "since": "2030-01-01T00:00:00Z", "until": "2020-01-01T00:00:00Z" } }))
        .await;
    assert_eq!(
        error_code_and_field(&backwards.json()),
        ("BAD_USER_INPUT".to_owned(), "filter.until".to_owned())
    );
}

#[tokio::test]
async fn nobody_can_alter_the_audit_log() {
    let app = TestApp::spawn().await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let aist = app.organization_id("aist").await;
    app.graphql_as(&admin, UPDATE, json!({ "id": aist, "input": {} }))
        .await;
    for statement in [
        "UPDATE audit_log SET outcome = 'FORGED'",
        "DELETE FROM audit_log",
    ] {
        let refused = app.db.execute_unprepared(statement).await;
        assert!(
            refused.is_err(),
            "{statement} must be refused by the database"
        );
    }
    let network = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let reply = app.graphql_as(&network, LOG, json!({})).await;
    assert_eq!(
        reply.json()["data"]["auditLog"]["nodes"][0]["outcome"],
        "SUCCEEDED"
    );
}
