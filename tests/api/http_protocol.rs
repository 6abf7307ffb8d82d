//! GraphQL over HTTP as partner websites and the specification expect it.

use iin_tests::{TestApp, only_error};
use serde_json::{Value, json};

const JSON: (&str, &str) = ("content-type", "application/json");
const GQL_RESPONSE: (&str, &str) = ("accept", "application/graphql-response+json");
const LEGACY: (&str, &str) = ("accept", "application/json");

fn query(text: &str) -> String {
    json!({ "query": text }).to_string()
}

#[tokio::test]
async fn the_response_type_follows_accept() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(&[JSON, GQL_RESPONSE], query("{ __typename }"))
        .await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .content_type()
            .starts_with("application/graphql-response+json"),
        "{}",
        reply.content_type()
    );
    assert_eq!(reply.json(), json!({ "data": { "__typename": "Query" } }));

    for accept in [None, Some("application/json"), Some("*/*")] {
        let mut headers = vec![JSON];
        if let Some(accept) = accept {
            headers.push(("accept", accept));
        }
        let reply = app.post(&headers, query("{ __typename }")).await;
        assert_eq!(reply.status, 200);
        assert!(
            reply.content_type().starts_with("application/json"),
            "{accept:?}: {}",
            reply.content_type()
        );
    }

    let preferred = app
        .post(
            &[
                JSON,
                (
                    "accept",
                    "application/json;q=0.5, application/graphql-response+json",
                ),
            ],
            query("{ __typename }"),
        )
        .await;
    assert!(
        preferred
            .content_type()
            .starts_with("application/graphql-response+json")
    );

    let refused = app
        .post(&[JSON, ("accept", "text/plain")], query("{ __typename }"))
        .await;
    assert_eq!(refused.status, 406);
}

#[tokio::test]
async fn documents_that_do_not_parse_or_validate_are_request_errors_without_data() {
    let app = TestApp::spawn().await;
    for (text, code) in [
        ("{ organizations { ", "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", "GRAPHQL_VALIDATION_FAILED"),
        // A value the type system refuses is the caller's input error.
        (
            r#"{ organizations(first: "ten") { totalCount } }"#,
            "BAD_USER_INPUT",
        ),
    ] {
        let reply = app.post(&[JSON, GQL_RESPONSE], query(text)).await;
        assert_eq!(reply.status, 400, "{text}");
        let body = reply.json();
        assert!(body.get("data").is_none(), "{text}: {body}");
        // A mistyped argument is reported by validation and again by the cost check: every error
        // is a coded request error.
        let errors = body["errors"].as_array().expect("errors");
        assert!(!errors.is_empty(), "{text}");
        for error in errors {
            assert_eq!(error["extensions"]["code"], code, "{text}: {body}");
        }

        let legacy = app.post(&[JSON, LEGACY], query(text)).await;
        assert_eq!(
            legacy.status, 200,
            "legacy application/json keeps 200: {text}"
        );
        assert!(legacy.json().get("data").is_none());
    }

    // Variables that do not coerce fail the request the same way.
    let body = json!({ "query": "query($n: Int!) { organizations(first: $n) { totalCount } }", "variables": { "n": "x" } });
    let reply = app.post(&[JSON, GQL_RESPONSE], body.to_string()).await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn malformed_requests_get_400_and_a_reason() {
    let app = TestApp::spawn().await;
    for body in [
        "{ \"query\": ",
        "",
        r#"{ "qeury": "{ __typename }" }"#,
        r#"{ "query": 7 }"#,
        r#"{ "query": "{ __typename }", "variables": "[]" }"#,
        r#"{ "query": "{ __typename }", "operationName": 1 }"#,
        r#"{ "query": "{ __typename }", "extensions": [] }"#,
        "[]",
        r#"["{ __typename }"]"#,
    ] {
        let reply = app.post(&[JSON, GQL_RESPONSE], body.to_owned()).await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(
            only_error(&reply.json())["extensions"]["code"],
            "BAD_REQUEST",
            "{body}"
        );
    }
    let no_type = app.post(&[GQL_RESPONSE], query("{ __typename }")).await;
    assert_eq!(no_type.status, 415);
    let wrong_type = app
        .post(
            &[("content-type", "text/plain"), GQL_RESPONSE],
            query("{ __typename }"),
        )
        .await;
    assert_eq!(wrong_type.status, 415);
    let latin1 = app
        .post(
            &[
                ("content-type", "application/json; charset=iso-8859-1"),
                GQL_RESPONSE,
            ],
            query("{ __typename }"),
        )
        .await;
    assert_eq!(latin1.status, 415);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let app = TestApp::spawn_with(|s| s.http.max_body_bytes = 1024).await;
    let padded = json!({ "query": format!("{{ __typename }} # {}", "x".repeat(2000)) }).to_string();
    let reply = app.post(&[JSON, GQL_RESPONSE], padded).await;
    assert_eq!(reply.status, 413);
    assert_eq!(
        only_error(&reply.json())["extensions"]["code"],
        "PAYLOAD_TOO_LARGE"
    );
    // Under the limit all is well.
    assert_eq!(
        app.post(&[JSON, GQL_RESPONSE], query("{ __typename }"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn get_runs_queries_but_not_mutations() {
    let app = TestApp::spawn().await;
    let reply = app
        .get(
            "/graphql?query=query%20Q(%24c%3A%20String)%20%7B%20organization(code%3A%20%24c)%20%7B%20nameEn%20%7D%20%7D&variables=%7B%22c%22%3A%22jst%22%7D&operationName=Q",
            &[GQL_RESPONSE],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["data"]["organization"]["nameEn"],
        "Japan Science and Technology Agency"
    );

    let mutation = app
        .get(
            "/graphql?query=mutation%20%7B%20__typename%20%7D",
            &[GQL_RESPONSE],
        )
        .await;
    assert_eq!(mutation.status, 405);
    assert_eq!(
        mutation.headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, POST")
    );

    let bad_variables = app
        .get(
            "/graphql?query=%7B__typename%7D&variables=%7Bnope",
            &[GQL_RESPONSE],
        )
        .await;
    assert_eq!(bad_variables.status, 400);

    let put = reqwest::Client::new()
        .put(app.url("/graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 405);
}

#[tokio::test]
async fn browsers_get_graphiql() {
    let app = TestApp::spawn().await;
    let reply = app
        .get(
            "/graphql",
            &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type().starts_with("text/html"));
    assert!(
        reply.text.to_lowercase().contains("graphiql"),
        "{}",
        &reply.text[..200.min(reply.text.len())]
    );

    let closed = TestApp::spawn_with(|s| s.http.graphiql = false).await;
    let reply = closed.get("/graphql", &[("accept", "text/html")]).await;
    assert_eq!(
        reply.status, 406,
        "without GraphiQL there is no HTML to give"
    );
    let reply = closed.get("/graphql", &[LEGACY]).await;
    assert_eq!(reply.status, 400, "a GET without a query");
    assert_eq!(
        only_error(&reply.json())["extensions"]["code"],
        Value::from("BAD_REQUEST")
    );
}

/// In a government network without internet, GraphiQL must load from the API alone: the page names
/// only same-origin assets, each is served (production builds, pinned versions), the browser is
/// told to fetch nothing from elsewhere, and the start-up script sets the subscription URL and an
/// example query of ours.
#[tokio::test]
async fn graphiql_loads_without_internet() {
    let app = TestApp::spawn().await;
    let page = app.get("/graphql", &[("accept", "text/html")]).await;
    assert_eq!(page.status, 200);
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(policy.contains("script-src 'self';"), "{policy}");

    let references: Vec<&str> = ["src=\"", "href=\""]
        .iter()
        .flat_map(|attribute| page.text.split(attribute).skip(1))
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert_eq!(references.len(), 5, "{}", page.text);
    let mut scripts = String::new();
    for reference in &references {
        assert!(
            reference.starts_with('/') && !reference.starts_with("//"),
            "{reference} is not on this origin"
        );
        let asset = app.get(reference, &[]).await;
        assert_eq!(asset.status, 200, "{reference}");
        let expected = if reference.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(asset.content_type().starts_with(expected), "{reference}");
        assert!(!asset.text.contains("sourceMappingURL"), "{reference}");
        // Production builds are minified: a development build has tens of thousands of lines (react-dom alone 29,869).
        assert!(
            reference.ends_with("init.js") || asset.text.lines().count() < 1000,
            "{reference} is not a production build"
        );
        // Revalidation answers 304 from the validator, weak as a compressing proxy makes it.
        let tag = asset.headers["etag"]
            .to_str()
            .unwrap()
            .trim_start_matches("W/");
        let weak = format!("W/{tag}");
        let again = app.get(reference, &[("if-none-match", &weak)]).await;
        assert_eq!(again.status, 304, "{reference}");
        if reference.ends_with(".js") {
            scripts.push_str(&asset.text);
        }
    }
    assert!(
        references.iter().any(|r| r.contains("graphiql-3.9.0")),
        "GraphiQL is pinned"
    );
    assert!(
        references
            .iter()
            .any(|r| r.contains("react-18.3.1.production")),
        "React is pinned"
    );
    assert!(scripts.contains("subscriptionUrl") && scripts.contains("ws:"));
    assert!(
        scripts.contains("organizations(first: 5"),
        "an example query of ours"
    );

    assert_eq!(app.get("/graphiql/nothing.js", &[]).await.status, 404);
    let closed = TestApp::spawn_with(|s| s.http.graphiql = false).await;
    assert_eq!(closed.get(references[1], &[]).await.status, 404);
}

/// Sends the head of a POST at once, then its body a byte at a time; answers the server's reply
/// (what it wrote before closing, within five seconds) and how long it took.
async fn trickle(app: &TestApp, pause: std::time::Duration) -> (String, std::time::Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let body = query("{ __typename }");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let started = std::time::Instant::now();
    writer.write_all(head.as_bytes()).await.unwrap();
    let sender = tokio::spawn(async move {
        for byte in body.bytes() {
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(pause).await;
        }
    });
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        reader.read_to_end(&mut reply),
    )
    .await;
    sender.abort();
    (
        String::from_utf8_lossy(&reply).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_body_slower_than_the_body_timeout_is_cut_off_with_408() {
    let app =
        TestApp::spawn_with(|s| s.http.body_timeout = std::time::Duration::from_millis(500)).await;
    // 26 bytes, one every 100 ms: 2.6 s to arrive, far past the half-second allowed.
    let (reply, took) = trickle(&app, std::time::Duration::from_millis(100)).await;
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply:?}");
    assert!(reply.contains("REQUEST_TIMEOUT"), "{reply:?}");
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");

    // A body that arrives in time, even in pieces, is read.
    let (reply, _) = trickle(&app, std::time::Duration::from_millis(5)).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply:?}");
}

/// Values the type system refuses, inline or by variable, are `BAD_USER_INPUT` naming the
/// argument where the schema can; a document that does not parse says where, in one line.
#[tokio::test]
async fn refused_values_are_bad_user_input_and_parse_errors_one_line() {
    let app = TestApp::spawn().await;
    for (body, field) in [
        (
            json!({ "query": "{ organizations(first: 99999999999) { totalCount } }" }),
            None,
        ),
        (
            json!({ "query": "query($f: Int) { organizations(first: $f) { totalCount } }",
                    "variables": { "f": 99999999999i64 } }),
            None,
        ),
        (
            json!({ "query": "{ organizations(filter: { kind: NOPE }) { totalCount } }" }),
            Some("filter.kind"),
        ),
        (
            json!({ "query": "query($k: OrganizationKind) { organizations(filter: { kind: $k }) { totalCount } }",
                    "variables": { "k": "NOPE" } }),
            Some("filter.kind"),
        ),
    ] {
        let reply = app.post(&[JSON, GQL_RESPONSE], body.to_string()).await;
        assert_eq!(reply.status, 400, "{body}");
        let answer = reply.json();
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer:#}");
        if let Some(field) = field {
            assert_eq!(error["extensions"]["field"], field, "{answer:#}");
        }
    }
    let reply = app
        .post(
            &[JSON, GQL_RESPONSE],
            query("{ organizations( { totalCount } }"),
        )
        .await;
    let answer = reply.json();
    assert_eq!(
        answer["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
    let reply_to = |variables: Value| {
        json!({ "query": "query($n: Int!, $f: OrganizationFilter) { organizations(first: $n, filter: $f) { totalCount } }",
                "variables": variables })
        .to_string()
    };
    // Each variable that does not fit its type is named, whatever async-graphql's wording.
    for (variables, at_fault, says) in [
        (json!({ "n": "x" }), "n", "got an invalid value"),
        (json!({ "n": 99999999999i64 }), "n", "got an invalid value"),
        (
            json!({ "n": 1, "f": { "kind": "NOPE" } }),
            "f",
            "got an invalid value",
        ),
        (json!({}), "n", "of required type \"Int!\" was not provided"),
    ] {
        let answer = app
            .post(&[JSON, GQL_RESPONSE], reply_to(variables.clone()))
            .await
            .json();
        let named: Vec<&Value> = answer["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["extensions"]["variable"] == at_fault)
            .collect();
        assert!(!named.is_empty(), "{variables}: {answer:#}");
        for error in named {
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer:#}");
            let message = error["message"].as_str().unwrap();
            assert!(
                message.starts_with(&format!("Variable \"${at_fault}\" {says}")),
                "{message}"
            );
        }
    }
    assert_eq!(
        answer["errors"][0]["message"],
        "syntax error at line 1, column 18: expected name"
    );
}
