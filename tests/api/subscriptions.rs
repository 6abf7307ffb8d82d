//! Subscriptions over WebSocket with the graphql-ws protocol: an institution's members hear when
//! its evaluations change, through whichever API instance the change was made.

use std::time::Duration;

use futures_util::SinkExt;
use iin_api::auth::Role;
use iin_tests::{COMPLETE_SCORES, TestApp, ws};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest},
};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

const SUBSCRIBE: &str = "subscription { evaluationChanged { evaluationId status version change } }";

async fn connect(app: &TestApp, payload: Value) -> Socket {
    let mut request = app
        .url("/graphql")
        .replace("http://", "ws://")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, response) = connect_async(request).await.expect("the upgrade succeeds");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": payload }).to_string(),
        ))
        .await
        .unwrap();
    socket
}

/// A member of `institution`, subscribed to its evaluations' changes.
async fn subscriber(app: &TestApp, institution: &str) -> Socket {
    let token = app.token(
        &format!("listener@{institution}"),
        institution,
        &[Role::Member],
    );
    let mut socket = connect(app, json!({ "authorization": format!("Bearer {token}") })).await;
    assert_eq!(ws::receive(&mut socket).await["type"], "connection_ack");
    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE } })
                .to_string(),
        ))
        .await
        .unwrap();
    // Let the subscription start before anything happens.
    tokio::time::sleep(Duration::from_millis(200)).await;
    socket
}

async fn open_evaluation(app: &TestApp, institution: &str, twelve: &str) -> Value {
    let token = app.token(
        &format!("desk@{institution}"),
        institution,
        &[Role::Evaluator, Role::OrgAdmin],
    );
    let sme = app
        .graphql_as(
            &token,
            r#"mutation($n: String!, $k: String!) { createSme(idempotencyKey: $k, input: { corporateNumber: $n, nameJa: "試験", nameEn: "Test", prefectureCode: 13 }) { id } }"#,
            json!({ "n": iin_api::domain::corporate_number::with_check_digit(twelve), "k": twelve }),
        )
        .await
        .json()["data"]["createSme"]["id"]
        .clone();
    let query = format!(
        "mutation($sme: ID!, $k: String!) {{ createEvaluation(idempotencyKey: $k, input: {{ smeId: $sme, scores: {COMPLETE_SCORES} }}) {{ id }} }}"
    );
    let body = app
        .graphql_as(
            &token,
            &query,
            json!({ "sme": sme, "k": format!("e{twelve}") }),
        )
        .await
        .json();
    body["data"]["createEvaluation"]["id"].clone()
}

async fn submit(app: &TestApp, institution: &str, id: &Value) {
    let token = app.token(
        &format!("desk@{institution}"),
        institution,
        &[Role::Evaluator],
    );
    let body = app
        .graphql_as(
            &token,
            "mutation($id: ID!) { submitEvaluation(id: $id, idempotencyKey: \"s\") { status } }",
            json!({ "id": id }),
        )
        .await
        .json();
    assert_eq!(
        body["data"]["submitEvaluation"]["status"], "SUBMITTED",
        "{body:#}"
    );
}

#[tokio::test]
async fn members_hear_their_institutions_evaluations_change() {
    let app = TestApp::spawn().await;
    let mut socket = subscriber(&app, "aist").await;
    // Another institution's changes are not ours to hear.
    open_evaluation(&app, "jetro", "200000000001").await;
    let id = open_evaluation(&app, "aist", "200000000002").await;
    let created = ws::receive(&mut socket).await;
    assert_eq!(created["type"], "next");
    assert_eq!(
        created["payload"]["data"]["evaluationChanged"],
        json!({ "evaluationId": id, "status": "DRAFT", "version": 1, "change": "created" })
    );
    submit(&app, "aist", &id).await;
    let submitted = ws::receive(&mut socket).await;
    assert_eq!(
        submitted["payload"]["data"]["evaluationChanged"]["status"],
        "SUBMITTED"
    );
    assert_eq!(
        submitted["payload"]["data"]["evaluationChanged"]["version"],
        2
    );
}

#[tokio::test]
async fn a_bad_token_closes_the_socket_with_4401_and_anonymous_callers_are_told_to_sign_in() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app, json!({ "authorization": "Bearer not-a-token" })).await;
    match ws::next_frame(&mut socket).await {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 4401),
        other => panic!("expected a close frame, got {other:?}"),
    }

    let mut anonymous = connect(&app, json!({})).await;
    assert_eq!(ws::receive(&mut anonymous).await["type"], "connection_ack");
    anonymous
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE } })
                .to_string(),
        ))
        .await
        .unwrap();
    // An execution error (not a validation error), so graphql-ws carries it in a `next` message.
    let refused = ws::receive(&mut anonymous).await;
    assert_eq!(refused["type"], "next", "{refused:#}");
    assert_eq!(refused["payload"]["data"], Value::Null);
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
#[ignore = "PostgreSQL only: run with IIN_TEST_POSTGRES_URL set and --include-ignored, as .ci/run does"]
async fn a_change_through_one_instance_reaches_subscribers_of_another() {
    // Several instances share events through PostgreSQL only.
    iin_tests::require_postgres();
    let first = TestApp::spawn().await;
    let second = first.spawn_beside().await;
    let mut socket = subscriber(&second, "aist").await;
    let id = open_evaluation(&first, "aist", "200000000003").await;
    let heard = ws::receive(&mut socket).await;
    assert_eq!(
        heard["payload"]["data"]["evaluationChanged"],
        json!({ "evaluationId": id, "status": "DRAFT", "version": 1, "change": "created" })
    );
}
