//! Publication consent of an SME is set or cleared only by the institution that registered the
//! SME (its org admins) or a network admin: never through another institution's evaluation, not
//! even its own draft of that SME. Every attempt is audited.

use entity::{audit_entry, sme};
use iin_api::{auth::Role, domain::corporate_number::with_check_digit};
use iin_tests::{COMPLETE_SCORES, TestApp, error_parts};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const CONSENT: &str = "mutation($id: ID!, $c: Boolean!) { recordPublicationConsent(smeId: $id, consent: $c) { publicationConsent } }";

async fn consent_of(app: &TestApp, corporate_number: &str) -> bool {
    sme::Entity::find()
        .filter(sme::Column::CorporateNumber.eq(corporate_number))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .publication_consent
}

async fn audited(app: &TestApp, outcome: &str) -> u64 {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Operation.eq("recordPublicationConsent"))
        .filter(audit_entry::Column::Outcome.eq(outcome))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn only_the_registering_institution_or_a_network_admin_records_consent() {
    let app = TestApp::spawn().await;
    let aist = app.token("desk@aist", "aist", &[Role::Evaluator, Role::OrgAdmin]);
    let number = with_check_digit("620000000001");
    let sme = app
        .graphql_as(
            &aist,
            r#"mutation($n: String!) { createSme(idempotencyKey: "c1", input: {
                corporateNumber: $n, nameJa: "同意精機", nameEn: "Consent Precision", prefectureCode: 8 }) { id } }"#,
            json!({ "n": number }),
        )
        .await
        .json()["data"]["createSme"]["id"]
        .clone();
    assert!(sme.is_string());

    // JETRO opens a draft of AIST's SME: an institution that evaluates it, but did not register it.
    let jetro = app.token("desk@jetro", "jetro", &[Role::Evaluator, Role::OrgAdmin]);
    let draft = app
        .graphql_as(
            &jetro,
            &format!(
                "mutation($sme: ID!) {{ createEvaluation(idempotencyKey: \"d1\", input: {{ smeId: $sme, scores: {COMPLETE_SCORES} }}) {{ id }} }}"
            ),
            json!({ "sme": sme }),
        )
        .await
        .json();
    assert!(draft.get("errors").is_none(), "{draft:#}");

    let mut refused = 0;
    for (name, roles) in [
        ("desk@jetro", &[Role::Evaluator, Role::OrgAdmin][..]),
        ("admin@jetro", &[Role::OrgAdmin][..]),
        ("evaluator@jetro", &[Role::Evaluator][..]),
    ] {
        let token = app.token(name, "jetro", roles);
        for consent in [true, false] {
            let body = app
                .graphql_as(&token, CONSENT, json!({ "id": sme, "c": consent }))
                .await
                .json();
            assert_eq!(error_parts(&body).0, "FORBIDDEN", "{name}: {body:#}");
            refused += 1;
        }
    }
    assert!(!consent_of(&app, &number).await, "unchanged by JETRO");
    assert_eq!(
        audited(&app, "FORBIDDEN").await,
        refused,
        "every attempt audited"
    );

    // AIST's evaluators do not record it either: its org admins do.
    let evaluator = app.token("evaluator@aist", "aist", &[Role::Evaluator]);
    let body = app
        .graphql_as(&evaluator, CONSENT, json!({ "id": sme, "c": true }))
        .await
        .json();
    assert_eq!(error_parts(&body).0, "FORBIDDEN", "{body:#}");

    let admin = app.token("admin@aist", "aist", &[Role::OrgAdmin]);
    let body = app
        .graphql_as(&admin, CONSENT, json!({ "id": sme, "c": true }))
        .await
        .json();
    assert_eq!(
        body["data"]["recordPublicationConsent"],
        json!({ "publicationConsent": true }),
        "{body:#}"
    );
    assert!(consent_of(&app, &number).await);

    // A network admin clears it.
    let network = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let body = app
        .graphql_as(&network, CONSENT, json!({ "id": sme, "c": false }))
        .await
        .json();
    assert_eq!(
        body["data"]["recordPublicationConsent"],
        json!({ "publicationConsent": false }),
        "{body:#}"
    );
    assert!(!consent_of(&app, &number).await);
    assert_eq!(audited(&app, "SUCCEEDED").await, 2);

    // An SME that does not exist: NOT_FOUND, for everyone.
    let missing = Value::String(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        "Sme:987654321",
    ));
    let body = app
        .graphql_as(&admin, CONSENT, json!({ "id": missing, "c": true }))
        .await
        .json();
    assert_eq!(error_parts(&body).0, "NOT_FOUND", "{body:#}");
}
