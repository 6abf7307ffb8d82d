//! End-to-end test support: [`TestApp::spawn`] starts the real server, built exactly as `main`
//! builds it, on a random port and a database of its own: a fresh SQLite file, or, when
//! `IIN_TEST_POSTGRES_URL` names a PostgreSQL server, a fresh database there (dropped afterwards).
//! Tests speak HTTP to it.

pub mod private_postgres;

use std::{io::Write, path::PathBuf, sync::Once, time::Duration};

use iin_api::{
    Application, Settings,
    auth::{Role, token},
    db,
    settings::AuthSettings,
};
use reqwest::{StatusCode, Url, header::HeaderMap};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

pub const POSTGRES_URL_VAR: &str = "IIN_TEST_POSTGRES_URL";

/// Every score of an evaluation, as a GraphQL input literal: each part's mean is 3.5 (a B).
pub const COMPLETE_SCORES: &str = r#"{
    financial: [{ indicator: SALES_GROWTH, score: 4, figures: [{ fiscalYear: 2024, value: 6.5 }] },
                { indicator: OPERATING_MARGIN, score: 3 }, { indicator: LABOR_PRODUCTIVITY, score: 3 },
                { indicator: DEBT_TO_EBITDA, score: 4 }, { indicator: WORKING_CAPITAL_TURNOVER, score: 3 },
                { indicator: EQUITY_RATIO, score: 4 }],
    nonFinancial: [{ view: OWNER, score: 4 }, { view: STAKEHOLDERS, score: 3 }, { view: BUSINESS, score: 4 },
                   { view: INTERNAL_CONTROLS, score: 3 }],
    technology: [{ criterion: NOVELTY, score: 4 }, { criterion: COMPETITIVENESS, score: 4 },
                 { criterion: FEASIBILITY, score: 3 }, { criterion: MARKET, score: 3 }],
    trl: 6 }"#;

/// The HS256 secret every test server accepts.
pub const TEST_SECRET: &str = "test-secret-of-at-least-32-bytes-for-hs256";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backend this run uses, announced once on stderr (past the test harness's capture).
pub fn backend() -> Backend {
    static ANNOUNCE: Once = Once::new();
    let backend = if postgres_admin_url().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    ANNOUNCE.call_once(|| {
        let message = match backend {
            Backend::Postgres => "end-to-end tests run on PostgreSQL\n".to_owned(),
            Backend::Sqlite => format!(
                "\n**********************************************************************\n\
                 * PostgreSQL SKIPPED: {POSTGRES_URL_VAR} is not set, so the end-to-end\n\
                 * tests run on SQLite only. Run them on PostgreSQL too with e.g.\n\
                 *   {POSTGRES_URL_VAR}=postgres://postgres@127.0.0.1:5432/test cargo test --workspace\n\
                 **********************************************************************\n"
            ),
        };
        let _ = std::io::stderr().write_all(message.as_bytes());
    });
    backend
}

fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// A database that exists for one test and is removed with it.
pub enum TestDatabase {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new, empty database, and its URL.
    pub async fn create() -> (Self, String) {
        let name = format!("iin_test_{}", uuid::Uuid::new_v4().simple());
        match backend() {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.sqlite"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                (Self::Sqlite(path), url)
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url().expect("checked by backend()");
                let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("cannot reach PostgreSQL at {POSTGRES_URL_VAR}: {e}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create the test database");
                admin.close().await.ok();
                let mut url = Url::parse(&admin_url).expect("a postgres:// URL");
                url.set_path(&format!("/{name}"));
                (Self::Postgres { admin_url, name }, url.to_string())
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            Self::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Self::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; a thread of its own may block on another.
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    runtime.block_on(async {
                        let admin = Database::connect(&admin_url).await?;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await?;
                        admin.close().await
                    })?;
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
                })
                .join();
                if !matches!(dropped, Ok(Ok(()))) {
                    eprintln!("warning: could not drop a test database");
                }
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    /// The server's own database, for arranging what HTTP cannot.
    pub db: DatabaseConnection,
    pub auth: AuthSettings,
    /// The database's URL, for a second instance beside this one.
    pub database_url: String,
    /// Stops the server (gracefully or not), as SIGTERM or SIGINT would.
    pub handle: actix_web::dev::ServerHandle,
    client: reqwest::Client,
    /// The database this instance created and drops; `None` for a second instance.
    _database: Option<TestDatabase>,
}

/// What a caller sees of one HTTP exchange.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the server with settings adjusted by `adjust` (the listen address and the database
    /// are the test's own whatever `adjust` does).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let (database, url) = TestDatabase::create().await;
        Self::start(Some(database), url, adjust).await
    }

    /// The server on a database the test provides by URL (such as a
    /// [`private_postgres::PrivatePostgres`]), migrated and seeded like any other.
    pub async fn spawn_on(url: String, adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::start(None, url, adjust).await
    }

    /// A second API instance on this one's database, as behind a load balancer.
    pub async fn spawn_beside(&self) -> Self {
        Self::start(None, self.database_url.clone(), |_| {}).await
    }

    async fn start(
        database: Option<TestDatabase>,
        url: String,
        adjust: impl FnOnce(&mut Settings),
    ) -> Self {
        let backend = backend();
        let mut settings = Settings::from_lookup(|_| None).expect("default settings");
        settings.workers = 1;
        settings.shutdown_timeout = Duration::from_secs(1);
        settings.auth.jwt_secret = Some(TEST_SECRET.to_owned());
        settings.auth.algorithms = vec![jsonwebtoken::Algorithm::HS256];
        // Scenarios send requests in bursts from one address; the rate limit's own tests set it.
        settings.http.rate_limit.per_minute = 0;
        settings.http.rate_limit.anonymous_per_minute = 0;
        adjust(&mut settings);
        settings.listen = "127.0.0.1:0".parse().expect("an address");
        settings.database.url = url.clone();
        settings.database.max_connections = 5;

        let pool = db::connect(&settings.database)
            .await
            .expect("connect to the test database");
        db::prepare(&pool, settings.seed_when_empty)
            .await
            .expect("migrate and seed");
        let auth = settings.auth.clone();
        let app = Application::with_database(settings, pool.clone())
            .await
            .expect("start the server");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            backend,
            db: pool,
            auth,
            database_url: url,
            handle,
            // The server closes a connection idle for 5 s (actix-web's keep-alive); a client that
            // reused one idle for longer could send on a socket being closed and read an
            // incomplete reply (seen after a long arrangement, on a busy machine).
            client: reqwest::Client::builder()
                .pool_idle_timeout(Duration::from_secs(2))
                .build()
                .expect("an HTTP client"),
            _database: database,
        }
    }

    /// Holds a write on AIST's row until the returned transaction ends, so that an update of it
    /// waits; answers that update as a request (`query` and `variables`).
    pub async fn hold_aist(&self) -> (sea_orm::DatabaseTransaction, Value) {
        use sea_orm::TransactionTrait;
        let blocker = self.db.begin().await.expect("a transaction");
        blocker
            .execute_unprepared(
                "UPDATE organizations SET description_en = 'held' WHERE code = 'aist'",
            )
            .await
            .expect("AIST's row is held");
        let aist = self
            .data(r#"{ organization(code: "aist") { id } }"#, json!({}))
            .await["organization"]["id"]
            .clone();
        let update = json!({
            "query": r#"mutation($id: ID!) { updateOrganization(id: $id, input: { descriptionEn: "late" }) { id } }"#,
            "variables": { "id": aist },
        });
        (blocker, update)
    }

    /// A member bank (an organisation of kind `FINANCIAL_INSTITUTION`) added by a network admin,
    /// as referrals need one; answers its ID.
    pub async fn bank(&self, code: &str, prefecture_code: i32) -> Value {
        let admin = self.token("admin@iin-japan", "iin-japan", &[Role::NetworkAdmin]);
        let body = self
            .graphql_as(
                &admin,
                r#"mutation($code: String!, $p: Int!) { createOrganization(idempotencyKey: $code, input: {
                    code: $code, nameJa: "試験銀行", nameEn: $code, kind: FINANCIAL_INSTITUTION,
                    membership: MEMBER, prefectureCode: $p }) { id } }"#,
                json!({ "code": code, "p": prefecture_code }),
            )
            .await
            .json();
        assert!(body.get("errors").is_none(), "adding a bank: {body:#}");
        body["data"]["createOrganization"]["id"].clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// SQL statements the server has run since it started, as its `/metrics` counts them.
    pub async fn statements(&self) -> u64 {
        let text = self.get("/metrics", &[]).await.text;
        text.lines()
            .filter(|line| line.starts_with("iin_db_statements_total{"))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as u64
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        // A GET is safe to send again: once more on a new connection when a pooled one was closed
        // by the server's keep-alive as it was reused (seen on a loaded machine).
        let again = request.try_clone().expect("a GET has no streaming body");
        match request.send().await {
            Ok(response) => Self::read(response).await,
            Err(err) if err.is_request() => Self::reply(again).await,
            Err(err) => panic!("the server answers: {err:?}"),
        }
    }

    /// A raw POST to `/graphql`.
    pub async fn post(&self, headers: &[(&str, &str)], body: impl Into<reqwest::Body>) -> Reply {
        let mut request = self.client.post(self.url("/graphql")).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        // As for a GET: a request that could not be sent on a pooled connection the server had
        // just closed never reached it, and goes once more on a new connection. (A mutation sent
        // twice would carry the same idempotency key anyway.)
        let again = request.try_clone().expect("a POST body in memory");
        match request.send().await {
            Ok(response) => Self::read(response).await,
            Err(err) if err.is_request() => Self::reply(again).await,
            Err(err) => panic!("the server answers: {err:?}"),
        }
    }

    /// A GraphQL request as a partner's client sends it; answers the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let variables = with_fresh_key(query, variables);
        let reply = self
            .post(
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/graphql-response+json"),
                ],
                json!({ "query": query, "variables": variables }).to_string(),
            )
            .await;
        reply.json()
    }

    /// Like [`Self::graphql`], but the request must succeed: answers `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// A token for `sub` acting for `institution` with `roles`, valid for an hour.
    pub fn token(&self, sub: &str, institution: &str, roles: &[Role]) -> String {
        token::issue_hs256(
            &self.auth,
            sub,
            institution,
            roles,
            Duration::from_secs(3600),
        )
        .expect("sign a test token")
    }

    /// A GraphQL request with `Authorization: Bearer token`; answers the whole reply.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Reply {
        let variables = with_fresh_key(query, variables);
        let bearer = format!("Bearer {token}");
        self.post(
            &[
                ("content-type", "application/json"),
                ("accept", "application/graphql-response+json"),
                ("authorization", &bearer),
            ],
            json!({ "query": query, "variables": variables }).to_string(),
        )
        .await
    }

    /// A caller bound to a token for `sub` acting for `institution` with `roles`.
    pub fn client(&self, sub: &str, institution: &str, roles: &[Role]) -> Client<'_> {
        Client {
            app: self,
            token: self.token(sub, institution, roles),
        }
    }

    /// The desk of an institution: `desk@CODE`, an evaluator and org admin there.
    pub fn desk(&self, code: &str) -> Client<'_> {
        self.client(
            &format!("desk@{code}"),
            code,
            &[Role::Evaluator, Role::OrgAdmin],
        )
    }

    /// The global ID of the organisation with `code`, read from the public directory.
    pub async fn organization_id(&self, code: &str) -> Value {
        self.data(
            "query($c: String!) { organization(code: $c) { id } }",
            json!({ "c": code }),
        )
        .await["organization"]["id"]
            .clone()
    }

    async fn reply(request: reqwest::RequestBuilder) -> Reply {
        Self::read(request.send().await.expect("the server answers")).await
    }

    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        Reply {
            status,
            headers,
            text,
        }
    }
}

/// A caller bound to its token: every request it sends carries `Authorization: Bearer TOKEN`.
pub struct Client<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl Client<'_> {
    /// Sends a document; answers the whole JSON reply (`data` and `errors`).
    pub async fn ask(&self, query: &str, variables: Value) -> Value {
        self.app
            .graphql_as(&self.token, query, variables)
            .await
            .json()
    }

    /// Sends a document that must succeed; answers its `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let body = self.ask(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}

/// The single error of a response, asserting there is exactly one.
pub fn only_error(body: &Value) -> &Value {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body:#}"));
    assert_eq!(errors.len(), 1, "expected one error: {body:#}");
    &errors[0]
}

/// The single error's code, field and message.
pub fn error_parts(body: &Value) -> (String, String, String) {
    let error = only_error(body);
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    (
        text(&error["extensions"]["code"]),
        text(&error["extensions"]["field"]),
        text(&error["message"]),
    )
}

/// The single error's code and field.
pub fn error_code_and_field(body: &Value) -> (String, String) {
    let (code, field, _) = error_parts(body);
    (code, field)
}

/// Asserts a `BAD_USER_INPUT` error naming `field`.
pub fn assert_bad_input(body: &Value, field: &str) {
    let error = only_error(body);
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body:#}");
    assert_eq!(error["extensions"]["field"], field, "{body:#}");
}

/// A GraphQL operation over the WebSocket endpoint (graphql-ws, `graphql-transport-ws`), as a
/// browser sends it: `connection_init` with the token in its payload, then one `subscribe`
/// carrying `request` (`query`, `variables`, `operationName`, `extensions`).
pub mod ws {
    use std::time::Duration;

    use futures_util::{SinkExt, StreamExt};
    use serde_json::{Value, json};
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

    use super::TestApp;

    pub type Socket = tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >;

    /// An acknowledged connection, as `token`'s caller (anonymous without one).
    pub async fn connect(app: &TestApp, token: Option<&str>) -> Socket {
        let mut request = app
            .url("/graphql")
            .replace("http://", "ws://")
            .into_client_request()
            .expect("a WebSocket request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().expect("a header value"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the upgrade succeeds");
        let payload = match token {
            Some(token) => json!({ "authorization": format!("Bearer {token}") }),
            None => json!({}),
        };
        send(
            &mut socket,
            json!({ "type": "connection_init", "payload": payload }),
        )
        .await;
        let ack = receive(&mut socket).await;
        assert_eq!(ack["type"], "connection_ack", "{ack:#}");
        socket
    }

    pub async fn send(socket: &mut Socket, message: Value) {
        socket
            .send(Message::text(message.to_string()))
            .await
            .expect("the socket takes the message");
    }

    /// The next frame, whatever it is, within ten seconds.
    pub async fn next_frame(socket: &mut Socket) -> Message {
        tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within ten seconds")
            .expect("the socket is open")
            .expect("a valid frame")
    }

    /// The next protocol message, within ten seconds; a close frame reads as
    /// `{"type": "close"}`.
    pub async fn receive(socket: &mut Socket) -> Value {
        loop {
            match next_frame(socket).await {
                Message::Text(text) => {
                    return serde_json::from_str(text.as_str()).expect("a JSON message");
                }
                Message::Close(frame) => {
                    return json!({ "type": "close", "frame": format!("{frame:?}") });
                }
                _ => {}
            }
        }
    }

    /// Sends `request` as operation `id` on an open socket.
    pub async fn subscribe(socket: &mut Socket, id: &str, request: &Value) {
        send(
            socket,
            json!({ "id": id, "type": "subscribe", "payload": request }),
        )
        .await;
    }

    /// One operation on a socket of its own: answers the payload of its first `next` message
    /// (the GraphQL response: the answer of a query or mutation, or a refusal).
    pub async fn operation(app: &TestApp, token: Option<&str>, request: &Value) -> Value {
        let mut socket = connect(app, token).await;
        subscribe(&mut socket, "1", request).await;
        let message = receive(&mut socket).await;
        assert_eq!(message["type"], "next", "{message:#}");
        assert_eq!(message["id"], "1", "{message:#}");
        message["payload"].clone()
    }
}

/// A mutation that declares `$key` (its idempotency key) and is not given one gets a fresh key,
/// so that each request of a test is a new attempt; a test of retries passes its own `key`.
pub fn with_fresh_key(query: &str, mut variables: Value) -> Value {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    if query.contains("$key:")
        && let Value::Object(map) = &mut variables
        && !map.contains_key("key")
    {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        map.insert("key".to_owned(), Value::String(format!("test-key-{n}")));
    }
    variables
}

/// For the tests that only PostgreSQL can run (several instances sharing a database, a server
/// restarted under the API): they are `#[ignore]`d, and asked to run on SQLite they fail rather than
/// pass without testing anything.
pub fn require_postgres() {
    assert!(
        backend() == Backend::Postgres,
        "this test runs on PostgreSQL only: set {POSTGRES_URL_VAR} (see the README)"
    );
}
