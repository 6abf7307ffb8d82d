//! How an SME is identified and classified: by its corporate number, or, for a sole proprietor
//! (個人事業主), without one; its qualified-invoice number; its JSIC industry; and whether the SME
//! Basic Act counts it as an SME.

use iin_api::{auth::Role, domain::corporate_number::with_check_digit};
use iin_tests::{TestApp, assert_bad_input};
use serde_json::{Value, json};

const CREATE: &str = r#"mutation($input: CreateSmeInput!, $k: String!) {
    createSme(idempotencyKey: $k, input: $input) {
      id corporateNumber invoiceNumber industry
      industryClassification { code majorCode middleCode majorNameJa majorNameEn }
      isSmeUnderBasicAct } }"#;

fn input(extra: Value) -> Value {
    let mut input =
        json!({ "nameJa": "浜松工房", "nameEn": "Hamamatsu Kobo", "prefectureCode": 22 });
    for (key, value) in extra.as_object().unwrap() {
        input[key] = value.clone();
    }
    input
}

async fn create(app: &TestApp, token: &str, extra: Value) -> Value {
    app.graphql_as(
        token,
        CREATE,
        json!({ "input": input(extra), "k": uuid::Uuid::new_v4().to_string() }),
    )
    .await
    .json()
}

fn evaluator(app: &TestApp) -> String {
    app.token("desk@jetro", "jetro", &[Role::Member, Role::Evaluator])
}

#[tokio::test]
async fn a_sole_proprietor_is_registered_without_a_corporate_number() {
    let app = TestApp::spawn().await;
    let token = evaluator(&app);
    let invoice = format!("T{}", with_check_digit("912345678901"));
    let first = create(
        &app,
        &token,
        json!({ "invoiceNumber": invoice, "industry": "E25" }),
    )
    .await;
    assert_eq!(
        first["data"]["createSme"]["corporateNumber"],
        Value::Null,
        "{first:#}"
    );
    assert_eq!(
        first["data"]["createSme"]["invoiceNumber"],
        invoice.as_str()
    );
    // Another without either number: several SMEs may lack one.
    let second = create(&app, &token, json!({})).await;
    assert!(second["data"]["createSme"]["id"].is_string(), "{second:#}");
    // An invoice number belongs to one business.
    let again = create(&app, &token, json!({ "invoiceNumber": invoice })).await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "CONFLICT",
        "{again:#}"
    );
    assert_eq!(
        again["errors"][0]["extensions"]["field"],
        "input.invoiceNumber"
    );
}

#[tokio::test]
async fn invoice_numbers_are_checked_and_a_company_s_is_its_corporate_number() {
    let app = TestApp::spawn().await;
    let token = evaluator(&app);
    let corporate = with_check_digit("123456789012");
    let ok = create(
        &app,
        &token,
        json!({ "corporateNumber": corporate, "invoiceNumber": format!("T{corporate}") }),
    )
    .await;
    assert!(ok.get("errors").is_none(), "{ok:#}");
    let other = with_check_digit("123456789013");
    for bad in [
        format!("T{other}"),             // a valid number, but not this company's
        corporate.clone(),               // no T
        format!("T{}", &corporate[1..]), // 12 digits
        "T8000012050002".to_owned(),     // wrong check digit
        "Ｔ7000012050002".to_owned(),    // a full-width T
        "T7000012050002\u{0}".to_owned(),
    ] {
        let body = create(
            &app,
            &token,
            json!({ "corporateNumber": with_check_digit("123456789014"), "invoiceNumber": bad }),
        )
        .await;
        assert_bad_input(&body, "input.invoiceNumber");
    }
}

#[tokio::test]
async fn industries_are_jsic_codes() {
    let app = TestApp::spawn().await;
    let token = evaluator(&app);
    let body = create(&app, &token, json!({ "industry": "E25" })).await;
    assert_eq!(
        body["data"]["createSme"]["industryClassification"],
        json!({ "code": "E25", "majorCode": "E", "middleCode": "25", "majorNameJa": "製造業",
                "majorNameEn": "Manufacturing" })
    );
    for bad in ["Machinery", "E08", "E33", "U", "", "機械", "E2"] {
        let body = create(&app, &token, json!({ "industry": bad })).await;
        assert_bad_input(&body, "input.industry");
    }
}

/// Article 2(1) of the SME Basic Act, at each limit: manufacturing and others ¥300 million or 300
/// employees, wholesale ¥100 million or 100, services ¥50 million or 100, retail ¥50 million or 50.
#[tokio::test]
async fn the_sme_basic_act_decides_at_its_limits() {
    let app = TestApp::spawn().await;
    let token = evaluator(&app);
    let mut serial = 200_000_000_000u64;
    for (industry, capital, employees) in [
        ("E25", 300_000_000i64, 300),
        ("I52", 100_000_000, 100),
        ("L71", 50_000_000, 100),
        ("I58", 50_000_000, 50),
    ] {
        for (capital, employees, expected) in [
            (capital, Some(employees + 1), json!(true)),
            (capital + 1, Some(employees), json!(true)),
            (capital + 1, Some(employees + 1), json!(false)),
            // Over the capital limit with no employee count: the Act cannot say.
            (capital + 1, None, Value::Null),
        ] {
            serial += 1;
            let extra = json!({ "corporateNumber": with_check_digit(&serial.to_string()),
                                "industry": industry, "capitalYen": capital, "employees": employees });
            let body = create(&app, &token, extra).await;
            assert_eq!(
                body["data"]["createSme"]["isSmeUnderBasicAct"], expected,
                "{industry} capital {capital} employees {employees:?}: {body:#}"
            );
        }
    }
    // A sole proprietor is judged by employees alone, however large its capital.
    let body = create(
        &app,
        &token,
        json!({ "industry": "E25", "capitalYen": 10_000_000_000i64, "employees": 300 }),
    )
    .await;
    assert_eq!(body["data"]["createSme"]["isSmeUnderBasicAct"], true);
    // The figures behind it are members only, and so is the answer.
    let id = body["data"]["createSme"]["id"].clone();
    let anonymous = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on Sme { isSmeUnderBasicAct } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

/// Capital is `Yen`: whole yen from 0 to 2^53 − 1, a JSON number both ways; anything else is
/// refused naming the field, whether sent as a variable or written in the document.
#[tokio::test]
async fn capital_is_whole_yen_up_to_2_pow_53_minus_1() {
    let app = TestApp::spawn().await;
    let token = evaluator(&app);
    let read = r#"mutation($input: CreateSmeInput!, $k: String!) {
        createSme(idempotencyKey: $k, input: $input) { id capitalYen } }"#;
    for (sent, stored) in [
        (json!(0), json!(0)),
        (json!(3_000_000_000i64), json!(3_000_000_000i64)),
        (json!(3e9), json!(3_000_000_000i64)),
        (
            json!(9_007_199_254_740_991i64),
            json!(9_007_199_254_740_991i64),
        ),
    ] {
        let body = app
            .graphql_as(
                &token,
                read,
                json!({ "input": input(json!({ "capitalYen": sent })), "k": uuid::Uuid::new_v4().to_string() }),
            )
            .await
            .json();
        assert!(body.get("errors").is_none(), "{sent}: {body:#}");
        assert_eq!(body["data"]["createSme"]["capitalYen"], stored, "{sent}");
        assert!(
            body["data"]["createSme"]["capitalYen"].is_number(),
            "a JSON number"
        );
    }
    for refused in [
        json!(9_007_199_254_740_992i64),
        json!(-1),
        json!(1.5),
        json!(1e300),
        json!("3000000000"),
        json!(true),
    ] {
        let reply = app
            .graphql_as(
                &token,
                read,
                json!({ "input": input(json!({ "capitalYen": refused })), "k": "never" }),
            )
            .await;
        assert_ne!(reply.status, 500, "{refused}");
        assert_bad_input(&reply.json(), "input.capitalYen");
    }
    // Written in the document, the same.
    for literal in ["9007199254740992", "-1", "0.5", "\"100\""] {
        let query = format!(
            r#"mutation {{ createSme(idempotencyKey: "lit", input: {{ nameJa: "浜松工房", nameEn: "Hamamatsu Kobo",
                prefectureCode: 22, capitalYen: {literal} }}) {{ id }} }}"#
        );
        let body = app.graphql_as(&token, &query, json!({})).await.json();
        assert_bad_input(&body, "input.capitalYen");
    }
    // And on update: null clears it, a bad value is refused.
    let id = app
        .graphql_as(
            &token,
            read,
            json!({ "input": input(json!({ "capitalYen": 1 })), "k": uuid::Uuid::new_v4().to_string() }),
        )
        .await
        .json()["data"]["createSme"]["id"]
        .clone();
    let update = r#"mutation($id: ID!, $input: UpdateSmeInput!) { updateSme(id: $id, input: $input) { capitalYen } }"#;
    let body = app
        .graphql_as(
            &token,
            update,
            json!({ "id": id, "input": { "capitalYen": -5 } }),
        )
        .await
        .json();
    assert_bad_input(&body, "input.capitalYen");
    let body = app
        .graphql_as(
            &token,
            update,
            json!({ "id": id, "input": { "capitalYen": null } }),
        )
        .await
        .json();
    assert_eq!(
        body["data"]["updateSme"]["capitalYen"],
        Value::Null,
        "{body:#}"
    );
}

#[tokio::test]
async fn a_search_matches_quotes_backslashes_and_wildcards_as_written() {
    let app = TestApp::spawn().await;
    let token = evaluator(&app);
    for name in ["Q'Zyx\\Works 100%", "Q'Zyx Works 1000", "Qzyx_Works"] {
        let body = create(&app, &token, json!({ "nameEn": name })).await;
        assert!(body["data"]["createSme"]["id"].is_string(), "{body:#}");
    }
    let search =
        "query($s: String) { smes(filter: { search: $s }) { totalCount nodes { nameEn } } }";
    let found = async |text: &str| {
        let body = app
            .graphql_as(&token, search, json!({ "s": text }))
            .await
            .json();
        assert!(body.get("errors").is_none(), "{text}: {body:#}");
        let mut names: Vec<String> = body["data"]["smes"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["nameEn"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(found("q'zyx\\works").await, ["Q'Zyx\\Works 100%"]);
    assert_eq!(found("zyx 100%").await, ["Q'Zyx\\Works 100%"]);
    assert_eq!(found("zyx_w").await, ["Qzyx_Works"]);
    assert_eq!(found("Q'Zyx").await.len(), 2);
    assert!(found("x'; DROP TABLE smes; --").await.is_empty());
    assert_eq!(found("zyx").await.len(), 3, "the table is still there");
}
