//! Patents explained for SMEs, and licensing inquiries: validation naming the field, Japanese and
//! English search, every workflow move by the right and the wrong role, and what each caller sees.

use entity::audit_entry;
use iin_api::{auth::Role, domain::corporate_number::with_check_digit};
use iin_tests::{TestApp, assert_bad_input, error_code_and_field, ws};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const CREATE: &str = r#"mutation($input: CreatePatentInput!, $k: String!) {
    createPatent(input: $input, idempotencyKey: $k) { id applicationNumber registrationNumber
    registrationNumberWritten ipcClasses licensing licenceForms version } }"#;

const EXPLAIN: &str = r#"mutation($patent: ID!, $k: String!, $summary: String!) {
    createPatentExplanation(idempotencyKey: $k, input: { patentId: $patent, texts: {
        summaryJa: $summary, summaryEn: "Makes the cells at a lower temperature.",
        applicationsJa: "家庭用の発電装置の部品", applicationsEn: "Parts of home generators",
        requirementsJa: "焼成炉", requirementsEn: "A firing furnace" } }) { id status version } }"#;

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A valid patent input, changed by `overrides`.
fn patent_input(number: &str, title_ja: &str, title_en: &str, overrides: Value) -> Value {
    let mut input = json!({
        "applicationNumber": number,
        "titleJa": title_ja,
        "titleEn": title_en,
        "originalAbstract": "本発明は、電極と電解質を同時に焼成する方法に関する。",
        "ipcClasses": ["H01M 8/12"],
        "fields": ["ENERGY"],
        "trl": 5,
        "filedOn": format!("{}-06-01", &number[..4]),
        "expiresOn": format!("{}-06-01", number[..4].parse::<i32>().unwrap() + 20),
        "licensing": "OPEN",
        "licenceForms": ["NON_EXCLUSIVE", "EXCLUSIVE"],
    });
    for (k, v) in overrides.as_object().unwrap() {
        input[k] = v.clone();
    }
    input
}

async fn ask(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    match token {
        Some(token) => app.graphql_as(token, query, variables).await.json(),
        None => app.graphql(query, variables).await,
    }
}

async fn ok(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let body = ask(app, token, query, variables).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

async fn code(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> String {
    let body = ask(app, token, query, variables).await;
    error_code_and_field(&body).0
}

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    ok(
        app,
        Some(token),
        CREATE,
        json!({ "input": input, "k": key() }),
    )
    .await["createPatent"]
        .clone()
}

/// The callers of these scenarios.
struct People {
    licensing_aist: String,
    org_admin_aist: String,
    registrar_aist: String,
    evaluator_jetro: String,
    member_jetro: String,
    licensing_jetro: String,
    org_admin_jst: String,
    company: String,
    network_admin: String,
}

fn people(app: &TestApp) -> People {
    People {
        licensing_aist: app.token("licensing@aist", "aist", &[Role::Licensing]),
        org_admin_aist: app.token("org_admin@aist", "aist", &[Role::OrgAdmin]),
        registrar_aist: app.token("registrar@aist", "aist", &[Role::Registrar]),
        evaluator_jetro: app.token("evaluator@jetro", "jetro", &[Role::Evaluator]),
        member_jetro: app.token("member@jetro", "jetro", &[Role::Member]),
        licensing_jetro: app.token("licensing@jetro", "jetro", &[Role::Licensing]),
        org_admin_jst: app.token("org_admin@jst", "jst", &[Role::OrgAdmin, Role::Evaluator]),
        company: app.token("licensing@mhi", "mhi-nagoya-aerospace", &[Role::Licensing]),
        network_admin: app.token("admin@iin", "iin-japan", &[Role::NetworkAdmin]),
    }
}

#[tokio::test]
async fn bad_numbers_ipc_codes_and_levels_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let p = people(&app);
    let refused = |overrides: Value| {
        let app = &app;
        let token = p.licensing_aist.clone();
        async move {
            let input = patent_input("2010-123456", "燃料電池", "Fuel cell", overrides);
            ask(
                app,
                Some(&token),
                CREATE,
                json!({ "input": input, "k": key() }),
            )
            .await
        }
    };
    for (overrides, field) in [
        (
            json!({ "applicationNumber": "2010-12345" }),
            "input.applicationNumber",
        ),
        (
            json!({ "applicationNumber": "1984-123456" }),
            "input.applicationNumber",
        ),
        (
            json!({ "applicationNumber": "2999-123456" }),
            "input.applicationNumber",
        ),
        (
            json!({ "applicationNumber": "特願2010-123456" }),
            "input.applicationNumber",
        ),
        (
            json!({ "registrationNumber": "512345" }),
            "input.registrationNumber",
        ),
        (
            json!({ "registrationNumber": "特許第0123456号" }),
            "input.registrationNumber",
        ),
        (
            json!({ "ipcClasses": ["H01M 8/12", "I01M 8/12"] }),
            "input.ipcClasses.1",
        ),
        (json!({ "ipcClasses": ["H01M8/12"] }), "input.ipcClasses.0"),
        (json!({ "ipcClasses": ["H1M 8/12"] }), "input.ipcClasses.0"),
        (json!({ "trl": 0 }), "input.trl"),
        (json!({ "trl": 10 }), "input.trl"),
        (json!({ "titleJa": "  " }), "input.titleJa"),
        (json!({ "titleEn": "x".repeat(301) }), "input.titleEn"),
        (json!({ "filedOn": "2011-01-05" }), "input.filedOn"),
        (json!({ "expiresOn": "2009-01-01" }), "input.expiresOn"),
        (json!({ "licenceForms": [] }), "input.licenceForms"),
        (json!({ "expiresOn": "2012-01-01" }), "input.licensing"),
    ] {
        let body = refused(overrides.clone()).await;
        assert_bad_input(&body, field);
    }
    // Both spellings of a registration number; it reads back as seven digits and as written.
    let created = create(
        &app,
        &p.licensing_aist,
        patent_input(
            "2010-123456",
            "燃料電池",
            "Fuel cell",
            json!({ "registrationNumber": "特許第5123456号", "ipcClasses": ["H01M  8/12", "H01M 8/12"] }),
        ),
    )
    .await;
    assert_eq!(created["registrationNumber"], "5123456");
    assert_eq!(created["registrationNumberWritten"], "特許第5123456号");
    assert_eq!(created["ipcClasses"], json!(["H01M 8/12"]));
    // The same application number twice is a CONFLICT naming it.
    let again = ask(
        &app,
        Some(&p.licensing_aist),
        CREATE,
        json!({ "input": patent_input("2010-123456", "燃料電池", "Fuel cell", json!({})), "k": key() }),
    )
    .await;
    assert_eq!(
        error_code_and_field(&again),
        ("CONFLICT".into(), "input.applicationNumber".into())
    );
    // Filters name theirs too.
    for (filter, field) in [
        (json!({ "ipcClass": "H01M 08" }), "filter.ipcClass"),
        (json!({ "ipcClass": "燃料" }), "filter.ipcClass"),
        (json!({ "trlAtLeast": 0 }), "filter.trlAtLeast"),
        (json!({ "search": "   " }), "filter.search"),
    ] {
        let body = app
            .graphql(
                "query($f: PatentFilter) { patents(filter: $f) { totalCount } }",
                json!({ "f": filter }),
            )
            .await;
        assert_bad_input(&body, field);
    }
    let body = app
        .graphql(
            "{ patentStatistics(fiscalYear: 1900) { inquiries } }",
            json!({}),
        )
        .await;
    assert_bad_input(&body, "fiscalYear");
}

const SEARCH: &str = r#"query($s: String!) { patents(first: 10, filter: { search: $s }) {
    totalCount nodes { titleJa } } }"#;

async fn titles(app: &TestApp, token: &str, search: &str) -> Vec<String> {
    let data = ok(app, Some(token), SEARCH, json!({ "s": search })).await;
    let titles: Vec<String> = data["patents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["titleJa"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        data["patents"]["totalCount"],
        json!(titles.len()),
        "{search}"
    );
    titles
}

#[tokio::test]
async fn search_finds_japanese_and_english_words_of_any_length_by_relevance() {
    let app = TestApp::spawn().await;
    let p = people(&app);
    for (number, ja, en) in [
        (
            "2015-000101",
            "固体酸化物形燃料電池の製造方法",
            "Method for producing a solid oxide fuel cell",
        ),
        (
            "2016-000102",
            "リチウムイオン電池用正極材料",
            "Cathode material for lithium-ion batteries",
        ),
        ("2017-000103", "画像処理装置", "Image processing device"),
        ("2018-000104", "燃料電池", "Fuel cell"),
    ] {
        create(
            &app,
            &p.licensing_aist,
            patent_input(number, ja, en, json!({})),
        )
        .await;
    }
    let admin = &p.network_admin;
    // Japanese has no spaces: a word inside a title is found.
    assert_eq!(
        titles(&app, admin, "燃料電池").await,
        ["燃料電池", "固体酸化物形燃料電池の製造方法"],
        "the title that is the word comes first"
    );
    // Two characters are below what a trigram index serves, and still work.
    let mut two = titles(&app, admin, "電池").await;
    two.sort();
    assert_eq!(
        two,
        [
            "リチウムイオン電池用正極材料",
            "固体酸化物形燃料電池の製造方法",
            "燃料電池"
        ]
    );
    assert_eq!(titles(&app, admin, "画像").await, ["画像処理装置"]);
    assert_eq!(titles(&app, admin, "像").await, ["画像処理装置"]);
    assert!(titles(&app, admin, "ロボット").await.is_empty());
    assert!(titles(&app, admin, "燃料電池車").await.is_empty());
    // English, any case, several words that must all occur.
    assert_eq!(
        titles(&app, admin, "SOLID OXIDE").await,
        ["固体酸化物形燃料電池の製造方法"]
    );
    assert_eq!(
        titles(&app, admin, "lithium").await,
        ["リチウムイオン電池用正極材料"]
    );
    assert_eq!(titles(&app, admin, "Fuel cell").await.len(), 2);
    assert!(titles(&app, admin, "fuel robot").await.is_empty());
    assert!(titles(&app, admin, "quantum").await.is_empty());
    // Wildcards match themselves.
    assert!(titles(&app, admin, "%").await.is_empty());
    assert!(titles(&app, admin, "_").await.is_empty());
    // The abstract is searched too.
    assert_eq!(titles(&app, admin, "電解質").await.len(), 4);

    // Paging through a ranking: every row once, in order.
    let first = ok(
        &app,
        Some(admin),
        r#"{ patents(first: 1, filter: { search: "電池" }) { pageInfo { hasNextPage endCursor } nodes { titleJa } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(first["patents"]["pageInfo"]["hasNextPage"], true);
    let rest = ok(
        &app,
        Some(admin),
        r#"query($after: String) { patents(first: 5, after: $after, filter: { search: "電池" }) { pageInfo { hasNextPage hasPreviousPage } nodes { titleJa } } }"#,
        json!({ "after": first["patents"]["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(rest["patents"]["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(rest["patents"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(rest["patents"]["pageInfo"]["hasPreviousPage"], true);

    // Search narrows with the other filters, and never widens what a caller reads: anonymous
    // callers see none of these (none has a published explanation).
    assert_eq!(
        ok(
            &app,
            Some(admin),
            r#"{ patents(filter: { search: "電池", ipcClass: "H01M 8", trlAtLeast: 5, field: ENERGY }) { totalCount } }"#,
            json!({})
        )
        .await["patents"]["totalCount"],
        3
    );
    assert_eq!(
        app.data(SEARCH, json!({ "s": "電池" })).await["patents"]["totalCount"],
        0
    );
}

/// A ranking reads the newest 1,001 matches, as a total counts 1,001 rows: a common word costs
/// a page whatever the number of patents, the total says it is a lower bound, and a narrower
/// search reaches the older matches.
#[tokio::test]
async fn a_search_that_matches_more_than_a_thousand_ranks_the_newest_and_says_so() {
    use entity::patent;
    use sea_orm::{ActiveValue::NotSet, IntoActiveModel};

    let app = TestApp::spawn().await;
    let p = people(&app);
    let oldest = create(
        &app,
        &p.licensing_aist,
        patent_input(
            "2010-000001",
            "量子センサ旧型の筐体",
            "Housing of an old quantum sensor",
            json!({}),
        ),
    )
    .await;
    let model = patent::Entity::find()
        .filter(patent::Column::ApplicationNumber.eq("2010-000001"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    // 1,001 newer matches, the newest of which is titled with the very word.
    let rows: Vec<patent::ActiveModel> = (1..=1_001)
        .map(|i| {
            let mut row = model.clone().into_active_model();
            row.id = NotSet;
            row.application_number = sea_orm::ActiveValue::Set(format!("2011-{i:06}"));
            let title = if i == 1_001 {
                "量子センサ".to_owned()
            } else {
                format!("量子センサを用いた計測装置{i}")
            };
            row.search_text = sea_orm::ActiveValue::Set(title.clone());
            row.title_ja = sea_orm::ActiveValue::Set(title);
            row
        })
        .collect();
    for chunk in rows.chunks(200) {
        patent::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
    let search = async |text: &str| {
        ok(
            &app,
            Some(&p.network_admin),
            r#"query($s: String!) { patents(first: 3, filter: { search: $s }) {
                totalCount totalCountIsExact nodes { id titleJa } } }"#,
            json!({ "s": text }),
        )
        .await["patents"]
            .clone()
    };
    let common = search("量子センサ").await;
    assert_eq!(common["totalCount"], 1_000, "{common:#}");
    assert_eq!(common["totalCountIsExact"], false);
    assert_eq!(common["nodes"][0]["titleJa"], "量子センサ", "{common:#}");
    // The oldest match's shorter title would come next among equals, but it is past the newest
    // 1,001: the next is the shortest title of those ranked, the newest of them first.
    assert_eq!(
        common["nodes"][1]["titleJa"], "量子センサを用いた計測装置9",
        "{common:#}"
    );
    let narrower = search("量子センサ 旧型").await;
    assert_eq!(narrower["totalCount"], 1);
    assert_eq!(narrower["totalCountIsExact"], true);
    assert_eq!(narrower["nodes"][0]["id"], oldest["id"]);
}

const PATENT_VIEW: &str = r#"query($id: ID!) { patent(id: $id) { id licensing version explanation {
    id status version publishedVersion summaryJa versions { version change status } } } }"#;

#[tokio::test]
async fn explanations_move_by_the_right_role_and_others_read_the_published_version() {
    let app = TestApp::spawn().await;
    let p = people(&app);
    let patent = create(
        &app,
        &p.licensing_aist,
        patent_input(
            "2012-004567",
            "固体酸化物形燃料電池の製造方法",
            "SOFC",
            json!({}),
        ),
    )
    .await;
    let patent_id = patent["id"].clone();
    let explain = |token: &str, summary: &str| {
        let (app, token) = (&app, token.to_owned());
        let vars = json!({ "patent": patent_id, "k": key(), "summary": summary });
        async move { ask(app, Some(&token), EXPLAIN, vars).await }
    };
    // A member's evaluator writes it; a plain member, and a registrar at the holder, may not.
    for token in [&p.member_jetro, &p.registrar_aist, &p.company] {
        let body = explain(token, "低い温度で作る").await;
        assert_eq!(error_code_and_field(&body).0, "FORBIDDEN", "{body:#}");
    }
    let body = explain(&p.evaluator_jetro, "低い温度で作る").await;
    let explanation = body["data"]["createPatentExplanation"].clone();
    assert_eq!(explanation["status"], "DRAFT", "{body:#}");
    let id = explanation["id"].clone();
    let again = explain(&p.evaluator_jetro, "二つ目").await;
    assert_eq!(
        error_code_and_field(&again),
        ("CONFLICT".into(), "input.patentId".into())
    );
    // Texts are required and bounded, naming the field.
    let long = ask(
        &app,
        Some(&p.evaluator_jetro),
        r#"mutation($id: ID!, $t: String!) { updatePatentExplanation(id: $id, version: 1, texts: {
            summaryJa: $t, summaryEn: "x", applicationsJa: "x", applicationsEn: "x", requirementsJa: "x", requirementsEn: "x" }) { id } }"#,
        json!({ "id": id, "t": "長".repeat(2001) }),
    )
    .await;
    assert_bad_input(&long, "texts.summaryJa");

    let step = |mutation: &'static str, token: &str, extra: &'static str| {
        let (app, token) = (&app, token.to_owned());
        let query = format!(
            "mutation($id: ID!, $k: String!) {{ {mutation}(id: $id, idempotencyKey: $k{extra}) {{ status version }} }}"
        );
        let vars = json!({ "id": id, "k": key() });
        async move { ask(app, Some(&token), &query, vars).await }
    };
    // Submit: the author's institution or the holder; not another member.
    let body = step("submitPatentExplanation", &p.member_jetro, "").await;
    assert_eq!(error_code_and_field(&body).0, "FORBIDDEN", "{body:#}");
    let body = step("submitPatentExplanation", &p.org_admin_jst, "").await;
    assert_eq!(
        error_code_and_field(&body).0,
        "NOT_FOUND",
        "a draft of another institution does not exist: {body:#}"
    );
    let body = step("submitPatentExplanation", &p.evaluator_jetro, "").await;
    assert_eq!(
        body["data"]["submitPatentExplanation"]["status"], "IN_REVIEW",
        "{body:#}"
    );
    // Publishing a draft, or editing in review, is a CONFLICT.
    let body = step("submitPatentExplanation", &p.evaluator_jetro, "").await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "id".into())
    );
    // Review: the holder's licensing or org_admin only.
    for token in [&p.evaluator_jetro, &p.licensing_jetro, &p.registrar_aist] {
        let body = step("publishPatentExplanation", token, "").await;
        assert_eq!(error_code_and_field(&body).0, "FORBIDDEN", "{body:#}");
    }
    let body = step(
        "returnPatentExplanation",
        &p.org_admin_aist,
        r#", reason: "  ""#,
    )
    .await;
    assert_bad_input(&body, "reason");
    let body = step(
        "returnPatentExplanation",
        &p.org_admin_aist,
        r#", reason: "Say what an SME needs""#,
    )
    .await;
    assert_eq!(
        body["data"]["returnPatentExplanation"]["status"], "DRAFT",
        "{body:#}"
    );
    step("submitPatentExplanation", &p.evaluator_jetro, "").await;
    let body = step("publishPatentExplanation", &p.licensing_aist, "").await;
    assert_eq!(
        body["data"]["publishPatentExplanation"],
        json!({ "status": "PUBLISHED", "version": 5 })
    );

    // The author edits the published text: a new draft, naming its version; a stale one is a
    // CONFLICT.
    let edit = r#"mutation($id: ID!, $v: Int!) { updatePatentExplanation(id: $id, version: $v, texts: {
        summaryJa: "改訂中", summaryEn: "Being revised", applicationsJa: "x", applicationsEn: "x",
        requirementsJa: "x", requirementsEn: "x" }) { status version } }"#;
    let stale = ask(
        &app,
        Some(&p.evaluator_jetro),
        edit,
        json!({ "id": id, "v": 4 }),
    )
    .await;
    assert_eq!(
        error_code_and_field(&stale),
        ("CONFLICT".into(), "version".into())
    );
    let edited = ok(
        &app,
        Some(&p.evaluator_jetro),
        edit,
        json!({ "id": id, "v": 5 }),
    )
    .await;
    assert_eq!(
        edited["updatePatentExplanation"],
        json!({ "status": "DRAFT", "version": 6 })
    );

    // Anonymous callers, partner websites and other members read the published version; the
    // holder and the author read the draft.
    let seen = |token: Option<String>| {
        let app = &app;
        let vars = json!({ "id": patent_id });
        async move { ok(app, token.as_deref(), PATENT_VIEW, vars).await["patent"].clone() }
    };
    for token in [None, Some(p.company.clone()), Some(p.org_admin_jst.clone())] {
        let patent = seen(token).await;
        let explanation = &patent["explanation"];
        assert_eq!(explanation["status"], "PUBLISHED");
        assert_eq!(explanation["version"], 5);
        assert_eq!(explanation["summaryJa"], "低い温度で作る");
        assert_eq!(
            explanation["versions"],
            json!([{ "version": 5, "change": "published", "status": "PUBLISHED" }])
        );
    }
    for token in [&p.licensing_aist, &p.evaluator_jetro] {
        let patent = seen(Some(token.clone())).await;
        assert_eq!(patent["explanation"]["summaryJa"], "改訂中");
        assert_eq!(patent["explanation"]["publishedVersion"], 5);
        assert_eq!(
            patent["explanation"]["versions"].as_array().unwrap().len(),
            6
        );
    }
    // Published texts are searched; drafts are not.
    assert_eq!(
        app.data(SEARCH, json!({ "s": "発電装置" })).await["patents"]["totalCount"],
        1
    );
    assert_eq!(
        app.data(SEARCH, json!({ "s": "改訂中" })).await["patents"]["totalCount"],
        0
    );
    // Every move was audited.
    let audited = audit_entry::Entity::find()
        .filter(audit_entry::Column::Operation.eq("publishPatentExplanation"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 4, "three refusals and one success");
}

#[tokio::test]
async fn each_caller_reads_the_patents_the_rule_gives_it() {
    let app = TestApp::spawn().await;
    let p = people(&app);
    let open = create(
        &app,
        &p.licensing_aist,
        patent_input("2013-000001", "光触媒", "Photocatalyst", json!({})),
    )
    .await["id"]
        .clone();
    let unexplained = create(
        &app,
        &p.licensing_aist,
        patent_input(
            "2013-000002",
            "熱電変換素子",
            "Thermoelectric element",
            json!({}),
        ),
    )
    .await["id"]
        .clone();
    let not_offered = create(
        &app,
        &p.licensing_aist,
        patent_input(
            "2013-000003",
            "超伝導線材",
            "Superconducting wire",
            json!({ "licensing": "NOT_OFFERED" }),
        ),
    )
    .await["id"]
        .clone();
    // A company records a patent it gave up commercialising.
    let company = create(
        &app,
        &p.company,
        patent_input(
            "2014-000004",
            "小型風洞試験装置",
            "Small wind tunnel",
            json!({ "licensing": "NOT_OFFERED", "licenceForms": ["ASSIGNMENT"] }),
        ),
    )
    .await["id"]
        .clone();
    for id in [&open, &not_offered] {
        let explanation = ok(
            &app,
            Some(&p.licensing_aist),
            EXPLAIN,
            json!({ "patent": id, "k": key(), "summary": "説明" }),
        )
        .await["createPatentExplanation"]["id"]
            .clone();
        for step in ["submitPatentExplanation", "publishPatentExplanation"] {
            ok(
                &app,
                Some(&p.licensing_aist),
                &format!("mutation($id: ID!, $k: String!) {{ {step}(id: $id, idempotencyKey: $k) {{ id }} }}"),
                json!({ "id": explanation, "k": key() }),
            )
            .await;
        }
    }
    let all = [&open, &unexplained, &not_offered, &company];
    let listed = |token: Option<String>| {
        let app = &app;
        async move {
            let data = ok(
                app,
                token.as_deref(),
                "{ patents(first: 100) { totalCount nodes { id } } }",
                json!({}),
            )
            .await;
            let mut ids: Vec<Value> = data["patents"]["nodes"].as_array().unwrap().clone();
            ids.sort_by_key(|v| v["id"].as_str().unwrap().to_owned());
            ids.into_iter().map(|n| n["id"].clone()).collect::<Vec<_>>()
        }
    };
    let sorted = |ids: &[&Value]| {
        let mut ids: Vec<Value> = ids.iter().map(|v| (*v).clone()).collect();
        ids.sort_by_key(|v| v.as_str().unwrap().to_owned());
        ids
    };
    assert_eq!(listed(None).await, sorted(&[&open]), "anonymous");
    assert_eq!(
        listed(Some(p.company.clone())).await,
        sorted(&[&open, &company]),
        "a company outside the network: public ones and its own"
    );
    for token in [&p.member_jetro, &p.network_admin] {
        assert_eq!(listed(Some(token.clone())).await, sorted(&all));
    }
    // A patent the caller may not read does not exist for it, by id or through `node`.
    for id in [&unexplained, &not_offered, &company] {
        let body = app
            .graphql(
                "query($id: ID!) { patent(id: $id) { id } node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(body["data"], json!({ "patent": null, "node": null }));
    }
    // The holder's patents, as each caller may read them.
    let of_aist = r#"{ organization(code: "aist") { patents(first: 10) { totalCount } } }"#;
    assert_eq!(
        app.data(of_aist, json!({})).await["organization"]["patents"]["totalCount"],
        1
    );
    assert_eq!(
        ok(&app, Some(&p.member_jetro), of_aist, json!({})).await["organization"]["patents"]["totalCount"],
        3
    );
    // The holder edits, naming the version; others may not.
    let update = r#"mutation($id: ID!, $v: Int!) { updatePatent(id: $id, version: $v, input: { trl: 6 }) { trl version } }"#;
    assert_eq!(
        code(
            &app,
            Some(&p.licensing_jetro),
            update,
            json!({ "id": open, "v": 1 })
        )
        .await,
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app, None, update, json!({ "id": open, "v": 1 })).await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        ok(
            &app,
            Some(&p.org_admin_aist),
            update,
            json!({ "id": open, "v": 1 })
        )
        .await["updatePatent"],
        json!({ "trl": 6, "version": 2 })
    );
    assert_eq!(
        code(
            &app,
            Some(&p.org_admin_aist),
            update,
            json!({ "id": open, "v": 1 })
        )
        .await,
        "CONFLICT"
    );
    // The holder offers the explained patent it had kept back: from then on anyone reads it, in
    // the list, in the holder's patents and by what it is about.
    let version = ok(
        &app,
        Some(&p.licensing_aist),
        "query($id: ID!) { patent(id: $id) { version } }",
        json!({ "id": not_offered }),
    )
    .await["patent"]["version"]
        .clone();
    ok(
        &app,
        Some(&p.licensing_aist),
        r#"mutation($id: ID!, $v: Int!) { updatePatent(id: $id, version: $v, input: { licensing: OPEN }) { id } }"#,
        json!({ "id": not_offered, "v": version }),
    )
    .await;
    assert_eq!(
        listed(None).await,
        sorted(&[&open, &not_offered]),
        "anonymous, once it is offered"
    );
    assert_eq!(
        app.data(
            r#"{ patents(first: 10, filter: { search: "超伝導" }) { totalCount nodes { id } } }"#,
            json!({})
        )
        .await["patents"],
        json!({ "totalCount": 1, "nodes": [{ "id": not_offered }] })
    );
    assert_eq!(
        app.data(of_aist, json!({})).await["organization"]["patents"]["totalCount"],
        2
    );
}

const SEND: &str = r#"mutation($patent: ID!, $sme: ID!, $k: String!) { sendLicensingInquiry(idempotencyKey: $k,
    input: { patentId: $patent, smeId: $sme, message: "弊社の顧客が関心を持っています" }) { id status version } }"#;

async fn inquiry_step(
    app: &TestApp,
    token: &str,
    mutation: &str,
    id: &Value,
    extra: &str,
) -> Value {
    let query = format!(
        "mutation($id: ID!, $k: String!) {{ {mutation}(id: $id, idempotencyKey: $k{extra}) {{ status version licenceForm agreedOn note }} }}"
    );
    ask(app, Some(token), &query, json!({ "id": id, "k": key() })).await
}

#[tokio::test]
async fn licensing_inquiries_move_by_the_right_side_and_only_the_two_institutions_see_them() {
    let app = TestApp::spawn().await;
    let p = people(&app);
    let patent = create(
        &app,
        &p.licensing_aist,
        patent_input("2019-000777", "燃料電池", "Fuel cell", json!({})),
    )
    .await["id"]
        .clone();
    let sme = ok(
        &app,
        Some(&p.evaluator_jetro),
        r#"mutation($n: String!) { createSme(idempotencyKey: "sme-1", input: { corporateNumber: $n,
            nameJa: "試験精機", nameEn: "Test Precision", prefectureCode: 23 }) { id } }"#,
        json!({ "n": with_check_digit("700000000001") }),
    )
    .await["createSme"]["id"]
        .clone();

    // Who sends: a member's evaluator or org_admin, for an SME it supports.
    let send = |token: &str, k: &str| {
        let (app, token) = (&app, token.to_owned());
        let vars = json!({ "patent": patent, "sme": sme, "k": k });
        async move { ask(app, Some(&token), SEND, vars).await }
    };
    assert_eq!(
        error_code_and_field(&send(&p.member_jetro, "a").await).0,
        "FORBIDDEN"
    );
    assert_eq!(
        error_code_and_field(&send(&p.licensing_jetro, "b").await).0,
        "FORBIDDEN"
    );
    assert_eq!(
        error_code_and_field(&send(&p.org_admin_jst, "c").await).0,
        "FORBIDDEN",
        "JST neither registered nor evaluated the SME"
    );
    assert_eq!(
        error_code_and_field(
            &app.graphql(SEND, json!({ "patent": patent, "sme": sme, "k": "d" }))
                .await
        )
        .0,
        "UNAUTHENTICATED"
    );
    let first = send(&p.evaluator_jetro, "inquiry-1").await;
    let inquiry = first["data"]["sendLicensingInquiry"].clone();
    assert_eq!(inquiry["status"], "SENT", "{first:#}");
    // A retry with the same key is the same inquiry.
    let retried = send(&p.evaluator_jetro, "inquiry-1").await;
    assert_eq!(retried["data"]["sendLicensingInquiry"], inquiry);
    let id = inquiry["id"].clone();

    // Only the two institutions and network admins see it.
    let list = "{ licensingInquiries(first: 10) { totalCount nodes { id message sender { code } holder { code } } } }";
    for token in [
        &p.evaluator_jetro,
        &p.member_jetro,
        &p.licensing_aist,
        &p.network_admin,
    ] {
        let data = ok(&app, Some(token), list, json!({})).await;
        assert_eq!(data["licensingInquiries"]["totalCount"], 1);
        assert_eq!(
            data["licensingInquiries"]["nodes"][0]["holder"]["code"],
            "aist"
        );
    }
    let data = ok(&app, Some(&p.org_admin_jst), list, json!({})).await;
    assert_eq!(data["licensingInquiries"]["totalCount"], 0);
    assert_eq!(code(&app, None, list, json!({})).await, "UNAUTHENTICATED");
    let node = "query($id: ID!) { node(id: $id) { id } }";
    assert_eq!(
        ok(&app, Some(&p.org_admin_jst), node, json!({ "id": id })).await["node"],
        Value::Null
    );

    // The holder answers; the sender may not.
    for token in [&p.evaluator_jetro, &p.registrar_aist, &p.org_admin_jst] {
        let body = inquiry_step(&app, token, "acknowledgeLicensingInquiry", &id, "").await;
        let code = error_code_and_field(&body).0;
        assert!(code == "FORBIDDEN" || code == "NOT_FOUND", "{body:#}");
    }
    let body = inquiry_step(
        &app,
        &p.licensing_aist,
        "acknowledgeLicensingInquiry",
        &id,
        "",
    )
    .await;
    assert_eq!(
        body["data"]["acknowledgeLicensingInquiry"]["status"],
        "ACKNOWLEDGED"
    );
    let body = inquiry_step(
        &app,
        &p.licensing_aist,
        "agreeLicensingInquiry",
        &id,
        ", licenceForm: EXCLUSIVE",
    )
    .await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "id".into())
    );
    let body = inquiry_step(
        &app,
        &p.licensing_aist,
        "startLicensingDiscussion",
        &id,
        ", version: 1",
    )
    .await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "version".into())
    );
    let body = inquiry_step(
        &app,
        &p.org_admin_aist,
        "startLicensingDiscussion",
        &id,
        ", version: 2",
    )
    .await;
    assert_eq!(
        body["data"]["startLicensingDiscussion"]["status"],
        "IN_DISCUSSION"
    );

    // A second and third inquiry: withdrawn by the sender, declined by the holder.
    let second =
        send(&p.evaluator_jetro, "inquiry-2").await["data"]["sendLicensingInquiry"]["id"].clone();
    let body = inquiry_step(
        &app,
        &p.licensing_aist,
        "withdrawLicensingInquiry",
        &second,
        "",
    )
    .await;
    assert_eq!(error_code_and_field(&body).0, "FORBIDDEN");
    let body = inquiry_step(
        &app,
        &p.evaluator_jetro,
        "withdrawLicensingInquiry",
        &second,
        r#", reason: "The SME chose another supplier""#,
    )
    .await;
    assert_eq!(
        body["data"]["withdrawLicensingInquiry"]["status"],
        "WITHDRAWN"
    );
    let body = inquiry_step(
        &app,
        &p.evaluator_jetro,
        "withdrawLicensingInquiry",
        &second,
        "",
    )
    .await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "id".into()),
        "an end is an end"
    );
    let third =
        send(&p.evaluator_jetro, "inquiry-3").await["data"]["sendLicensingInquiry"]["id"].clone();
    let body = inquiry_step(
        &app,
        &p.evaluator_jetro,
        "declineLicensingInquiry",
        &third,
        r#", reason: "No""#,
    )
    .await;
    assert_eq!(error_code_and_field(&body).0, "FORBIDDEN");
    let body = inquiry_step(
        &app,
        &p.licensing_aist,
        "declineLicensingInquiry",
        &third,
        r#", reason: "Licensed elsewhere in the region""#,
    )
    .await;
    assert_eq!(
        body["data"]["declineLicensingInquiry"]["note"],
        "Licensed elsewhere in the region"
    );

    // Agreeing needs a form the holder offers; an exclusive licence closes the patent.
    let body = inquiry_step(
        &app,
        &p.licensing_aist,
        "agreeLicensingInquiry",
        &id,
        ", licenceForm: OPTION",
    )
    .await;
    assert_bad_input(&body, "licenceForm");
    let body = inquiry_step(
        &app,
        &p.evaluator_jetro,
        "agreeLicensingInquiry",
        &id,
        ", licenceForm: EXCLUSIVE",
    )
    .await;
    assert_eq!(error_code_and_field(&body).0, "FORBIDDEN");
    let body = inquiry_step(
        &app,
        &p.licensing_aist,
        "agreeLicensingInquiry",
        &id,
        r#", licenceForm: EXCLUSIVE, agreedOn: "2025-05-01""#,
    )
    .await;
    assert_eq!(
        body["data"]["agreeLicensingInquiry"],
        json!({ "status": "AGREED", "version": 4, "licenceForm": "EXCLUSIVE", "agreedOn": "2025-05-01", "note": null })
    );
    let data = ok(
        &app,
        Some(&p.member_jetro),
        "query($id: ID!) { patent(id: $id) { licensing version } }",
        json!({ "id": patent }),
    )
    .await;
    assert_eq!(
        data["patent"],
        json!({ "licensing": "LICENSED_EXCLUSIVELY", "version": 2 })
    );
    let body = send(&p.evaluator_jetro, "inquiry-4").await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "input.patentId".into())
    );

    // The network's report: FY2025 runs from April 2025 to March 2026.
    let stats = app
        .data(
            "{ patentStatistics(fiscalYear: 2025) { holder { code } patentsExplained inquiries licencesAgreed } }",
            json!({}),
        )
        .await;
    assert_eq!(
        stats["patentStatistics"],
        json!([{ "holder": { "code": "aist" }, "patentsExplained": 0, "inquiries": 0, "licencesAgreed": 1 }])
    );
    let this_year =
        iin_api::domain::dates::fiscal_year_of(iin_api::domain::dates::today_in_japan());
    let stats = app
        .data(
            "query($y: Int!) { patentStatistics(fiscalYear: $y) { holder { code } inquiries } }",
            json!({ "y": this_year }),
        )
        .await;
    assert_eq!(
        stats["patentStatistics"],
        json!([{ "holder": { "code": "aist" }, "inquiries": 3 }])
    );
}

#[tokio::test]
async fn both_sides_hear_an_inquiry_change_and_nobody_else_does() {
    let app = TestApp::spawn().await;
    let p = people(&app);
    let patent = create(
        &app,
        &p.licensing_aist,
        patent_input("2020-000888", "燃料電池", "Fuel cell", json!({})),
    )
    .await["id"]
        .clone();
    let sme = ok(
        &app,
        Some(&p.evaluator_jetro),
        r#"mutation($n: String!) { createSme(idempotencyKey: "sme-1", input: { corporateNumber: $n,
            nameJa: "試験精機", nameEn: "Test Precision", prefectureCode: 23 }) { id } }"#,
        json!({ "n": with_check_digit("700000000002") }),
    )
    .await["createSme"]["id"]
        .clone();
    let subscription = json!({ "query": "subscription { licensingInquiryChanged { inquiryId status version change } }" });
    let mut sockets = Vec::new();
    for token in [&p.member_jetro, &p.licensing_aist, &p.org_admin_jst] {
        let mut socket = ws::connect(&app, Some(token)).await;
        ws::subscribe(&mut socket, "1", &subscription).await;
        sockets.push(socket);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let sent = ok(
        &app,
        Some(&p.evaluator_jetro),
        SEND,
        json!({ "patent": patent, "sme": sme, "k": key() }),
    )
    .await["sendLicensingInquiry"]["id"]
        .clone();
    inquiry_step(
        &app,
        &p.licensing_aist,
        "acknowledgeLicensingInquiry",
        &sent,
        "",
    )
    .await;
    for socket in &mut sockets[..2] {
        for (status, version, change) in [("SENT", 1, "sent"), ("ACKNOWLEDGED", 2, "acknowledged")]
        {
            let message = ws::receive(socket).await;
            assert_eq!(
                message["payload"]["data"]["licensingInquiryChanged"],
                json!({ "inquiryId": sent, "status": status, "version": version, "change": change }),
                "{message:#}"
            );
        }
    }
    // The third institution hears nothing.
    let quiet = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        ws::next_frame(&mut sockets[2]),
    )
    .await;
    assert!(quiet.is_err(), "JST heard {quiet:?}");
    // Anonymous callers are asked to sign in.
    let answer = ws::operation(&app, None, &subscription).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn an_sme_is_suggested_patents_that_fit_it_with_reasons() {
    let app = TestApp::spawn().await;
    let p = people(&app);
    create(
        &app,
        &p.licensing_aist,
        patent_input(
            "2021-000001",
            "固体酸化物形燃料電池",
            "SOFC",
            json!({ "trl": 7 }),
        ),
    )
    .await;
    create(
        &app,
        &p.licensing_aist,
        patent_input(
            "2021-000002",
            "食品の殺菌方法",
            "Food sterilisation",
            json!({ "ipcClasses": ["A23L 3/00"], "fields": ["FOOD"] }),
        ),
    )
    .await;
    let sme = ok(
        &app,
        Some(&p.evaluator_jetro),
        r#"mutation($n: String!) { createSme(idempotencyKey: "sme-1", input: { corporateNumber: $n,
            nameJa: "試験電機", nameEn: "Test Electric", prefectureCode: 23, industry: "E29" }) { id } }"#,
        json!({ "n": with_check_digit("700000000003") }),
    )
    .await["createSme"]["id"]
        .clone();
    let data = ok(
        &app,
        Some(&p.member_jetro),
        "query($id: ID!) { sme(id: $id) { suggestedPatents(first: 5) { score reasons patent { titleEn } } } }",
        json!({ "id": sme }),
    )
    .await;
    let suggested = data["sme"]["suggestedPatents"].as_array().unwrap();
    assert_eq!(suggested.len(), 1, "{data:#}");
    assert_eq!(suggested[0]["patent"]["titleEn"], "SOFC");
    assert!(
        suggested[0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("H01M 8/12"),
        "{data:#}"
    );
    let body = app
        .graphql(
            "query($id: ID!) { sme(id: $id) { suggestedPatents(first: 51) { score } } }",
            json!({ "id": sme }),
        )
        .await;
    assert_bad_input(&body, "first");
}

#[tokio::test]
async fn a_page_of_patents_with_explanations_and_holders_costs_the_same_statements_at_any_size() {
    let app = TestApp::spawn().await;
    let p = people(&app);
    for n in 1..=6 {
        let patent = create(
            &app,
            &p.licensing_aist,
            patent_input(
                &format!("2022-{n:06}"),
                "光触媒",
                "Photocatalyst",
                json!({}),
            ),
        )
        .await["id"]
            .clone();
        let explanation = ok(
            &app,
            Some(&p.licensing_aist),
            EXPLAIN,
            json!({ "patent": patent, "k": key(), "summary": "説明" }),
        )
        .await["createPatentExplanation"]["id"]
            .clone();
        for step in ["submitPatentExplanation", "publishPatentExplanation"] {
            ok(
                &app,
                Some(&p.licensing_aist),
                &format!("mutation($id: ID!, $k: String!) {{ {step}(id: $id, idempotencyKey: $k) {{ id }} }}"),
                json!({ "id": explanation, "k": key() }),
            )
            .await;
        }
        // Half of them edited again: readers other than the holder see the published version.
        if n % 2 == 0 {
            ok(
                &app,
                Some(&p.licensing_aist),
                r#"mutation($id: ID!) { updatePatentExplanation(id: $id, version: 3, texts: {
                    summaryJa: "改訂中", summaryEn: "x", applicationsJa: "x", applicationsEn: "x",
                    requirementsJa: "x", requirementsEn: "x" }) { id } }"#,
                json!({ "id": explanation }),
            )
            .await;
        }
    }
    let query = r#"query($first: Int!) { patents(first: $first) { nodes { titleJa
        holder { code } explanation { status summaryJa } } } }"#;
    // Warm the institution cache.
    ok(&app, Some(&p.member_jetro), query, json!({ "first": 1 })).await;
    let mut costs = Vec::new();
    for first in [2, 6] {
        let before = app.statements().await;
        let data = ok(
            &app,
            Some(&p.member_jetro),
            query,
            json!({ "first": first }),
        )
        .await;
        let nodes = data["patents"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), first);
        assert!(
            nodes
                .iter()
                .all(|n| n["explanation"]["summaryJa"] == "説明"),
            "{data:#}"
        );
        costs.push(app.statements().await - before);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements for 2 and 6 patents: {costs:?}"
    );
}
