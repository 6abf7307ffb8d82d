//! A filter only narrows what a caller may read: generated from the schema, not listed by hand.
//!
//! Two institutions (AIST and JETRO) each hold SMEs and evaluations in every state and both
//! visibilities, and each refers its SME to a bank of its own (whose loan officers are callers
//! too). The schema is introspected; every `Query` field that takes a `filter` is found,
//! its input type walked, and every filter field set in turn to every value the generator can make
//! from what exists (the other institution's ids, its SMEs' names, every enum value, …). A filter
//! field of a type the generator cannot make values for, or one that no value ever matches, fails
//! the test, so a filter added later is covered or noticed. Every value is tried as a network
//! admin; each value that matches rows, and the first two of each field that match none, are then
//! tried by every caller of the matrix:
//!
//! - the filtered rows are exactly the caller's unfiltered rows that the filter matches (the
//!   network admin's filtered rows: the filter's meaning does not depend on the caller);
//! - `totalCount` equals the rows met paging through, and `edges` and `nodes` agree;
//! - every evaluation reached through another object (`Sme.ratingSummary`, and any nested list of
//!   evaluations the schema grows) is one the caller may read, and `ratingSummary.count` counts
//!   exactly those;
//! - another institution's private evaluation answers `evaluation(id:)`, `node(id:)` and a
//!   mutation exactly as an id that does not exist does.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use futures_util::{StreamExt, future::join_all, stream};
use iin_api::{auth::Role, domain::corporate_number::with_check_digit};
use iin_tests::{COMPLETE_SCORES, Client, TestApp};
use serde_json::{Value, json};

// ---------------------------------------------------------------- the schema

pub(crate) const INTROSPECTION: &str = r#"
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
{ __schema {
    queryType { name }
    types { kind name
        fields { name args { name type { ...Ref } } type { ...Ref } }
        inputFields { name type { ...Ref } }
        enumValues { name }
        possibleTypes { name } } } }"#;

pub(crate) struct Schema {
    pub(crate) query: String,
    pub(crate) types: HashMap<String, Value>,
}

impl Schema {
    pub(crate) async fn of(app: &TestApp) -> Self {
        let data = app.data(INTROSPECTION, json!({})).await;
        let types = data["__schema"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
            .collect();
        Self {
            query: data["__schema"]["queryType"]["name"]
                .as_str()
                .unwrap()
                .to_owned(),
            types,
        }
    }

    pub(crate) fn ty(&self, name: &str) -> &Value {
        &self.types[name]
    }

    pub(crate) fn fields(&self, ty: &str) -> Vec<&Value> {
        self.ty(ty)["fields"]
            .as_array()
            .map(|f| f.iter().collect())
            .unwrap_or_default()
    }

    fn field(&self, ty: &str, name: &str) -> Option<&Value> {
        self.fields(ty).into_iter().find(|f| f["name"] == name)
    }

    /// A connection's node type, when `ty` is a connection.
    fn node_of_connection(&self, ty: &str) -> Option<String> {
        self.field(ty, "totalCount")?;
        Some(named(&self.field(ty, "nodes")?["type"]).to_owned())
    }
}

/// The named type under any list and non-null wrappers.
pub(crate) fn named(ty: &Value) -> &str {
    match ty["name"].as_str() {
        Some(name) => name,
        None => named(&ty["ofType"]),
    }
}

/// The type as written in a query: `[ID!]!`.
fn spelled(ty: &Value) -> String {
    match ty["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", spelled(&ty["ofType"])),
        "LIST" => format!("[{}]", spelled(&ty["ofType"])),
        _ => ty["name"].as_str().unwrap().to_owned(),
    }
}

pub(crate) fn required(ty: &Value) -> bool {
    ty["kind"] == "NON_NULL"
}

/// What the generator makes values from: things that exist, seen by a network admin.
#[derive(Default)]
struct Pool {
    ids: BTreeSet<String>,
    strings: BTreeSet<String>,
    ints: BTreeSet<i64>,
}

impl Pool {
    /// Every value of a type the generator can make, or why it cannot.
    fn values(&self, schema: &Schema, ty: &Value, path: &str) -> Result<Vec<Value>, String> {
        match ty["kind"].as_str().unwrap() {
            "NON_NULL" => self.values(schema, &ty["ofType"], path),
            "LIST" => Ok(self
                .values(schema, &ty["ofType"], path)?
                .into_iter()
                .map(|v| json!([v]))
                .collect()),
            "ENUM" => Ok(schema.ty(named(ty))["enumValues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["name"].clone())
                .collect()),
            "SCALAR" => match named(ty) {
                "ID" => Ok(self.ids.iter().map(|v| json!(v)).collect()),
                "String" => Ok(self.strings.iter().map(|v| json!(v)).collect()),
                "Int" => Ok(self.ints.iter().map(|v| json!(v)).collect()),
                "Boolean" => Ok(vec![json!(true), json!(false)]),
                "DateTime" => Ok(vec![
                    json!("2000-01-01T00:00:00Z"),
                    json!("2100-01-01T00:00:00Z"),
                ]),
                "Date" => Ok(vec![json!("2000-01-01"), json!("2100-01-01")]),
                other => Err(format!(
                    "{path}: the generator makes no values of the scalar {other}; teach it (tests/api/filters_narrow.rs)"
                )),
            },
            "INPUT_OBJECT" => {
                let fields = schema.ty(named(ty))["inputFields"].as_array().unwrap();
                // The required fields, at their first value; then each field at each value.
                let mut base = serde_json::Map::new();
                for field in fields.iter().filter(|f| required(&f["type"])) {
                    let name = field["name"].as_str().unwrap();
                    let first = self
                        .values(schema, &field["type"], &format!("{path}.{name}"))?
                        .into_iter()
                        .next()
                        .ok_or_else(|| format!("{path}.{name}: no value to give"))?;
                    base.insert(name.to_owned(), first);
                }
                let mut out = Vec::new();
                for field in fields {
                    let name = field["name"].as_str().unwrap();
                    for value in self.values(schema, &field["type"], &format!("{path}.{name}"))? {
                        let mut object = base.clone();
                        object.insert(name.to_owned(), value);
                        out.push(Value::Object(object));
                    }
                }
                Ok(out)
            }
            other => Err(format!("{path}: an input of kind {other}")),
        }
    }
}

// ---------------------------------------------------------------- callers

pub(crate) struct Caller {
    pub(crate) name: &'static str,
    pub(crate) token: Option<String>,
}

pub(crate) fn callers(app: &TestApp) -> Vec<Caller> {
    let at = |name: &'static str, code: &str, role: Role| Caller {
        name,
        token: Some(app.token(name, code, &[role])),
    };
    vec![
        Caller {
            name: "anonymous",
            token: None,
        },
        at("member@aist", "aist", Role::Member),
        at("evaluator@aist", "aist", Role::Evaluator),
        at("org_admin@aist", "aist", Role::OrgAdmin),
        at("org_admin@jetro", "jetro", Role::OrgAdmin),
        at("member@jetro", "jetro", Role::Member),
        at("network_admin@iin-japan", "iin-japan", Role::NetworkAdmin),
        // After the network admin (index `NETWORK_ADMIN`): the banks' loan officers.
        at(
            "loan_officer@narrow-bank-a",
            "narrow-bank-a",
            Role::LoanOfficer,
        ),
        at(
            "loan_officer@narrow-bank-b",
            "narrow-bank-b",
            Role::LoanOfficer,
        ),
        at("member@narrow-bank-a", "narrow-bank-a", Role::Member),
    ]
}

const NETWORK_ADMIN: usize = 6;

pub(crate) async fn ask(app: &TestApp, caller: &Caller, query: &str, variables: Value) -> Value {
    match &caller.token {
        Some(token) => app.graphql_as(token, query, variables).await.json(),
        None => app.graphql(query, variables).await,
    }
}

// ---------------------------------------------------------------- the arranged world

/// One evaluation as arranged.
#[derive(Debug, Clone)]
struct Arranged {
    id: String,
    sme: String,
    institution: &'static str,
    network: bool,
    status: &'static str,
}

/// One referral as arranged.
#[derive(Debug, Clone)]
pub(crate) struct ArrangedReferral {
    id: String,
    institution: &'static str,
    bank: &'static str,
}

pub(crate) struct World {
    evaluations: Vec<Arranged>,
    referrals: Vec<ArrangedReferral>,
    smes: Vec<String>,
    organizations: BTreeMap<&'static str, String>,
    /// Patents and licensing inquiries, for the filters of their listings.
    patents: Vec<String>,
    inquiries: Vec<String>,
    /// Buyers' needs, for the filters of needs and proposals.
    needs: Vec<String>,
}

/// Business matching: an SME of AIST with a live showcase (Aichi, GNT, an aerospace product
/// machined), needs of every visibility (AIST's PUBLIC one and its INVITED one for JETRO, JETRO's
/// NETWORK one), a proposal of each institution to the other's need, and a meeting at AIST's fair
/// that ended in an order.
async fn arrange_matching(app: &TestApp, aist: &Desk<'_>, jetro: &Desk<'_>) -> Vec<String> {
    let shown = aist
        .sme(
            "610000000091",
            "Matching Showcase Koki",
            23,
            "GNT",
            "TYPE_1",
        )
        .await;
    let theirs = jetro
        .sme(
            "610000000092",
            "Matching Partner Kogyo",
            13,
            "DNT",
            "TYPE_2",
        )
        .await;
    aist.ok(
        r#"mutation($sme: ID!) { addSmeProduct(idempotencyKey: "p1", input: { smeId: $sme, nameJa: "タービン翼",
            nameEn: "Turbine blade", fields: [AEROSPACE], processes: [MACHINING] }) { id } }"#,
        json!({ "sme": shown }),
    )
    .await;
    aist.ok(
        r#"mutation($sme: ID!) { publishSmeShowcase(idempotencyKey: "s1", input: { smeId: $sme, consentedOn: "2026-04-01",
            headlineEn: "Blades for engines" }) { id } }"#,
        json!({ "sme": shown }),
    )
    .await;
    let org = |code: &str| {
        let code = code.to_owned();
        async move {
            app.data(
                "query($c: String!) { organization(code: $c) { id } }",
                json!({ "c": code }),
            )
            .await["organization"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let buyer = org("smrj").await;
    let jetro_id = org("jetro").await;
    let post = r#"mutation($b: ID!, $k: String!, $v: NeedVisibility!, $i: [ID!]!) { postBusinessNeed(idempotencyKey: $k, input: {
        buyerId: $b, kind: ORDER, titleJa: "部品", titleEn: "Engine parts", fields: [AEROSPACE], processes: [MACHINING],
        quantity: 100, budgetMin: 1000000, budgetMax: 2000000, deadline: "2099-03-31T15:00:00Z", visibility: $v,
        invitedInstitutionIds: $i }) { id } }"#;
    let mut needs = Vec::new();
    for (desk, key, visibility, invited) in [
        (aist, "n1", "PUBLIC", json!([])),
        (aist, "n2", "INVITED", json!([jetro_id])),
        (jetro, "n3", "NETWORK", json!([])),
    ] {
        needs.push(
            desk.ok(
                post,
                json!({ "b": buyer, "k": key, "v": visibility, "i": invited }),
            )
            .await["postBusinessNeed"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let propose = r#"mutation($n: ID!, $s: ID!, $k: String!) { submitProposal(idempotencyKey: $k, input: { needId: $n,
        summary: "Machined blades", price: 1500000, lead: { smeId: $s, processes: [MACHINING], share: 100 } }) { id } }"#;
    jetro
        .ok(propose, json!({ "n": needs[0], "s": theirs, "k": "q1" }))
        .await;
    aist.ok(propose, json!({ "n": needs[2], "s": shown, "k": "q2" }))
        .await;
    let event = aist
        .ok(
            r#"mutation { createMatchingEvent(idempotencyKey: "e1", input: { kind: FAIR, nameJa: "商談会", nameEn: "Fair",
                place: "Nagoya", countryCode: "JP", startsOn: "2027-05-10", endsOn: "2027-05-10" }) { id } }"#,
            json!({}),
        )
        .await["createMatchingEvent"]["id"]
        .clone();
    let meeting = aist
        .ok(
            r#"mutation($e: ID!, $n: ID!, $s: ID!) { bookMeeting(idempotencyKey: "m1", input: { eventId: $e, needId: $n,
                smeId: $s, slotStart: "2027-05-10T10:00:00+09:00" }) { id } }"#,
            json!({ "e": event, "n": needs[0], "s": shown }),
        )
        .await["bookMeeting"]["id"]
        .clone();
    aist.ok(
        r#"mutation($id: ID!) { recordMeetingOutcome(id: $id, idempotencyKey: "o1", input: { outcome: ORDER, amount: 3000000 }) { id } }"#,
        json!({ "id": meeting }),
    )
    .await;
    needs
}

/// Patents of AIST (one OPEN and explained, which anyone reads; one not offered, which members
/// read) and of JETRO (OPEN, unexplained), and a licensing inquiry from JETRO about AIST's.
async fn arrange_patents(app: &TestApp, jetro: &Desk<'_>, sme: &str) -> (Vec<String>, Vec<String>) {
    let mut patents = Vec::new();
    for (code, number, title_ja, title_en, licensing, trl) in [
        (
            "aist",
            "2012-004567",
            "固体酸化物形燃料電池の製造方法",
            "Method for producing a solid oxide fuel cell",
            "OPEN",
            8,
        ),
        (
            "aist",
            "2014-000321",
            "超伝導線材",
            "Superconducting wire",
            "NOT_OFFERED",
            3,
        ),
        (
            "jetro",
            "2016-000999",
            "画像処理装置",
            "Image processing device",
            "OPEN",
            5,
        ),
    ] {
        let token = app.token(&format!("licensing@{code}"), code, &[Role::Licensing]);
        let body = app
            .graphql_as(
                &token,
                r#"mutation($n: String!, $ja: String!, $en: String!, $l: PatentLicensing!, $trl: Int!, $k: String!, $f: Date!) {
                    createPatent(idempotencyKey: $k, input: { applicationNumber: $n, titleJa: $ja, titleEn: $en,
                    ipcClasses: ["H01M 8/12"], fields: [ENERGY], trl: $trl, filedOn: $f, expiresOn: "2099-01-01",
                    licensing: $l, licenceForms: [NON_EXCLUSIVE] }) { id } }"#,
                json!({ "n": number, "ja": title_ja, "en": title_en, "l": licensing, "trl": trl,
                        "k": number, "f": format!("{}-04-01", &number[..4]) }),
            )
            .await
            .json();
        assert!(body.get("errors").is_none(), "arranging failed: {body:#}");
        patents.push(
            body["data"]["createPatent"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let holder = app.token("licensing@aist", "aist", &[Role::Licensing]);
    let explained = app
        .graphql_as(
            &holder,
            r#"mutation($p: ID!) { createPatentExplanation(idempotencyKey: "explain", input: { patentId: $p, texts: {
                summaryJa: "低い温度で作る", summaryEn: "Made at a lower temperature", applicationsJa: "発電装置",
                applicationsEn: "Generators", requirementsJa: "焼成炉", requirementsEn: "A furnace" } }) { id } }"#,
            json!({ "p": patents[0] }),
        )
        .await
        .json();
    let explanation = explained["data"]["createPatentExplanation"]["id"].clone();
    for step in ["submitPatentExplanation", "publishPatentExplanation"] {
        let body = app
            .graphql_as(
                &holder,
                &format!(
                    "mutation($id: ID!) {{ {step}(id: $id, idempotencyKey: \"{step}\") {{ id }} }}"
                ),
                json!({ "id": explanation }),
            )
            .await
            .json();
        assert!(body.get("errors").is_none(), "arranging failed: {body:#}");
    }
    let inquiry = jetro
        .ok(
            r#"mutation($p: ID!, $s: ID!) { sendLicensingInquiry(idempotencyKey: "inquiry", input: {
                patentId: $p, smeId: $s, message: "Interested" }) { id } }"#,
            json!({ "p": patents[0], "s": sme }),
        )
        .await["sendLicensingInquiry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (patents, vec![inquiry])
}

/// The desk of an institution: an evaluator and org admin.
struct Desk<'a> {
    client: Client<'a>,
    code: &'static str,
}

impl<'a> std::ops::Deref for Desk<'a> {
    type Target = Client<'a>;

    fn deref(&self) -> &Client<'a> {
        &self.client
    }
}

impl<'a> Desk<'a> {
    fn of(app: &'a TestApp, code: &'static str) -> Self {
        Self {
            client: app.desk(code),
            code,
        }
    }

    async fn sme(
        &self,
        twelve: &str,
        name_en: &str,
        prefecture: i32,
        niche: &str,
        kind: &str,
    ) -> String {
        let query = format!(
            r#"mutation($n: String!, $k: String!, $name: String!, $p: Int!) {{ createSme(idempotencyKey: $k, input: {{
                corporateNumber: $n, nameJa: "秘密精工", nameEn: $name, prefectureCode: $p, nicheStatus: {niche}, clusterType: {kind} }}) {{ id }} }}"#
        );
        self.ok(
            &query,
            json!({ "n": with_check_digit(twelve), "k": twelve, "name": name_en, "p": prefecture }),
        )
        .await["createSme"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The SME's consent to publishing its rating, as this institution records it.
    async fn consent(&self, sme: &str) {
        self.ok(
            "mutation($id: ID!) { recordPublicationConsent(smeId: $id, consent: true) { id } }",
            json!({ "id": sme }),
        )
        .await;
    }

    /// An evaluation of `sme`, driven through `steps`.
    async fn evaluation(
        &self,
        sme: &str,
        visibility: &str,
        score: u8,
        steps: &[&str],
        status: &'static str,
    ) -> Arranged {
        let scores = COMPLETE_SCORES
            .replace("score: 4", &format!("score: {score}"))
            .replace("score: 3", &format!("score: {score}"));
        let query = format!(
            "mutation($sme: ID!, $k: String!) {{ createEvaluation(idempotencyKey: $k, input: {{ smeId: $sme, visibility: {visibility}, scores: {scores}, findings: \"Confidential findings\" }}) {{ id }} }}"
        );
        let id = self
            .ok(
                &query,
                json!({ "sme": sme, "k": uuid::Uuid::new_v4().to_string() }),
            )
            .await["createEvaluation"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for step in steps {
            let query = match *step {
                "returnEvaluation" | "withdrawEvaluation" => format!(
                    "mutation($id: ID!, $k: String!) {{ {step}(id: $id, reason: \"Arranged\", idempotencyKey: $k) {{ id }} }}"
                ),
                _ => format!(
                    "mutation($id: ID!, $k: String!) {{ {step}(id: $id, idempotencyKey: $k) {{ id }} }}"
                ),
            };
            self.ok(
                &query,
                json!({ "id": id, "k": uuid::Uuid::new_v4().to_string() }),
            )
            .await;
        }
        Arranged {
            id,
            sme: sme.to_owned(),
            institution: self.code,
            network: visibility == "NETWORK",
            status,
        }
    }
}

const RATE: &[&str] = &[
    "submitEvaluation",
    "startEvaluationReview",
    "rateEvaluation",
];
const PUBLISH: &[&str] = &[
    "submitEvaluation",
    "startEvaluationReview",
    "rateEvaluation",
    "publishEvaluation",
];
const RETURN: &[&str] = &[
    "submitEvaluation",
    "startEvaluationReview",
    "returnEvaluation",
];

pub(crate) async fn arrange(app: &TestApp) -> World {
    let aist = Desk::of(app, "aist");
    let jetro = Desk::of(app, "jetro");
    let sme_a = aist
        .sme(
            "610000000001",
            "Tsukuba Hidden Champion",
            8,
            "GNT",
            "TYPE_1",
        )
        .await;
    let sme_b = jetro
        .sme("610000000002", "Minato Quiet Leader", 13, "DNT", "TYPE_2")
        .await;
    let mut evaluations = Vec::new();
    for (desk, own, other) in [(&aist, &sme_a, &sme_b), (&jetro, &sme_b, &sme_a)] {
        evaluations.push(desk.evaluation(own, "PRIVATE", 5, &[], "DRAFT").await);
        desk.consent(own).await;
        evaluations.extend([
            // Another institution's SME, in a private draft.
            desk.evaluation(other, "PRIVATE", 1, &[], "DRAFT").await,
            desk.evaluation(own, "NETWORK", 2, &[], "DRAFT").await,
            desk.evaluation(own, "PRIVATE", 5, &["submitEvaluation"], "SUBMITTED")
                .await,
            desk.evaluation(own, "PRIVATE", 5, RATE, "RATED").await,
            desk.evaluation(other, "PRIVATE", 1, RATE, "RATED").await,
            desk.evaluation(other, "NETWORK", 3, RATE, "RATED").await,
            desk.evaluation(own, "PRIVATE", 2, PUBLISH, "PUBLISHED")
                .await,
            desk.evaluation(own, "NETWORK", 4, RETURN, "RETURNED").await,
            desk.evaluation(other, "NETWORK", 3, &["withdrawEvaluation"], "WITHDRAWN")
                .await,
        ]);
    }
    let mut organizations = BTreeMap::new();
    // Banks, each referred to by one institution, from its rated evaluations of its own SME.
    let mut referrals = Vec::new();
    for (desk, sme, bank) in [
        (&aist, &sme_a, "narrow-bank-a"),
        (&jetro, &sme_b, "narrow-bank-b"),
    ] {
        let bank_id = app.bank(bank, 22).await.as_str().unwrap().to_owned();
        desk.ok(
            r#"mutation($sme: ID!, $bank: ID!, $key: String!) { recordReferralConsent(idempotencyKey: $key, input: { smeId: $sme, bankId: $bank,
                scope: FULL_EVALUATION, obtainedOn: "2026-04-01", method: WRITTEN, documentReference: "N-1" }) { id } }"#,
            json!({ "sme": sme, "bank": bank_id }),
        )
        .await;
        let rated: Vec<String> = evaluations
            .iter()
            .filter(|e: &&Arranged| {
                e.institution == desk.code && e.sme == *sme && e.status == "RATED"
            })
            .map(|e| e.id.clone())
            .collect();
        for (i, purpose) in ["EQUIPMENT", "WORKING_CAPITAL", "R_AND_D"]
            .iter()
            .enumerate()
        {
            let id = desk
                .ok(
                    &format!(
                        r#"mutation($e: ID!, $b: ID!, $k: String!) {{ referSme(idempotencyKey: $k, input: {{
                            evaluationId: $e, bankId: $b, purpose: {purpose}, amountRequested: 10000000 }}) {{ id }} }}"#
                    ),
                    json!({ "e": rated[i % rated.len()], "b": bank_id, "k": uuid::Uuid::new_v4().to_string() }),
                )
                .await["referSme"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            if i == 0 {
                let officer = app.token("arranger", bank, &[Role::LoanOfficer]);
                let body = app
                    .graphql_as(
                        &officer,
                        "mutation($id: ID!) { acknowledgeReferral(id: $id, version: 1, idempotencyKey: \"a\") { id } }",
                        json!({ "id": id }),
                    )
                    .await
                    .json();
                assert!(body.get("errors").is_none(), "arranging failed: {body:#}");
            }
            referrals.push(ArrangedReferral {
                id,
                institution: desk.code,
                bank,
            });
        }
        organizations.insert(bank, bank_id);
    }
    for code in ["aist", "jetro"] {
        let id = app
            .data(
                "query($c: String!) { organization(code: $c) { id } }",
                json!({ "c": code }),
            )
            .await["organization"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        organizations.insert(code, id);
    }
    let (patents, inquiries) = arrange_patents(app, &jetro, &sme_b).await;
    let needs = arrange_matching(app, &aist, &jetro).await;
    World {
        needs,
        evaluations,
        referrals,
        smes: vec![sme_a, sme_b],
        organizations,
        patents,
        inquiries,
    }
}

/// Who reads an arranged evaluation, by the rule in DESIGN.md.
fn may_read(caller: &Caller, e: &Arranged) -> bool {
    let shared = matches!(
        e.status,
        "SUBMITTED" | "UNDER_REVIEW" | "RATED" | "PUBLISHED"
    );
    match caller.name.split_once('@') {
        None => e.status == "PUBLISHED",
        Some((_, "iin-japan")) => true,
        Some((_, home)) => {
            e.institution == home || (e.network && shared) || e.status == "PUBLISHED"
        }
    }
}

/// Who reads an arranged referral: the referring institution, the bank's loan officers, and
/// network admins.
fn may_read_referral(caller: &Caller, r: &ArrangedReferral) -> bool {
    match caller.name.split_once('@') {
        None => false,
        Some((_, "iin-japan")) => true,
        Some((role, home)) => r.institution == home || (role == "loan_officer" && r.bank == home),
    }
}

// ---------------------------------------------------------------- reading a listing

/// What a caller gets from a listing: every row met paging through, or the error code.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Rows(Vec<String>),
    Refused(String),
}

impl Outcome {
    fn ids(&self) -> Option<BTreeSet<&str>> {
        match self {
            Self::Rows(ids) => Some(ids.iter().map(String::as_str).collect()),
            Self::Refused(_) => None,
        }
    }
}

struct Listing {
    field: String,
    filter_type: String,
    connection: bool,
}

/// Pages through `listing` with `filter`; checks `totalCount`, `edges` against `nodes`, and that
/// no row comes twice. Problems go to `failures`.
async fn read(
    app: &TestApp,
    caller: &Caller,
    listing: &Listing,
    filter: &Value,
    failures: &mut Vec<String>,
) -> Outcome {
    let (field, ty) = (&listing.field, &listing.filter_type);
    let mut rows = Vec::new();
    let mut after = Value::Null;
    for _ in 0..100 {
        let query = if listing.connection {
            format!(
                "query($f: {ty}, $after: String) {{ {field}(first: 100, after: $after, filter: $f) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }} nodes {{ id }} }} }}"
            )
        } else {
            format!("query($f: {ty}) {{ {field}(filter: $f) {{ id }} }}")
        };
        let body = ask(app, caller, &query, json!({ "f": filter, "after": after })).await;
        if let Some(errors) = body.get("errors") {
            let code = errors[0]["extensions"]["code"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            if code.is_empty() || code == "INTERNAL_SERVER_ERROR" {
                failures.push(format!("{field}({filter}) as {}: {body}", caller.name));
            }
            return Outcome::Refused(code);
        }
        let data = &body["data"][field.as_str()];
        let ids = |list: &Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    let n = if n.get("node").is_some() {
                        &n["node"]
                    } else {
                        n
                    };
                    n["id"].as_str().unwrap().to_owned()
                })
                .collect()
        };
        if !listing.connection {
            return Outcome::Rows(ids(data));
        }
        let nodes = ids(&data["nodes"]);
        if ids(&data["edges"]) != nodes {
            failures.push(format!(
                "{field}({filter}) as {}: edges and nodes differ",
                caller.name
            ));
        }
        rows.extend(nodes);
        if data["pageInfo"]["hasNextPage"] != true {
            let total = data["totalCount"].as_u64().unwrap() as usize;
            if total != rows.len() {
                failures.push(format!(
                    "{field}({filter}) as {}: totalCount {total}, but {} rows",
                    caller.name,
                    rows.len()
                ));
            }
            let distinct: BTreeSet<&String> = rows.iter().collect();
            if distinct.len() != rows.len() {
                failures.push(format!("{field}({filter}) as {}: a row twice", caller.name));
            }
            return Outcome::Rows(rows);
        }
        after = data["pageInfo"]["endCursor"].clone();
    }
    panic!("{field}: more than 100 pages");
}

/// Every `Query` field that takes a `filter`, as a listing.
fn listings(schema: &Schema) -> Vec<Listing> {
    let mut found = Vec::new();
    for field in schema.fields(&schema.query) {
        let args = field["args"].as_array().unwrap();
        let Some(filter) = args.iter().find(|a| a["name"] == "filter") else {
            continue;
        };
        let name = field["name"].as_str().unwrap().to_owned();
        let others_required: Vec<_> = args
            .iter()
            .filter(|a| a["name"] != "filter" && required(&a["type"]))
            .collect();
        assert!(
            others_required.is_empty(),
            "{name} has required arguments besides `filter`: teach the generator"
        );
        let returned = named(&field["type"]);
        let connection = schema.node_of_connection(returned).is_some();
        let node = schema
            .node_of_connection(returned)
            .unwrap_or_else(|| returned.to_owned());
        assert!(
            connection
                || field["type"]["kind"] == "LIST"
                || field["type"]["ofType"]["kind"] == "LIST",
            "{name} takes a filter but is neither a connection nor a list: teach the generator"
        );
        assert!(
            schema.field(&node, "id").is_some(),
            "{name}'s rows have no `id`: teach the generator how to tell them apart"
        );
        found.push(Listing {
            field: name,
            filter_type: spelled(&filter["type"]),
            connection,
        });
    }
    found
}

/// Values to make filters of: ids, names and numbers of what exists, as a network admin sees it
/// (the first rows of every listing, with their text), and the arranged world.
async fn pool(app: &TestApp, schema: &Schema, world: &World, admin: &Caller) -> Pool {
    let mut pool = Pool::default();
    pool.ids.extend(world.smes.iter().cloned());
    pool.ids.extend(world.organizations.values().cloned());
    pool.ids
        .extend(world.evaluations.iter().map(|e| e.id.clone()));
    pool.ids.extend(world.patents.iter().cloned());
    pool.ids.extend(world.inquiries.iter().cloned());
    pool.ids.extend(world.needs.iter().cloned());
    pool.strings.extend(
        [
            "燃料電池",
            "電池",
            "H01M",
            "H01M 8/12",
            "Tsukuba Hidden Champion",
            "Quiet",
            "秘密",
            "aist",
            "jetro",
            "SUCCEEDED",
            "FORBIDDEN",
            "createEvaluation",
            "desk@jetro",
        ]
        .map(str::to_owned),
    );
    pool.ints.extend([8, 13, 23, 47]);
    for field in schema.fields(&schema.query) {
        let args = field["args"].as_array().unwrap();
        if args.iter().any(|a| required(&a["type"])) {
            continue;
        }
        let Some(node) = schema.node_of_connection(named(&field["type"])) else {
            continue;
        };
        // The node's text, and the text of the objects it names (a tie-up's country's code).
        let mut texts: Vec<String> = Vec::new();
        for f in schema.fields(&node) {
            if !f["args"].as_array().unwrap().is_empty() {
                continue;
            }
            let (name, target) = (f["name"].as_str().unwrap(), named(&f["type"]));
            if target == "String" {
                texts.push(name.to_owned());
            } else if f["type"]["kind"] != "LIST"
                && schema.ty(target)["kind"] == "OBJECT"
                && schema.field(target, "totalCount").is_none()
            {
                let inner: Vec<&str> = schema
                    .fields(target)
                    .into_iter()
                    .filter(|g| {
                        named(&g["type"]) == "String" && g["args"].as_array().unwrap().is_empty()
                    })
                    .map(|g| g["name"].as_str().unwrap())
                    .collect();
                let mut inner = inner.join(" ");
                if schema.field(target, "id").is_some() {
                    inner.push_str(" id");
                }
                if !inner.trim().is_empty() {
                    texts.push(format!("{name} {{ {inner} }}"));
                }
            }
        }
        let name = field["name"].as_str().unwrap();
        let query = format!(
            "{{ {name}(first: 1) {{ nodes {{ id {} }} }} }}",
            texts.join(" ")
        );
        let body = ask(app, admin, &query, json!({})).await;
        assert!(body.get("errors").is_none(), "harvesting {name}: {body:#}");
        for row in body["data"][name]["nodes"].as_array().into_iter().flatten() {
            collect_ids(row, &mut pool.ids);
            harvest_text(row, &mut pool.strings);
        }
    }
    pool
}

/// Every short string in `value` except ids.
fn harvest_text(value: &Value, into: &mut BTreeSet<String>) {
    if let Value::Object(map) = value {
        for (key, v) in map {
            match v {
                Value::String(s) if key != "id" && s.chars().count() <= 100 => {
                    into.insert(s.clone());
                }
                Value::Object(_) => harvest_text(v, into),
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------- the tests

#[tokio::test]
async fn every_filter_of_the_schema_only_narrows_what_each_caller_may_read() {
    let app = TestApp::spawn().await;
    let world = arrange(&app).await;
    let schema = Schema::of(&app).await;
    let callers = callers(&app);
    let pool = pool(&app, &schema, &world, &callers[NETWORK_ADMIN]).await;
    let mut failures = Vec::new();

    // The matrix's baseline: each caller reads exactly what the rule says.
    let evaluations = Listing {
        field: "evaluations".into(),
        filter_type: "EvaluationFilter".into(),
        connection: true,
    };
    let arranged: BTreeSet<&str> = world.evaluations.iter().map(|e| e.id.as_str()).collect();
    for caller in &callers {
        let outcome = read(&app, caller, &evaluations, &Value::Null, &mut failures).await;
        let seen = outcome.ids().expect("everyone may list evaluations");
        let seen: BTreeSet<&str> = seen.intersection(&arranged).copied().collect();
        let expected: BTreeSet<&str> = world
            .evaluations
            .iter()
            .filter(|e| may_read(caller, e))
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(seen, expected, "evaluations as {}", caller.name);
    }

    // And for referrals: another bank, anonymous callers and a bank's other people see none.
    let referrals = Listing {
        field: "referrals".into(),
        filter_type: "ReferralFilter".into(),
        connection: true,
    };
    for caller in &callers {
        let outcome = read(&app, caller, &referrals, &Value::Null, &mut failures).await;
        let seen = outcome.ids().expect("everyone may list referrals");
        let expected: BTreeSet<&str> = world
            .referrals
            .iter()
            .filter(|r| may_read_referral(caller, r))
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(seen, expected, "referrals as {}", caller.name);
    }

    let listings = listings(&schema);
    assert!(
        listings.iter().any(|l| l.field == "evaluations"),
        "the walk found no `evaluations(filter:)`"
    );
    for listing in &listings {
        let filter_type = schema.field(&schema.query, &listing.field).unwrap()["args"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "filter")
            .unwrap()["type"]
            .clone();
        let values = pool
            .values(&schema, &filter_type, &listing.field)
            .unwrap_or_else(|why| panic!("{why}"));
        let unfiltered: Vec<Outcome> = {
            let mut out = Vec::new();
            for caller in &callers {
                out.push(read(&app, caller, listing, &Value::Null, &mut failures).await);
            }
            out
        };
        // Each filter field: some value is accepted and matches a row, so that the generator is
        // known to reach it.
        let mut reached: BTreeMap<String, bool> = BTreeMap::new();
        let app = &app;
        let callers = &callers;
        // First the network admin, who reads everything: which values match any row.
        let by_admin: Vec<(Outcome, Vec<String>)> = stream::iter(&values)
            .map(|filter| async move {
                let mut local = Vec::new();
                let outcome = read(app, &callers[NETWORK_ADMIN], listing, filter, &mut local).await;
                (outcome, local)
            })
            .buffered(8)
            .collect()
            .await;
        // Every caller then tries each value that matches rows, and the first few of each field
        // that match none (a filter that widens shows there as well).
        let mut misses: BTreeMap<String, usize> = BTreeMap::new();
        let mut chosen = Vec::new();
        for (filter, (admin, local)) in values.iter().zip(by_admin) {
            failures.extend(local);
            let hit = matches!(&admin, Outcome::Rows(r) if !r.is_empty());
            let mut take = hit;
            for key in filter.as_object().unwrap().keys() {
                *reached.entry(key.clone()).or_default() |= hit;
                let missed = misses.entry(key.clone()).or_default();
                if !hit && *missed < 2 {
                    *missed += 1;
                    take = true;
                }
            }
            if take {
                chosen.push((filter, admin));
            }
        }
        // Several filters at once, each for every other caller at once.
        let results: Vec<(&Value, Vec<Outcome>, Vec<String>)> = stream::iter(chosen)
            .map(|(filter, admin)| async move {
                let outcomes = join_all(callers.iter().enumerate().map(|(i, caller)| {
                    let admin = admin.clone();
                    async move {
                        let mut local = Vec::new();
                        let outcome = if i == NETWORK_ADMIN {
                            admin
                        } else {
                            read(app, caller, listing, filter, &mut local).await
                        };
                        (outcome, local)
                    }
                }))
                .await;
                let mut failures = Vec::new();
                let mut filtered = Vec::new();
                for (outcome, local) in outcomes {
                    failures.extend(local);
                    filtered.push(outcome);
                }
                (filter, filtered, failures)
            })
            .buffered(4)
            .collect()
            .await;
        for (filter, filtered, local) in results {
            failures.extend(local);
            let admin = filtered[NETWORK_ADMIN].ids();
            for (i, caller) in callers.iter().enumerate() {
                let Some(got) = filtered[i].ids() else {
                    continue;
                };
                let field = &listing.field;
                let Some(all) = unfiltered[i].ids() else {
                    failures.push(format!(
                        "{field}(filter: {filter}) as {}: rows, where the unfiltered list is refused",
                        caller.name
                    ));
                    continue;
                };
                let Some(matching) = &admin else {
                    failures.push(format!(
                        "{field}(filter: {filter}) as {}: rows, where a network admin is refused",
                        caller.name
                    ));
                    continue;
                };
                let leaked: Vec<&&str> = got.difference(&all).collect();
                if !leaked.is_empty() {
                    failures.push(format!(
                        "{field}(filter: {filter}) as {}: rows the caller may not read: {leaked:?}",
                        caller.name
                    ));
                }
                let expected: BTreeSet<&str> = all.intersection(matching).copied().collect();
                if got != expected {
                    failures.push(format!(
                        "{field}(filter: {filter}) as {}: {} rows, expected the {} readable rows it matches",
                        caller.name,
                        got.len(),
                        expected.len()
                    ));
                }
            }
        }
        for (key, hit) in reached {
            if !hit {
                failures.push(format!(
                    "{}(filter: {{ {key} }}): no generated value matches any row; teach the generator",
                    listing.field
                ));
            }
        }
    }
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The selection of every path (up to two fields deep, no required arguments) from `ty` to an
/// `Evaluation`, selecting its `id`: nested lists of evaluations, whatever their names.
fn evaluation_paths(schema: &Schema, ty: &str, depth: u8) -> Vec<String> {
    let mut paths = Vec::new();
    for field in schema.fields(ty) {
        let args = field["args"].as_array().unwrap();
        if args.iter().any(|a| required(&a["type"])) {
            continue;
        }
        let name = field["name"].as_str().unwrap();
        let target = named(&field["type"]);
        if target == "Evaluation" {
            paths.push(format!("{name} {{ id }}"));
        } else if depth > 0 && schema.ty(target)["kind"] == "OBJECT" && target != ty {
            let inner = evaluation_paths(schema, target, depth - 1);
            if !inner.is_empty() {
                paths.push(format!("{name} {{ {} }}", inner.join(" ")));
            }
        }
    }
    paths
}

pub(crate) fn collect_ids(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(id)) = map.get("id") {
                into.insert(id.clone());
            }
            map.values().for_each(|v| collect_ids(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, into)),
        _ => {}
    }
}

#[tokio::test]
async fn nested_evaluations_aggregates_and_lookups_show_only_what_the_caller_may_read() {
    let app = TestApp::spawn().await;
    let world = arrange(&app).await;
    let schema = Schema::of(&app).await;
    let callers = callers(&app);
    let mut failures = Vec::new();

    // Every object type that is a `Node`, with its paths to evaluations.
    let nodes: Vec<String> = schema.ty("Node")["possibleTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    let fragments: Vec<String> = nodes
        .iter()
        .filter(|ty| ty.as_str() != "Evaluation")
        .filter_map(|ty| {
            let paths = evaluation_paths(&schema, ty, 2);
            (!paths.is_empty()).then(|| format!("... on {ty} {{ {} }}", paths.join(" ")))
        })
        .collect();
    assert!(
        fragments.iter().any(|f| f.contains("ratingSummary")),
        "the walk must find Sme.ratingSummary: {fragments:?}"
    );
    let nested = format!(
        "query($id: ID!) {{ node(id: $id) {{ {} }} }}",
        fragments.join(" ")
    );
    let mut objects: Vec<&String> = world.smes.iter().collect();
    objects.extend(world.organizations.values());

    let missing = json!(URL_SAFE_NO_PAD.encode("Evaluation:987654321"));
    for caller in &callers {
        let readable: BTreeSet<String> = world
            .evaluations
            .iter()
            .filter(|e| may_read(caller, e))
            .map(|e| e.id.clone())
            .collect();
        let arranged: BTreeSet<String> = world.evaluations.iter().map(|e| e.id.clone()).collect();

        // Nested lists reach only readable evaluations.
        for object in &objects {
            let body = ask(&app, caller, &nested, json!({ "id": object })).await;
            let mut reached = BTreeSet::new();
            collect_ids(&body["data"]["node"], &mut reached);
            let leaked: Vec<_> = reached
                .intersection(&arranged)
                .filter(|id| !readable.contains(*id))
                .collect();
            if !leaked.is_empty() {
                failures.push(format!("node({object}) as {}: {leaked:?}", caller.name));
            }
        }

        // `ratingSummary` counts the latest rated evaluation of each institution that the caller
        // may read, and nothing else.
        for sme in &world.smes {
            let body = ask(
                &app,
                caller,
                "query($id: ID!) { sme(id: $id) { ratingSummary { count latest { id } } } }",
                json!({ "id": sme }),
            )
            .await;
            let summary = &body["data"]["sme"]["ratingSummary"];
            let institutions: BTreeSet<&str> = world
                .evaluations
                .iter()
                .filter(|e| may_read(caller, e))
                .filter(|e| matches!(e.status, "RATED" | "PUBLISHED") && e.sme == *sme)
                .map(|e| e.institution)
                .collect();
            if summary["count"] != json!(institutions.len()) {
                failures.push(format!(
                    "sme({sme}).ratingSummary as {}: count {}, expected {}",
                    caller.name,
                    summary["count"],
                    institutions.len()
                ));
            }
            let mut latest = BTreeSet::new();
            collect_ids(&summary["latest"], &mut latest);
            if !latest.is_subset(&readable) {
                failures.push(format!(
                    "sme({sme}).ratingSummary.latest as {}: unreadable evaluations",
                    caller.name
                ));
            }
        }

        // An evaluation the caller may not read answers exactly as one that does not exist.
        let lookup = "query($id: ID!) { evaluation(id: $id) { id findings } node(id: $id) { id } }";
        let update = r#"mutation($id: ID!) { updateEvaluation(id: $id, version: 1, input: { findings: "Overwritten" }) { id } }"#;
        let withdraw = r#"mutation($id: ID!, $k: String!) { withdrawEvaluation(id: $id, reason: "Gone", idempotencyKey: $k) { id } }"#;
        for query in [lookup, update, withdraw] {
            let vars = |id: &Value| json!({ "id": id, "k": uuid::Uuid::new_v4().to_string() });
            let absent = ask(&app, caller, query, vars(&missing)).await;
            for e in world.evaluations.iter().filter(|e| !may_read(caller, e)) {
                let answer = ask(&app, caller, query, vars(&json!(e.id))).await;
                if answer != absent {
                    failures.push(format!(
                        "{query} as {} for {} ({} {}): {answer}, where a missing one gives {absent}",
                        caller.name, e.id, e.institution, e.status
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
