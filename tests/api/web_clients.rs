//! What real web and mobile clients send and expect over HTTP: CORS preflights with their
//! headers, weak validators, request ids.

use iin_tests::TestApp;

const AIST: &str =
    "/graphql?query=%7B%20organization(code%3A%20%22aist%22)%20%7B%20descriptionEn%20%7D%20%7D";

fn header<'a>(reply: &'a iin_tests::Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn preflight(app: &TestApp, headers: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", "https://www.pref.aichi.jp")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers)
        .send()
        .await
        .expect("the server answers")
}

#[tokio::test]
async fn preflights_allow_the_headers_apollo_urql_and_tracing_send() {
    let app = TestApp::spawn().await;
    for asked in [
        "apollographql-client-name",
        "apollographql-client-version",
        "traceparent",
        "tracestate",
        "baggage",
        "x-request-id",
        "authorization",
        "content-type",
    ] {
        let reply = preflight(&app, asked).await;
        assert_eq!(reply.status(), 200, "{asked}");
        let allowed = reply.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(allowed.contains(asked), "{asked}: {allowed}");
    }
    // All at once, as Apollo Client with tracing sends them.
    let all = preflight(
        &app,
        "content-type,authorization,apollographql-client-name,apollographql-client-version,\
         traceparent,tracestate,baggage,x-request-id",
    )
    .await;
    assert_eq!(all.status(), 200);
    // A header nobody configured is still refused.
    assert_eq!(preflight(&app, "x-something-else").await.status(), 400);

    // The reply itself lets the page read the challenge, the validator and the request id.
    let reply = app
        .get(
            "/graphql?query=%7B%20network%20%7B%20nameEn%20%7D%20%7D",
            &[("origin", "https://www.pref.aichi.jp")],
        )
        .await;
    let exposed = header(&reply, "access-control-expose-headers").to_ascii_lowercase();
    for name in ["www-authenticate", "x-request-id", "etag", "retry-after"] {
        assert!(exposed.contains(name), "{name}: {exposed}");
    }
}

#[tokio::test]
async fn the_allowed_headers_are_configurable() {
    let app = TestApp::spawn_with(|s| {
        s.http.cors_allow_headers = vec!["content-type".into(), "x-partner".into()];
    })
    .await;
    assert_eq!(preflight(&app, "x-partner").await.status(), 200);
    assert_eq!(preflight(&app, "traceparent").await.status(), 400);
}

#[tokio::test]
async fn a_weak_validator_from_a_compressing_proxy_revalidates_with_304() {
    let app = TestApp::spawn().await;
    let first = app.get(AIST, &[]).await;
    let weak = header(&first, "etag").to_owned();
    // A strong tag with the same opaque value, as a cache may hold it: the same, weakly.
    let strong = weak.trim_start_matches("W/").to_owned();
    assert!(strong.starts_with('"'), "{weak}");
    for tag in [&weak, &strong] {
        let again = app.get(AIST, &[("if-none-match", tag)]).await;
        assert_eq!(again.status, 304, "{tag}");
        assert_eq!(header(&again, "etag"), weak);
    }
    let listed = format!("W/\"other\", {strong}");
    assert_eq!(
        app.get(AIST, &[("if-none-match", &listed)]).await.status,
        304
    );
    assert_eq!(
        app.get(AIST, &[("if-none-match", "W/\"other\"")])
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn every_error_reply_to_a_get_is_not_stored() {
    let app = TestApp::spawn().await;
    let cases: [(&str, &[(&str, &str)]); 6] = [
        // Parameters that are not JSON.
        (
            "/graphql?query=%7Bnetwork%7BnameEn%7D%7D&variables=nope",
            &[],
        ),
        // A document that does not validate, under both media types.
        ("/graphql?query=%7B%20nope%20%7D", &[]),
        (
            "/graphql?query=%7B%20nope%20%7D",
            &[("accept", "application/graphql-response+json")],
        ),
        // A media type the endpoint does not answer.
        (AIST, &[("accept", "text/plain")]),
        // A token that does not verify.
        (AIST, &[("authorization", "Bearer not-a-token")]),
        // A path that does not exist.
        ("/nowhere", &[]),
    ];
    for (path, headers) in cases {
        let reply = app.get(path, headers).await;
        assert!(
            reply.status != 200 || reply.text.contains("\"errors\""),
            "{path}: {}",
            reply.status
        );
        assert_eq!(header(&reply, "cache-control"), "no-store", "{path}");
    }
}

#[tokio::test]
async fn every_reply_carries_a_request_id_the_clients_own_when_sane() {
    let app = TestApp::spawn().await;
    let made_up = app.get(AIST, &[]).await;
    let id = header(&made_up, "x-request-id").to_owned();
    assert!(id.len() >= 16, "{id:?}");
    let other = app.get(AIST, &[]).await;
    assert_ne!(header(&other, "x-request-id"), id);

    let echoed = app.get(AIST, &[("x-request-id", "req-7f3a:partner")]).await;
    assert_eq!(header(&echoed, "x-request-id"), "req-7f3a:partner");
    let traced = app
        .get(
            AIST,
            &[(
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            )],
        )
        .await;
    assert_eq!(traced.status, 200);
    assert!(!header(&traced, "x-request-id").is_empty());

    // Too long, or with characters a log line could be forged with: replaced.
    let long = "x".repeat(200);
    let replaced = app.get(AIST, &[("x-request-id", &long)]).await;
    let id = header(&replaced, "x-request-id");
    assert!(!id.is_empty() && id != long);

    // Replies the handlers never see carry one too: a 404, a preflight, a refused preflight.
    assert!(!header(&app.get("/nowhere", &[]).await, "x-request-id").is_empty());
    for asked in ["content-type", "x-something-else"] {
        let reply = preflight(&app, asked).await;
        assert!(reply.headers().contains_key("x-request-id"), "{asked}");
    }
    let posted = app
        .post(
            &[
                ("content-type", "application/json"),
                ("x-request-id", "post-1"),
            ],
            r#"{"query":"{ network { nameEn } }"}"#,
        )
        .await;
    assert_eq!(header(&posted, "x-request-id"), "post-1");
}

/// A reply's bytes as they came over the wire (the test client decompresses nothing).
async fn raw(request: reqwest::RequestBuilder) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = request.send().await.expect("the server answers");
    let headers = response.headers().clone();
    (headers, response.bytes().await.expect("a body").to_vec())
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .expect("gzip"),
        "br" => brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .expect("brotli"),
        _ => panic!("unexpected encoding {encoding}"),
    };
    out
}

#[tokio::test]
async fn large_replies_are_compressed_as_accept_encoding_asks_and_small_ones_are_not() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let query = "{ organizations(first: 50) { nodes { id code nameEn nameJa descriptionEn } } }";
    let get_url = app.url(&format!(
        "/graphql?query={}",
        query
            .replace(' ', "%20")
            .replace('{', "%7B")
            .replace('}', "%7D")
            .replace(':', "%3A")
    ));
    let (plain_headers, plain) = raw(client.get(&get_url)).await;
    assert!(
        plain.len() >= 1024,
        "the reply must be large: {}",
        plain.len()
    );
    assert!(plain_headers.get("content-encoding").is_none());
    let etag = plain_headers["etag"].to_str().unwrap().to_owned();

    for (accept, expected) in [
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.5, gzip", "gzip"),
    ] {
        // By GET, with the same validator as the identity reply, which revalidates it.
        let (headers, body) = raw(client.get(&get_url).header("accept-encoding", accept)).await;
        assert_eq!(headers["content-encoding"], expected, "{accept}");
        assert!(body.len() < plain.len() / 2, "{accept}: {}", body.len());
        assert_eq!(decode(expected, &body), plain, "{accept}");
        assert_eq!(headers["etag"].to_str().unwrap(), etag);
        let vary = headers
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(",");
        assert!(vary.contains("accept-encoding"), "{vary}");
        let (revalidated, _) = raw(client
            .get(&get_url)
            .header("accept-encoding", accept)
            .header("if-none-match", &etag))
        .await;
        assert!(revalidated.get("content-encoding").is_none());

        // By POST.
        let (headers, body) = raw(client
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .header("accept-encoding", accept)
            .body(serde_json::json!({ "query": query }).to_string()))
        .await;
        assert_eq!(headers["content-encoding"], expected, "POST {accept}");
        let json: serde_json::Value = serde_json::from_slice(&decode(expected, &body)).unwrap();
        let nodes = json["data"]["organizations"]["nodes"].as_array().unwrap();
        assert!(nodes.len() > 1, "POST {accept}");
    }

    // A small reply goes as it is, without a leftover header.
    let (headers, body) = raw(client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept-encoding", "gzip, br")
        .body(r#"{"query":"{ network { nameEn } }"}"#))
    .await;
    assert!(body.len() < 1024);
    assert!(headers.get("content-encoding").is_none(), "{headers:?}");
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
}

const NETWORK: &str = "/graphql?query=%7B%20network%20%7B%20nameEn%20%7D%20%7D";

fn assert_rate_limited(reply: &iin_tests::Reply) {
    assert_eq!(reply.status, 429, "{}", reply.text);
    let seconds: u64 = header(reply, "retry-after").parse().expect("Retry-After");
    assert!((1..=60).contains(&seconds), "{seconds}");
    assert_eq!(header(reply, "cache-control"), "no-store");
    let body = reply.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body:#}"
    );
}

#[tokio::test]
async fn each_client_has_its_own_allowance_per_minute() {
    use iin_api::auth::Role;
    let app = TestApp::spawn_with(|s| {
        s.http.rate_limit.per_minute = 3;
        s.http.rate_limit.anonymous_per_minute = 2;
    })
    .await;
    // Anonymous callers, by address.
    for _ in 0..2 {
        assert_eq!(app.get(NETWORK, &[]).await.status, 200);
    }
    assert_rate_limited(&app.get(NETWORK, &[]).await);
    let posted = app
        .post(
            &[("content-type", "application/json")],
            r#"{"query":"{ network { nameEn } }"}"#,
        )
        .await;
    assert_rate_limited(&posted);

    // Callers with a token, by subject, whatever their address.
    let kato = app.token("kato@aist", "aist", &[Role::Member]);
    let bearer = format!("Bearer {kato}");
    for _ in 0..3 {
        let reply = app.get(NETWORK, &[("authorization", &bearer)]).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    assert_rate_limited(&app.get(NETWORK, &[("authorization", &bearer)]).await);
    let sato = app.token("sato@jetro", "jetro", &[Role::Member]);
    let other = app
        .get(NETWORK, &[("authorization", &format!("Bearer {sato}"))])
        .await;
    assert_eq!(other.status, 200);

    let metrics = app.get("/metrics", &[]).await.text;
    assert!(
        metrics.contains(r#"iin_graphql_errors_total{code="RATE_LIMITED"} 3"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn x_forwarded_for_counts_only_from_a_trusted_proxy() {
    let direct = TestApp::spawn_with(|s| s.http.rate_limit.anonymous_per_minute = 1).await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    assert_eq!(direct.get(NETWORK, &from("203.0.113.1")).await.status, 200);
    // A client cannot pose as another by writing the header itself.
    assert_rate_limited(&direct.get(NETWORK, &from("203.0.113.2")).await);

    let proxied = TestApp::spawn_with(|s| {
        s.http.rate_limit.anonymous_per_minute = 1;
        s.http.rate_limit.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    assert_eq!(proxied.get(NETWORK, &from("203.0.113.1")).await.status, 200);
    assert_eq!(proxied.get(NETWORK, &from("203.0.113.2")).await.status, 200);
    assert_rate_limited(&proxied.get(NETWORK, &from("203.0.113.1")).await);
    // The rightmost address the trusted proxy did not write is the client.
    assert_eq!(
        proxied
            .get(NETWORK, &from("203.0.113.1, 198.51.100.9"))
            .await
            .status,
        200
    );
    assert_rate_limited(
        &proxied
            .get(NETWORK, &from("203.0.113.5, 198.51.100.9, 127.0.0.1"))
            .await,
    );
}

#[tokio::test]
async fn operations_over_the_socket_count_too() {
    use iin_tests::ws;
    let app = TestApp::spawn_with(|s| s.http.rate_limit.anonymous_per_minute = 2).await;
    let mut socket = ws::connect(&app, None).await;
    let query = serde_json::json!({ "query": "{ network { nameEn } }" });
    for id in ["1", "2", "3"] {
        ws::subscribe(&mut socket, id, &query).await;
        let message = ws::receive(&mut socket).await;
        assert_eq!(message["type"], "next", "{message:#}");
        let code = &message["payload"]["errors"][0]["extensions"]["code"];
        if id == "3" {
            assert_eq!(code, "RATE_LIMITED", "{message:#}");
        } else {
            assert!(code.is_null(), "{message:#}");
            assert_eq!(ws::receive(&mut socket).await["type"], "complete");
        }
    }
}
