//! Financing referrals (issue 17) over HTTP: the SME's consent, the referral from a rated
//! evaluation's revision, the bank's answers, who sees what, retries, concurrent moves, expiry,
//! `referralChanged` and the network's statistics.

use iin_api::{auth::Role, domain::corporate_number::with_check_digit};
use iin_tests::{COMPLETE_SCORES, Client, TestApp, error_code_and_field, ws};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// Evaluators and org admins of an institution (the referrer's desk).
struct Desk<'a>(Client<'a>);

impl<'a> std::ops::Deref for Desk<'a> {
    type Target = Client<'a>;

    fn deref(&self) -> &Client<'a> {
        &self.0
    }
}

impl<'a> Desk<'a> {
    fn of(app: &'a TestApp, code: &str) -> Self {
        Self(app.desk(code))
    }

    async fn sme(&self, twelve: &str) -> Value {
        self.ok(
            r#"mutation($n: String!, $k: String!) { createSme(idempotencyKey: $k, input: {
                corporateNumber: $n, nameJa: "遠州精機", nameEn: "Enshu Precision", prefectureCode: 22 }) { id } }"#,
            json!({ "n": with_check_digit(twelve), "k": twelve }),
        )
        .await["createSme"]["id"]
            .clone()
    }

    /// An evaluation of `sme` driven through `steps`.
    async fn evaluation(&self, sme: &Value, steps: &[&str]) -> Value {
        let create = format!(
            "mutation($sme: ID!, $k: String!) {{ createEvaluation(idempotencyKey: $k, input: {{ smeId: $sme, scores: {COMPLETE_SCORES}, findings: \"Strong order book\" }}) {{ id }} }}"
        );
        let id = self
            .ok(
                &create,
                json!({ "sme": sme, "k": uuid::Uuid::new_v4().to_string() }),
            )
            .await["createEvaluation"]["id"]
            .clone();
        for step in steps {
            let query = format!(
                "mutation($id: ID!, $k: String!) {{ {step}(id: $id, idempotencyKey: $k) {{ id }} }}"
            );
            self.ok(
                &query,
                json!({ "id": id, "k": uuid::Uuid::new_v4().to_string() }),
            )
            .await;
        }
        id
    }

    async fn consent(&self, sme: &Value, bank: &Value, scope: &str) -> Value {
        self.ok(
            &format!(
                r#"mutation($sme: ID!, $bank: ID!, $key: String!) {{ recordReferralConsent(idempotencyKey: $key, input: {{ smeId: $sme, bankId: $bank,
                    scope: {scope}, obtainedOn: "2026-04-01", method: WRITTEN, documentReference: "CONSENT-001" }}) {{ id live scope }} }}"#
            ),
            json!({ "sme": sme, "bank": bank }),
        )
        .await["recordReferralConsent"]["id"]
            .clone()
    }

    async fn refer(&self, evaluation: &Value, bank: &Value, key: &str, extra: &str) -> Value {
        self.ask(
            &format!(
                r#"mutation($e: ID!, $b: ID!, $k: String!) {{ referSme(idempotencyKey: $k, input: {{
                    evaluationId: $e, bankId: $b, purpose: EQUIPMENT, amountRequested: 3000000000,
                    note: "New five-axis line" {extra} }}) {{ id status version evaluationVersion amountRequested }} }}"#
            ),
            json!({ "e": evaluation, "b": bank, "k": key }),
        )
        .await
    }
}

const RATE: &[&str] = &[
    "submitEvaluation",
    "startEvaluationReview",
    "rateEvaluation",
];

const READ: &str = r#"query($id: ID!) { referral(id: $id) { id status version purpose amountRequested
    evaluation { version rating findings scores { trl } } consent { live } bank { code } institution { code } } }"#;

async fn read(app: &TestApp, token: &str, id: &Value) -> Value {
    let body = app
        .graphql_as(token, READ, json!({ "id": id }))
        .await
        .json();
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["referral"].clone()
}

async fn answer(
    app: &TestApp,
    token: &str,
    mutation: &str,
    id: &Value,
    version: i64,
    extra: &str,
    key: &str,
) -> Value {
    let query = format!(
        "mutation($id: ID!, $v: Int!, $k: String!) {{ {mutation}(id: $id, version: $v, idempotencyKey: $k{extra}) {{ id status version }} }}"
    );
    app.graphql_as(token, &query, json!({ "id": id, "v": version, "k": key }))
        .await
        .json()
}

fn code_field(body: &Value) -> (String, String) {
    error_code_and_field(body)
}

/// AIST with a rated evaluation of an SME, two banks, and a loan officer at each.
struct World<'a> {
    aist: Desk<'a>,
    sme: Value,
    rated: Value,
    bank_a: Value,
    bank_b: Value,
    officer_a: String,
    officer_b: String,
}

async fn world(app: &TestApp) -> World<'_> {
    let bank_a = app.bank("shizuoka-test-bank", 22).await;
    let bank_b = app.bank("hamamatsu-test-shinkin", 22).await;
    let aist = Desk::of(app, "aist");
    let sme = aist.sme("710000000001").await;
    let rated = aist.evaluation(&sme, RATE).await;
    World {
        officer_a: app.token("officer@bank-a", "shizuoka-test-bank", &[Role::LoanOfficer]),
        officer_b: app.token(
            "officer@bank-b",
            "hamamatsu-test-shinkin",
            &[Role::LoanOfficer],
        ),
        aist,
        sme,
        rated,
        bank_a,
        bank_b,
    }
}

#[tokio::test]
async fn a_referral_goes_from_sent_to_financed_and_the_bank_sees_the_revision_referred() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    w.aist.consent(&w.sme, &w.bank_a, "FULL_EVALUATION").await;
    let referred = w.aist.refer(&w.rated, &w.bank_a, "refer-1", "").await;
    assert!(referred.get("errors").is_none(), "{referred:#}");
    let referral = &referred["data"]["referSme"];
    assert_eq!(referral["status"], "SENT");
    assert_eq!(referral["version"], 1);
    assert_eq!(referral["amountRequested"], 3_000_000_000i64);
    let id = referral["id"].clone();
    let referred_version = referral["evaluationVersion"].as_i64().unwrap();

    // A later change of the evaluation does not change what the bank reads.
    let admin = app.token("desk@aist", "aist", &[Role::OrgAdmin]);
    let body = app
        .graphql_as(
            &admin,
            r#"mutation($id: ID!) { withdrawEvaluation(id: $id, reason: "Superseded", idempotencyKey: "w-1") { version } }"#,
            json!({ "id": w.rated }),
        )
        .await
        .json();
    assert!(body.get("errors").is_none(), "{body:#}");

    let seen = read(&app, &w.officer_a, &id).await;
    assert_eq!(seen["status"], "SENT");
    assert_eq!(seen["evaluation"]["version"], referred_version);
    assert_eq!(seen["evaluation"]["rating"], "B");
    assert_eq!(seen["evaluation"]["findings"], "Strong order book");
    assert_eq!(seen["evaluation"]["scores"]["trl"], 6);
    assert_eq!(seen["bank"]["code"], "shizuoka-test-bank");
    assert_eq!(seen["institution"]["code"], "aist");

    let mut version = 1;
    for (mutation, extra, status) in [
        ("acknowledgeReferral", "", "ACKNOWLEDGED"),
        ("startReferralReview", "", "UNDER_REVIEW"),
        (
            "recordFinancing",
            r#", input: { amount: 2500000000, product: GUARANTEED_LOAN, decidedOn: "2026-06-30" }"#,
            "FINANCED",
        ),
    ] {
        let body = answer(&app, &w.officer_a, mutation, &id, version, extra, mutation).await;
        assert!(body.get("errors").is_none(), "{mutation}: {body:#}");
        assert_eq!(body["data"][mutation]["status"], status);
        version += 1;
        assert_eq!(body["data"][mutation]["version"], version);
    }
    let body = app
        .graphql_as(
            &w.aist.token,
            "query($id: ID!) { referral(id: $id) { status financing { amount product decidedOn } acknowledgedAt decidedAt } }",
            json!({ "id": id }),
        )
        .await
        .json();
    let financed = &body["data"]["referral"];
    assert_eq!(financed["status"], "FINANCED", "{body:#}");
    assert_eq!(financed["financing"]["amount"], 2_500_000_000i64);
    assert_eq!(financed["financing"]["product"], "GUARANTEED_LOAN");
    assert!(financed["decidedAt"].is_string());

    // Every move is audited.
    let admin = app.token("admin@iin-japan", "iin-japan", &[Role::NetworkAdmin]);
    for operation in [
        "recordReferralConsent",
        "referSme",
        "acknowledgeReferral",
        "startReferralReview",
        "recordFinancing",
    ] {
        let body = app
            .graphql_as(
                &admin,
                "query($o: String!) { auditLog(filter: { operation: $o, outcome: \"SUCCEEDED\" }) { totalCount } }",
                json!({ "o": operation }),
            )
            .await
            .json();
        assert_eq!(
            body["data"]["auditLog"]["totalCount"], 1,
            "{operation}: {body:#}"
        );
    }
}

#[tokio::test]
async fn no_consent_revoked_consent_and_a_narrower_scope_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // No consent at all.
    let body = w.aist.refer(&w.rated, &w.bank_a, "k-none", "").await;
    assert_eq!(
        code_field(&body),
        ("CONFLICT".into(), "input.bankId".into())
    );
    // A consent to another bank does not count.
    w.aist.consent(&w.sme, &w.bank_b, "FULL_EVALUATION").await;
    let body = w.aist.refer(&w.rated, &w.bank_a, "k-other", "").await;
    assert_eq!(
        code_field(&body),
        ("CONFLICT".into(), "input.bankId".into())
    );
    // The summary only: a full referral is refused, a summary one goes.
    let summary = w.aist.consent(&w.sme, &w.bank_a, "SUMMARY").await;
    let body = w.aist.refer(&w.rated, &w.bank_a, "k-scope", "").await;
    assert_eq!(code_field(&body), ("CONFLICT".into(), "input.scope".into()));
    let body = w
        .aist
        .refer(&w.rated, &w.bank_a, "k-summary", ", scope: SUMMARY")
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let id = body["data"]["referSme"]["id"].clone();
    let seen = read(&app, &w.officer_a, &id).await;
    assert_eq!(seen["evaluation"]["rating"], "B");
    assert_eq!(seen["evaluation"]["findings"], Value::Null);
    assert_eq!(seen["evaluation"]["scores"], Value::Null);

    // Revoked: at once the bank no longer reads the content, but keeps the referral and status.
    let revoke = "mutation($id: ID!) { revokeReferralConsent(id: $id) { live revokedAt } }";
    let body = app
        .graphql_as(&w.officer_a, revoke, json!({ "id": summary }))
        .await
        .json();
    assert_eq!(code_field(&body).0, "FORBIDDEN", "the bank does not revoke");
    let body = w.aist.ask(revoke, json!({ "id": summary })).await;
    assert_eq!(
        body["data"]["revokeReferralConsent"]["live"], false,
        "{body:#}"
    );
    let body = w.aist.ask(revoke, json!({ "id": summary })).await;
    assert_eq!(code_field(&body), ("CONFLICT".into(), "id".into()));
    let seen = read(&app, &w.officer_a, &id).await;
    assert_eq!(seen["status"], "SENT");
    assert_eq!(seen["evaluation"], Value::Null);
    assert_eq!(seen["consent"]["live"], false);
    // The referrer still reads what it referred.
    let own = read(&app, &w.aist.token, &id).await;
    assert_eq!(own["evaluation"]["rating"], "B");
    // And a new referral to that bank is refused.
    let body = w
        .aist
        .refer(&w.rated, &w.bank_a, "k-revoked", ", scope: SUMMARY")
        .await;
    assert_eq!(
        code_field(&body),
        ("CONFLICT".into(), "input.bankId".into())
    );
    // The bank may still answer.
    let body = answer(&app, &w.officer_a, "acknowledgeReferral", &id, 1, "", "ack").await;
    assert_eq!(
        body["data"]["acknowledgeReferral"]["status"], "ACKNOWLEDGED",
        "{body:#}"
    );
}

#[tokio::test]
async fn another_bank_sees_nothing_and_wrong_roles_are_forbidden() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    w.aist.consent(&w.sme, &w.bank_a, "FULL_EVALUATION").await;
    let id = w.aist.refer(&w.rated, &w.bank_a, "k", "").await["data"]["referSme"]["id"].clone();

    // The other bank: no row, no count, no node; a move answers as a missing referral does.
    let list = "{ referrals { totalCount nodes { id } } }";
    let body = app.graphql_as(&w.officer_b, list, json!({})).await.json();
    assert_eq!(body["data"]["referrals"]["totalCount"], 0, "{body:#}");
    let body = app.graphql_as(&w.officer_a, list, json!({})).await.json();
    assert_eq!(body["data"]["referrals"]["totalCount"], 1, "{body:#}");
    let body = app
        .graphql_as(
            &w.officer_b,
            "query($id: ID!) { referral(id: $id) { id } node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await
        .json();
    assert_eq!(
        body["data"],
        json!({ "referral": null, "node": null }),
        "{body:#}"
    );
    let body = answer(&app, &w.officer_b, "acknowledgeReferral", &id, 1, "", "b").await;
    assert_eq!(code_field(&body).0, "NOT_FOUND");
    // Anonymous callers and another institution see nothing either.
    let body = app.graphql(list, json!({})).await;
    assert_eq!(body["data"]["referrals"]["totalCount"], 0, "{body:#}");
    let jetro = app.token("desk@jetro", "jetro", &[Role::Evaluator, Role::OrgAdmin]);
    let body = app.graphql_as(&jetro, list, json!({})).await.json();
    assert_eq!(body["data"]["referrals"]["totalCount"], 0, "{body:#}");
    // A member of the bank who is not a loan officer does not read its referrals.
    let teller = app.token("teller@bank-a", "shizuoka-test-bank", &[Role::Member]);
    let body = app.graphql_as(&teller, list, json!({})).await.json();
    assert_eq!(body["data"]["referrals"]["totalCount"], 0, "{body:#}");

    // Wrong roles.
    let member = app.token("member@aist", "aist", &[Role::Member]);
    let body = app
        .graphql_as(
            &member,
            r#"mutation($e: ID!, $b: ID!) { referSme(idempotencyKey: "m", input: { evaluationId: $e, bankId: $b,
                purpose: EQUIPMENT, amountRequested: 1 }) { id } }"#,
            json!({ "e": w.rated, "b": w.bank_a }),
        )
        .await
        .json();
    assert_eq!(code_field(&body).0, "FORBIDDEN");
    // The referrer does not answer for the bank; the bank does not withdraw.
    let body = answer(&app, &w.aist.token, "acknowledgeReferral", &id, 1, "", "a").await;
    assert_eq!(code_field(&body).0, "FORBIDDEN");
    let body = answer(&app, &w.officer_a, "withdrawReferral", &id, 1, "", "w").await;
    assert_eq!(code_field(&body).0, "FORBIDDEN");
    // Referring to an organisation that is not a bank.
    let jetro_id = app
        .data(r#"{ organization(code: "jetro") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let body = w.aist.refer(&w.rated, &jetro_id, "k-jetro", "").await;
    assert_eq!(
        code_field(&body),
        ("BAD_USER_INPUT".into(), "input.bankId".into())
    );
    // Another institution does not refer AIST's evaluation.
    let body = app
        .graphql_as(
            &jetro,
            r#"mutation($e: ID!, $b: ID!) { referSme(idempotencyKey: "j", input: { evaluationId: $e, bankId: $b,
                purpose: EQUIPMENT, amountRequested: 1 }) { id } }"#,
            json!({ "e": w.rated, "b": w.bank_a }),
        )
        .await
        .json();
    assert_eq!(code_field(&body).0, "NOT_FOUND");
    // Amounts are Yen.
    let body = app
        .graphql_as(
            &w.aist.token,
            r#"mutation($e: ID!, $b: ID!) { referSme(idempotencyKey: "neg", input: { evaluationId: $e, bankId: $b,
                purpose: EQUIPMENT, amountRequested: -1 }) { id } }"#,
            json!({ "e": w.rated, "b": w.bank_a }),
        )
        .await
        .json();
    assert_eq!(
        code_field(&body),
        ("BAD_USER_INPUT".into(), "input.amountRequested".into())
    );
}

#[tokio::test]
async fn wrong_states_replayed_keys_and_stale_versions() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    w.aist.consent(&w.sme, &w.bank_a, "FULL_EVALUATION").await;
    // Only from a RATED or PUBLISHED evaluation.
    let submitted = w.aist.evaluation(&w.sme, &["submitEvaluation"]).await;
    let body = w.aist.refer(&submitted, &w.bank_a, "k-sub", "").await;
    assert_eq!(
        code_field(&body),
        ("CONFLICT".into(), "input.evaluationId".into())
    );

    // A replayed key answers the first referral; with other input it is a conflict.
    let first = w.aist.refer(&w.rated, &w.bank_a, "same-key", "").await;
    let again = w.aist.refer(&w.rated, &w.bank_a, "same-key", "").await;
    assert_eq!(first["data"], again["data"], "{again:#}");
    let body = w
        .aist
        .refer(&w.rated, &w.bank_a, "same-key", ", purpose: R_AND_D")
        .await;
    assert!(body.get("errors").is_some(), "{body:#}");
    let body = app
        .graphql_as(&w.aist.token, "{ referrals { totalCount } }", json!({}))
        .await
        .json();
    assert_eq!(
        body["data"]["referrals"]["totalCount"], 1,
        "one effect: {body:#}"
    );
    let id = first["data"]["referSme"]["id"].clone();

    // Wrong state: a review starts after acknowledgement; financing after review.
    let body = answer(&app, &w.officer_a, "startReferralReview", &id, 1, "", "r0").await;
    assert_eq!(code_field(&body), ("CONFLICT".into(), "id".into()));
    let body = answer(&app, &w.officer_a, "acknowledgeReferral", &id, 1, "", "ack").await;
    assert_eq!(
        body["data"]["acknowledgeReferral"]["version"], 2,
        "{body:#}"
    );
    // The same key again: the same answer, no second move.
    let replay = answer(&app, &w.officer_a, "acknowledgeReferral", &id, 1, "", "ack").await;
    assert_eq!(replay["data"], body["data"], "{replay:#}");
    let financing = r#", input: { amount: 1, product: LOAN, decidedOn: "2026-06-30" }"#;
    let body = answer(
        &app,
        &w.officer_a,
        "recordFinancing",
        &id,
        2,
        financing,
        "f0",
    )
    .await;
    assert_eq!(code_field(&body), ("CONFLICT".into(), "id".into()));
    // A stale version is a conflict naming `version`.
    let body = answer(
        &app,
        &w.officer_a,
        "startReferralReview",
        &id,
        1,
        "",
        "stale",
    )
    .await;
    assert_eq!(code_field(&body), ("CONFLICT".into(), "version".into()));

    // Concurrent moves of one version: exactly one wins, the other is a CONFLICT.
    let (a, b) = tokio::join!(
        answer(&app, &w.officer_a, "startReferralReview", &id, 2, "", "c-a"),
        answer(
            &app,
            &w.officer_a,
            "declineReferral",
            &id,
            2,
            ", reason: OUTSIDE_LENDING_POLICY, note: \"Sector\"",
            "c-b"
        ),
    );
    let won = [&a, &b]
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    assert_eq!(won, 1, "{a:#} {b:#}");
    let lost = if a.get("errors").is_some() { &a } else { &b };
    assert_eq!(code_field(lost).0, "CONFLICT", "{lost:#}");
    let seen = read(&app, &w.aist.token, &id).await;
    assert_eq!(seen["version"], 3);

    // Withdrawn by the referrer only from an open state.
    let second = w
        .aist
        .refer(&w.rated, &w.bank_a, "second", ", purpose: WORKING_CAPITAL")
        .await["data"]["referSme"]["id"]
        .clone();
    let body = answer(
        &app,
        &w.aist.token,
        "withdrawReferral",
        &second,
        1,
        ", reason: \"SME found other funding\"",
        "wd",
    )
    .await;
    assert_eq!(
        body["data"]["withdrawReferral"]["status"], "WITHDRAWN",
        "{body:#}"
    );
    let body = answer(
        &app,
        &w.officer_a,
        "acknowledgeReferral",
        &second,
        2,
        "",
        "late",
    )
    .await;
    assert_eq!(code_field(&body), ("CONFLICT".into(), "id".into()));
}

#[tokio::test]
async fn an_unanswered_referral_reads_as_expired() {
    let app = TestApp::spawn_with(|s| s.referral_expiry_days = 30).await;
    let w = world(&app).await;
    w.aist.consent(&w.sme, &w.bank_a, "FULL_EVALUATION").await;
    let id = w.aist.refer(&w.rated, &w.bank_a, "k", "").await["data"]["referSme"]["id"].clone();
    let fresh = w
        .aist
        .refer(&w.rated, &w.bank_a, "k2", ", purpose: R_AND_D")
        .await["data"]["referSme"]["id"]
        .clone();
    let _ = fresh;
    app.db
        .execute_unprepared(&format!(
            "UPDATE referrals SET created_at = {} WHERE id = (SELECT MIN(id) FROM referrals)",
            match app.backend {
                iin_tests::Backend::Postgres => "now() - interval '31 days'",
                iin_tests::Backend::Sqlite =>
                    "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now', '-31 days')",
            }
        ))
        .await
        .unwrap();
    let seen = read(&app, &w.officer_a, &id).await;
    assert_eq!(seen["status"], "EXPIRED");
    for (status, count) in [("EXPIRED", 1), ("SENT", 1)] {
        let body = app
            .graphql_as(
                &w.officer_a,
                "query($s: ReferralStatus) { referrals(filter: { status: $s }) { totalCount } }",
                json!({ "s": status }),
            )
            .await
            .json();
        assert_eq!(
            body["data"]["referrals"]["totalCount"], count,
            "{status}: {body:#}"
        );
    }
    let body = answer(&app, &w.officer_a, "acknowledgeReferral", &id, 1, "", "ack").await;
    assert_eq!(code_field(&body), ("CONFLICT".into(), "id".into()));
}

#[tokio::test]
async fn both_sides_hear_referral_changed_and_another_bank_does_not() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    w.aist.consent(&w.sme, &w.bank_a, "FULL_EVALUATION").await;
    let subscribe =
        json!({ "query": "subscription { referralChanged { referralId status version change } }" });
    let mut sockets = Vec::new();
    for token in [&w.aist.token, &w.officer_a, &w.officer_b] {
        let mut socket = ws::connect(&app, Some(token)).await;
        ws::subscribe(&mut socket, "1", &subscribe).await;
        sockets.push(socket);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let id = w.aist.refer(&w.rated, &w.bank_a, "k", "").await["data"]["referSme"]["id"].clone();
    let body = answer(&app, &w.officer_a, "acknowledgeReferral", &id, 1, "", "ack").await;
    assert!(body.get("errors").is_none(), "{body:#}");
    for socket in sockets.iter_mut().take(2) {
        for (change, status) in [("referred", "SENT"), ("acknowledged", "ACKNOWLEDGED")] {
            let message = ws::receive(socket).await;
            let heard = &message["payload"]["data"]["referralChanged"];
            assert_eq!(heard["referralId"], id, "{message:#}");
            assert_eq!(heard["change"], change, "{message:#}");
            assert_eq!(heard["status"], status, "{message:#}");
        }
    }
    // The other bank heard nothing.
    let silent = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        ws::next_frame(&mut sockets[2]),
    )
    .await;
    assert!(silent.is_err(), "another bank heard {silent:?}");
}

#[tokio::test]
async fn statistics_per_bank_for_members_and_only_groups_of_three_for_everyone() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    w.aist.consent(&w.sme, &w.bank_a, "FULL_EVALUATION").await;
    w.aist.consent(&w.sme, &w.bank_b, "FULL_EVALUATION").await;
    let mut to_a = Vec::new();
    for n in 0..3 {
        let body = w
            .aist
            .refer(&w.rated, &w.bank_a, &format!("a{n}"), "")
            .await;
        to_a.push(body["data"]["referSme"]["id"].clone());
    }
    w.aist.refer(&w.rated, &w.bank_b, "b0", "").await;
    // Bank A finances one and declines one.
    for (i, id) in to_a.iter().take(2).enumerate() {
        answer(
            &app,
            &w.officer_a,
            "acknowledgeReferral",
            id,
            1,
            "",
            &format!("ack{i}"),
        )
        .await;
        answer(
            &app,
            &w.officer_a,
            "startReferralReview",
            id,
            2,
            "",
            &format!("rev{i}"),
        )
        .await;
    }
    let today = iin_api::domain::dates::today_in_japan().to_string();
    let body = answer(
        &app,
        &w.officer_a,
        "recordFinancing",
        &to_a[0],
        3,
        &format!(r#", input: {{ amount: 3000000000, product: LOAN, decidedOn: "{today}" }}"#),
        "fin",
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let body = answer(
        &app,
        &w.officer_a,
        "declineReferral",
        &to_a[1],
        3,
        ", reason: INSUFFICIENT_COLLATERAL",
        "dec",
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");

    let now = iin_api::domain::dates::today_in_japan();
    let fiscal_year = if chrono::Datelike::month(&now) >= 4 {
        chrono::Datelike::year(&now)
    } else {
        chrono::Datelike::year(&now) - 1
    };
    let query = "query($y: Int!, $g: ReferralGrouping!) { referralStatistics(fiscalYear: $y, groupBy: $g) {
        groups { key referrals acknowledged financed declined totalFinanced medianDaysToDecision } } }";
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let body = app
        .graphql_as(&member, query, json!({ "y": fiscal_year, "g": "BANK" }))
        .await
        .json();
    let groups = body["data"]["referralStatistics"]["groups"]
        .as_array()
        .unwrap()
        .clone();
    let a = groups
        .iter()
        .find(|g| g["key"] == "shizuoka-test-bank")
        .unwrap();
    assert_eq!(a["referrals"], 3, "{body:#}");
    assert_eq!(a["acknowledged"], 2);
    assert_eq!(a["financed"], 1);
    assert_eq!(a["declined"], 1);
    assert_eq!(a["totalFinanced"], 3_000_000_000i64);
    assert!(a["medianDaysToDecision"].is_number());
    assert!(
        groups
            .iter()
            .any(|g| g["key"] == "hamamatsu-test-shinkin" && g["referrals"] == 1)
    );

    // The public report: bank B's single referral is folded into `other`.
    let body = app
        .graphql(query, json!({ "y": fiscal_year, "g": "BANK" }))
        .await;
    let keys: Vec<&str> = body["data"]["referralStatistics"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["shizuoka-test-bank", "other"], "{body:#}");
    for grouping in ["BUREAU", "RATING"] {
        let body = app
            .graphql_as(&member, query, json!({ "y": fiscal_year, "g": grouping }))
            .await
            .json();
        let total: u64 = body["data"]["referralStatistics"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["referrals"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 4, "{grouping}: {body:#}");
    }
    let body = app.graphql(query, json!({ "y": 1999, "g": "BANK" })).await;
    assert_eq!(
        code_field(&body),
        ("BAD_USER_INPUT".into(), "fiscalYear".into())
    );
}
