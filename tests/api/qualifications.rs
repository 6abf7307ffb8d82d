//! Qualifications as registrars and partner websites use them: issuing with prerequisites,
//! status from dates at the edges (the expiry day, the end of grace, 29 February), renewal
//! windows and continuing education, decisions, and verification by anyone.

use chrono::{Duration, NaiveDate};
use iin_api::{auth::Role, domain::dates};
use iin_tests::{Client, TestApp, error_parts, only_error};
use serde_json::{Value, json};

fn today() -> NaiveDate {
    dates::today_in_japan()
}

/// An award date whose validity of `months` ends exactly on `expiry`.
fn awarded_for_expiry(expiry: NaiveDate, months: u32) -> NaiveDate {
    let mut day = expiry - Duration::days(i64::from(months) * 31 + 5);
    while dates::period_end(day, months) != Some(expiry) {
        day += Duration::days(1);
        assert!(day < expiry, "no award date ends on {expiry}");
    }
    day
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

struct Registry<'a>(Client<'a>);

impl<'a> std::ops::Deref for Registry<'a> {
    type Target = Client<'a>;

    fn deref(&self) -> &Client<'a> {
        &self.0
    }
}

impl<'a> Registry<'a> {
    /// A registrar and org admin of AIST.
    fn new(app: &'a TestApp) -> Self {
        Self(app.client("registrar@aist", "aist", &[Role::Registrar, Role::OrgAdmin]))
    }

    async fn scheme(&self, input: Value) -> Value {
        self.ok(
            "mutation($input: CreateQualificationSchemeInput!, $key: String!) { createQualificationScheme(idempotencyKey: $key, input: $input) { id } }",
            json!({ "input": input }),
        )
        .await["createQualificationScheme"]["id"]
            .clone()
    }

    async fn coordinator(&self, name: &str) -> Value {
        self.ok(
            "mutation($name: String!, $key: String!) { createCoordinator(idempotencyKey: $key, input: { nameJa: \"試験\", nameEn: $name, prefectureCode: 8 }) { id } }",
            json!({ "name": name }),
        )
        .await["createCoordinator"]["id"]
            .clone()
    }

    async fn issue(
        &self,
        scheme: &Value,
        level: &str,
        holder: &Value,
        awarded_on: NaiveDate,
    ) -> Value {
        self.ask(
            "mutation($input: IssueAwardInput!, $key: String!) { issueAward(idempotencyKey: $key, input: $input) { id certificateNumber awardedOn expiresOn status } }",
            json!({ "input": { "schemeId": scheme, "level": level, "coordinatorId": holder, "awardedOn": iso(awarded_on) } }),
        )
        .await
    }
}

fn simple_scheme(code: &str, validity: u32, window: u32, grace: u32, ce: Value) -> Value {
    json!({ "code": code, "nameJa": "試験", "nameEn": "Test scheme", "holderKind": "PERSON",
            "validityMonths": validity, "renewalWindowMonths": window, "graceMonths": grace,
            "levels": [{ "code": "basic", "nameJa": "基礎", "nameEn": "Basic" }], "continuingEducation": ce })
}

#[tokio::test]
async fn status_follows_the_dates_at_their_edges() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let strict = registry
        .scheme(simple_scheme("edge-strict", 12, 1, 0, json!([])))
        .await;
    let lenient = registry
        .scheme(simple_scheme("edge-grace", 12, 1, 1, json!([])))
        .await;
    let yesterday = today() - Duration::days(1);

    let cases = [
        (&strict, today(), "ACTIVE", "the expiry day itself"),
        (
            &strict,
            yesterday,
            "EXPIRED",
            "the day after expiry, without grace",
        ),
        (
            &lenient,
            yesterday,
            "ACTIVE",
            "the day after expiry, within grace",
        ),
    ];
    let mut holders = Vec::new();
    for (index, (scheme, expiry, status, why)) in cases.iter().enumerate() {
        let holder = registry.coordinator(&format!("Edge holder {index}")).await;
        let body = registry
            .issue(scheme, "basic", &holder, awarded_for_expiry(*expiry, 12))
            .await;
        let award = &body["data"]["issueAward"];
        assert_eq!(award["expiresOn"], iso(*expiry), "{why}: {body:#}");
        assert_eq!(award["status"], *status, "{why}");
        holders.push((holder, *status));
    }

    // The grace period ends on the day the Civil Code says: an award that expired on
    // `grace_start - 1` with one month of grace counts through `period_end(grace_start, 1)`.
    let long_ago = today() - Duration::days(45);
    let holder = registry.coordinator("Edge holder past grace").await;
    let body = registry
        .issue(&lenient, "basic", &holder, awarded_for_expiry(long_ago, 12))
        .await;
    let grace_end = dates::grace_end(long_ago, 1).unwrap();
    let expected = if grace_end >= today() {
        "ACTIVE"
    } else {
        "EXPIRED"
    };
    assert_eq!(body["data"]["issueAward"]["status"], expected);

    // "Holds an active award" counts grace too.
    let data = app
        .data(
            r#"{ strict: coordinators(filter: { holdsActiveAward: { scheme: "edge-strict" } }) { nodes { nameEn } }
                 lenient: coordinators(filter: { holdsActiveAward: { scheme: "edge-grace" } }) { nodes { nameEn } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["strict"]["nodes"],
        json!([{ "nameEn": "Edge holder 0" }])
    );
    let lenient_names: Vec<_> = data["lenient"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["nameEn"].clone())
        .collect();
    assert!(
        lenient_names.contains(&json!("Edge holder 2")),
        "{lenient_names:?}"
    );

    // 29 February: a year of validity ends on 28 February.
    let holder = registry.coordinator("Leap holder").await;
    let body = registry
        .issue(
            &strict,
            "basic",
            &holder,
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        )
        .await;
    assert_eq!(body["data"]["issueAward"]["expiresOn"], "2025-02-28");
    assert_eq!(body["data"]["issueAward"]["status"], "EXPIRED");
}

#[tokio::test]
async fn renewal_opens_in_its_window_and_needs_continuing_education() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let scheme = registry
        .scheme(simple_scheme(
            "renewable",
            12,
            2,
            0,
            json!([{ "unit": "CREDITS", "amount": 3, "periodMonths": 12 }]),
        ))
        .await;
    let course = registry
        .ok(r#"mutation($key: String!) { createTrainingCourse(idempotencyKey: $key, input: { titleJa: "更新研修", titleEn: "Update course", unit: CREDITS, amount: 1 }) { id } }"#, json!({}))
        .await["createTrainingCourse"]["id"]
        .clone();
    let renew = "mutation($id: ID!) { renewAward(id: $id) { expiresOn status } }";

    let fresh = registry.coordinator("Fresh").await;
    let early =
        registry.issue(&scheme, "basic", &fresh, today()).await["data"]["issueAward"]["id"].clone();
    let (code, _, message) = error_parts(&registry.ask(renew, json!({ "id": early })).await);
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("renewal opens on"), "{message}");

    let due = today() + Duration::days(10);
    let holder = registry.coordinator("Due soon").await;
    let award = registry
        .issue(&scheme, "basic", &holder, awarded_for_expiry(due, 12))
        .await["data"]["issueAward"]["id"]
        .clone();
    let (code, _, message) = error_parts(&registry.ask(renew, json!({ "id": award })).await);
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("continuing education"), "{message}");

    let progress = registry
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Award { renewal { opensOn dueOn closesOn openNow continuingEducation { unit required earned missing } } } } }",
            json!({ "id": award }),
        )
        .await["node"]["renewal"]
        .clone();
    assert_eq!(progress["dueOn"], iso(due));
    assert_eq!(progress["closesOn"], iso(due));
    assert_eq!(progress["openNow"], true);
    assert_eq!(
        progress["continuingEducation"],
        json!([{ "unit": "CREDITS", "required": 3, "earned": 0, "missing": 3 }])
    );

    let record = "mutation($id: ID!, $course: ID!, $on: Date!, $key: String!) { recordTraining(idempotencyKey: $key, coordinatorId: $id, courseId: $course, completedOn: $on) { completedOn } }";
    for days_ago in 1..=3 {
        let on = iso(today() - Duration::days(days_ago));
        registry
            .ok(record, json!({ "id": holder, "course": course, "on": on }))
            .await;
    }
    let retry = registry
        .ask(
            record,
            json!({ "id": holder, "course": course, "on": iso(today() - Duration::days(1)) }),
        )
        .await;
    assert_eq!(
        error_parts(&retry).0,
        "CONFLICT",
        "a retried record never counts twice"
    );
    let future = registry
        .ask(
            record,
            json!({ "id": holder, "course": course, "on": iso(today() + Duration::days(1)) }),
        )
        .await;
    assert_eq!(error_parts(&future).1, "completedOn");

    let renewed = registry.ok(renew, json!({ "id": award })).await;
    let next = dates::period_end(due + Duration::days(1), 12).unwrap();
    assert_eq!(
        renewed["renewAward"],
        json!({ "expiresOn": iso(next), "status": "ACTIVE" }),
        "runs on from the old expiry"
    );

    let lapsed = registry.coordinator("Lapsed").await;
    let old = registry
        .issue(
            &scheme,
            "basic",
            &lapsed,
            awarded_for_expiry(today() - Duration::days(1), 12),
        )
        .await["data"]["issueAward"]["id"]
        .clone();
    let (code, _, message) = error_parts(&registry.ask(renew, json!({ "id": old })).await);
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("renewal closed"), "{message}");
}

#[tokio::test]
async fn levels_need_the_one_below_and_decisions_keep_their_reason() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let scheme = registry
        .scheme(json!({ "code": "tiers", "nameJa": "段階", "nameEn": "Tiers", "holderKind": "PERSON", "validityMonths": 24,
            "levels": [{ "code": "bronze", "nameJa": "銅", "nameEn": "Bronze" },
                       { "code": "silver", "nameJa": "銀", "nameEn": "Silver", "requiresPrevious": true }] }))
        .await;
    let holder = registry.coordinator("Climber").await;

    let (code, field, message) =
        error_parts(&registry.issue(&scheme, "silver", &holder, today()).await);
    assert_eq!((code.as_str(), field.as_str()), ("CONFLICT", "input.level"));
    assert!(message.contains("bronze"), "{message}");
    assert!(
        registry
            .issue(&scheme, "bronze", &holder, today())
            .await
            .get("errors")
            .is_none()
    );
    let (code, field, _) = error_parts(&registry.issue(&scheme, "bronze", &holder, today()).await);
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("CONFLICT", "input.level"),
        "one active award per level"
    );
    let silver = registry.issue(&scheme, "silver", &holder, today()).await;
    let silver_id = silver["data"]["issueAward"]["id"].clone();
    let number = silver["data"]["issueAward"]["certificateNumber"]
        .as_str()
        .unwrap()
        .to_owned();

    for (input, field) in [
        (json!({ "level": "gold" }), "input.level"),
        (
            json!({ "awardedOn": iso(today() + Duration::days(1)) }),
            "input.awardedOn",
        ),
    ] {
        let mut full = json!({ "schemeId": scheme, "level": "bronze", "coordinatorId": registry.coordinator(field).await });
        for (key, value) in input.as_object().unwrap() {
            full[key] = value.clone();
        }
        let body = registry
            .ask(
                "mutation($input: IssueAwardInput!, $key: String!) { issueAward(idempotencyKey: $key, input: $input) { id } }",
                json!({ "input": full }),
            )
            .await;
        assert_eq!(error_parts(&body).0, "BAD_USER_INPUT");
        assert_eq!(error_parts(&body).1, field);
    }

    let decide = |verb: &str| {
        format!(
            "mutation($id: ID!, $reason: String!) {{ {verb}(id: $id, reason: $reason) {{ status decisionReason }} }}"
        )
    };
    let suspended = registry
        .ok(
            &decide("suspendAward"),
            json!({ "id": silver_id, "reason": "Complaint under review" }),
        )
        .await;
    assert_eq!(
        suspended["suspendAward"],
        json!({ "status": "SUSPENDED", "decisionReason": "Complaint under review" })
    );
    let check = app
        .data(
            "query($n: String!) { verifyCertificate(number: $n) { status } }",
            json!({ "n": number }),
        )
        .await;
    assert_eq!(
        check["verifyCertificate"]["status"], "SUSPENDED",
        "partners see the suspension at once"
    );
    let blank = registry
        .ask(
            &decide("reinstateAward"),
            json!({ "id": silver_id, "reason": "  " }),
        )
        .await;
    assert_eq!(error_parts(&blank).1, "reason");
    let reinstated = registry
        .ok(
            &decide("reinstateAward"),
            json!({ "id": silver_id, "reason": "Complaint dismissed" }),
        )
        .await;
    assert_eq!(reinstated["reinstateAward"]["status"], "ACTIVE");
    let revoked = registry
        .ok(
            &decide("revokeAward"),
            json!({ "id": silver_id, "reason": "Certificate obtained by fraud" }),
        )
        .await;
    assert_eq!(revoked["revokeAward"]["status"], "REVOKED");
    let (code, _, message) = error_parts(
        &registry
            .ask(
                &decide("reinstateAward"),
                json!({ "id": silver_id, "reason": "Appeal" }),
            )
            .await,
    );
    assert_eq!(code, "CONFLICT");
    assert!(
        message.contains("REVOKED"),
        "names the current state: {message}"
    );
}

#[tokio::test]
async fn anyone_can_verify_a_certificate_and_unknown_numbers_are_null() {
    let app = TestApp::spawn().await;
    let query = "query($n: String!) { verifyCertificate(number: $n) {
        certificateNumber holderNameJa holderNameEn scheme { code issuer { code } } level { code } awardedOn expiresOn status } }";
    let suspended = app.data(query, json!({ "n": "IIN-8K3N-F5VX-1RPD" })).await;
    assert_eq!(
        suspended["verifyCertificate"],
        json!({ "certificateNumber": "IIN-8K3N-F5VX-1RPD", "holderNameJa": "田中 誠", "holderNameEn": "Makoto Tanaka",
                "scheme": { "code": "sme-consultant", "issuer": { "code": "meti" } }, "level": { "code": "registered" },
                "awardedOn": "2023-04-01", "expiresOn": "2028-03-31", "status": "SUSPENDED" })
    );
    let typed = app
        .data(query, json!({ "n": " iin 8k3n f5vx 1rpd " }))
        .await;
    assert_eq!(
        typed["verifyCertificate"]["certificateNumber"],
        "IIN-8K3N-F5VX-1RPD"
    );
    let expired = app.data(query, json!({ "n": "IIN-5T8V-R1QM-7JZE" })).await;
    assert_eq!(
        expired["verifyCertificate"]["status"], "EXPIRED",
        "past expiry and grace"
    );
    let label = app.data(query, json!({ "n": "IIN-9D2K-C7TB-4XRV" })).await;
    assert_eq!(
        label["verifyCertificate"]["holderNameEn"], "Food Cluster Network",
        "organisations hold labels"
    );
    for unknown in ["IIN-0000-0000-0000", "hello", ""] {
        let body = app.graphql(query, json!({ "n": unknown })).await;
        assert_eq!(
            body,
            json!({ "data": { "verifyCertificate": null } }),
            "{unknown:?}"
        );
    }
}

#[tokio::test]
async fn coordinators_filter_by_expertise_place_organisation_and_credentials() {
    let app = TestApp::spawn().await;
    let names = |v: &Value| -> Vec<String> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["nameEn"].as_str().unwrap().to_owned())
            .collect()
    };
    let forum = app
        .data(
            r#"{ organization(code: "aerospace-forum") { id } }"#,
            json!({}),
        )
        .await["organization"]["id"]
        .clone();
    let data = app
        .data(
            r#"query($forum: ID!) {
                 aero: coordinators(filter: { expertise: AEROSPACE }) { nodes { nameEn } }
                 hokkaido: coordinators(filter: { bureau: HOKKAIDO }) { nodes { nameEn } }
                 saitama: coordinators(filter: { prefectureCode: 11 }) { nodes { nameEn organization { code } } }
                 forum: coordinators(filter: { organizationId: $forum }) { totalCount }
                 advanced: coordinators(filter: { holdsActiveAward: { scheme: "ura-skill", minLevel: "certified-senior-ura" } }) { nodes { nameEn } }
                 core: coordinators(filter: { holdsActiveAward: { scheme: "ura-skill", minLevel: "certified-ura" } }, orderBy: { field: NAME_EN }) { nodes { nameEn } }
                 consultants: coordinators(filter: { holdsActiveAward: { scheme: "sme-consultant" } }) { nodes { nameEn } }
                 managers: coordinators(filter: { holdsActiveAward: { scheme: "incubation-manager" } }) { nodes { nameEn } } }"#,
            json!({ "forum": forum }),
        )
        .await;
    assert_eq!(names(&data["aero"]), ["Kenichi Yamada"]);
    assert_eq!(names(&data["hokkaido"]), ["Misaki Sato"]);
    assert_eq!(
        data["saitama"]["nodes"],
        json!([{ "nameEn": "Naoko Ito", "organization": { "code": "jst" } }])
    );
    assert_eq!(data["forum"]["totalCount"], 1);
    assert_eq!(names(&data["advanced"]), ["Naoko Ito"]);
    assert_eq!(names(&data["core"]), ["Naoko Ito", "Yumi Takahashi"]);
    assert!(
        !names(&data["consultants"]).contains(&"Makoto Tanaka".to_owned()),
        "a suspended licence does not count"
    );
    assert!(
        !names(&data["managers"]).contains(&"Misaki Sato".to_owned()),
        "an expired award does not count"
    );

    let q = "query($f: CoordinatorFilter) { coordinators(filter: $f) { totalCount } }";
    for (filter, field) in [
        (
            json!({ "holdsActiveAward": { "scheme": "no-such-scheme" } }),
            "filter.holdsActiveAward.scheme",
        ),
        (
            json!({ "holdsActiveAward": { "scheme": "ura-skill", "minLevel": "platinum" } }),
            "filter.holdsActiveAward.minLevel",
        ),
        (json!({ "prefectureCode": 99 }), "filter.prefectureCode"),
    ] {
        assert_eq!(
            error_parts(&app.graphql(q, json!({ "f": filter })).await).1,
            field
        );
    }
}

#[tokio::test]
async fn members_see_awards_with_renewal_and_the_public_does_not() {
    let app = TestApp::spawn().await;
    let query = r#"{ coordinators(filter: { prefectureCode: 23, expertise: MANUFACTURING }, orderBy: { field: NAME_EN }) {
        nodes { nameEn awards { certificateNumber status scheme { code } level { code } renewal { dueOn continuingEducation { unit missing } } } } } }"#;
    let anonymous = app
        .post(
            &[("content-type", "application/json")],
            json!({ "query": query }).to_string(),
        )
        .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.json()["data"]["coordinators"]["nodes"][0]["awards"],
        Value::Null
    );

    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let body = app.graphql_as(&member, query, json!({})).await.json();
    assert!(body.get("errors").is_none(), "{body:#}");
    let suzuki = &body["data"]["coordinators"]["nodes"][0];
    assert_eq!(suzuki["nameEn"], "Daisuke Suzuki");
    let licence = &suzuki["awards"][0];
    assert_eq!(licence["scheme"]["code"], "sme-consultant");
    assert_eq!(licence["renewal"]["dueOn"], "2027-03-31");
    let units: Vec<_> = licence["renewal"]["continuingEducation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["unit"].clone())
        .collect();
    assert_eq!(
        units,
        [json!("CREDITS"), json!("POINTS")],
        "update courses and practice points"
    );

    let suspended = app
        .graphql_as(
            &member,
            "{ awards(filter: { status: SUSPENDED }) { nodes { certificateNumber } } }",
            json!({}),
        )
        .await
        .json();
    assert_eq!(
        suspended["data"]["awards"]["nodes"],
        json!([{ "certificateNumber": "IIN-8K3N-F5VX-1RPD" }])
    );
    let expired = app
        .graphql_as(
            &member,
            "{ awards(filter: { status: EXPIRED }) { nodes { certificateNumber } } }",
            json!({}),
        )
        .await
        .json();
    let numbers: Vec<_> = expired["data"]["awards"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["certificateNumber"].clone())
        .collect();
    assert!(
        numbers.contains(&json!("IIN-5T8V-R1QM-7JZE"))
            && numbers.contains(&json!("IIN-9D2K-C7TB-4XRV")),
        "{numbers:?}"
    );
    assert!(
        !numbers.contains(&json!("IIN-8K3N-F5VX-1RPD")),
        "suspended is not expired"
    );

    // An award fetched by its ID is members-only too.
    let award_id = app
        .graphql_as(&member, "{ awards(first: 1) { nodes { id } } }", json!({}))
        .await
        .json()["data"]["awards"]["nodes"][0]["id"]
        .clone();
    let by_node = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": award_id }),
        )
        .await;
    assert_eq!(
        only_error(&by_node)["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn schemes_are_defined_and_changed_with_checked_input() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let create = "mutation($input: CreateQualificationSchemeInput!, $key: String!) { createQualificationScheme(idempotencyKey: $key, input: $input) { id issuer { code } levels { rank code requiresPrevious } } }";
    let base = simple_scheme(
        "checked",
        60,
        6,
        3,
        json!([{ "unit": "HOURS", "amount": 20, "periodMonths": 60 }]),
    );
    let made =
        registry.ok(create, json!({ "input": base })).await["createQualificationScheme"].clone();
    assert_eq!(
        made["issuer"]["code"], "aist",
        "the issuer is the registrar's institution"
    );
    assert_eq!(
        made["levels"],
        json!([{ "rank": 1, "code": "basic", "requiresPrevious": false }])
    );
    let (code, field, _) = error_parts(&registry.ask(create, json!({ "input": base })).await);
    assert_eq!((code.as_str(), field.as_str()), ("CONFLICT", "input.code"));

    for (patch, field) in [
        (json!({ "code": "Bad Code" }), "input.code"),
        (json!({ "levels": [] }), "input.levels"),
        (
            json!({ "levels": [{ "code": "top", "nameJa": "上", "nameEn": "Top", "requiresPrevious": true }] }),
            "input.levels.0.requiresPrevious",
        ),
        (
            json!({ "levels": [{ "code": "a1", "nameJa": "一", "nameEn": "One" }, { "code": "a1", "nameJa": "二", "nameEn": "Two" }] }),
            "input.levels.1.code",
        ),
        (json!({ "validityMonths": 0 }), "input.validityMonths"),
        (json!({ "graceMonths": 25 }), "input.graceMonths"),
        (
            json!({ "continuingEducation": [{ "unit": "POINTS", "amount": 0, "periodMonths": 12 }] }),
            "input.continuingEducation.0.amount",
        ),
    ] {
        let mut input = simple_scheme("checked-2", 60, 6, 3, json!([]));
        for (key, value) in patch.as_object().unwrap() {
            input[key] = value.clone();
        }
        let (code, got, _) = error_parts(&registry.ask(create, json!({ "input": input })).await);
        assert_eq!(
            (code.as_str(), got.as_str()),
            ("BAD_USER_INPUT", field),
            "{patch}"
        );
    }

    let updated = registry
        .ok(
            "mutation($id: ID!) { updateQualificationScheme(id: $id, input: { graceMonths: 2, validityMonths: null,
                continuingEducation: [{ unit: POINTS, amount: 5, periodMonths: 12 }] }) {
                graceMonths validityMonths continuingEducation { unit amount periodMonths } } }",
            json!({ "id": made["id"] }),
        )
        .await;
    assert_eq!(
        updated["updateQualificationScheme"],
        json!({ "graceMonths": 2, "validityMonths": null, "continuingEducation": [{ "unit": "POINTS", "amount": 5, "periodMonths": 12 }] })
    );
    // Levels are appended above the existing ones; existing codes are taken.
    let add = "mutation($id: ID!, $levels: [LevelInput!]!) { updateQualificationScheme(id: $id, input: { addLevels: $levels }) { levels { rank code requiresPrevious } } }";
    let grown = registry
        .ok(add, json!({ "id": made["id"], "levels": [{ "code": "expert", "nameJa": "上級", "nameEn": "Expert", "requiresPrevious": true }] }))
        .await;
    assert_eq!(
        grown["updateQualificationScheme"]["levels"],
        json!([{ "rank": 1, "code": "basic", "requiresPrevious": false }, { "rank": 2, "code": "expert", "requiresPrevious": true }])
    );
    let clash = registry.ask(add, json!({ "id": made["id"], "levels": [{ "code": "basic", "nameJa": "基礎", "nameEn": "Basic" }] })).await;
    let (code, field, _) = error_parts(&clash);
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("CONFLICT", "input.addLevels.0.code")
    );

    // Another institution's registrar cannot touch it.
    let other = app.token("registrar@jetro", "jetro", &[Role::Registrar]);
    let refused = app
        .graphql_as(&other, "mutation($id: ID!) { updateQualificationScheme(id: $id, input: { graceMonths: 0 }) { id } }", json!({ "id": made["id"] }))
        .await;
    assert_eq!(error_parts(&refused.json()).0, "FORBIDDEN");
}

#[tokio::test]
async fn seeded_schemes_name_the_bodies_that_really_issue_them() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            "{ qualificationSchemes { nodes { code runByNetwork issuer { code kind membership }
                levels { code practiceMonths practiceWithinMonths requiredCourse { titleEn provider { code } } }
                renewalValidityMonths lateRenewalMonths continuingEducation { unit kind amount } } } }",
            json!({}),
        )
        .await;
    let schemes = data["qualificationSchemes"]["nodes"].as_array().unwrap();
    let find = |code: &str| {
        schemes
            .iter()
            .find(|s| s["code"] == code)
            .unwrap_or_else(|| panic!("{code}"))
            .clone()
    };
    for (code, issuer) in [
        ("incubation-manager", "jbia"),
        ("sme-consultant", "meti"),
        ("ura-skill", "crams"),
        ("cluster-management-label", "esca"),
    ] {
        let scheme = find(code);
        assert_eq!(scheme["issuer"]["code"], issuer, "{code}");
        assert_eq!(scheme["runByNetwork"], false, "{code}");
    }
    assert_eq!(
        find("ura-skill")["levels"][0],
        json!({ "code": "certified-ura", "practiceMonths": 36, "practiceWithinMonths": 60,
                "requiredCourse": { "titleEn": "URA training (Core level)", "provider": { "code": "crams" } } })
    );
    let label = find("cluster-management-label");
    assert_eq!(
        (&label["renewalValidityMonths"], &label["lateRenewalMonths"]),
        (&json!(36), &json!(12))
    );
    assert_eq!(
        find("sme-consultant")["continuingEducation"],
        json!([{ "unit": "CREDITS", "kind": "COURSE", "amount": 5 }, { "unit": "POINTS", "kind": "PRACTICE", "amount": 30 }])
    );
    for body in ["jbia", "crams", "esca"] {
        let org = app
            .data(
                "query($c: String!) { organization(code: $c) { kind membership } }",
                json!({ "c": body }),
            )
            .await;
        assert_eq!(
            org["organization"],
            json!({ "kind": "BUSINESS_ASSOCIATION", "membership": "NON_MEMBER" }),
            "{body}"
        );
    }

    // A scheme the network itself defines says so.
    let network = app.token("registrar@iin", "iin-japan", &[Role::Registrar]);
    let made = app
        .graphql_as(
            &network,
            "mutation($input: CreateQualificationSchemeInput!, $key: String!) { createQualificationScheme(idempotencyKey: $key, input: $input) { runByNetwork } }",
            json!({ "input": simple_scheme("network-own", 12, 1, 0, json!([])) }),
        )
        .await
        .json();
    assert_eq!(
        made["data"]["createQualificationScheme"]["runByNetwork"], true,
        "{made:#}"
    );
}

const RENEWAL: &str =
    "query($id: ID!) { node(id: $id) { ... on Award { periodFrom expiresOn renewal { openNow
    continuingEducation { unit kind required earned missing countedFrom countedUntil } } } } }";
const RECORD: &str = "mutation($id: ID!, $course: ID!, $on: Date!, $key: String!) { recordTraining(idempotencyKey: $key, coordinatorId: $id, courseId: $course, completedOn: $on) { kind } }";

async fn course(registry: &Registry<'_>, title: &str, unit: &str, kind: &str) -> Value {
    registry
        .ok(
            &format!(
                r#"mutation($key: String!) {{ createTrainingCourse(idempotencyKey: $key, input: {{ titleJa: "研修", titleEn: "{title}", unit: {unit}, amount: 1, kind: {kind} }}) {{ id kind }} }}"#
            ),
            json!({}),
        )
        .await["createTrainingCourse"]["id"]
        .clone()
}

#[tokio::test]
async fn continuing_education_counts_over_the_awards_own_period_never_twice() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let scheme = registry
        .scheme(simple_scheme(
            "own-period",
            12,
            2,
            0,
            json!([{ "unit": "CREDITS", "amount": 2, "periodMonths": 60 }]),
        ))
        .await;
    let update = course(&registry, "Update", "CREDITS", "COURSE").await;
    let holder = registry.coordinator("Period holder").await;
    let due = today() + Duration::days(10);
    let awarded = awarded_for_expiry(due, 12);
    let award =
        registry.issue(&scheme, "basic", &holder, awarded).await["data"]["issueAward"]["id"]
            .clone();

    // The period's first day counts; the day before belongs to no period of this award.
    for on in [awarded, awarded - Duration::days(1)] {
        registry
            .ok(
                RECORD,
                json!({ "id": holder, "course": update, "on": iso(on) }),
            )
            .await;
    }
    let before = registry.ok(RENEWAL, json!({ "id": award })).await["node"].clone();
    assert_eq!(before["periodFrom"], iso(awarded));
    assert_eq!(
        before["renewal"]["continuingEducation"],
        json!([{ "unit": "CREDITS", "kind": "COURSE", "required": 2, "earned": 1, "missing": 1,
                 "countedFrom": iso(awarded), "countedUntil": iso(due) }])
    );
    let (code, _, message) = error_parts(
        &registry
            .ask(
                "mutation($id: ID!) { renewAward(id: $id) { id } }",
                json!({ "id": award }),
            )
            .await,
    );
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("continuing education"), "{message}");

    registry
        .ok(
            RECORD,
            json!({ "id": holder, "course": update, "on": iso(today()) }),
        )
        .await;
    let renewed = registry
        .ok(
            "mutation($id: ID!) { renewAward(id: $id) { periodFrom expiresOn version } }",
            json!({ "id": award }),
        )
        .await["renewAward"]
        .clone();
    let next_from = due + Duration::days(1);
    assert_eq!(renewed["periodFrom"], iso(next_from));
    assert_eq!(renewed["version"], 2);

    // After renewal the old period's credits no longer count.
    let after = registry.ok(RENEWAL, json!({ "id": award })).await["node"]["renewal"]
        ["continuingEducation"][0]
        .clone();
    assert_eq!(after["countedFrom"], iso(next_from));
    assert_eq!(
        (&after["earned"], &after["missing"]),
        (&json!(0), &json!(2))
    );
}

#[tokio::test]
async fn practice_points_come_from_practice_not_from_courses() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let scheme = registry
        .scheme(simple_scheme(
            "practice-points",
            12,
            2,
            0,
            json!([{ "unit": "POINTS", "kind": "PRACTICE", "amount": 2, "periodMonths": 60 }]),
        ))
        .await;
    let seminar = course(&registry, "Seminar with points", "POINTS", "COURSE").await;
    let consulting = course(&registry, "Consulting day", "POINTS", "PRACTICE").await;
    let holder = registry.coordinator("Consultant").await;
    let award = registry
        .issue(
            &scheme,
            "basic",
            &holder,
            awarded_for_expiry(today() + Duration::days(10), 12),
        )
        .await["data"]["issueAward"]["id"]
        .clone();

    for days_ago in 1..=3 {
        let recorded = registry
            .ok(
                RECORD,
                json!({ "id": holder, "course": seminar, "on": iso(today() - Duration::days(days_ago)) }),
            )
            .await;
        assert_eq!(recorded["recordTraining"]["kind"], "COURSE");
    }
    let progress = registry.ok(RENEWAL, json!({ "id": award })).await["node"]["renewal"]
        ["continuingEducation"][0]
        .clone();
    assert_eq!(
        (&progress["kind"], &progress["earned"]),
        (&json!("PRACTICE"), &json!(0)),
        "a course's points are not practice"
    );
    let renew = "mutation($id: ID!) { renewAward(id: $id) { status } }";
    assert_eq!(
        error_parts(&registry.ask(renew, json!({ "id": award })).await).0,
        "CONFLICT"
    );

    for days_ago in 1..=2 {
        let recorded = registry
            .ok(
                RECORD,
                json!({ "id": holder, "course": consulting, "on": iso(today() - Duration::days(days_ago)) }),
            )
            .await;
        assert_eq!(recorded["recordTraining"]["kind"], "PRACTICE");
    }
    assert_eq!(
        registry.ok(renew, json!({ "id": award })).await["renewAward"]["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn holders_pause_and_resume_their_registration_through_the_right_callers() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let scheme = registry
        .scheme(simple_scheme("pausable", 60, 6, 0, json!([])))
        .await;
    let holder = registry.coordinator("Pausing holder").await;
    let issued =
        registry.issue(&scheme, "basic", &holder, today()).await["data"]["issueAward"].clone();
    let award = issued["id"].clone();
    let pause = "mutation($id: ID!, $reason: String!, $version: Int) { pauseAward(id: $id, reason: $reason, version: $version) { status version decisionReason } }";
    let resume = "mutation($id: ID!, $reason: String!, $version: Int) { resumeAward(id: $id, reason: $reason, version: $version) { status version } }";
    let request = |version: Value| json!({ "id": award, "reason": "Holder's request: parental leave", "version": version });

    // Neither another issuer's registrar nor the holder's organisation's admin decides it.
    for token in [
        app.token("registrar@jetro", "jetro", &[Role::Registrar]),
        app.token("admin@aist", "aist", &[Role::OrgAdmin]),
    ] {
        let refused = app
            .graphql_as(&token, pause, request(json!(1)))
            .await
            .json();
        assert_eq!(error_parts(&refused).0, "FORBIDDEN", "{refused:#}");
    }
    let blank = registry
        .ask(pause, json!({ "id": award, "reason": " " }))
        .await;
    assert_eq!(error_parts(&blank).1, "reason");

    let paused = registry.ok(pause, request(json!(1))).await["pauseAward"].clone();
    assert_eq!(
        paused,
        json!({ "status": "PAUSED", "version": 2, "decisionReason": "Holder's request: parental leave" })
    );
    let number = issued["certificateNumber"].as_str().unwrap();
    let check = app
        .data(
            "query($n: String!) { verifyCertificate(number: $n) { status } }",
            json!({ "n": number }),
        )
        .await;
    assert_eq!(check["verifyCertificate"]["status"], "PAUSED");
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let listed = app
        .graphql_as(
            &member,
            "{ awards(filter: { status: PAUSED }) { nodes { id } } }",
            json!({}),
        )
        .await
        .json();
    assert_eq!(listed["data"]["awards"]["nodes"], json!([{ "id": award }]));

    // A pause is not a suspension: the issuer's decisions and renewal wait for resumption.
    let (code, _, message) = error_parts(
        &registry
            .ask(
                "mutation($id: ID!) { suspendAward(id: $id, reason: \"Complaint\") { id } }",
                json!({ "id": award }),
            )
            .await,
    );
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("PAUSED"), "{message}");
    let again = registry.ask(pause, request(json!(2))).await;
    assert_eq!(error_parts(&again).0, "CONFLICT");

    let stale = registry.ask(resume, request(json!(1))).await;
    assert_eq!(
        (
            error_parts(&stale).0.as_str(),
            error_parts(&stale).1.as_str()
        ),
        ("CONFLICT", "version")
    );
    let resumed = registry.ok(resume, request(json!(2))).await["resumeAward"].clone();
    assert_eq!(resumed, json!({ "status": "ACTIVE", "version": 3 }));

    // An organisation holding an award pauses it itself, through its own admins.
    let label = registry
        .scheme(json!({ "code": "org-label", "nameJa": "ラベル", "nameEn": "Label", "holderKind": "ORGANIZATION",
            "validityMonths": 24, "levels": [{ "code": "bronze", "nameJa": "銅", "nameEn": "Bronze" }] }))
        .await;
    let jetro = app
        .data(r#"{ organization(code: "jetro") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let org_award = registry
        .ok(
            "mutation($s: ID!, $o: ID!, $key: String!) { issueAward(idempotencyKey: $key, input: { schemeId: $s, level: \"bronze\", organizationId: $o }) { id } }",
            json!({ "s": label, "o": jetro }),
        )
        .await["issueAward"]["id"]
        .clone();
    let holder_admin = app.token("admin@jetro", "jetro", &[Role::OrgAdmin]);
    let outsider = app.token("admin@jst", "jst", &[Role::OrgAdmin]);
    let vars = json!({ "id": org_award, "reason": "Restructuring" });
    let refused = app.graphql_as(&outsider, pause, vars.clone()).await.json();
    assert_eq!(error_parts(&refused).0, "FORBIDDEN");
    let own = app.graphql_as(&holder_admin, pause, vars).await.json();
    assert_eq!(own["data"]["pauseAward"]["status"], "PAUSED", "{own:#}");
}

#[tokio::test]
async fn levels_check_practice_within_a_window_and_a_completed_course() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let core = course(&registry, "Core training", "HOURS", "COURSE").await;
    let create = "mutation($input: CreateQualificationSchemeInput!, $key: String!) { createQualificationScheme(idempotencyKey: $key, input: $input) { id } }";
    let mut input = simple_scheme("practised", 60, 6, 0, json!([]));
    input["levels"] = json!([{ "code": "certified", "nameJa": "認定", "nameEn": "Certified",
        "practiceMonths": 36, "practiceWithinMonths": 60, "requiredCourseId": core }]);
    for (patch, field) in [
        (
            json!({ "practiceMonths": 36, "practiceWithinMonths": null }),
            "input.levels.0.practiceWithinMonths",
        ),
        (
            json!({ "practiceMonths": 36, "practiceWithinMonths": 12 }),
            "input.levels.0.practiceWithinMonths",
        ),
        (
            json!({ "requiredCourseId": "999999" }),
            "input.levels.0.requiredCourseId",
        ),
    ] {
        let mut bad = input.clone();
        bad["code"] = json!("practised-bad");
        for (key, value) in patch.as_object().unwrap() {
            bad["levels"][0][key] = value.clone();
        }
        let (code, got, _) = error_parts(&registry.ask(create, json!({ "input": bad })).await);
        assert_eq!(
            (code.as_str(), got.as_str()),
            ("BAD_USER_INPUT", field),
            "{patch}"
        );
    }
    let scheme = registry.scheme(input).await;
    let holder = registry.coordinator("Research administrator").await;
    let issue = |practice: Value| json!({ "input": { "schemeId": scheme, "level": "certified", "coordinatorId": holder, "practiceMonths": practice } });
    let mutation = "mutation($input: IssueAwardInput!, $key: String!) { issueAward(idempotencyKey: $key, input: $input) { status } }";
    for (practice, code, field) in [
        (Value::Null, "BAD_USER_INPUT", "input.practiceMonths"),
        (json!(61), "BAD_USER_INPUT", "input.practiceMonths"),
        (json!(35), "CONFLICT", "input.practiceMonths"),
        (json!(36), "CONFLICT", "input.level"),
    ] {
        let body = registry.ask(mutation, issue(practice.clone())).await;
        let (got_code, got_field, message) = error_parts(&body);
        assert_eq!(
            (got_code.as_str(), got_field.as_str()),
            (code, field),
            "{practice}: {message}"
        );
    }
    registry
        .ok(
            RECORD,
            json!({ "id": holder, "course": core, "on": iso(today() - Duration::days(30)) }),
        )
        .await;
    let issued = registry.ok(mutation, issue(json!(36))).await;
    assert_eq!(issued["issueAward"]["status"], "ACTIVE");
}

#[tokio::test]
async fn labels_renew_up_to_a_year_after_expiry_by_their_own_length() {
    let app = TestApp::spawn().await;
    let registry = Registry::new(&app);
    let label = registry
        .scheme(json!({ "code": "esca-like", "nameJa": "ラベル", "nameEn": "Label", "holderKind": "ORGANIZATION",
            "validityMonths": 24, "renewalWindowMonths": 3, "graceMonths": 0, "renewalValidityMonths": 36, "lateRenewalMonths": 12,
            "levels": [{ "code": "bronze", "nameJa": "銅", "nameEn": "Bronze" }] }))
        .await;
    let issue = "mutation($s: ID!, $o: ID!, $on: Date!, $key: String!) { issueAward(idempotencyKey: $key, input: { schemeId: $s, level: \"bronze\", organizationId: $o, awardedOn: $on }) { id status } }";
    let renew = "mutation($id: ID!) { renewAward(id: $id) { expiresOn status } }";
    let expired_on = today() - Duration::days(40);
    let mut awards = Vec::new();
    for (code, expiry) in [
        ("jetro", expired_on),
        ("jst", today() - Duration::days(400)),
    ] {
        let org = app
            .data(
                "query($c: String!) { organization(code: $c) { id } }",
                json!({ "c": code }),
            )
            .await["organization"]["id"]
            .clone();
        let issued = registry
            .ok(
                issue,
                json!({ "s": label, "o": org, "on": iso(awarded_for_expiry(expiry, 24)) }),
            )
            .await["issueAward"]
            .clone();
        assert_eq!(issued["status"], "EXPIRED", "no grace: past expiry");
        awards.push(issued["id"].clone());
    }
    let renewed = registry.ok(renew, json!({ "id": awards[0] })).await;
    let extended = dates::period_end(expired_on + Duration::days(1), 36).unwrap();
    assert_eq!(
        renewed["renewAward"],
        json!({ "expiresOn": iso(extended), "status": "ACTIVE" }),
        "three more years, seamlessly from the old expiry"
    );
    let (code, _, message) = error_parts(&registry.ask(renew, json!({ "id": awards[1] })).await);
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("renewal closed"), "{message}");
}
