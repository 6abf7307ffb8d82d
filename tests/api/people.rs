//! People (issue 19): one person with roles at several institutions, acting for one per request
//! over every transport; a coordinator record linked to its person; coordinators arranged to
//! cluster projects and institutions; and `findCoordinators` for each caller.

use std::time::Duration;

use futures_util::SinkExt;
use iin_api::auth::{Role, token};
use iin_tests::{TestApp, error_parts, only_error, ws};
use serde_json::{Value, json};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{Message, client::IntoClientRequest},
};

const ME: &str = "{ me { subject institution { code } roles affiliations { institutionCode institution { code } roles acting } } }";

/// A token for `sub` with roles at each of `affiliations`.
fn person(app: &TestApp, sub: &str, affiliations: &[(&str, &[Role])]) -> String {
    let held: Vec<(String, Vec<Role>)> = affiliations
        .iter()
        .map(|(code, roles)| ((*code).to_owned(), roles.to_vec()))
        .collect();
    token::issue_hs256_affiliations(&app.auth, sub, &held, Duration::from_secs(3600))
        .expect("sign a test token")
}

/// A POST as `token`'s caller acting for `institution` (no header when `None`).
async fn post_as(
    app: &TestApp,
    token: &str,
    institution: Option<&str>,
    query: &str,
    variables: Value,
) -> iin_tests::Reply {
    let variables = iin_tests::with_fresh_key(query, variables);
    let bearer = format!("Bearer {token}");
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/graphql-response+json"),
        ("authorization", bearer.as_str()),
    ];
    if let Some(code) = institution {
        headers.push(("iin-institution", code));
    }
    app.post(
        &headers,
        json!({ "query": query, "variables": variables }).to_string(),
    )
    .await
}

/// `data` of a request that must succeed.
async fn ok_as(
    app: &TestApp,
    token: &str,
    institution: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let reply = post_as(app, token, institution, query, variables).await;
    let body = reply.json();
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

fn code_of(body: &Value) -> String {
    error_parts(body).0
}

#[tokio::test]
async fn a_person_with_several_affiliations_names_the_institution_of_each_request() {
    let app = TestApp::spawn_with(|s| s.http.limits.max_batch_size = 5).await;
    let kato = person(
        &app,
        "kato",
        &[
            ("aist", &[Role::Member, Role::Registrar]),
            ("jetro", &[Role::OrgAdmin]),
        ],
    );

    // No header: refused before anything runs, naming the header.
    let reply = post_as(&app, &kato, None, ME, json!({})).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    let body = reply.json();
    let (code, _, message) = error_parts(&body);
    assert_eq!(code, "INSTITUTION_REQUIRED");
    assert!(message.contains("IIN-Institution"), "{message}");

    // A header naming each of them acts for that one, with its roles only.
    let me = ok_as(&app, &kato, Some("jetro"), ME, json!({})).await["me"].clone();
    assert_eq!(me["subject"], "kato");
    assert_eq!(me["institution"]["code"], "jetro");
    assert_eq!(me["roles"], json!(["ORG_ADMIN"]));
    assert_eq!(
        me["affiliations"],
        json!([
            { "institutionCode": "aist", "institution": { "code": "aist" }, "roles": ["MEMBER", "REGISTRAR"], "acting": false },
            { "institutionCode": "jetro", "institution": { "code": "jetro" }, "roles": ["ORG_ADMIN"], "acting": true },
        ])
    );
    let me = ok_as(&app, &kato, Some("aist"), ME, json!({})).await["me"].clone();
    assert_eq!(me["institution"]["code"], "aist");
    assert_eq!(me["roles"], json!(["MEMBER", "REGISTRAR"]));

    // A header naming an institution the token does not hold: 403.
    let reply = post_as(&app, &kato, Some("nagoya-u"), ME, json!({})).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(code_of(&reply.json()), "INSTITUTION_NOT_HELD");

    // Roles at one institution grant nothing at the other: JETRO's org admin is not AIST's.
    let create = r#"mutation($org: ID!, $key: String!) { createCoordinator(idempotencyKey: $key, input: { organizationId: $org, nameJa: "加藤", nameEn: "Kato", prefectureCode: 13 }) { organization { code } } }"#;
    let aist = app
        .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let body = post_as(&app, &kato, Some("aist"), create, json!({ "org": aist }))
        .await
        .json();
    assert_eq!(code_of(&body), "FORBIDDEN", "{body:#}");

    // GET and batches decide the same way, in the same place.
    let get = |institution: Option<&'static str>| {
        let bearer = format!("Bearer {kato}");
        let app = &app;
        async move {
            let mut headers = vec![
                ("accept", "application/graphql-response+json".to_owned()),
                ("authorization", bearer),
            ];
            if let Some(code) = institution {
                headers.push(("iin-institution", code.to_owned()));
            }
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.get(
                "/graphql?query=%7Bme%7Binstitution%7Bcode%7D%7D%7D",
                &headers,
            )
            .await
        }
    };
    let reply = get(None).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(code_of(&reply.json()), "INSTITUTION_REQUIRED");
    let reply = get(Some("jetro")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["data"]["me"]["institution"]["code"], "jetro");
    assert!(
        reply.headers["vary"]
            .to_str()
            .unwrap()
            .contains("IIN-Institution"),
        "an answer that depends on the header says so to caches"
    );

    let bearer = format!("Bearer {kato}");
    let batch =
        json!([{ "query": "{ me { institution { code } } }" }, { "query": "{ me { roles } }" }])
            .to_string();
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/graphql-response+json"),
        ("authorization", bearer.as_str()),
    ];
    let reply = app.post(&headers, batch.clone()).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    let mut with_header = headers.to_vec();
    with_header.push(("iin-institution", "aist"));
    let answers = app.post(&with_header, batch).await.json();
    assert_eq!(answers.as_array().map(Vec::len), Some(2), "{answers:#}");
    assert_eq!(answers[0]["data"]["me"]["institution"]["code"], "aist");
    assert_eq!(
        answers[1]["data"]["me"]["roles"],
        json!(["MEMBER", "REGISTRAR"])
    );
}

#[tokio::test]
async fn single_institution_tokens_work_as_before_and_may_name_their_own_institution() {
    let app = TestApp::spawn().await;
    let token = app.token("sato", "aist", &[Role::Member]);
    let me = ok_as(&app, &token, None, ME, json!({})).await["me"].clone();
    assert_eq!(me["institution"]["code"], "aist");
    assert_eq!(
        me["affiliations"],
        json!([{ "institutionCode": "aist", "institution": { "code": "aist" }, "roles": ["MEMBER"], "acting": true }])
    );
    let me = ok_as(&app, &token, Some("aist"), ME, json!({})).await["me"].clone();
    assert_eq!(me["institution"]["code"], "aist");
    let reply = post_as(&app, &token, Some("jetro"), ME, json!({})).await;
    assert_eq!(reply.status, 403);
    assert_eq!(code_of(&reply.json()), "INSTITUTION_NOT_HELD");
    // Anonymous callers act for nobody: the header changes nothing.
    let reply = app
        .post(
            &[
                ("content-type", "application/json"),
                ("iin-institution", "aist"),
            ],
            json!({ "query": "{ me { subject } }" }).to_string(),
        )
        .await;
    assert_eq!(reply.json()["data"]["me"], Value::Null);
}

async fn socket(app: &TestApp, payload: Value) -> ws::Socket {
    socket_with(app, &[], payload).await
}

/// A socket whose upgrade request carries `headers`, initialised with `payload`.
async fn socket_with(
    app: &TestApp,
    headers: &[(&'static str, &str)],
    payload: Value,
) -> ws::Socket {
    let mut request = app
        .url("/graphql")
        .replace("http://", "ws://")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    let (mut socket, _) = connect_async(request).await.expect("the upgrade succeeds");
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": payload }).to_string(),
        ))
        .await
        .unwrap();
    socket
}

async fn closed_with(socket: &mut ws::Socket) -> u16 {
    match ws::next_frame(socket).await {
        Message::Close(Some(frame)) => u16::from(frame.code),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn graphql_ws_takes_the_institution_from_connection_params() {
    let app = TestApp::spawn().await;
    let kato = person(
        &app,
        "kato",
        &[("aist", &[Role::Member]), ("jetro", &[Role::OrgAdmin])],
    );
    let bearer = format!("Bearer {kato}");

    let mut chosen = socket(
        &app,
        json!({ "authorization": bearer, "IIN-Institution": "jetro" }),
    )
    .await;
    assert_eq!(ws::receive(&mut chosen).await["type"], "connection_ack");
    ws::subscribe(
        &mut chosen,
        "1",
        &json!({ "query": "{ me { institution { code } roles } }" }),
    )
    .await;
    let message = ws::receive(&mut chosen).await;
    assert_eq!(message["type"], "next", "{message:#}");
    assert_eq!(
        message["payload"]["data"]["me"],
        json!({ "institution": { "code": "jetro" }, "roles": ["ORG_ADMIN"] })
    );

    // The token and the institution may come in the upgrade request's headers instead.
    let mut upgraded = socket_with(
        &app,
        &[("authorization", &bearer), ("iin-institution", "aist")],
        json!({}),
    )
    .await;
    assert_eq!(ws::receive(&mut upgraded).await["type"], "connection_ack");
    ws::subscribe(
        &mut upgraded,
        "1",
        &json!({ "query": "{ me { institution { code } } }" }),
    )
    .await;
    let message = ws::receive(&mut upgraded).await;
    assert_eq!(
        message["payload"]["data"]["me"]["institution"]["code"], "aist",
        "{message:#}"
    );
    // A token in the upgrade with no institution waits for connectionParams to name one.
    let mut later = socket_with(
        &app,
        &[("authorization", &bearer)],
        json!({ "IIN-Institution": "jetro" }),
    )
    .await;
    assert_eq!(ws::receive(&mut later).await["type"], "connection_ack");

    // None named: 4400; one the token does not hold: 4403.
    let mut unnamed = socket(&app, json!({ "authorization": bearer })).await;
    assert_eq!(closed_with(&mut unnamed).await, 4400);
    let mut unnamed = socket_with(&app, &[("authorization", &bearer)], json!({})).await;
    assert_eq!(closed_with(&mut unnamed).await, 4400);
    let mut foreign = socket(
        &app,
        json!({ "authorization": bearer, "IIN-Institution": "nagoya-u" }),
    )
    .await;
    assert_eq!(closed_with(&mut foreign).await, 4403);
}

const COORDINATOR: &str =
    "{ coordinators(first: 50) { nodes { id nameEn awards { id status scheme { code } } } } }";

/// Kenichi Yamada, a seeded coordinator of the Aerospace Industry Forum with JBIA awards, linked
/// to the person `yamada` by a network admin: answers his id and his first award's id.
async fn link_yamada(app: &TestApp) -> (Value, Value) {
    let admin = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let body = app.graphql_as(&admin, COORDINATOR, json!({})).await.json();
    let yamada = body["data"]["coordinators"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["nameEn"] == "Kenichi Yamada")
        .expect("the seed's coordinator")
        .clone();
    let linked = app
        .graphql_as(
            &admin,
            r#"mutation($id: ID!) { updateCoordinator(id: $id, input: { personSubject: "yamada", contactEmail: "yamada@example.jp" }) { linkedToPerson } }"#,
            json!({ "id": yamada["id"] }),
        )
        .await
        .json();
    assert_eq!(
        linked["data"]["updateCoordinator"]["linkedToPerson"], true,
        "{linked:#}"
    );
    (yamada["id"].clone(), yamada["awards"][0]["id"].clone())
}

#[tokio::test]
async fn a_coordinator_reads_and_edits_their_own_profile_but_never_their_awards() {
    let app = TestApp::spawn().await;
    let (id, award) = link_yamada(&app).await;
    let admin = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);

    // The Forum is not a member of the network: still, Yamada reads his own awards and training.
    let yamada = app.token("yamada", "aerospace-forum", &[Role::Member]);
    let own = r#"{ me { coordinator { id nameEn awards { status scheme { code } } trainings { completedOn } contact { email } contactPreference } } }"#;
    let body = app.graphql_as(&yamada, own, json!({})).await.json();
    assert!(body.get("errors").is_none(), "{body:#}");
    let me = &body["data"]["me"]["coordinator"];
    assert_eq!(me["id"], id);
    assert_eq!(me["awards"][0]["scheme"]["code"], "incubation-manager");
    assert!(me["trainings"].is_array());
    assert_eq!(me["contact"]["email"], "yamada@example.jp");
    // Another of the Forum's people does not read Yamada's awards.
    let colleague = app.token("colleague", "aerospace-forum", &[Role::Member]);
    let body = app
        .graphql_as(
            &colleague,
            "query($id: ID!) { node(id: $id) { ... on Coordinator { awards { status } } } }",
            json!({ "id": id }),
        )
        .await
        .json();
    assert_eq!(code_of(&body), "FORBIDDEN");

    // His profile fields are his to edit.
    let edit = r#"mutation { updateOwnCoordinatorProfile(input: { expertise: [AEROSPACE, IT], profileEn: "Aero parts and IT.", contactPreference: EMAIL }) { nameEn expertise profileEn contactPreference publicProfile } }"#;
    let body = app.graphql_as(&yamada, edit, json!({})).await.json();
    assert_eq!(
        body["data"]["updateOwnCoordinatorProfile"],
        json!({ "nameEn": "Kenichi Yamada", "expertise": ["AEROSPACE", "IT"], "profileEn": "Aero parts and IT.", "contactPreference": "EMAIL", "publicProfile": true }),
        "{body:#}"
    );
    // Names and contact details are not among them: the input has no such fields.
    let body = app
        .graphql_as(
            &yamada,
            r#"mutation { updateOwnCoordinatorProfile(input: { nameEn: "K. Yamada" }) { nameEn } }"#,
            json!({}),
        )
        .await
        .json();
    iin_tests::assert_bad_input(&body, "input");
    // Someone with no linked record has no profile to edit.
    let body = app.graphql_as(&colleague, edit, json!({})).await.json();
    assert_eq!(code_of(&body), "NOT_FOUND", "{body:#}");

    // Never his awards: not as himself, and not as a registrar of their issuer either.
    let pause = r#"mutation($id: ID!) { pauseAward(id: $id, reason: "Sabbatical") { status } }"#;
    let body = app
        .graphql_as(&yamada, pause, json!({ "id": award }))
        .await
        .json();
    assert_eq!(code_of(&body), "OWN_AWARD", "{body:#}");
    let registrar = person(
        &app,
        "yamada",
        &[
            ("aerospace-forum", &[Role::Member]),
            ("jbia", &[Role::Registrar]),
        ],
    );
    let suspend =
        r#"mutation($id: ID!) { suspendAward(id: $id, reason: "Self-review") { status } }"#;
    let body = post_as(
        &app,
        &registrar,
        Some("jbia"),
        suspend,
        json!({ "id": award }),
    )
    .await
    .json();
    assert_eq!(code_of(&body), "OWN_AWARD", "{body:#}");
    // Another registrar of JBIA may.
    let other = app.token("jbia-registrar", "jbia", &[Role::Registrar]);
    let body = app
        .graphql_as(&other, suspend, json!({ "id": award }))
        .await
        .json();
    assert_eq!(
        body["data"]["suspendAward"]["status"], "SUSPENDED",
        "{body:#}"
    );
    let refused = app
        .graphql_as(
            &admin,
            r#"{ auditLog(first: 5, filter: { subject: "yamada", outcome: "OWN_AWARD" }) { totalCount } }"#,
            json!({}),
        )
        .await
        .json();
    assert_eq!(refused["data"]["auditLog"]["totalCount"], 2, "{refused:#}");

    // A person is one coordinator at most.
    let other_id = app
        .graphql_as(&admin, COORDINATOR, json!({}))
        .await
        .json()["data"]["coordinators"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["nameEn"] == "Misaki Sato")
        .unwrap()["id"]
        .clone();
    let body = app
        .graphql_as(
            &admin,
            r#"mutation($id: ID!) { updateCoordinator(id: $id, input: { personSubject: "yamada" }) { id } }"#,
            json!({ "id": other_id }),
        )
        .await
        .json();
    assert_eq!(
        error_parts(&body),
        (
            "CONFLICT".to_owned(),
            "input.personSubject".to_owned(),
            "this person is linked to another coordinator".to_owned()
        )
    );
}

#[tokio::test]
async fn coordinators_who_keep_their_profile_private_are_seen_by_members_only() {
    let app = TestApp::spawn().await;
    let (id, _) = link_yamada(&app).await;
    let yamada = app.token("yamada", "aerospace-forum", &[Role::Member]);
    let body = app
        .graphql_as(
            &yamada,
            "mutation { updateOwnCoordinatorProfile(input: { publicProfile: false, contactPreference: PHONE }) { publicProfile } }",
            json!({}),
        )
        .await
        .json();
    assert_eq!(
        body["data"]["updateOwnCoordinatorProfile"]["publicProfile"],
        false
    );
    let names = |data: &Value, field: &str| -> Vec<String> {
        data[field]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["nameEn"].as_str().unwrap().to_owned())
            .collect()
    };
    let lists = r#"{ coordinators(first: 100) { nodes { nameEn } }
        findCoordinators(first: 100, filter: { field: AEROSPACE }) { nodes { nameEn } }
        organization(code: "aerospace-forum") { coordinators { nameEn } } }"#;
    let lookup =
        "query($id: ID!) { node(id: $id) { ... on Coordinator { nameEn contactPreference } } }";

    // Anonymous callers, and people of institutions outside the network, do not see him.
    let outsider = app.token("forum-staff", "c-astec", &[Role::Member]);
    for token in [None, Some(outsider.as_str())] {
        let (data, node) = match token {
            None => (
                app.data(lists, json!({})).await,
                app.data(lookup, json!({ "id": id })).await,
            ),
            Some(token) => (
                app.graphql_as(token, lists, json!({})).await.json()["data"].clone(),
                app.graphql_as(token, lookup, json!({ "id": id }))
                    .await
                    .json()["data"]
                    .clone(),
            ),
        };
        assert!(!names(&data, "coordinators").contains(&"Kenichi Yamada".to_owned()));
        assert!(!names(&data, "findCoordinators").contains(&"Kenichi Yamada".to_owned()));
        assert!(
            data["organization"]["coordinators"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["nameEn"] != "Kenichi Yamada")
        );
        assert_eq!(node["node"], Value::Null);
    }

    // Members of the network see him, and the members-only fields.
    let member = app.token("member", "aist", &[Role::Member]);
    let data = app.graphql_as(&member, lists, json!({})).await.json()["data"].clone();
    assert!(names(&data, "coordinators").contains(&"Kenichi Yamada".to_owned()));
    assert!(names(&data, "findCoordinators").contains(&"Kenichi Yamada".to_owned()));
    let data = app
        .graphql_as(&member, lookup, json!({ "id": id }))
        .await
        .json();
    assert_eq!(data["data"]["node"]["contactPreference"], "PHONE");

    // Public again: anonymous callers see his public fields, never the members-only ones.
    app.graphql_as(
        &yamada,
        "mutation { updateOwnCoordinatorProfile(input: { publicProfile: true }) { publicProfile } }",
        json!({}),
    )
    .await;
    let body = app.graphql(lookup, json!({ "id": id })).await;
    assert_eq!(body["data"]["node"]["nameEn"], "Kenichi Yamada");
    assert_eq!(body["data"]["node"]["contactPreference"], Value::Null);
    assert_eq!(only_error(&body)["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn find_coordinators_narrows_by_field_place_qualification_and_text() {
    let app = TestApp::spawn().await;
    let find = "query($filter: FindCoordinatorsFilter) { findCoordinators(first: 100, filter: $filter) { totalCount nodes { nameEn prefecture { code } } } }";
    let names = |body: Value| -> Vec<String> {
        assert!(body.get("errors").is_none(), "{body:#}");
        body["data"]["findCoordinators"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["nameEn"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = names(app.graphql(find, json!({})).await);
    assert!(all.len() >= 4, "{all:?}");

    let aerospace = names(
        app.graphql(find, json!({ "filter": { "field": "AEROSPACE" } }))
            .await,
    );
    assert!(aerospace.contains(&"Kenichi Yamada".to_owned()));
    assert!(!aerospace.contains(&"Misaki Sato".to_owned()));

    let hokkaido = names(
        app.graphql(find, json!({ "filter": { "prefectureCode": 1 } }))
            .await,
    );
    assert_eq!(hokkaido, ["Misaki Sato"]);
    let bureau = names(
        app.graphql(find, json!({ "filter": { "bureau": "HOKKAIDO" } }))
            .await,
    );
    assert_eq!(bureau, ["Misaki Sato"]);

    let searched = names(
        app.graphql(find, json!({ "filter": { "search": "yamADA" } }))
            .await,
    );
    assert_eq!(searched, ["Kenichi Yamada"]);
    let searched = names(
        app.graphql(find, json!({ "filter": { "search": "100%" } }))
            .await,
    );
    assert!(searched.is_empty(), "% matches itself: {searched:?}");

    // Holders of the scheme's awards, and of one that counts today: the same rule as
    // `awards(filter: { status: ACTIVE })`.
    let member = app.token("member", "aist", &[Role::Member]);
    let holders_of = async |status: Value| -> Vec<String> {
        let body = app
            .graphql_as(
                &member,
                "query($status: AwardStatus) { awards(first: 100, filter: { status: $status }) { nodes { scheme { code } holder { ... on Coordinator { nameEn } } } } }",
                json!({ "status": status }),
            )
            .await
            .json();
        let mut names: Vec<String> = body["data"]["awards"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body:#}"))
            .iter()
            .filter(|a| a["scheme"]["code"] == "incubation-manager")
            .filter_map(|a| a["holder"]["nameEn"].as_str().map(str::to_owned))
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let sorted = |mut names: Vec<String>| {
        names.sort();
        names
    };
    let holders = sorted(names(
        app.graphql(
            find,
            json!({ "filter": { "schemeCode": "incubation-manager" } }),
        )
        .await,
    ));
    assert!(
        holders.contains(&"Kenichi Yamada".to_owned()),
        "{holders:?}"
    );
    assert_eq!(holders, holders_of(Value::Null).await);
    let active = sorted(names(
        app.graphql(
            find,
            json!({ "filter": { "schemeCode": "incubation-manager", "activeAwardOnly": true } }),
        )
        .await,
    ));
    assert_eq!(active, holders_of(json!("ACTIVE")).await);
    assert!(
        active.len() < holders.len(),
        "the seed has holders of expired or suspended awards: {holders:?} {active:?}"
    );

    for (filter, field) in [
        (json!({ "prefectureCode": 48 }), "filter.prefectureCode"),
        (
            json!({ "schemeCode": "no-such-scheme" }),
            "filter.schemeCode",
        ),
        (json!({ "search": "  " }), "filter.search"),
    ] {
        let body = app.graphql(find, json!({ "filter": filter })).await;
        iin_tests::assert_bad_input(&body, field);
    }
}

const ASSIGN: &str = r#"mutation($coordinator: ID!, $project: ID, $org: ID, $key: String!) {
  createCoordinatorAssignment(idempotencyKey: $key, input: { coordinatorId: $coordinator, role: TECHNOLOGY_COORDINATOR, clusterProjectId: $project, organizationId: $org, startsOn: "2026-04-01" }) {
    id role version startsOn endsOn clusterProject { code } organization { code } coordinator { nameEn } } }"#;

#[tokio::test]
async fn assignments_are_written_by_the_projects_or_the_institutions_org_admin() {
    let app = TestApp::spawn().await;
    let ids = app
        .data(
            r#"{ clusterProject(code: "kansai-bio") { id } organization(code: "aist") { id }
                 coordinators(first: 100) { nodes { id nameEn } } }"#,
            json!({}),
        )
        .await;
    let project = ids["clusterProject"]["id"].clone();
    let aist = ids["organization"]["id"].clone();
    let yamada = ids["coordinators"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["nameEn"] == "Kenichi Yamada")
        .unwrap()["id"]
        .clone();

    // The Kinki bureau leads the Kansai bio project: its org admin arranges coordinators to it.
    let kinki = app.token("kinki-admin", "meti-kinki", &[Role::OrgAdmin]);
    let key = "assign-1";
    let variables = json!({ "coordinator": yamada, "project": project, "key": key });
    let body = app
        .graphql_as(&kinki, ASSIGN, variables.clone())
        .await
        .json();
    let created = body["data"]["createCoordinatorAssignment"].clone();
    assert_eq!(created["role"], "TECHNOLOGY_COORDINATOR", "{body:#}");
    assert_eq!(created["clusterProject"]["code"], "kansai-bio");
    assert_eq!(created["organization"], Value::Null);
    assert_eq!(created["version"], 1);
    // A retry with the same key returns the first answer, without a second assignment.
    let again = app.graphql_as(&kinki, ASSIGN, variables).await.json();
    assert_eq!(
        again["data"]["createCoordinatorAssignment"]["id"],
        created["id"]
    );

    // Another institution's org admin, and the bureau's member without the role, may not.
    for token in [
        app.token("aist-admin", "aist", &[Role::OrgAdmin]),
        app.token("kinki-staff", "meti-kinki", &[Role::Member]),
    ] {
        let body = app
            .graphql_as(
                &token,
                ASSIGN,
                json!({ "coordinator": yamada, "project": project }),
            )
            .await
            .json();
        assert_eq!(code_of(&body), "FORBIDDEN", "{body:#}");
    }

    // AIST's org admin arranges coordinators to AIST, not to JETRO.
    let aist_admin = app.token("aist-admin", "aist", &[Role::OrgAdmin]);
    let body = app
        .graphql_as(
            &aist_admin,
            ASSIGN,
            json!({ "coordinator": yamada, "org": aist }),
        )
        .await
        .json();
    assert_eq!(
        body["data"]["createCoordinatorAssignment"]["organization"]["code"], "aist",
        "{body:#}"
    );
    let jetro = app
        .data(r#"{ organization(code: "jetro") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let body = app
        .graphql_as(
            &aist_admin,
            ASSIGN,
            json!({ "coordinator": yamada, "org": jetro }),
        )
        .await
        .json();
    assert_eq!(code_of(&body), "FORBIDDEN", "{body:#}");
    let body = app
        .graphql_as(
            &aist_admin,
            ASSIGN,
            json!({ "coordinator": yamada, "org": aist, "project": project }),
        )
        .await
        .json();
    iin_tests::assert_bad_input(&body, "input.clusterProjectId");

    // Shown on the project and on the coordinator, to anyone who may read the coordinator.
    let shown = app
        .data(
            r#"query($id: ID!) { clusterProject(code: "kansai-bio") { coordinators { role coordinator { nameEn } } }
                 node(id: $id) { ... on Coordinator { assignments { role clusterProject { code } organization { code } } } } }"#,
            json!({ "id": yamada }),
        )
        .await;
    assert_eq!(
        shown["clusterProject"]["coordinators"],
        json!([{ "role": "TECHNOLOGY_COORDINATOR", "coordinator": { "nameEn": "Kenichi Yamada" } }])
    );
    assert_eq!(
        shown["node"]["assignments"].as_array().unwrap().len(),
        2,
        "{shown:#}"
    );
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on CoordinatorAssignment { role } } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(node["node"]["role"], "TECHNOLOGY_COORDINATOR");

    // Changes take the version they expect.
    let update = r#"mutation($id: ID!, $version: Int) { updateCoordinatorAssignment(id: $id, version: $version, input: { role: PROJECT_MANAGER, endsOn: "2027-03-31" }) { role endsOn version } }"#;
    let body = app
        .graphql_as(&kinki, update, json!({ "id": created["id"], "version": 7 }))
        .await
        .json();
    assert_eq!(error_parts(&body).0, "CONFLICT");
    assert_eq!(error_parts(&body).1, "version");
    let body = app
        .graphql_as(
            &aist_admin,
            update,
            json!({ "id": created["id"], "version": 1 }),
        )
        .await
        .json();
    assert_eq!(code_of(&body), "FORBIDDEN");
    let body = app
        .graphql_as(&kinki, update, json!({ "id": created["id"], "version": 1 }))
        .await
        .json();
    assert_eq!(
        body["data"]["updateCoordinatorAssignment"],
        json!({ "role": "PROJECT_MANAGER", "endsOn": "2027-03-31", "version": 2 }),
        "{body:#}"
    );
    let body = app
        .graphql_as(
            &kinki,
            r#"mutation($id: ID!) { updateCoordinatorAssignment(id: $id, input: { endsOn: "2020-01-01" }) { version } }"#,
            json!({ "id": created["id"] }),
        )
        .await
        .json();
    iin_tests::assert_bad_input(&body, "input.endsOn");

    // Every attempt is audited, with the person and the institution acted for.
    let admin = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let log = app
        .graphql_as(
            &admin,
            r#"{ auditLog(first: 20, filter: { subject: "kinki-admin" }) { nodes { operation institutionCode outcome } } }"#,
            json!({}),
        )
        .await
        .json();
    let outcomes: Vec<(String, String)> = log["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["institutionCode"], "meti-kinki");
            (
                e["operation"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("updateCoordinatorAssignment", "BAD_USER_INPUT"),
        ("updateCoordinatorAssignment", "SUCCEEDED"),
        ("updateCoordinatorAssignment", "CONFLICT"),
        ("createCoordinatorAssignment", "REPLAYED"),
        ("createCoordinatorAssignment", "SUCCEEDED"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(outcomes, expected);
}

#[tokio::test]
async fn the_audit_log_follows_one_person_across_institutions() {
    let app = TestApp::spawn().await;
    let kato = person(
        &app,
        "kato",
        &[("aist", &[Role::OrgAdmin]), ("jetro", &[Role::OrgAdmin])],
    );
    let create = r#"mutation($name: String!, $key: String!) { createCoordinator(idempotencyKey: $key, input: { nameJa: "試験", nameEn: $name, prefectureCode: 13 }) { organization { code } } }"#;
    for institution in ["aist", "jetro"] {
        let data = ok_as(
            &app,
            &kato,
            Some(institution),
            create,
            json!({ "name": format!("Coordinator of {institution}") }),
        )
        .await;
        assert_eq!(
            data["createCoordinator"]["organization"]["code"],
            institution
        );
    }
    // Someone else at AIST, for contrast.
    let other = app.token("suzuki", "aist", &[Role::OrgAdmin]);
    app.graphql_as(&other, create, json!({ "name": "Suzuki's" }))
        .await;

    let admin = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let query = r#"query($subject: String) { auditLog(first: 10, filter: { subject: $subject, operation: "createCoordinator" }) { nodes { subject institutionCode outcome } } }"#;
    let log = app
        .graphql_as(&admin, query, json!({ "subject": "kato" }))
        .await
        .json();
    assert_eq!(
        log["data"]["auditLog"]["nodes"],
        json!([
            { "subject": "kato", "institutionCode": "jetro", "outcome": "SUCCEEDED" },
            { "subject": "kato", "institutionCode": "aist", "outcome": "SUCCEEDED" },
        ]),
        "{log:#}"
    );
    // Only network admins read it, whoever the subject.
    let body = post_as(
        &app,
        &kato,
        Some("aist"),
        query,
        json!({ "subject": "kato" }),
    )
    .await
    .json();
    assert_eq!(code_of(&body), "FORBIDDEN");
}

#[tokio::test]
async fn the_token_command_mints_tokens_with_several_affiliations() {
    let (_database, url) = iin_tests::TestDatabase::create().await;
    super::cli::iin_api(&url, &["seed"]).await;
    let printed = super::cli::iin_api(
        &url,
        &[
            "token",
            "--sub",
            "kato",
            "--affiliation",
            "aist:member,registrar",
            "--affiliation",
            "jetro:org_admin",
        ],
    )
    .await;
    let token = printed.lines().last().expect("a last line");
    let settings = iin_api::Settings::from_lookup(|name| {
        (name == "IIN_JWT_SECRET").then(|| iin_tests::TEST_SECRET.to_owned())
    })
    .unwrap();
    let claims = iin_api::auth::token::Verifier::new(&settings.auth, None)
        .verify(token)
        .await
        .expect("the server accepts it");
    assert_eq!(claims.sub, "kato");
    assert_eq!(
        claims.affiliations(),
        vec![
            ("aist".to_owned(), vec![Role::Member, Role::Registrar]),
            ("jetro".to_owned(), vec![Role::OrgAdmin]),
        ]
    );

    for (args, expected) in [
        (vec!["--affiliation", "aist"], "CODE:ROLE"),
        (vec!["--affiliation", "aist:boss"], "unknown role"),
        (
            vec!["--affiliation", "atlantis:member"],
            "unknown institution",
        ),
        (
            vec![
                "--affiliation",
                "aist:member",
                "--affiliation",
                "aist:registrar",
            ],
            "twice",
        ),
        (vec!["--affiliation", "aist:network_admin"], "network_admin"),
    ] {
        let mut full = vec!["token", "--sub", "kato"];
        full.extend(args);
        let (message, code) = super::cli::try_iin_api(&url, &full)
            .await
            .expect_err("refused");
        assert!(message.contains(expected), "{message}");
        assert_eq!(code, 2);
    }
}
