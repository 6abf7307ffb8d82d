//! Sales promotion and business matching (issue 18) over HTTP: showcases for partner websites,
//! needs read as their visibility says, proposals seen by the two institutions only, consortium
//! shares, every move by the right and the wrong roles, deadlines, ranked candidates, meetings
//! that no SME or buyer holds twice in one slot (also when bookings race), outcomes, the
//! network's figures, and `needChanged` / `proposalChanged` for the parties only.

use entity::business_need;
use futures_util::future::join_all;
use iin_api::{auth::Role, domain::corporate_number::with_check_digit};
use iin_tests::{COMPLETE_SCORES, TestApp, error_code_and_field, ws};
use sea_orm::{EntityTrait, sea_query::Expr};
use serde_json::{Value, json};

/// Somebody acting for an institution with some roles.
struct Desk<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Desk<'a> {
    fn of(app: &'a TestApp, code: &str, roles: &[Role]) -> Self {
        let sub = format!(
            "{}@{code}",
            roles.first().map(|r| r.as_str()).unwrap_or("x")
        );
        Self {
            app,
            token: app.token(&sub, code, roles),
        }
    }

    fn at(app: &'a TestApp, code: &str) -> Self {
        Self::of(app, code, &[Role::Evaluator, Role::OrgAdmin])
    }

    async fn ask(&self, query: &str, variables: Value) -> Value {
        self.app
            .graphql_as(&self.token, query, variables)
            .await
            .json()
    }

    async fn ok(&self, query: &str, variables: Value) -> Value {
        let body = self.ask(query, variables).await;
        assert!(body.get("errors").is_none(), "arranging failed: {body:#}");
        body["data"].clone()
    }

    /// An SME registered by this desk's institution.
    async fn sme(&self, twelve: &str, name: &str, prefecture: i32, niche: &str) -> Value {
        self.ok(
            r#"mutation($n: String!, $name: String!, $p: Int!, $niche: NicheStatus!, $key: String!) {
                createSme(idempotencyKey: $key, input: { corporateNumber: $n, nameJa: $name, nameEn: $name,
                prefectureCode: $p, nicheStatus: $niche }) { id } }"#,
            json!({ "n": with_check_digit(twelve), "name": name, "p": prefecture, "niche": niche }),
        )
        .await["createSme"]["id"]
            .clone()
    }

    async fn product(&self, sme: &Value, name: &str, fields: &[&str], processes: &[&str]) -> Value {
        self.ok(
            r#"mutation($sme: ID!, $name: String!, $f: [IndustryField!]!, $p: [ManufacturingProcess!]!, $key: String!) {
                addSmeProduct(idempotencyKey: $key, input: { smeId: $sme, nameJa: $name, nameEn: $name, fields: $f, processes: $p }) { id } }"#,
            json!({ "sme": sme, "name": name, "f": fields, "p": processes }),
        )
        .await["addSmeProduct"]["id"]
            .clone()
    }

    async fn publish(&self, sme: &Value) -> Value {
        self.ok(
            r#"mutation($sme: ID!, $key: String!) { publishSmeShowcase(idempotencyKey: $key, input: {
                smeId: $sme, consentedOn: "2026-04-01", headlineEn: "Precision parts" }) { id live } }"#,
            json!({ "sme": sme }),
        )
        .await["publishSmeShowcase"]["id"]
            .clone()
    }

    /// A need for `buyer` with `extra` input fields (GraphQL literal).
    async fn need(&self, buyer: &Value, title: &str, visibility: &str, extra: &str) -> Value {
        let body = self.post_need(buyer, title, visibility, extra).await;
        assert!(body.get("errors").is_none(), "posting a need: {body:#}");
        body["data"]["postBusinessNeed"]["id"].clone()
    }

    async fn post_need(&self, buyer: &Value, title: &str, visibility: &str, extra: &str) -> Value {
        self.ask(
            &format!(
                r#"mutation($buyer: ID!, $t: String!, $key: String!) {{ postBusinessNeed(idempotencyKey: $key, input: {{
                    buyerId: $buyer, kind: ORDER, titleJa: $t, titleEn: $t, deadline: "2099-03-31T15:00:00Z",
                    visibility: {visibility} {extra} }}) {{ id status version }} }}"#
            ),
            json!({ "buyer": buyer, "t": title }),
        )
        .await
    }

    async fn propose(&self, need: &Value, lead: &Value, share: i32, partners: Value) -> Value {
        self.ask(
            r#"mutation($need: ID!, $lead: ID!, $share: Int!, $partners: [ProposalMemberInput!]!, $key: String!) {
                submitProposal(idempotencyKey: $key, input: { needId: $need, summary: "Five-axis machining", price: 12000000,
                lead: { smeId: $lead, processes: [MACHINING], share: $share }, partners: $partners }) {
                id status version joint members { lead sharePercent } } }"#,
            json!({ "need": need, "lead": lead, "share": share, "partners": partners }),
        )
        .await
    }
}

/// An organisation of kind COMPANY (a buyer, or a non-member institution), added by a network
/// admin; answers its ID.
async fn company(app: &TestApp, code: &str, prefecture: i32) -> Value {
    let admin = app.token("admin@iin-japan", "iin-japan", &[Role::NetworkAdmin]);
    let body = app
        .graphql_as(
            &admin,
            r#"mutation($code: String!, $p: Int!) { createOrganization(idempotencyKey: $code, input: {
                code: $code, nameJa: "試験商事", nameEn: $code, kind: COMPANY,
                membership: NON_MEMBER, prefectureCode: $p }) { id } }"#,
            json!({ "code": code, "p": prefecture }),
        )
        .await
        .json();
    assert!(body.get("errors").is_none(), "adding a company: {body:#}");
    body["data"]["createOrganization"]["id"].clone()
}

async fn org_id(app: &TestApp, code: &str) -> Value {
    app.data(
        "query($c: String!) { organization(code: $c) { id } }",
        json!({ "c": code }),
    )
    .await["organization"]["id"]
        .clone()
}

fn titles(body: &Value, path: &[&str]) -> Vec<String> {
    let mut at = &body["data"];
    for key in path {
        at = &at[*key];
    }
    let mut out: Vec<String> = at["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("no nodes at {path:?}: {body:#}"))
        .iter()
        .map(|n| n["titleEn"].as_str().unwrap_or_default().to_owned())
        .collect();
    out.sort();
    out
}

async fn as_caller(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    match token {
        Some(token) => app.graphql_as(token, query, variables).await.json(),
        None => app.graphql(query, variables).await,
    }
}

/// AIST posts a PUBLIC, a NETWORK and an INVITED (JETRO) need for a buyer.
#[tokio::test]
async fn needs_are_read_as_their_visibility_says_by_every_caller() {
    let app = TestApp::spawn().await;
    let buyer = company(&app, "hub-co", 23).await;
    company(&app, "outsider-co", 13).await;
    let jetro = org_id(&app, "jetro").await;
    let aist = Desk::at(&app, "aist");
    let public = aist.need(&buyer, "Public", "PUBLIC", "").await;
    let network = aist.need(&buyer, "Network", "NETWORK", "").await;
    let invited = aist
        .need(
            &buyer,
            "Invited",
            "INVITED",
            &format!(
                r#", invitedInstitutionIds: ["{}"]"#,
                jetro.as_str().unwrap()
            ),
        )
        .await;
    let all = ["Invited", "Network", "Public"];
    let cases: Vec<(&str, Option<String>, Vec<&str>)> = vec![
        ("anonymous", None, vec!["Public"]),
        (
            "member@aist",
            Some(app.token("m@aist", "aist", &[Role::Member])),
            all.to_vec(),
        ),
        (
            "member@jetro (invited)",
            Some(app.token("m@jetro", "jetro", &[Role::Member])),
            all.to_vec(),
        ),
        (
            "org_admin@jst (member, not invited)",
            Some(app.token("a@jst", "jst", &[Role::OrgAdmin])),
            vec!["Network", "Public"],
        ),
        (
            "member of a non-member company",
            Some(app.token("m@outsider", "outsider-co", &[Role::Member])),
            vec!["Public"],
        ),
        (
            "network_admin",
            Some(app.token("n@iin", "iin-japan", &[Role::NetworkAdmin])),
            all.to_vec(),
        ),
    ];
    for (who, token, expected) in &cases {
        let body = as_caller(
            &app,
            token.as_deref(),
            "{ businessNeeds(first: 50) { totalCount nodes { titleEn } } }",
            json!({}),
        )
        .await;
        assert_eq!(
            titles(&body, &["businessNeeds"]),
            *expected,
            "{who}: {body:#}"
        );
        assert_eq!(
            body["data"]["businessNeeds"]["totalCount"],
            expected.len(),
            "{who}"
        );
        for (title, id) in [
            ("Public", &public),
            ("Network", &network),
            ("Invited", &invited),
        ] {
            let body = as_caller(
                &app,
                token.as_deref(),
                "query($id: ID!) { businessNeed(id: $id) { titleEn } node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
            let seen = !body["data"]["businessNeed"].is_null();
            assert_eq!(
                seen,
                expected.contains(&title),
                "{who} reading {title}: {body:#}"
            );
            assert_eq!(
                !body["data"]["node"].is_null(),
                seen,
                "{who}: node(id:) agrees"
            );
        }
    }
    // The invitation list is the posting institution's business.
    let jetro_member = app.token("m@jetro", "jetro", &[Role::Member]);
    let body = as_caller(
        &app,
        Some(&jetro_member),
        "query($id: ID!) { businessNeed(id: $id) { invitedInstitutions { code } } }",
        json!({ "id": invited }),
    )
    .await;
    assert!(
        body["data"]["businessNeed"]["invitedInstitutions"].is_null(),
        "{body:#}"
    );
    let body = aist
        .ask(
            "query($id: ID!) { businessNeed(id: $id) { invitedInstitutions { code } } }",
            json!({ "id": invited }),
        )
        .await;
    assert_eq!(
        body["data"]["businessNeed"]["invitedInstitutions"],
        json!([{ "code": "jetro" }])
    );
    // Invitations go to members only, and only with INVITED.
    let body = aist
        .post_need(
            &buyer,
            "Bad",
            "INVITED",
            &format!(
                r#", invitedInstitutionIds: ["{}"]"#,
                buyer.as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(
        error_code_and_field(&body),
        (
            "BAD_USER_INPUT".into(),
            "input.invitedInstitutionIds".into()
        )
    );
    let body = aist.post_need(&buyer, "Bad", "INVITED", "").await;
    assert_eq!(
        error_code_and_field(&body),
        (
            "BAD_USER_INPUT".into(),
            "input.invitedInstitutionIds".into()
        )
    );
    // Only desks of member institutions post.
    let member = Desk::of(&app, "aist", &[Role::Member]);
    let body = member.post_need(&buyer, "No", "PUBLIC", "").await;
    assert_eq!(error_code_and_field(&body).0, "FORBIDDEN");
    let outsider = Desk::of(&app, "outsider-co", &[Role::OrgAdmin]);
    let body = outsider.post_need(&buyer, "No", "PUBLIC", "").await;
    assert_eq!(error_code_and_field(&body).0, "FORBIDDEN");
    let body = app
        .graphql(
            r#"mutation($b: ID!) { postBusinessNeed(idempotencyKey: "k", input: { buyerId: $b, kind: ORDER,
                titleJa: "x", titleEn: "x", deadline: "2099-01-01T00:00:00Z", visibility: PUBLIC }) { id } }"#,
            json!({ "b": buyer }),
        )
        .await;
    assert_eq!(error_code_and_field(&body).0, "UNAUTHENTICATED");
}

/// AIST's need; JETRO and JST each propose one of their SMEs.
struct Proposals<'a> {
    aist: Desk<'a>,
    jetro: Desk<'a>,
    jst: Desk<'a>,
    need: Value,
    jetro_sme: Value,
    jst_sme: Value,
    by_jetro: Value,
    by_jst: Value,
}

async fn proposals(app: &TestApp) -> Proposals<'_> {
    let buyer = company(app, "hub-co", 23).await;
    let aist = Desk::at(app, "aist");
    let jetro = Desk::at(app, "jetro");
    let jst = Desk::at(app, "jst");
    let need = aist.need(&buyer, "Turbine blades", "PUBLIC", "").await;
    let jetro_sme = jetro
        .sme("720000000001", "Nagoya Seimitsu", 23, "GNT")
        .await;
    let jst_sme = jst.sme("720000000002", "Kyoto Koki", 26, "NONE").await;
    let body = jetro.propose(&need, &jetro_sme, 100, json!([])).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let by_jetro = body["data"]["submitProposal"]["id"].clone();
    let body = jst.propose(&need, &jst_sme, 100, json!([])).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let by_jst = body["data"]["submitProposal"]["id"].clone();
    Proposals {
        aist,
        jetro,
        jst,
        need,
        jetro_sme,
        jst_sme,
        by_jetro,
        by_jst,
    }
}

#[tokio::test]
async fn a_proposer_never_sees_another_institutions_proposals() {
    let app = TestApp::spawn().await;
    let p = proposals(&app).await;
    let list = "query($need: ID!) { proposals(first: 50) { totalCount nodes { id } }
        businessNeed(id: $need) { proposals(first: 50) { totalCount nodes { id } } } }";
    let ids = |body: &Value, at: &Value| -> Vec<String> {
        let mut out: Vec<String> = at["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body:#}"))
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect();
        out.sort();
        out
    };
    let mut both = vec![
        p.by_jetro.as_str().unwrap().to_owned(),
        p.by_jst.as_str().unwrap().to_owned(),
    ];
    both.sort();
    let cases: Vec<(&str, Option<String>, Vec<String>)> = vec![
        ("anonymous", None, vec![]),
        (
            "the need's institution (desk)",
            Some(p.aist.token.clone()),
            both.clone(),
        ),
        (
            "the need's institution (member)",
            Some(app.token("m@aist", "aist", &[Role::Member])),
            both.clone(),
        ),
        (
            "a proposer (JETRO)",
            Some(p.jetro.token.clone()),
            vec![p.by_jetro.as_str().unwrap().to_owned()],
        ),
        (
            "another proposer (JST member)",
            Some(app.token("m@jst", "jst", &[Role::Member])),
            vec![p.by_jst.as_str().unwrap().to_owned()],
        ),
        (
            "a member institution with none (SMRJ)",
            Some(app.token("a@smrj", "smrj", &[Role::OrgAdmin])),
            vec![],
        ),
        (
            "network_admin",
            Some(app.token("n@iin", "iin-japan", &[Role::NetworkAdmin])),
            both.clone(),
        ),
    ];
    for (who, token, expected) in &cases {
        let body = as_caller(&app, token.as_deref(), list, json!({ "need": p.need })).await;
        assert!(body.get("errors").is_none(), "{who}: {body:#}");
        assert_eq!(ids(&body, &body["data"]["proposals"]), *expected, "{who}");
        assert_eq!(
            body["data"]["proposals"]["totalCount"],
            expected.len(),
            "{who}"
        );
        assert_eq!(
            ids(&body, &body["data"]["businessNeed"]["proposals"]),
            *expected,
            "{who}: the need's nested proposals"
        );
        for id in [&p.by_jetro, &p.by_jst] {
            let body = as_caller(
                &app,
                token.as_deref(),
                "query($id: ID!) { proposal(id: $id) { id } node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
            let seen = !body["data"]["proposal"].is_null();
            assert_eq!(
                seen,
                expected.contains(&id.as_str().unwrap().to_owned()),
                "{who}"
            );
            assert_eq!(!body["data"]["node"].is_null(), seen, "{who}: node(id:)");
        }
    }
    // JETRO cannot move JST's proposal either: it does not exist for it.
    let body = p
        .jetro
        .ask(
            "mutation($id: ID!) { withdrawProposal(id: $id) { id } }",
            json!({ "id": p.by_jst }),
        )
        .await;
    assert_eq!(error_code_and_field(&body).0, "NOT_FOUND");
    let _ = (&p.jetro_sme, &p.jst_sme, &p.jst);
}

#[tokio::test]
async fn a_consortiums_shares_sum_to_100_and_each_sme_comes_once() {
    let app = TestApp::spawn().await;
    let buyer = company(&app, "hub-co", 23).await;
    let aist = Desk::at(&app, "aist");
    let jetro = Desk::at(&app, "jetro");
    let need = aist.need(&buyer, "Landing gear", "NETWORK", "").await;
    let lead = jetro.sme("730000000001", "Lead Kogyo", 23, "GNT").await;
    let partner = jetro.sme("730000000002", "Partner Kogyo", 23, "NONE").await;
    let other = jetro.sme("730000000003", "Other Kogyo", 21, "DNT").await;
    let member =
        |sme: &Value, share: i32| json!({ "smeId": sme, "processes": ["WELDING"], "share": share });
    let refused = [
        (90, json!([]), "input.lead.share"),
        (60, json!([member(&partner, 30)]), "input.partners"),
        (50, json!([member(&lead, 50)]), "input.partners[0].smeId"),
        (
            50,
            json!([member(&partner, 25), member(&partner, 25)]),
            "input.partners[1].smeId",
        ),
        (100, json!([member(&partner, 0)]), "input.partners[0].share"),
        (101, json!([]), "input.lead.share"),
    ];
    for (share, partners, field) in refused {
        let body = jetro.propose(&need, &lead, share, partners.clone()).await;
        assert_eq!(
            error_code_and_field(&body),
            ("BAD_USER_INPUT".into(), field.into()),
            "{share} {partners}: {body:#}"
        );
    }
    let body = jetro
        .propose(
            &need,
            &lead,
            50,
            json!([member(&partner, 30), member(&other, 20)]),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let made = &body["data"]["submitProposal"];
    assert_eq!(made["joint"], true);
    assert_eq!(made["status"], "SUBMITTED");
    assert_eq!(
        made["members"],
        json!([{ "lead": true, "sharePercent": 50 }, { "lead": false, "sharePercent": 30 }, { "lead": false, "sharePercent": 20 }])
    );
    // A retry with the same key answers the first proposal; the key with other input is refused.
    let submit = r#"mutation($need: ID!, $lead: ID!, $share: Int!, $key: String!) { submitProposal(idempotencyKey: $key,
        input: { needId: $need, summary: "Retried", lead: { smeId: $lead, share: $share } }) { id } }"#;
    let first = jetro
        .ask(
            submit,
            json!({ "need": need, "lead": other, "share": 100, "key": "retry-1" }),
        )
        .await;
    let again = jetro
        .ask(
            submit,
            json!({ "need": need, "lead": other, "share": 100, "key": "retry-1" }),
        )
        .await;
    assert!(first.get("errors").is_none(), "{first:#}");
    assert_eq!(first["data"], again["data"]);
    let body = jetro
        .ask(
            submit,
            json!({ "need": need, "lead": partner, "share": 100, "key": "retry-1" }),
        )
        .await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "idempotencyKey".into())
    );
    let count = aist
        .ok(
            "query($id: ID!) { businessNeed(id: $id) { proposals { totalCount } } }",
            json!({ "id": need }),
        )
        .await;
    assert_eq!(count["businessNeed"]["proposals"]["totalCount"], 2);
    // The need's own institution does not propose to it.
    let own = aist.sme("730000000004", "Own Kogyo", 8, "NONE").await;
    let body = aist.propose(&need, &own, 100, json!([])).await;
    assert_eq!(error_code_and_field(&body).0, "FORBIDDEN");
}

fn code(body: &Value) -> String {
    error_code_and_field(body).0
}

#[tokio::test]
async fn every_move_is_taken_by_the_right_role_and_refused_to_the_wrong_ones() {
    let app = TestApp::spawn().await;
    let p = proposals(&app).await;
    let aist_member = app.token("m@aist", "aist", &[Role::Member]);
    let aist_registrar = app.token("r@aist", "aist", &[Role::Registrar]);
    let network_admin = app.token("n@iin", "iin-japan", &[Role::NetworkAdmin]);
    let jetro_member = app.token("m@jetro", "jetro", &[Role::Member]);
    let mv = |name: &str, extra: &str| {
        format!("mutation($id: ID!) {{ {name}(id: $id{extra}) {{ id status version }} }}")
    };
    let try_as = async |token: Option<&str>, query: &str, id: &Value| {
        as_caller(&app, token, query, json!({ "id": id })).await
    };
    // Deciding: the need's institution's desks only.
    let shortlist = mv("shortlistProposal", "");
    for (who, token) in [
        ("proposer desk", Some(p.jetro.token.as_str())),
        ("proposer member", Some(jetro_member.as_str())),
        ("need's member", Some(aist_member.as_str())),
        ("need's registrar", Some(aist_registrar.as_str())),
        ("network admin", Some(network_admin.as_str())),
    ] {
        let body = try_as(token, &shortlist, &p.by_jetro).await;
        assert_eq!(code(&body), "FORBIDDEN", "{who}: {body:#}");
    }
    let body = try_as(None, &shortlist, &p.by_jetro).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    // A stale version is a conflict naming `version`; the right one moves.
    let body = try_as(
        Some(&p.aist.token),
        &mv("shortlistProposal", ", version: 7"),
        &p.by_jetro,
    )
    .await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "version".into())
    );
    let body = try_as(
        Some(&p.aist.token),
        &mv("shortlistProposal", ", version: 1"),
        &p.by_jetro,
    )
    .await;
    assert_eq!(
        body["data"]["shortlistProposal"]["status"], "SHORTLISTED",
        "{body:#}"
    );
    // Not twice; not accepted before shortlisting.
    let body = try_as(Some(&p.aist.token), &shortlist, &p.by_jetro).await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "id".into())
    );
    let body = try_as(Some(&p.aist.token), &mv("acceptProposal", ""), &p.by_jst).await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "id".into())
    );
    // Withdrawing: the proposer's desks only.
    let withdraw = mv("withdrawProposal", "");
    for token in [
        p.aist.token.as_str(),
        jetro_member.as_str(),
        network_admin.as_str(),
    ] {
        let body = try_as(Some(token), &withdraw, &p.by_jetro).await;
        assert_eq!(code(&body), "FORBIDDEN", "{body:#}");
    }
    // Accepting: the need's desks; the proposer cannot accept its own.
    let accept = mv("acceptProposal", "");
    for token in [
        p.jetro.token.as_str(),
        aist_member.as_str(),
        network_admin.as_str(),
    ] {
        let body = try_as(Some(token), &accept, &p.by_jetro).await;
        assert_eq!(code(&body), "FORBIDDEN", "{body:#}");
    }
    let body = try_as(Some(&p.aist.token), &accept, &p.by_jetro).await;
    assert_eq!(
        body["data"]["acceptProposal"]["status"], "ACCEPTED",
        "{body:#}"
    );
    assert_eq!(body["data"]["acceptProposal"]["version"], 3);
    // The need is awarded with it, and its proposals are settled.
    let need = p
        .aist
        .ok(
            "query($id: ID!) { businessNeed(id: $id) { status version } }",
            json!({ "id": p.need }),
        )
        .await;
    assert_eq!(need["businessNeed"]["status"], "AWARDED");
    assert_eq!(need["businessNeed"]["version"], 2);
    let body = try_as(Some(&p.aist.token), &shortlist, &p.by_jst).await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "id".into())
    );
    // Declining (the need's desks) and withdrawing (the proposer's) still settle the rest.
    let decline = mv("declineProposal", r#", note: "Awarded elsewhere""#);
    let body = try_as(Some(&p.jst.token), &decline, &p.by_jst).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = try_as(Some(&p.aist.token), &decline, &p.by_jst).await;
    assert_eq!(
        body["data"]["declineProposal"]["status"], "DECLINED",
        "{body:#}"
    );
    let body = try_as(Some(&p.jst.token), &withdraw, &p.by_jst).await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "id".into())
    );
    // An awarded need is neither closed nor cancelled.
    for name in ["closeBusinessNeed", "cancelBusinessNeed"] {
        let body = try_as(Some(&p.aist.token), &mv(name, ""), &p.need).await;
        assert_eq!(
            error_code_and_field(&body),
            ("CONFLICT".into(), "id".into()),
            "{name}"
        );
    }

    // A second need: closing and cancelling by the right and the wrong roles; withdrawal.
    let buyer = company(&app, "second-buyer", 13).await;
    let need = p.aist.need(&buyer, "Brackets", "NETWORK", "").await;
    let body = p.jetro.propose(&need, &p.jetro_sme, 100, json!([])).await;
    let proposal = body["data"]["submitProposal"]["id"].clone();
    let body = try_as(Some(&p.jetro.token), &withdraw, &proposal).await;
    assert_eq!(
        body["data"]["withdrawProposal"]["status"], "WITHDRAWN",
        "{body:#}"
    );
    let close = mv("closeBusinessNeed", "");
    for token in [
        p.jetro.token.as_str(),
        aist_member.as_str(),
        network_admin.as_str(),
    ] {
        let body = try_as(Some(token), &close, &need).await;
        assert_eq!(code(&body), "FORBIDDEN", "{body:#}");
    }
    let body = try_as(Some(&p.aist.token), &close, &need).await;
    assert_eq!(
        body["data"]["closeBusinessNeed"]["status"], "CLOSED",
        "{body:#}"
    );
    let body = p.jst.propose(&need, &p.jst_sme, 100, json!([])).await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "input.needId".into())
    );
    let cancel = mv("cancelBusinessNeed", ", version: 2");
    let body = try_as(Some(&p.jetro.token), &cancel, &need).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = try_as(Some(&p.aist.token), &cancel, &need).await;
    assert_eq!(
        body["data"]["cancelBusinessNeed"]["status"], "CANCELLED",
        "{body:#}"
    );
    // Every attempt is audited, refused ones too.
    let audited = app
        .graphql_as(
            &network_admin,
            r#"{ auditLog(first: 100, filter: { operation: "shortlistProposal" }) { totalCount } }"#,
            json!({}),
        )
        .await
        .json();
    assert!(
        audited["data"]["auditLog"]["totalCount"].as_u64().unwrap() >= 9,
        "{audited:#}"
    );
}

#[tokio::test]
async fn a_need_past_its_deadline_reads_closed_and_takes_no_proposals() {
    let app = TestApp::spawn().await;
    let buyer = company(&app, "hub-co", 23).await;
    let aist = Desk::at(&app, "aist");
    let jetro = Desk::at(&app, "jetro");
    let need = aist.need(&buyer, "Late", "PUBLIC", "").await;
    let sme = jetro.sme("740000000001", "Late Kogyo", 23, "NONE").await;
    let body = aist.post_need(&buyer, "Past", "PUBLIC", "").await;
    assert!(body.get("errors").is_none());
    // A deadline in the past is refused on posting.
    let body = aist
        .ask(
            r#"mutation($b: ID!, $key: String!) { postBusinessNeed(idempotencyKey: $key, input: { buyerId: $b, kind: ORDER,
                titleJa: "x", titleEn: "x", deadline: "2020-01-01T00:00:00Z", visibility: PUBLIC }) { id } }"#,
            json!({ "b": buyer }),
        )
        .await;
    assert_eq!(
        error_code_and_field(&body),
        ("BAD_USER_INPUT".into(), "input.deadline".into())
    );
    // Time passes: the deadline of every need is now behind us.
    business_need::Entity::update_many()
        .col_expr(
            business_need::Column::Deadline,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    let read = aist
        .ok(
            r#"query($id: ID!) { businessNeed(id: $id) { status }
                closed: businessNeeds(filter: { status: CLOSED }) { totalCount }
                open: businessNeeds(filter: { status: OPEN }) { totalCount } }"#,
            json!({ "id": need }),
        )
        .await;
    assert_eq!(read["businessNeed"]["status"], "CLOSED");
    assert_eq!(read["closed"]["totalCount"], 2);
    assert_eq!(read["open"]["totalCount"], 0);
    let body = jetro.propose(&need, &sme, 100, json!([])).await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "input.needId".into())
    );
    let body = aist
        .ask(
            "mutation($id: ID!) { closeBusinessNeed(id: $id) { status } }",
            json!({ "id": need }),
        )
        .await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "id".into())
    );
    let body = aist
        .ask(
            "mutation($id: ID!) { cancelBusinessNeed(id: $id) { status } }",
            json!({ "id": need }),
        )
        .await;
    assert_eq!(
        body["data"]["cancelBusinessNeed"]["status"], "CANCELLED",
        "{body:#}"
    );
}

#[tokio::test]
async fn the_showcase_is_public_cacheable_and_filtered() {
    let app = TestApp::spawn().await;
    let aist = Desk::at(&app, "aist");
    // Aichi (Chubu), Shizuoka (Kanto bureau), Osaka (Kinki).
    let aichi = aist.sme("750000000001", "Aichi Koki", 23, "GNT").await;
    let shizuoka = aist.sme("750000000002", "Enshu Seiki", 22, "NONE").await;
    let osaka = aist.sme("750000000003", "Naniwa Press", 27, "DNT").await;
    let hidden = aist.sme("750000000004", "Hidden Kogyo", 23, "GNT").await;
    aist.product(
        &aichi,
        "Turbine blade",
        &["AEROSPACE"],
        &["MACHINING", "HEAT_TREATMENT"],
    )
    .await;
    aist.product(&shizuoka, "Gear box", &["AUTOMOTIVE"], &["MACHINING"])
        .await;
    aist.product(&osaka, "Pressed bracket", &["AUTOMOTIVE"], &["PRESSING"])
        .await;
    let secret = aist
        .product(&hidden, "Secret blade", &["AEROSPACE"], &["MACHINING"])
        .await;
    for sme in [&aichi, &shizuoka, &osaka, &hidden] {
        aist.publish(sme).await;
    }
    let body = aist
        .ask(
            "mutation($id: ID!) { withdrawSmeShowcase(smeId: $id) { live } }",
            json!({ "id": hidden }),
        )
        .await;
    assert_eq!(
        body["data"]["withdrawSmeShowcase"]["live"], false,
        "{body:#}"
    );

    let names = |body: &Value| -> Vec<String> {
        let mut out: Vec<String> = body["data"]["smeShowcase"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body:#}"))
            .iter()
            .map(|n| n["sme"]["nameEn"].as_str().unwrap().to_owned())
            .collect();
        out.sort();
        out
    };
    let query = "query($f: SmeShowcaseFilter) { smeShowcase(first: 50, filter: $f) { totalCount nodes { id live sme { nameEn nicheStatus prefecture { code } }
        products { nameEn fields processes } } } }";
    for (filter, expected) in [
        (
            json!(null),
            vec!["Aichi Koki", "Enshu Seiki", "Naniwa Press"],
        ),
        (json!({ "field": "AEROSPACE" }), vec!["Aichi Koki"]),
        (
            json!({ "process": "MACHINING" }),
            vec!["Aichi Koki", "Enshu Seiki"],
        ),
        (json!({ "process": "PRESSING" }), vec!["Naniwa Press"]),
        (json!({ "prefectureCode": 22 }), vec!["Enshu Seiki"]),
        // Shizuoka is under the Kanto bureau, not Chubu.
        (json!({ "bureau": "CHUBU" }), vec!["Aichi Koki"]),
        (json!({ "bureau": "KANTO" }), vec!["Enshu Seiki"]),
        (json!({ "niche": "DNT" }), vec!["Naniwa Press"]),
        (json!({ "search": "gear" }), vec!["Enshu Seiki"]),
        (json!({ "search": "NANIWA" }), vec!["Naniwa Press"]),
        (json!({ "search": "100%" }), vec![]),
        (
            json!({ "field": "AUTOMOTIVE", "process": "MACHINING" }),
            vec!["Enshu Seiki"],
        ),
    ] {
        let body = app.graphql(query, json!({ "f": filter })).await;
        assert_eq!(names(&body), expected, "{filter}");
        assert_eq!(body["data"]["smeShowcase"]["totalCount"], expected.len());
    }
    // The place filters follow the SME when it moves, or its standing changes, with no change
    // to its showcase.
    aist.ok(
        r#"mutation($id: ID!) { updateSme(id: $id, input: { prefectureCode: 21, nicheStatus: GNT }) { id } }"#,
        json!({ "id": shizuoka }),
    )
    .await;
    for (filter, expected) in [
        (json!({ "prefectureCode": 22 }), vec![]),
        (json!({ "prefectureCode": 21 }), vec!["Enshu Seiki"]),
        // Gifu is under the Chubu bureau.
        (
            json!({ "bureau": "CHUBU" }),
            vec!["Aichi Koki", "Enshu Seiki"],
        ),
        (json!({ "bureau": "KANTO" }), vec![]),
        (json!({ "niche": "GNT" }), vec!["Aichi Koki", "Enshu Seiki"]),
        (json!({ "niche": "NONE" }), vec![]),
    ] {
        let body = app.graphql(query, json!({ "f": filter })).await;
        assert_eq!(names(&body), expected, "after the move: {filter}");
        assert_eq!(body["data"]["smeShowcase"]["totalCount"], expected.len());
    }
    // A search follows the products and the SME's names as they change.
    let search =
        async |text: &str| names(&app.graphql(query, json!({ "f": { "search": text } })).await);
    let drill = aist
        .product(&osaka, "Drill jig", &["AUTOMOTIVE"], &["MACHINING"])
        .await;
    assert_eq!(search("drill jig").await, ["Naniwa Press"]);
    aist.ok(
        "mutation($id: ID!) { removeSmeProduct(id: $id) { id } }",
        json!({ "id": drill }),
    )
    .await;
    assert!(search("drill").await.is_empty());
    assert_eq!(search("bracket").await, ["Naniwa Press"]);
    aist.ok(
        r#"mutation($id: ID!) { updateSme(id: $id, input: { nameJa: "堺プレス", nameEn: "Sakai Press" }) { id } }"#,
        json!({ "id": osaka }),
    )
    .await;
    assert!(search("naniwa").await.is_empty());
    assert_eq!(search("SAKAI").await, ["Sakai Press"]);
    // A withdrawn showcase's products are private to the registering institution.
    let body = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": secret }),
        )
        .await;
    assert!(body["data"]["node"].is_null(), "{body:#}");
    let jetro = app.token("m@jetro", "jetro", &[Role::Member]);
    let body = as_caller(
        &app,
        Some(&jetro),
        "query($id: ID!) { node(id: $id) { id } }",
        json!({ "id": secret }),
    )
    .await;
    assert!(body["data"]["node"].is_null(), "{body:#}");
    let body = aist
        .ask(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": secret }),
        )
        .await;
    assert_eq!(body["data"]["node"]["id"], secret);
    // Partner websites' GET is cacheable, like the directory.
    let encoded: String =
        "{ smeShowcase(first: 5, filter: { process: MACHINING }) { nodes { sme { nameEn } } } }"
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
    let reply = app.get(&format!("/graphql?query={encoded}"), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let cache = reply
        .headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cache.starts_with("public"), "{cache}");
    // Only the registering institution's desks publish and add products.
    let jetro_desk = Desk::at(&app, "jetro");
    let body = jetro_desk
        .ask(
            r#"mutation($sme: ID!, $key: String!) { publishSmeShowcase(idempotencyKey: $key, input: { smeId: $sme, consentedOn: "2026-04-01" }) { id } }"#,
            json!({ "sme": aichi }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let member = Desk::of(&app, "aist", &[Role::Member]);
    let body = member
        .ask(
            r#"mutation($sme: ID!, $key: String!) { addSmeProduct(idempotencyKey: $key, input: { smeId: $sme, nameJa: "x", nameEn: "x" }) { id } }"#,
            json!({ "sme": aichi }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn candidates_are_ranked_by_the_documented_score_deterministically() {
    let app = TestApp::spawn().await;
    let buyer = company(&app, "aichi-hub", 23).await;
    let aist = Desk::at(&app, "aist");
    // Covers the field and both processes, GNT, in Aichi, rated B by AIST.
    let best = aist.sme("760000000001", "Best Koki", 23, "GNT").await;
    aist.product(&best, "Blade", &["AEROSPACE"], &["MACHINING", "WELDING"])
        .await;
    let evaluation = aist
        .ok(
            &format!(
                "mutation($sme: ID!, $key: String!) {{ createEvaluation(idempotencyKey: $key, input: {{ smeId: $sme, scores: {COMPLETE_SCORES} }}) {{ id }} }}"
            ),
            json!({ "sme": best }),
        )
        .await["createEvaluation"]["id"]
        .clone();
    for step in [
        "submitEvaluation",
        "startEvaluationReview",
        "rateEvaluation",
    ] {
        aist.ok(
            &format!("mutation($id: ID!, $key: String!) {{ {step}(id: $id, idempotencyKey: $key) {{ id }} }}"),
            json!({ "id": evaluation }),
        )
        .await;
    }
    // Covers one process, in Gifu (Chubu bureau, like Aichi).
    let middle = aist.sme("760000000002", "Middle Koki", 21, "NONE").await;
    aist.product(&middle, "Frame", &[], &["WELDING"]).await;
    // Two with the same cover elsewhere: the one registered first goes first.
    let tie_a = aist.sme("760000000003", "Tie A", 1, "NONE").await;
    aist.product(&tie_a, "Part", &[], &["MACHINING"]).await;
    let tie_b = aist.sme("760000000004", "Tie B", 47, "NONE").await;
    aist.product(&tie_b, "Part", &[], &["MACHINING"]).await;
    // Covers nothing: not a candidate.
    let none = aist.sme("760000000005", "Food Koki", 23, "GNT").await;
    aist.product(&none, "Miso", &["FOOD"], &["ASSEMBLY"]).await;
    let need = aist
        .need(
            &buyer,
            "Engine parts",
            "NETWORK",
            ", fields: [AEROSPACE], processes: [MACHINING, WELDING]",
        )
        .await;
    let query = "query($id: ID!) { matchCandidates(needId: $id, first: 10) { score reasons sme { nameEn } } }";
    let first = aist.ok(query, json!({ "id": need })).await;
    let ranked: Vec<(String, i64)> = first["matchCandidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["sme"]["nameEn"].as_str().unwrap().to_owned(),
                c["score"].as_i64().unwrap(),
            )
        })
        .collect();
    // Best: 3 covered × 3 + rating B 2 + GNT 2 + same prefecture 2 = 15.
    // Middle: 1 × 3 + same bureau 1 = 4. Ties: 1 × 3 = 3 each.
    assert_eq!(
        ranked,
        [
            ("Best Koki".to_owned(), 15),
            ("Middle Koki".to_owned(), 4),
            ("Tie A".to_owned(), 3),
            ("Tie B".to_owned(), 3)
        ]
    );
    let reasons = first["matchCandidates"][0]["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 6, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("rated B (+2)")),
        "{reasons:?}"
    );
    // The same data, the same answer.
    assert_eq!(aist.ok(query, json!({ "id": need })).await, first);
    // Another institution does not read AIST's evaluation nor its unpublished products: it sees
    // fewer reasons, never more.
    let jetro = Desk::at(&app, "jetro");
    let theirs = jetro.ok(query, json!({ "id": need })).await;
    assert_eq!(
        theirs["matchCandidates"],
        json!([]),
        "products of unpublished SMEs are not theirs to read"
    );
    // An anonymous caller does not read a NETWORK need: null.
    let body = app.graphql(query, json!({ "id": need })).await;
    assert!(body["data"]["matchCandidates"].is_null(), "{body:#}");
}

/// AIST organises a fair; its needs' buyers meet SMEs in 30-minute slots.
#[tokio::test]
async fn no_sme_or_buyer_is_booked_twice_in_a_slot_even_when_bookings_race() {
    let app = TestApp::spawn().await;
    let aist = Desk::at(&app, "aist");
    let event = aist
        .ok(
            r#"mutation($key: String!) { createMatchingEvent(idempotencyKey: $key, input: { kind: FAIR, nameJa: "商談会",
                nameEn: "Chubu matching fair", place: "Nagoya", countryCode: "JP", startsOn: "2027-05-10",
                endsOn: "2027-05-11", slotMinutes: 30 }) { id } }"#,
            json!({}),
        )
        .await["createMatchingEvent"]["id"]
        .clone();
    let mut needs = Vec::new();
    for n in 0..6 {
        let buyer = company(&app, &format!("buyer-{n}"), 23).await;
        needs.push(aist.need(&buyer, &format!("Need {n}"), "NETWORK", "").await);
    }
    let mut smes = Vec::new();
    for n in 0..6 {
        smes.push(
            aist.sme(
                &format!("77000000000{n}"),
                &format!("Racer {n}"),
                23,
                "NONE",
            )
            .await,
        );
    }
    let book = r#"mutation($e: ID!, $n: ID!, $s: ID!, $at: DateTime!, $key: String!) { bookMeeting(idempotencyKey: $key,
        input: { eventId: $e, needId: $n, smeId: $s, slotStart: $at }) { id } }"#;
    let slot = "2027-05-10T10:00:00+09:00";
    // One SME, six buyers, one slot, all at once: exactly one wins.
    let replies = join_all(needs.iter().map(|need| {
        app.graphql_as(
            &aist.token,
            book,
            json!({ "e": event, "n": need, "s": smes[0], "at": slot }),
        )
    }))
    .await;
    let bodies: Vec<Value> = replies.iter().map(|r| r.json()).collect();
    let won = bodies.iter().filter(|b| b.get("errors").is_none()).count();
    assert_eq!(won, 1, "{bodies:#?}");
    for body in bodies.iter().filter(|b| b.get("errors").is_some()) {
        assert_eq!(
            error_code_and_field(body),
            ("CONFLICT".into(), "input.smeId".into()),
            "{body:#}"
        );
    }
    // One buyer, five other SMEs, the next slot, all at once: exactly one wins.
    let next = "2027-05-10T10:30:00+09:00";
    let replies = join_all(smes.iter().skip(1).map(|sme| {
        app.graphql_as(
            &aist.token,
            book,
            json!({ "e": event, "n": needs[0], "s": sme, "at": next }),
        )
    }))
    .await;
    let bodies: Vec<Value> = replies.iter().map(|r| r.json()).collect();
    assert_eq!(
        bodies.iter().filter(|b| b.get("errors").is_none()).count(),
        1,
        "{bodies:#?}"
    );
    for body in bodies.iter().filter(|b| b.get("errors").is_some()) {
        assert_eq!(
            error_code_and_field(body),
            ("CONFLICT".into(), "input.needId".into()),
            "{body:#}"
        );
    }
    // Another slot is free; a slot off the grid or off the event's days is refused.
    let body = aist
        .ask(
            book,
            json!({ "e": event, "n": needs[1], "s": smes[0], "at": "2027-05-10T11:00:00+09:00" }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    for at in ["2027-05-10T11:10:00+09:00", "2027-05-12T10:00:00+09:00"] {
        let body = aist
            .ask(
                book,
                json!({ "e": event, "n": needs[2], "s": smes[2], "at": at }),
            )
            .await;
        assert_eq!(
            error_code_and_field(&body),
            ("BAD_USER_INPUT".into(), "input.slotStart".into()),
            "{at}"
        );
    }
    // A retry of a booking answers the first meeting; members without a desk role do not book,
    // and anonymous callers are asked to sign in.
    let retry = json!({ "e": event, "n": needs[4], "s": smes[4], "at": "2027-05-11T09:00:00+09:00", "key": "book-retry" });
    let first = aist.ask(book, retry.clone()).await;
    assert!(first.get("errors").is_none(), "{first:#}");
    assert_eq!(aist.ask(book, retry.clone()).await["data"], first["data"]);
    let aist_member = Desk::of(&app, "aist", &[Role::Member]);
    let body = aist_member
        .ask(
            book,
            json!({ "e": event, "n": needs[5], "s": smes[5], "at": "2027-05-11T09:30:00+09:00" }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body:#}");
    let body = app
        .graphql(book, json!({ "e": event, "n": needs[5], "s": smes[5], "at": "2027-05-11T09:30:00+09:00", "key": "anon" }))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body:#}");
    let create = r#"mutation($key: String!) { createMatchingEvent(idempotencyKey: $key, input: { kind: FAIR, nameJa: "x",
        nameEn: "x", place: "x", countryCode: "JP", startsOn: "2027-05-10", endsOn: "2027-05-10" }) { id } }"#;
    assert_eq!(code(&aist_member.ask(create, json!({})).await), "FORBIDDEN");
    // Outcomes: the organiser's desks (and the need's), not its members.
    let meeting = first["data"]["bookMeeting"]["id"].clone();
    let outcome = r#"mutation($id: ID!, $key: String!) { recordMeetingOutcome(id: $id, idempotencyKey: $key, version: 1,
        input: { outcome: QUOTATION }) { outcome version } }"#;
    assert_eq!(
        code(&aist_member.ask(outcome, json!({ "id": meeting })).await),
        "FORBIDDEN"
    );
    let body = aist.ask(outcome, json!({ "id": meeting })).await;
    assert_eq!(
        body["data"]["recordMeetingOutcome"],
        json!({ "outcome": "QUOTATION", "version": 2 }),
        "{body:#}"
    );
    let body = aist.ask(outcome, json!({ "id": meeting })).await;
    assert_eq!(
        error_code_and_field(&body),
        ("CONFLICT".into(), "version".into()),
        "a stale version"
    );
    // Members read the event; callers outside the network see none.
    let listed = "{ matchingEvents(first: 5) { totalCount nodes { nameEn } } }";
    let member = app.token("m@jst", "jst", &[Role::Member]);
    let body = as_caller(&app, Some(&member), listed, json!({})).await;
    assert_eq!(body["data"]["matchingEvents"]["totalCount"], 1, "{body:#}");
    let body = app.graphql(listed, json!({})).await;
    assert_eq!(body["data"]["matchingEvents"]["totalCount"], 0, "{body:#}");
    // Only the organiser's desks book.
    let jetro = Desk::at(&app, "jetro");
    let body = jetro
        .ask(
            book,
            json!({ "e": event, "n": needs[3], "s": smes[3], "at": "2027-05-11T10:00:00+09:00" }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body:#}");
}

#[tokio::test]
async fn outcomes_are_read_by_the_parties_and_statistics_fold_small_bureaus() {
    let app = TestApp::spawn().await;
    let p = proposals(&app).await;
    let mv = |name: &str| format!("mutation($id: ID!) {{ {name}(id: $id) {{ status }} }}");
    p.aist
        .ok(&mv("shortlistProposal"), json!({ "id": p.by_jetro }))
        .await;
    p.aist
        .ok(&mv("acceptProposal"), json!({ "id": p.by_jetro }))
        .await;
    // A meeting at AIST's fair ends in an order for JST's SME.
    let event = p
        .aist
        .ok(
            r#"mutation($key: String!) { createMatchingEvent(idempotencyKey: $key, input: { kind: OVERSEAS_MISSION, nameJa: "航空ショー",
                nameEn: "Air show mission", place: "Le Bourget", countryCode: "FR", startsOn: "2027-06-21", endsOn: "2027-06-22" }) { id } }"#,
            json!({}),
        )
        .await["createMatchingEvent"]["id"]
        .clone();
    let meeting = p
        .aist
        .ok(
            r#"mutation($e: ID!, $n: ID!, $s: ID!, $key: String!) { bookMeeting(idempotencyKey: $key, input: { eventId: $e, needId: $n,
                smeId: $s, slotStart: "2027-06-21T17:00:00+09:00" }) { id } }"#,
            json!({ "e": event, "n": p.need, "s": p.jst_sme }),
        )
        .await["bookMeeting"]["id"]
        .clone();
    let outcome = r#"mutation($id: ID!, $o: MeetingOutcome!, $a: Yen, $key: String!) { recordMeetingOutcome(id: $id, idempotencyKey: $key, input: { outcome: $o, amount: $a }) { outcome orderAmount version } }"#;
    let body = p
        .aist
        .ask(outcome, json!({ "id": meeting, "o": "ORDER" }))
        .await;
    assert_eq!(
        error_code_and_field(&body),
        ("BAD_USER_INPUT".into(), "input.amount".into())
    );
    let body = p
        .jst
        .ask(
            outcome,
            json!({ "id": meeting, "o": "ORDER", "a": 5000000 }),
        )
        .await;
    assert_eq!(
        code(&body),
        "NOT_FOUND",
        "JST neither organised nor posted: {body:#}"
    );
    let body = p
        .aist
        .ask(
            outcome,
            json!({ "id": meeting, "o": "ORDER", "a": 5000000 }),
        )
        .await;
    assert_eq!(
        body["data"]["recordMeetingOutcome"]["orderAmount"], 5_000_000,
        "{body:#}"
    );

    let read = "query($id: ID!) { node(id: $id) { ... on Sme { outcomes { amount sharePercent proposal { id } meeting { id } } } } }";
    let seen = |body: &Value| {
        body["data"]["node"]["outcomes"]
            .as_array()
            .map_or(0, Vec::len)
    };
    // JETRO's SME won the accepted proposal: AIST and JETRO read it, JST and anonymous do not.
    for (who, token, expected) in [
        ("aist", Some(p.aist.token.as_str()), 1),
        ("jetro", Some(p.jetro.token.as_str()), 1),
        ("jst", Some(p.jst.token.as_str()), 0),
        ("anonymous", None, 0),
    ] {
        let body = as_caller(&app, token, read, json!({ "id": p.jetro_sme })).await;
        assert_eq!(seen(&body), expected, "{who}: {body:#}");
    }
    // JST's SME won at the meeting: AIST (organiser and need) reads it; JST, which proposed
    // elsewhere, does not read the meeting.
    let body = p.aist.ask(read, json!({ "id": p.jst_sme })).await;
    assert_eq!(
        body["data"]["node"]["outcomes"][0]["amount"], 5_000_000,
        "{body:#}"
    );
    let body = p.jst.ask(read, json!({ "id": p.jst_sme })).await;
    assert_eq!(seen(&body), 0, "{body:#}");

    // The network's figures: one need in Kanto (AIST, Ibaraki), so callers outside the network
    // see it folded into `other`; members see the bureau.
    let year = iin_api::domain::dates::fiscal_year_of(iin_api::domain::dates::today_in_japan());
    let stats = "query($y: Int!) { matchingStatistics(fiscalYear: $y) { groups { key needs proposals jointOrders ordersWon orderValue } } }";
    let member = p.jst.ok(stats, json!({ "y": year })).await;
    assert_eq!(
        member["matchingStatistics"]["groups"],
        json!([{ "key": "kanto", "needs": 1, "proposals": 2, "jointOrders": 0, "ordersWon": 2, "orderValue": 17_000_000 }])
    );
    let public = app.data(stats, json!({ "y": year })).await;
    assert_eq!(public["matchingStatistics"]["groups"][0]["key"], "other");
    assert_eq!(public["matchingStatistics"]["groups"][0]["ordersWon"], 2);
}

#[tokio::test]
async fn the_parties_hear_need_and_proposal_changes_and_no_one_else() {
    let app = TestApp::spawn().await;
    let buyer = company(&app, "hub-co", 23).await;
    let aist = Desk::at(&app, "aist");
    let jetro = Desk::at(&app, "jetro");
    let jst = Desk::at(&app, "jst");
    let sme = jetro.sme("780000000001", "Heard Kogyo", 23, "NONE").await;
    let subscribe =
        json!({ "query": "subscription { proposalChanged { proposalId needId status change } }" });
    let needs = json!({ "query": "subscription { needChanged { needId status change } }" });
    let mut sockets = Vec::new();
    for token in [&aist.token, &jetro.token, &jst.token] {
        let mut socket = ws::connect(&app, Some(token)).await;
        ws::subscribe(&mut socket, "1", &subscribe).await;
        let mut second = ws::connect(&app, Some(token)).await;
        ws::subscribe(&mut second, "1", &needs).await;
        sockets.push((socket, second));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let need = aist.need(&buyer, "Heard", "NETWORK", "").await;
    let body = jetro.propose(&need, &sme, 100, json!([])).await;
    let proposal = body["data"]["submitProposal"]["id"].clone();
    aist.ok(
        "mutation($id: ID!) { shortlistProposal(id: $id) { id } }",
        json!({ "id": proposal }),
    )
    .await;
    aist.ok(
        "mutation($id: ID!) { acceptProposal(id: $id) { id } }",
        json!({ "id": proposal }),
    )
    .await;
    for (socket, _) in sockets.iter_mut().take(2) {
        for (change, status) in [
            ("submitted", "SUBMITTED"),
            ("shortlisted", "SHORTLISTED"),
            ("accepted", "ACCEPTED"),
        ] {
            let message = ws::receive(socket).await;
            let heard = &message["payload"]["data"]["proposalChanged"];
            assert_eq!(heard["proposalId"], proposal, "{message:#}");
            assert_eq!(heard["change"], change, "{message:#}");
            assert_eq!(heard["status"], status, "{message:#}");
        }
    }
    // Its institution heard the need posted (JETRO was no party yet); both hear it awarded.
    for (i, (_, socket)) in sockets.iter_mut().take(2).enumerate() {
        let expected: &[(&str, &str)] = if i == 0 {
            &[("posted", "OPEN"), ("awarded", "AWARDED")]
        } else {
            &[("awarded", "AWARDED")]
        };
        for (change, status) in expected {
            let message = ws::receive(socket).await;
            let heard = &message["payload"]["data"]["needChanged"];
            assert_eq!(heard["needId"], need, "{message:#}");
            assert_eq!(heard["change"], *change, "{message:#}");
            assert_eq!(heard["status"], *status, "{message:#}");
        }
    }
    // JST, a member that reads the NETWORK need but is no party, heard nothing.
    let (proposals_socket, needs_socket) = &mut sockets[2];
    for socket in [proposals_socket, needs_socket] {
        let silent = tokio::time::timeout(
            std::time::Duration::from_millis(500),
            ws::next_frame(socket),
        )
        .await;
        assert!(silent.is_err(), "JST heard {silent:?}");
    }
    // Anonymous subscribers are asked to sign in.
    let reply = ws::operation(&app, None, &subscribe).await;
    assert_eq!(
        reply["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{reply:#}"
    );
}
