//! One admission for every transport: each limit, safelist, persisted-query and introspection
//! case of the HTTP suite, sent by POST, by GET (queries), inside a batch, and over the
//! WebSocket (graphql-ws `subscribe`), gets the same errors with the same codes.

use std::time::Duration;

use iin_api::{
    Settings,
    auth::Role,
    domain::persisted,
    settings::{ApqRegister, ApqRegister::Members},
};
use iin_tests::{TestApp, ws};
use serde_json::{Value, json};

/// Who sends a case.
#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    Member,
}

struct Case {
    name: &'static str,
    who: Who,
    request: Value,
    /// The code of the one error expected, or `None` for an answer compared as a whole.
    code: Option<&'static str>,
}

fn case(name: &'static str, who: Who, request: Value, code: Option<&'static str>) -> Case {
    Case {
        name,
        who,
        request,
        code,
    }
}

fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// Every limit of the HTTP suite at once, small enough for short documents to reach them.
fn limited(s: &mut Settings) {
    s.http.limits.max_tokens = 60;
    s.http.limits.max_aliases = 3;
    s.http.limits.max_depth = 6;
    s.http.limits.max_complexity = 500;
    s.http.limits.max_batch_size = 2;
    s.http.limits.introspection_for_anonymous = false;
    s.http.apq.register = Members;
}

fn limit_cases() -> Vec<Case> {
    use Who::*;
    let long = format!("{{ {} }}", "network { nameEn } ".repeat(20));
    let aliased = "{ a: network { nameEn } b: network { nameEn } c: network { nameEn } d: network { nameEn } }";
    let deep = "{ organizations { nodes { clusterParticipations { project { tieUps { project { participants { role } } } } } } } }";
    let complex =
        "{ organizations(first: 100) { nodes { code nameEn nameJa kind membership bureau } } }";
    let unknown_hash = persisted::hash("{ network { nameJa } }");
    let new_document = "{ network { nameEn nameJa } }";
    vec![
        case(
            "tokens",
            Anonymous,
            json!({ "query": long }),
            Some("QUERY_TOO_LARGE"),
        ),
        case(
            "aliases",
            Anonymous,
            json!({ "query": aliased }),
            Some("QUERY_TOO_LARGE"),
        ),
        case(
            "depth",
            Member,
            json!({ "query": deep }),
            Some("QUERY_TOO_DEEP"),
        ),
        case(
            "complexity",
            Member,
            json!({ "query": complex }),
            Some("QUERY_TOO_COMPLEX"),
        ),
        case(
            "parse",
            Anonymous,
            json!({ "query": "{ network { " }),
            Some("GRAPHQL_PARSE_FAILED"),
        ),
        case(
            "validation",
            Member,
            json!({ "query": "{ network { nope } }" }),
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "control character in a literal",
            Anonymous,
            json!({ "query": "{ smes(filter: { search: \"a\\u0000\" }) { totalCount } }" }),
            Some("BAD_USER_INPUT"),
        ),
        case(
            "control character in a variable",
            Member,
            json!({ "query": "query($s: String) { organizations(filter: { search: $s }) { totalCount } }",
                    "variables": { "s": "x\u{1}" } }),
            Some("BAD_USER_INPUT"),
        ),
        case(
            "unknown persisted query",
            Anonymous,
            json!({ "extensions": apq(&unknown_hash) }),
            Some("PERSISTED_QUERY_NOT_FOUND"),
        ),
        case(
            "registration refused to anonymous callers",
            Anonymous,
            json!({ "query": new_document, "extensions": apq(&persisted::hash(new_document)) }),
            Some("PERSISTED_QUERY_NOT_ALLOWED"),
        ),
        case(
            "closed introspection",
            Anonymous,
            json!({ "query": "{ __schema { queryType { name } } }" }),
            None,
        ),
        case(
            "open introspection",
            Member,
            json!({ "query": "{ __schema { queryType { name } } }" }),
            None,
        ),
        case(
            "mutation without a token",
            Anonymous,
            json!({ "query": "mutation { createTrainingCourse(idempotencyKey: \"course-1\", input: { titleJa: \"a\", titleEn: \"a\", unit: CREDITS, amount: 1 }) { id } }" }),
            Some("UNAUTHENTICATED"),
        ),
    ]
}

/// A case's answer by POST, by GET when it is a query, as a batch of one, and over the
/// WebSocket; asserts they agree, and answers the WebSocket's.
async fn answers(app: &TestApp, case: &Case) -> Value {
    let token = match case.who {
        Who::Anonymous => None,
        Who::Member => Some(app.token("member@jetro", "jetro", &[Role::Member])),
    };
    let bearer = token.as_ref().map(|t| format!("Bearer {t}"));
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/json"),
    ];
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer));
    }
    let post = app.post(&headers, case.request.to_string()).await.json();
    let batch = app
        .post(&headers, json!([case.request]).to_string())
        .await
        .json()
        .as_array()
        .map(|answers| {
            answers
                .iter()
                .cloned()
                .map(without_null_data)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    // Over the socket a request error carries `data: null` (graphql-ws sends a whole result);
    // HTTP leaves `data` out when nothing ran. Nothing else may differ.
    let socket = without_null_data(ws::operation(app, token.as_deref(), &case.request).await);
    let post = without_null_data(post);
    assert_eq!(
        batch,
        vec![post.clone()],
        "{}: batch and POST differ",
        case.name
    );
    assert_eq!(socket, post, "{}: WebSocket and POST differ", case.name);
    let is_mutation = case.request["query"]
        .as_str()
        .is_some_and(|q| q.starts_with("mutation"));
    if !is_mutation {
        let mut path = String::from("/graphql?");
        for (key, value) in case.request.as_object().into_iter().flatten() {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            path.push_str(&format!("{key}={}&", url_encode(&text)));
        }
        let header_pairs: Vec<(&str, &str)> = headers
            .iter()
            .filter(|(name, _)| *name != "content-type")
            .copied()
            .collect();
        let get = without_null_data(app.get(&path, &header_pairs).await.json());
        assert_eq!(get, post, "{}: GET and POST differ", case.name);
    }
    socket
}

#[tokio::test]
async fn every_limit_answers_the_same_over_every_transport() {
    let app = TestApp::spawn_with(limited).await;
    let mut failures = Vec::new();
    for case in limit_cases() {
        let answer = answers(&app, &case).await;
        match case.code {
            Some(code) => {
                let got = answer["errors"][0]["extensions"]["code"].as_str();
                if got != Some(code) {
                    failures.push(format!("{}: expected {code}, got {answer}", case.name));
                }
            }
            None => {
                let expected = if matches!(case.who, Who::Anonymous) {
                    json!({ "data": { "__schema": null } })
                } else {
                    json!({ "data": { "__schema": { "queryType": { "name": "Query" } } } })
                };
                if answer != expected {
                    failures.push(format!("{}: got {answer}", case.name));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn the_safelist_holds_over_every_transport() {
    let app = TestApp::spawn_with(|s| s.http.safelist = true).await;
    let query = r#"{ organization(code: "jetro") { nameEn } }"#;
    let hash = persisted::hash(query);
    for case in [
        case(
            "ad hoc",
            Who::Anonymous,
            json!({ "query": query }),
            Some("OPERATION_NOT_ALLOWED"),
        ),
        case(
            "self-registered",
            Who::Member,
            json!({ "query": query, "extensions": apq(&hash) }),
            Some("OPERATION_NOT_ALLOWED"),
        ),
    ] {
        let answer = answers(&app, &case).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "OPERATION_NOT_ALLOWED",
            "{}: {answer:#}",
            case.name
        );
    }
    persisted::register(&app.db, query).await.unwrap();
    for request in [
        json!({ "query": query }),
        json!({ "extensions": apq(&hash) }),
    ] {
        let answer = ws::operation(&app, None, &request).await;
        assert_eq!(
            answer["data"]["organization"]["nameEn"], "Japan External Trade Organization",
            "{answer:#}"
        );
    }
}

#[tokio::test]
async fn suggestions_are_off_where_introspection_is_closed() {
    let app = TestApp::spawn_with(|s| s.http.limits.introspection_for_anonymous = false).await;
    let misspelt = json!({ "query": "{ organizaton(code: \"aist\") { code } }" });
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let open = ws::operation(&app, Some(&member), &misspelt).await;
    let message = open["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Did you mean"), "{open:#}");
    let by_post = app
        .graphql_as(&member, misspelt["query"].as_str().unwrap(), json!({}))
        .await;
    assert!(by_post.text.contains("Did you mean"), "{}", by_post.text);

    let closed = ws::operation(&app, None, &misspelt).await;
    assert_eq!(
        closed["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    let message = closed["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("Did you mean"), "{closed:#}");
    assert!(!message.contains("organization"), "{closed:#}");
    let by_post = app
        .graphql(misspelt["query"].as_str().unwrap(), json!({}))
        .await;
    assert_eq!(by_post, without_null_data(closed));

    // Open introspection keeps them, for everyone.
    let app = TestApp::spawn().await;
    let anonymous = ws::operation(&app, None, &misspelt).await;
    assert!(
        anonymous["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Did you mean")),
        "{anonymous:#}"
    );
}

#[tokio::test]
async fn operations_over_the_socket_have_the_same_deadline() {
    let app = TestApp::spawn_with(|s| s.http.limits.timeout = Duration::from_millis(300)).await;
    let (blocker, update) = app.hold_aist().await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let answer = ws::operation(&app, Some(&admin), &update).await;
    blocker.rollback().await.unwrap();
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "TIMEOUT",
        "{answer:#}"
    );
    assert_eq!(answer["data"], Value::Null, "{answer:#}");
}

#[tokio::test]
async fn operations_over_the_socket_wait_their_turn() {
    let app = TestApp::spawn_with(|s| s.http.limits.max_concurrent_operations = 1).await;
    let (blocker, update) = app.hold_aist().await;
    let admin = app.token("kato@aist", "aist", &[Role::OrgAdmin]);
    let bearer = format!("Bearer {admin}");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", bearer.as_str()),
    ];
    let held = app.post(&headers, update.to_string());
    let second = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut socket = ws::connect(&app, None).await;
        ws::subscribe(
            &mut socket,
            "1",
            &json!({ "query": "{ network { nameEn } }" }),
        )
        .await;
        let early = tokio::time::timeout(Duration::from_millis(700), ws::receive(&mut socket))
            .await
            .ok();
        blocker.rollback().await.unwrap();
        match early {
            Some(answer) => (true, answer),
            None => (false, ws::receive(&mut socket).await),
        }
    };
    let (held, (answered_early, answer)) = tokio::join!(held, second);
    assert_eq!(held.status, 200, "{}", held.text);
    assert!(
        !answered_early,
        "a query over the socket ran beside the held operation"
    );
    assert_eq!(
        answer["payload"]["data"]["network"]["nameEn"], "Innovation Initiative Network Japan",
        "{answer:#}"
    );
}

#[tokio::test]
async fn apq_registration_follows_the_setting() {
    for (register, anonymous_may, member_may) in [
        (ApqRegister::Everyone, true, true),
        (ApqRegister::Members, false, true),
        (ApqRegister::Off, false, false),
    ] {
        let app = TestApp::spawn_with(|s| s.http.apq.register = register).await;
        let member = app.token("member@jetro", "jetro", &[Role::Member]);
        for (token, may, document) in [
            (None, anonymous_may, "{ network { nameEn } }"),
            (Some(member.as_str()), member_may, "{ network { nameJa } }"),
        ] {
            let request =
                json!({ "query": document, "extensions": apq(&persisted::hash(document)) });
            let answer = ws::operation(&app, token, &request).await;
            if may {
                assert!(answer.get("errors").is_none(), "{register:?}: {answer:#}");
                let by_hash = ws::operation(
                    &app,
                    None,
                    &json!({ "extensions": apq(&persisted::hash(document)) }),
                )
                .await;
                assert_eq!(by_hash, answer, "{register:?}: stored");
            } else {
                assert_eq!(
                    answer["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_ALLOWED",
                    "{register:?}: {answer:#}"
                );
                assert_eq!(answer["errors"][0]["message"], "PersistedQueryNotSupported");
            }
        }
    }
}

fn without_null_data(mut answer: Value) -> Value {
    if let Some(object) = answer.as_object_mut()
        && object.get("data") == Some(&Value::Null)
    {
        object.remove("data");
    }
    answer
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn subscriptions_are_admitted_like_any_operation() {
    let app = TestApp::spawn_with(limited).await;
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    for (query, code) in [
        (
            "subscription { a: evaluationChanged { status } b: evaluationChanged { status } c: evaluationChanged { status } d: evaluationChanged { status } }",
            "QUERY_TOO_LARGE",
        ),
        (
            "subscription { evaluationChanged { nope } }",
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ] {
        let answer = ws::operation(&app, Some(&member), &json!({ "query": query })).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], code,
            "{query}: {answer:#}"
        );
    }
    // Admitted, a subscription stays open: nothing is answered until an event.
    let mut socket = ws::connect(&app, Some(&member)).await;
    ws::subscribe(
        &mut socket,
        "1",
        &json!({ "query": "subscription { evaluationChanged { status } }" }),
    )
    .await;
    let quiet = tokio::time::timeout(Duration::from_millis(500), ws::receive(&mut socket)).await;
    assert!(quiet.is_err(), "{quiet:?}");
}
