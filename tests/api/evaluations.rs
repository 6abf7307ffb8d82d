//! SME evaluations as an evaluator at a regional bank or a TLO uses them: the workflow, versions
//! and history, retries on bad networks, visibility between institutions, and publication by
//! consent.

use entity::{evaluation, evaluation_revision, sme};
use iin_api::{auth::Role, domain::corporate_number::with_check_digit};
use iin_tests::{COMPLETE_SCORES, Client, TestApp, error_parts, only_error};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

struct Desk<'a>(Client<'a>);

impl<'a> std::ops::Deref for Desk<'a> {
    type Target = Client<'a>;

    fn deref(&self) -> &Client<'a> {
        &self.0
    }
}

impl<'a> Desk<'a> {
    /// An evaluator and org admin of `code`.
    fn of(app: &'a TestApp, code: &str) -> Self {
        Self(app.desk(code))
    }

    async fn sme(&self, twelve: &str) -> Value {
        self.ok(
            r#"mutation($n: String!, $k: String!) { createSme(idempotencyKey: $k, input: {
                corporateNumber: $n, nameJa: "東海精密", nameEn: "Tokai Precision", prefectureCode: 23, nicheStatus: CANDIDATE, clusterType: TYPE_2 }) { id } }"#,
            json!({ "n": with_check_digit(twelve), "k": format!("sme-{twelve}") }),
        )
        .await["createSme"]["id"]
            .clone()
    }

    async fn draft(&self, sme: &Value, visibility: &str, scores: &str) -> Value {
        let query = format!(
            "mutation($sme: ID!, $k: String!) {{ createEvaluation(idempotencyKey: $k, input: {{ smeId: $sme, visibility: {visibility}, scores: {scores} }}) {{ id version status }} }}"
        );
        self.ok(
            &query,
            json!({ "sme": sme, "k": uuid::Uuid::new_v4().to_string() }),
        )
        .await["createEvaluation"]
            .clone()
    }

    async fn step(&self, verb: &str, id: &Value) -> Value {
        let query = match verb {
            "returnEvaluation" | "withdrawEvaluation" => {
                format!(
                    "mutation($id: ID!, $k: String!) {{ {verb}(id: $id, reason: \"Reason\", idempotencyKey: $k) {{ status version rating }} }}"
                )
            }
            _ => format!(
                "mutation($id: ID!, $k: String!) {{ {verb}(id: $id, idempotencyKey: $k) {{ status version rating }} }}"
            ),
        };
        self.ask(
            &query,
            json!({ "id": id, "k": uuid::Uuid::new_v4().to_string() }),
        )
        .await
    }
}

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: UpdateEvaluationInput!) { updateEvaluation(id: $id, version: $v, input: $input) { version status } }";

#[tokio::test]
async fn an_evaluation_moves_through_its_workflow_keeping_every_version() {
    let app = TestApp::spawn().await;
    let bank = Desk::of(&app, "rbaj");
    let sme = bank.sme("300000000001").await;
    let created = bank.draft(&sme, "PRIVATE", "{ trl: 5 }").await;
    assert_eq!(
        (created["status"].clone(), created["version"].clone()),
        (json!("DRAFT"), json!(1))
    );
    let id = created["id"].clone();

    let incomplete = bank.step("submitEvaluation", &id).await;
    let (code, field, message) = error_parts(&incomplete);
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("BAD_USER_INPUT", "scores")
    );
    assert!(message.contains("financial.SalesGrowth"), "{message}");

    let edited = bank
        .ok(
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "findings": "First look" } }),
        )
        .await;
    assert_eq!(edited["updateEvaluation"]["version"], 2);
    let stale = bank
        .ask(
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "findings": "Lost update" } }),
        )
        .await;
    let (code, field, message) = error_parts(&stale);
    assert_eq!((code.as_str(), field.as_str()), ("CONFLICT", "version"));
    assert!(message.contains("version 2"), "{message}");

    let complete = format!(
        "mutation($id: ID!) {{ updateEvaluation(id: $id, version: 2, input: {{ scores: {COMPLETE_SCORES} }}) {{ version }} }}"
    );
    assert_eq!(
        bank.ok(&complete, json!({ "id": id })).await["updateEvaluation"]["version"],
        3
    );
    assert_eq!(
        bank.step("submitEvaluation", &id).await["data"]["submitEvaluation"]["status"],
        "SUBMITTED"
    );
    let (code, _, message) = error_parts(&bank.step("rateEvaluation", &id).await);
    assert_eq!(code, "CONFLICT");
    assert!(
        message.contains("SUBMITTED"),
        "names the current state: {message}"
    );
    assert_eq!(
        bank.step("startEvaluationReview", &id).await["data"]["startEvaluationReview"]["status"],
        "UNDER_REVIEW"
    );
    assert_eq!(
        bank.step("returnEvaluation", &id).await["data"]["returnEvaluation"]["status"],
        "RETURNED"
    );
    let (code, _, _) = error_parts(
        &bank
            .ask(UPDATE, json!({ "id": id, "v": 4, "input": {} }))
            .await,
    );
    assert_eq!(
        code, "CONFLICT",
        "version 4 is stale: returning made version 6"
    );
    bank.ok(
        UPDATE,
        json!({ "id": id, "v": 6, "input": { "findings": "Figures for FY2024 added" } }),
    )
    .await;
    for verb in ["submitEvaluation", "startEvaluationReview"] {
        bank.step(verb, &id).await;
    }
    let rated = bank.step("rateEvaluation", &id).await;
    assert_eq!(
        rated["data"]["rateEvaluation"]["rating"], "B",
        "every part's mean is 3.5"
    );

    let (code, field, _) = error_parts(&bank.step("publishEvaluation", &id).await);
    assert_eq!((code.as_str(), field.as_str()), ("CONFLICT", "consent"));
    bank.ok("mutation($id: ID!) { recordPublicationConsent(smeId: $id, consent: true) { publicationConsent } }", json!({ "id": sme }))
        .await;
    assert_eq!(
        bank.step("publishEvaluation", &id).await["data"]["publishEvaluation"]["status"],
        "PUBLISHED"
    );

    // Anyone sees the published rating, not its workings.
    let public = app
        .graphql("query($id: ID!) { evaluation(id: $id) { status rating institution { code } sme { nameEn } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        public["data"]["evaluation"],
        json!({ "status": "PUBLISHED", "rating": "B", "institution": { "code": "rbaj" }, "sme": { "nameEn": "Tokai Precision" } })
    );
    let hidden = app
        .graphql(
            "query($id: ID!) { evaluation(id: $id) { scores { trl } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(only_error(&hidden)["extensions"]["code"], "UNAUTHENTICATED");

    assert_eq!(
        bank.step("withdrawEvaluation", &id).await["data"]["withdrawEvaluation"]["status"],
        "WITHDRAWN"
    );
    let (code, _, message) = error_parts(&bank.step("withdrawEvaluation", &id).await);
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("WITHDRAWN"), "{message}");

    let history = bank
        .ok(
            "query($id: ID!) { evaluation(id: $id) { version history { version change changedFields status changedBy changedByInstitution }
               second: revision(version: 2) { findings scores { trl } } } }",
            json!({ "id": id }),
        )
        .await["evaluation"]
        .clone();
    let changes: Vec<_> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["change"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        changes,
        [
            "created",
            "edited",
            "edited",
            "submitted",
            "review_started",
            "returned",
            "edited",
            "submitted",
            "review_started",
            "rated",
            "published",
            "withdrawn"
        ]
    );
    assert_eq!(history["version"], 12);
    assert_eq!(history["history"][1]["changedFields"], json!(["findings"]));
    assert_eq!(history["history"][0]["changedByInstitution"], "rbaj");
    assert_eq!(
        history["second"],
        json!({ "findings": "First look", "scores": { "trl": 5 } }),
        "a past version as it stood"
    );

    let rewrite = app
        .db
        .execute_unprepared("UPDATE evaluation_revisions SET findings = 'rewritten'")
        .await;
    assert!(rewrite.is_err(), "revisions are never rewritten");
}

#[tokio::test]
async fn retries_replay_and_one_key_makes_one_effect_even_concurrently() {
    let app = TestApp::spawn().await;
    let tlo = Desk::of(&app, "jst");
    let create_sme = r#"mutation($n: String!, $name: String!, $k: String!) { createSme(idempotencyKey: $k, input: {
        corporateNumber: $n, nameJa: "試作", nameEn: $name, prefectureCode: 21 }) { id nameEn } }"#;
    let number = with_check_digit("300000000002");
    let first = tlo
        .ok(
            create_sme,
            json!({ "n": number, "name": "Gifu Works", "k": "retry-1" }),
        )
        .await;
    let again = tlo
        .ok(
            create_sme,
            json!({ "n": number, "name": "Gifu Works", "k": "retry-1" }),
        )
        .await;
    assert_eq!(
        first, again,
        "the same key and input replay the first result"
    );
    let other = tlo
        .ask(
            create_sme,
            json!({ "n": number, "name": "Another name", "k": "retry-1" }),
        )
        .await;
    assert_eq!(error_parts(&other).1, "idempotencyKey");
    let duplicate = tlo
        .ask(
            create_sme,
            json!({ "n": number, "name": "Gifu Works", "k": "retry-2" }),
        )
        .await;
    assert_eq!(error_parts(&duplicate).0, "CONFLICT");
    assert_eq!(
        error_parts(&duplicate).1,
        "input.corporateNumber",
        "a new key is a new request: the number is taken"
    );
    let bad = tlo
        .ask(
            create_sme,
            json!({ "n": "1000000000000", "name": "Bad", "k": "retry-3" }),
        )
        .await;
    assert_eq!(
        error_parts(&bad),
        (
            "BAD_USER_INPUT".to_owned(),
            "input.corporateNumber".to_owned(),
            "the check digit does not match: this is not a valid corporate number".to_owned()
        )
    );

    // Two requests with one key at the same moment: one evaluation, one revision.
    let sme = first["createSme"]["id"].clone();
    let create = "mutation($sme: ID!) { createEvaluation(idempotencyKey: \"twin\", input: { smeId: $sme }) { id } }";
    let (a, b) = tokio::join!(
        tlo.ask(create, json!({ "sme": sme })),
        tlo.ask(create, json!({ "sme": sme }))
    );
    assert!(
        a.get("errors").is_none() && b.get("errors").is_none(),
        "{a:#} {b:#}"
    );
    assert_eq!(
        a["data"]["createEvaluation"]["id"],
        b["data"]["createEvaluation"]["id"]
    );
    assert_eq!(evaluation::Entity::find().count(&app.db).await.unwrap(), 1);
    assert_eq!(
        evaluation_revision::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        1
    );

    // A retried transition does not move twice.
    let id = a["data"]["createEvaluation"]["id"].clone();
    let full = format!(
        "mutation($id: ID!) {{ updateEvaluation(id: $id, version: 1, input: {{ scores: {COMPLETE_SCORES} }}) {{ version }} }}"
    );
    tlo.ok(&full, json!({ "id": id })).await;
    let submit = "mutation($id: ID!) { submitEvaluation(id: $id, idempotencyKey: \"submit-once\") { status version } }";
    let once = tlo.ok(submit, json!({ "id": id })).await;
    let twice = tlo.ok(submit, json!({ "id": id })).await;
    assert_eq!(once, twice);
    assert_eq!(
        once["submitEvaluation"],
        json!({ "status": "SUBMITTED", "version": 3 })
    );
    assert_eq!(
        evaluation_revision::Entity::find()
            .filter(evaluation_revision::Column::Change.eq("submitted"))
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(sme::Entity::find().count(&app.db).await.unwrap(), 1);
}

#[tokio::test]
async fn institutions_see_their_own_shared_and_published_evaluations_only() {
    let app = TestApp::spawn().await;
    let aist = Desk::of(&app, "aist");
    let jetro = Desk::of(&app, "jetro");
    let sme = aist.sme("300000000003").await;
    let private = aist.draft(&sme, "PRIVATE", COMPLETE_SCORES).await["id"].clone();
    let shared = aist.draft(&sme, "NETWORK", COMPLETE_SCORES).await["id"].clone();
    let read = "query($id: ID!) { evaluation(id: $id) { id } node(id: $id) { id } }";

    // A draft, even one to be shared, is the institution's own.
    for id in [&private, &shared] {
        assert_eq!(
            jetro.ok(read, json!({ "id": id })).await,
            json!({ "evaluation": null, "node": null })
        );
        assert_eq!(
            aist.ok(read, json!({ "id": id })).await["evaluation"]["id"],
            *id
        );
    }
    // Another institution's private evaluation does not exist for you, even to change it.
    let attempt = jetro
        .ask(
            UPDATE,
            json!({ "id": private, "v": 1, "input": { "findings": "x" } }),
        )
        .await;
    assert_eq!(error_parts(&attempt).0, "NOT_FOUND");

    aist.step("submitEvaluation", &shared).await;
    aist.step("submitEvaluation", &private).await;
    assert_eq!(
        jetro.ok(read, json!({ "id": shared })).await["evaluation"]["id"],
        shared,
        "shared once submitted"
    );
    assert_eq!(
        jetro.ok(read, json!({ "id": private })).await["evaluation"],
        Value::Null
    );
    let attempt = jetro.step("startEvaluationReview", &shared).await;
    assert_eq!(
        error_parts(&attempt).0,
        "FORBIDDEN",
        "seen, but not theirs to move"
    );
    assert_eq!(
        app.graphql(read, json!({ "id": shared })).await["data"]["evaluation"],
        Value::Null,
        "not public"
    );

    let list = "{ evaluations { totalCount } }";
    assert_eq!(
        aist.ok(list, json!({})).await["evaluations"]["totalCount"],
        2
    );
    assert_eq!(
        jetro.ok(list, json!({})).await["evaluations"]["totalCount"],
        1
    );
    assert_eq!(
        app.data(list, json!({})).await["evaluations"]["totalCount"],
        0
    );
    let network = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    assert_eq!(
        app.graphql_as(&network, list, json!({})).await.json()["data"]["evaluations"]["totalCount"],
        2
    );
}

#[tokio::test]
async fn rating_summaries_respect_visibility() {
    let app = TestApp::spawn().await;
    let aist = Desk::of(&app, "aist");
    let jetro = Desk::of(&app, "jetro");
    let sme = aist.sme("300000000004").await;
    let high = COMPLETE_SCORES.replace("score: 3", "score: 5");
    let aist_eval = aist.draft(&sme, "PRIVATE", &high).await["id"].clone();
    let jetro_eval = jetro.draft(&sme, "NETWORK", COMPLETE_SCORES).await["id"].clone();
    for (desk, id) in [(&aist, &aist_eval), (&jetro, &jetro_eval)] {
        for verb in [
            "submitEvaluation",
            "startEvaluationReview",
            "rateEvaluation",
        ] {
            desk.step(verb, id).await;
        }
    }
    let summary = "query($id: ID!) { sme(id: $id) { ratingSummary { count meanScore latest { rating institution { code } } } } }";
    let aist_view = aist.ok(summary, json!({ "id": sme })).await["sme"]["ratingSummary"].clone();
    assert_eq!(aist_view["count"], 2);
    let jetro_view = jetro.ok(summary, json!({ "id": sme })).await["sme"]["ratingSummary"].clone();
    assert_eq!(
        jetro_view,
        json!({ "count": 1, "meanScore": 3.5, "latest": [{ "rating": "B", "institution": { "code": "jetro" } }] })
    );
    let public = app.data(summary, json!({ "id": sme })).await["sme"]["ratingSummary"].clone();
    assert_eq!(
        public,
        json!({ "count": 0, "meanScore": null, "latest": [] }),
        "nothing published yet"
    );
}

#[tokio::test]
async fn early_technology_rates_no_better_than_c() {
    let app = TestApp::spawn().await;
    let desk = Desk::of(&app, "smrj");
    let sme = desk.sme("300000000005").await;
    let brilliant = COMPLETE_SCORES
        .replace("score: 3", "score: 5")
        .replace("score: 4", "score: 5")
        .replace("trl: 6", "trl: 3");
    let id = desk.draft(&sme, "PRIVATE", &brilliant).await["id"].clone();
    for verb in ["submitEvaluation", "startEvaluationReview"] {
        desk.step(verb, &id).await;
    }
    assert_eq!(
        desk.step("rateEvaluation", &id).await["data"]["rateEvaluation"]["rating"],
        "C"
    );

    let bad_scores = [
        ("{ trl: 10 }", "input.scores.trl"),
        (
            "{ technology: [{ criterion: NOVELTY, score: 6 }] }",
            "input.scores.technology.0.score",
        ),
        (
            "{ financial: [{ indicator: EQUITY_RATIO, figures: [{ fiscalYear: 2024, value: 400 }] }] }",
            "input.scores.financial.0.figures.0.value",
        ),
    ];
    for (scores, field) in bad_scores {
        let query = format!(
            "mutation($sme: ID!) {{ createEvaluation(idempotencyKey: \"bad-{}\", input: {{ smeId: $sme, scores: {scores} }}) {{ id }} }}",
            field.len()
        );
        let body = desk.ask(&query, json!({ "sme": sme })).await;
        assert_eq!(
            (error_parts(&body).0.as_str(), error_parts(&body).1.as_str()),
            ("BAD_USER_INPUT", field),
            "{scores}"
        );
    }
}

#[tokio::test]
async fn a_page_reads_scores_and_findings_however_its_selection_asks_for_them() {
    let app = TestApp::spawn().await;
    let aist = Desk::of(&app, "aist");
    let sme = aist.sme("300000000004").await;
    let id = aist.draft(&sme, "PRIVATE", COMPLETE_SCORES).await["id"].clone();
    aist.ok(
        UPDATE,
        json!({ "id": id, "v": 1, "input": { "findings": "精密加工の実績\n十分" } }),
    )
    .await;
    let one = aist
        .ok(
            "query($id: ID!) { evaluation(id: $id) { scores { trl financial { score } } findings } }",
            json!({ "id": id }),
        )
        .await["evaluation"]
        .clone();
    assert_eq!(one["findings"], "精密加工の実績\n十分");
    assert_eq!(one["scores"]["financial"].as_array().unwrap().len(), 6);

    // A page that asks for them in any of the ways a client may gets them as the one read does;
    // a page that does not (the feed) still answers the rest.
    let pages = [
        "{ evaluations { nodes { scores { trl financial { score } } findings } } }",
        "{ evaluations { edges { node { scores { trl financial { score } } findings } } } }",
        "{ evaluations { nodes { ...texts } } } fragment texts on Evaluation { scores { trl financial { score } } findings }",
        "{ evaluations { nodes { ... on Evaluation { scores { trl financial { score } } findings } } } }",
        "{ evaluations { nodes { s: scores { trl financial { score } } f: findings } } }",
    ];
    for page in pages {
        let data = aist.ok(page, json!({})).await;
        let list = &data["evaluations"];
        let node = if list["nodes"].is_array() {
            list["nodes"][0].clone()
        } else {
            list["edges"][0]["node"].clone()
        };
        let (scores, findings) = match node.get("s") {
            Some(scores) => (scores.clone(), node["f"].clone()),
            None => (node["scores"].clone(), node["findings"].clone()),
        };
        assert_eq!(scores, one["scores"], "{page}");
        assert_eq!(findings, one["findings"], "{page}");
    }
    let feed = aist
        .ok(
            "{ evaluations { nodes { id status version sme { nameEn } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        feed["evaluations"]["nodes"],
        json!([{ "id": id, "status": "DRAFT", "version": 2, "sme": { "nameEn": "Tokai Precision" } }])
    );
}
