//! Token verification: what is accepted, and everything that is refused with 401.

use std::sync::{Arc, Mutex};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use iin_api::{auth::Role, auth::jwks::JwksSource};
use iin_tests::{TEST_SECRET, TestApp, only_error};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use serde_json::{Value, json};

const ME: &str = "{ me { subject roles institution { code } } }";
const RSA_A: &[u8] = include_bytes!("../fixtures/jwt/rsa-a.pem");
const RSA_B: &[u8] = include_bytes!("../fixtures/jwt/rsa-b.pem");
const EC_A: &[u8] = include_bytes!("../fixtures/jwt/ec-a.pem");
const JWKS_A: &str = include_str!("../fixtures/jwt/jwks-a.json");
const JWKS_B: &str = include_str!("../fixtures/jwt/jwks-b.json");

fn claims(institution: &str, roles: &[&str]) -> Value {
    let now = get_current_timestamp();
    json!({ "sub": "alice", "institution": institution, "roles": roles, "iat": now, "exp": now + 600 })
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn signed(algorithm: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).unwrap()
}

fn rsa(pem: &[u8]) -> EncodingKey {
    EncodingKey::from_rsa_pem(pem).unwrap()
}

/// A token assembled by hand, for headers no honest library writes.
fn raw(header: Value, claims: &Value, signature: &[u8]) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(&header),
        part(claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    let reply = app
        .graphql_as(token, "{ network { nameEn } }", json!({}))
        .await;
    assert_eq!(reply.status, 401, "{why}: {}", reply.text);
    let challenge = reply
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "{why}: {challenge:?}");
    let body = reply.json();
    assert!(body.get("data").is_none(), "{why}: nothing runs");
    assert_eq!(
        only_error(&body)["extensions"]["code"],
        "UNAUTHENTICATED",
        "{why}"
    );
}

#[tokio::test]
async fn a_valid_token_names_the_caller_and_its_institution() {
    let app = TestApp::spawn().await;
    let token = app.token("alice@aist", "aist", &[Role::OrgAdmin, Role::Evaluator]);
    let reply = app.graphql_as(&token, ME, json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["data"]["me"],
        json!({ "subject": "alice@aist", "roles": ["EVALUATOR", "ORG_ADMIN"], "institution": { "code": "aist" } })
    );
    // Unknown role names from an identity provider are ignored, known ones kept.
    let token = hs256(
        &claims("jetro", &["member", "coffee_maker"]),
        TEST_SECRET.as_bytes(),
    );
    let reply = app.graphql_as(&token, ME, json!({})).await;
    assert_eq!(reply.json()["data"]["me"]["roles"], json!(["MEMBER"]));
}

#[tokio::test]
async fn anonymous_callers_read_the_directory_but_not_members_fields() {
    let app = TestApp::spawn().await;
    assert_eq!(app.data(ME, json!({})).await["me"], Value::Null);
    let reply = app
        .post(
            &[("content-type", "application/json")],
            json!({ "query": r#"{ organization(code: "aist") { nameEn contact { email } } }"# })
                .to_string(),
        )
        .await;
    assert_eq!(reply.status, 401, "a members' field without a token");
    let body = reply.json();
    assert_eq!(
        body["data"]["organization"],
        json!({ "nameEn": "National Institute of Advanced Industrial Science and Technology", "contact": null })
    );
    assert_eq!(only_error(&body)["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(
        only_error(&body)["path"],
        json!(["organization", "contact"])
    );
}

#[tokio::test]
async fn refused_tokens_get_401_before_anything_runs() {
    let app = TestApp::spawn().await;
    let secret = TEST_SECRET.as_bytes();
    let now = get_current_timestamp();
    let mut expired = claims("aist", &["member"]);
    expired["exp"] = json!(now - 60);
    let mut early = claims("aist", &["member"]);
    early["nbf"] = json!(now + 300);
    let mut never = claims("aist", &["member"]);
    never["exp"] = json!("never");
    let mut no_exp = claims("aist", &["member"]);
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut no_sub = claims("aist", &["member"]);
    no_sub.as_object_mut().unwrap().remove("sub");
    let mut blank_sub = claims("aist", &["member"]);
    blank_sub["sub"] = json!("  ");
    let member = claims("aist", &["member"]);
    let hs512 = encode(
        &Header::new(Algorithm::HS512),
        &member,
        &EncodingKey::from_secret(secret),
    )
    .unwrap();

    for (token, why) in [
        (hs256(&expired, secret), "expired"),
        (hs256(&early, secret), "not yet valid"),
        (hs256(&never, secret), "a string exp (CVE-2026-25537)"),
        (hs256(&no_exp, secret), "no exp"),
        (hs256(&no_sub, secret), "no sub"),
        (hs256(&blank_sub, secret), "a blank sub"),
        (
            hs256(&member, b"another-secret-of-at-least-32-bytes!!"),
            "signed with another key",
        ),
        (
            raw(json!({ "alg": "none", "typ": "JWT" }), &member, b""),
            "alg none",
        ),
        (
            raw(json!({ "alg": "HS256" }), &member, b"forged"),
            "a forged signature",
        ),
        (hs512, "an algorithm that is not configured"),
        (
            signed(Algorithm::RS256, Some("rsa-a"), &rsa(RSA_A), &member),
            "RS256 without a JWKS",
        ),
        (
            hs256(&claims("no-such-body", &["member"]), secret),
            "an institution not in the directory",
        ),
        (
            hs256(&claims("aist", &["network_admin"]), secret),
            "network_admin outside the network",
        ),
        (hs256(&claims("aist", &[]), secret), "no roles"),
        (
            hs256(&claims("aist", &["root"]), secret),
            "only unknown roles",
        ),
        ("not.a.jwt".to_owned(), "garbage"),
    ] {
        assert_refused(&app, &token, why).await;
    }

    for header in ["Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer   ", "Token abc"] {
        let reply = app
            .post(
                &[
                    ("content-type", "application/json"),
                    ("authorization", header),
                ],
                json!({ "query": "{ __typename }" }).to_string(),
            )
            .await;
        assert_eq!(reply.status, 401, "{header:?}");
    }
}

#[tokio::test]
async fn the_clock_leeway_is_a_few_seconds() {
    let app = TestApp::spawn().await;
    let now = get_current_timestamp();
    let mut just_expired = claims("aist", &["member"]);
    just_expired["exp"] = json!(now - 2);
    let reply = app
        .graphql_as(&hs256(&just_expired, TEST_SECRET.as_bytes()), ME, json!({}))
        .await;
    assert_eq!(reply.status, 200, "two seconds of skew are tolerated");
    let mut stale = claims("aist", &["member"]);
    stale["exp"] = json!(now - 30);
    assert_refused(
        &app,
        &hs256(&stale, TEST_SECRET.as_bytes()),
        "thirty seconds are not",
    )
    .await;
}

#[tokio::test]
async fn issuer_and_audience_are_checked_when_configured() {
    let app = TestApp::spawn_with(|s| {
        s.auth.issuer = Some("https://idp.aist.example".into());
        s.auth.audience = Some("iin-api".into());
    })
    .await;
    let good = app.token("alice", "aist", &[Role::Member]);
    assert_eq!(app.graphql_as(&good, ME, json!({})).await.status, 200);
    let secret = TEST_SECRET.as_bytes();
    let mut wrong_iss = claims("aist", &["member"]);
    wrong_iss["iss"] = json!("https://evil.example");
    wrong_iss["aud"] = json!("iin-api");
    assert_refused(&app, &hs256(&wrong_iss, secret), "another issuer").await;
    let mut wrong_aud = claims("aist", &["member"]);
    wrong_aud["iss"] = json!("https://idp.aist.example");
    wrong_aud["aud"] = json!("another-api");
    assert_refused(&app, &hs256(&wrong_aud, secret), "another audience").await;
    assert_refused(
        &app,
        &hs256(&claims("aist", &["member"]), secret),
        "no iss or aud",
    )
    .await;
}

#[tokio::test]
async fn rs256_and_es256_tokens_verify_against_a_jwks_file() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwt/jwks-a.json");
    let app = TestApp::spawn_with(|s| {
        s.auth.jwks = Some(JwksSource::File(path));
        s.auth.algorithms = vec![Algorithm::HS256, Algorithm::RS256, Algorithm::ES256];
    })
    .await;
    let member = claims("jetro", &["member"]);
    let ec = EncodingKey::from_ec_pem(EC_A).unwrap();
    for token in [
        signed(Algorithm::RS256, Some("rsa-a"), &rsa(RSA_A), &member),
        signed(Algorithm::ES256, Some("ec-a"), &ec, &member),
    ] {
        let reply = app.graphql_as(&token, ME, json!({})).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json()["data"]["me"]["institution"]["code"], "jetro");
    }
    for (token, why) in [
        (
            signed(Algorithm::RS256, None, &rsa(RSA_A), &member),
            "no kid",
        ),
        (
            signed(Algorithm::RS256, Some("rsa-b"), &rsa(RSA_B), &member),
            "a kid not in the set",
        ),
        (
            signed(Algorithm::RS256, Some("rsa-a"), &rsa(RSA_B), &member),
            "the wrong private key",
        ),
        (
            signed(Algorithm::RS256, Some("ec-a"), &rsa(RSA_A), &member),
            "an RSA token naming the EC key",
        ),
        (
            signed(Algorithm::ES256, Some("rsa-a"), &ec, &member),
            "an EC token naming the RSA key",
        ),
        // HS/RS confusion: the public key set used as an HMAC secret.
        (
            signed(
                Algorithm::HS256,
                Some("rsa-a"),
                &EncodingKey::from_secret(JWKS_A.as_bytes()),
                &member,
            ),
            "HS256 keyed with the public keys",
        ),
    ] {
        assert_refused(&app, &token, why).await;
    }
}

#[tokio::test]
async fn a_jwks_only_server_refuses_hs256_outright() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwt/jwks-a.json");
    let app = TestApp::spawn_with(|s| {
        s.auth.jwt_secret = None;
        s.auth.jwks = Some(JwksSource::File(path));
        s.auth.algorithms = vec![Algorithm::RS256, Algorithm::ES256];
    })
    .await;
    let member = claims("jetro", &["member"]);
    assert_refused(
        &app,
        &hs256(&member, TEST_SECRET.as_bytes()),
        "HS256 is not configured",
    )
    .await;
    assert_refused(
        &app,
        &hs256(&member, JWKS_A.as_bytes()),
        "HS256 keyed with the public keys",
    )
    .await;
}

/// Serves whatever key set `keys` holds at `/jwks.json`, like an identity provider.
async fn identity_provider(keys: Arc<Mutex<String>>) -> String {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let keys = keys.clone();
        App::new().route(
            "/jwks.json",
            web::get().to(move || {
                let body = keys.lock().unwrap().clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}/jwks.json")
}

#[tokio::test]
async fn a_rotated_key_set_is_fetched_again_without_a_restart() {
    let keys = Arc::new(Mutex::new(JWKS_A.to_owned()));
    let url = identity_provider(keys.clone()).await;
    let app = TestApp::spawn_with(|s| {
        s.auth.jwks = Some(JwksSource::Url(url));
        s.auth.algorithms = vec![Algorithm::RS256, Algorithm::ES256];
        s.auth.jwks_min_refresh = std::time::Duration::ZERO;
    })
    .await;
    let member = claims("jst", &["member"]);
    let old = signed(Algorithm::RS256, Some("rsa-a"), &rsa(RSA_A), &member);
    let new = signed(Algorithm::RS256, Some("rsa-b"), &rsa(RSA_B), &member);
    assert_eq!(app.graphql_as(&old, ME, json!({})).await.status, 200);
    assert_refused(&app, &new, "a key the provider has not published yet").await;

    *keys.lock().unwrap() = JWKS_B.to_owned();
    assert_eq!(
        app.graphql_as(&new, ME, json!({})).await.status,
        200,
        "the new key is fetched"
    );
    assert_refused(&app, &old, "the retired key is gone").await;
}

#[tokio::test]
async fn a_tokens_institution_is_looked_up_once_and_an_unknown_one_every_time() {
    let app = TestApp::spawn().await;
    let member = app.token("member@jetro", "jetro", &[Role::Member]);
    let statements_for = |token: String| {
        let app = &app;
        async move {
            let before = app.statements().await;
            let reply = app.graphql_as(&token, ME, json!({})).await;
            (app.statements().await - before, reply)
        }
    };
    // The first request looks JETRO up and then reads it for `institution`; the next ones only
    // read it.
    let (first, reply) = statements_for(member.clone()).await;
    assert_eq!(reply.json()["data"]["me"]["institution"]["code"], "jetro");
    let (again, reply) = statements_for(member.clone()).await;
    assert_eq!(reply.json()["data"]["me"]["institution"]["code"], "jetro");
    assert_eq!((first, again), (2, 1));

    // An institution not (yet) in the directory is refused, and not remembered as absent: once
    // the network adds it, the same token works.
    let newcomer = app.token("head@kyoto-itf", "kyoto-itf", &[Role::Member]);
    assert_eq!(app.graphql_as(&newcomer, ME, json!({})).await.status, 401);
    let network = app.token("root@iin", "iin-japan", &[Role::NetworkAdmin]);
    let created = app
        .graphql_as(
            &network,
            r#"mutation($key: String!) { createOrganization(idempotencyKey: $key, input: { code: "kyoto-itf", nameJa: "京都産業技術振興財団",
                nameEn: "Kyoto Industrial Technology Foundation", kind: LOCAL_GOVERNMENT_SUPPORT,
                membership: MEMBER, prefectureCode: 26 }) { code } }"#,
            json!({}),
        )
        .await
        .json();
    assert_eq!(
        created["data"]["createOrganization"]["code"], "kyoto-itf",
        "{created:#}"
    );
    let reply = app.graphql_as(&newcomer, ME, json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["data"]["me"]["institution"]["code"],
        "kyoto-itf"
    );
}

#[tokio::test]
async fn a_token_type_must_be_accepted_and_a_token_must_be_short() {
    let app = TestApp::spawn().await;
    let secret = TEST_SECRET.as_bytes();
    let member = claims("aist", &["member"]);
    let typed = |typ: Option<&str>, claims: &Value| {
        let mut header = Header::new(Algorithm::HS256);
        header.typ = typ.map(str::to_owned);
        encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
    };
    // Media types compare case-insensitively, with or without `application/`.
    for typ in [
        None,
        Some("JWT"),
        Some("jwt"),
        Some("at+jwt"),
        Some("AT+JWT"),
        Some("application/at+jwt"),
    ] {
        let reply = app.graphql_as(&typed(typ, &member), ME, json!({})).await;
        assert_eq!(reply.status, 200, "typ {typ:?}: {}", reply.text);
    }
    for typ in ["JOSE", "dpop+jwt", "secevent+jwt", "", "application/json"] {
        assert_refused(&app, &typed(Some(typ), &member), &format!("typ {typ:?}")).await;
    }

    // A well-signed token of more than 8 KiB is refused unread; one just under passes.
    let padded = |bytes: usize| {
        let mut claims = member.clone();
        claims["pad"] = json!("x".repeat(bytes));
        typed(Some("JWT"), &claims)
    };
    let long = padded(6200);
    assert!(long.len() > 8 * 1024, "{}", long.len());
    assert_refused(&app, &long, "a token of more than 8 KiB").await;
    let short = padded(5800);
    assert!(short.len() <= 8 * 1024, "{}", short.len());
    assert_eq!(app.graphql_as(&short, ME, json!({})).await.status, 200);

    // The same rules over the WebSocket: the socket closes with 4401.
    for token in [long, typed(Some("JOSE"), &member)] {
        let mut request =
            tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
                app.url("/graphql").replace("http://", "ws://"),
            )
            .unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        iin_tests::ws::send(
            &mut socket,
            json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }),
        )
        .await;
        let closed = iin_tests::ws::receive(&mut socket).await;
        assert_eq!(closed["type"], "close", "{closed:#}");
        assert!(
            closed["frame"]
                .as_str()
                .unwrap_or_default()
                .contains("4401"),
            "{closed:#}"
        );
    }
}
