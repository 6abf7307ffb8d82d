//! Prometheus metrics at `/metrics`: requests and their latency by route and status, GraphQL
//! errors by code, SQL statements and their latency, the database pool, the store of
//! automatic persisted queries, the response cache (hits, misses, evictions) and whether the
//! read replica is in use.

use std::time::Instant;

use actix_web::{
    Error, HttpResponse,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};

use super::AppState;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    errors: IntCounterVec,
    statements: IntCounterVec,
    statement_latency: prometheus::Histogram,
    pool_size: IntGauge,
    pool_idle: IntGauge,
    operations_running: IntGauge,
    operations_waiting: IntGauge,
    apq_entries: IntGauge,
    apq_bytes: IntGauge,
    apq_evictions: prometheus::IntCounter,
    response_cache: super::response_cache::Counters,
    replica_in_use: IntGauge,
}

/// Holds one unit of a gauge for as long as it lives: an operation that finishes, fails or times
/// out gives it back the same way.
pub struct Held(IntGauge);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("iin".into()), None).expect("a valid prefix");
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let errors = IntCounterVec::new(
            Opts::new(
                "graphql_errors_total",
                "GraphQL errors returned, by extensions.code",
            ),
            &["code"],
        )
        .expect("valid metric");
        let statements = IntCounterVec::new(
            Opts::new(
                "db_statements_total",
                "SQL statements run, by outcome (ok or error)",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let statement_latency = prometheus::Histogram::with_opts(
            HistogramOpts::new("db_statement_duration_seconds", "SQL statement latency").buckets(
                vec![
                    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5,
                ],
            ),
        )
        .expect("valid metric");
        let pool_size = IntGauge::new("db_pool_connections", "Database connections open")
            .expect("valid metric");
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Database connections idle")
            .expect("valid metric");
        let operations_running = IntGauge::new(
            "graphql_operations_running",
            "GraphQL operations executing (at most IIN_MAX_CONCURRENT_OPERATIONS)",
        )
        .expect("valid metric");
        let operations_waiting = IntGauge::new(
            "graphql_operations_waiting",
            "GraphQL operations waiting for their turn to execute",
        )
        .expect("valid metric");
        let apq_entries = IntGauge::new(
            "apq_entries",
            "Automatic persisted queries stored (at most IIN_APQ_MAX_ENTRIES), after this instance's last store",
        )
        .expect("valid metric");
        let apq_bytes = IntGauge::new(
            "apq_bytes",
            "Bytes of the automatic persisted queries stored (at most IIN_APQ_MAX_BYTES), after this instance's last store",
        )
        .expect("valid metric");
        let apq_evictions = prometheus::IntCounter::new(
            "apq_evictions_total",
            "Automatic persisted queries evicted, oldest first, by this instance",
        )
        .expect("valid metric");
        let counter =
            |name: &str, help: &str| prometheus::IntCounter::new(name, help).expect("valid metric");
        let response_cache = super::response_cache::Counters {
            hits: counter(
                "response_cache_hits_total",
                "Anonymous operations answered from the response cache",
            ),
            misses: counter(
                "response_cache_misses_total",
                "Anonymous operations looked up in the response cache and executed",
            ),
            evictions: counter(
                "response_cache_evictions_total",
                "Replies evicted from the response cache to stay within IIN_RESPONSE_CACHE_MB",
            ),
        };
        let replica_in_use = IntGauge::new(
            "db_replica_in_use",
            "1 while the read replica (DATABASE_REPLICA_URL) answers reads: up, and within IIN_REPLICA_MAX_LAG_MS",
        )
        .expect("valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(errors.clone()),
            Box::new(statements.clone()),
            Box::new(statement_latency.clone()),
            Box::new(pool_size.clone()),
            Box::new(pool_idle.clone()),
            Box::new(operations_running.clone()),
            Box::new(operations_waiting.clone()),
            Box::new(apq_entries.clone()),
            Box::new(apq_bytes.clone()),
            Box::new(apq_evictions.clone()),
            Box::new(response_cache.hits.clone()),
            Box::new(response_cache.misses.clone()),
            Box::new(response_cache.evictions.clone()),
            Box::new(replica_in_use.clone()),
        ] {
            registry
                .register(collector)
                .expect("each metric registered once");
        }
        Self {
            registry,
            requests,
            latency,
            errors,
            statements,
            statement_latency,
            pool_size,
            pool_idle,
            operations_running,
            operations_waiting,
            apq_entries,
            apq_bytes,
            apq_evictions,
            response_cache,
            replica_in_use,
        }
    }

    /// The response cache's counters, for the cache.
    pub fn response_cache(&self) -> super::response_cache::Counters {
        self.response_cache.clone()
    }

    /// The replica's gauge, for its health check.
    pub fn replica_in_use(&self) -> IntGauge {
        self.replica_in_use.clone()
    }

    /// The persisted-query store's metrics, for the code that stores.
    pub fn apq(&self) -> ApqMetrics {
        ApqMetrics {
            entries: self.apq_entries.clone(),
            bytes: self.apq_bytes.clone(),
            evictions: self.apq_evictions.clone(),
        }
    }

    /// An operation waiting for its turn, until dropped.
    pub fn waiting(&self) -> Held {
        self.operations_waiting.inc();
        Held(self.operations_waiting.clone())
    }

    /// An operation executing, until dropped.
    pub fn running(&self) -> Held {
        self.operations_running.inc();
        Held(self.operations_running.clone())
    }

    /// Counts and times every statement the connection runs (SeaORM's metric callback). The
    /// counters are shared, so this may be called on the connection before `self` is stored.
    pub fn observe_statements(&self, db: &mut DatabaseConnection) {
        let ok = self.statements.with_label_values(&["ok"]);
        let failed = self.statements.with_label_values(&["error"]);
        let latency = self.statement_latency.clone();
        db.set_metric_callback(move |info| {
            let counter = if info.failed { &failed } else { &ok };
            counter.inc();
            latency.observe(info.elapsed.as_secs_f64());
        });
    }

    pub fn error(&self, code: &str) {
        self.errors.with_label_values(&[code]).inc();
    }

    fn render(&self, db: &DatabaseConnection) -> String {
        let (size, idle) = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DatabaseBackend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        };
        self.pool_size.set(i64::from(size));
        self.pool_idle.set(i64::try_from(idle).unwrap_or(i64::MAX));
        let mut text = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut text);
        String::from_utf8(text).unwrap_or_default()
    }
}

/// The size of the persisted-query store as this instance last saw it (after its last store),
/// and the documents it evicted.
#[derive(Clone)]
pub struct ApqMetrics {
    entries: IntGauge,
    bytes: IntGauge,
    evictions: prometheus::IntCounter,
}

impl ApqMetrics {
    pub fn record(&self, usage: &crate::domain::persisted::Usage) {
        self.entries
            .set(i64::try_from(usage.entries).unwrap_or(i64::MAX));
        self.bytes
            .set(i64::try_from(usage.bytes).unwrap_or(i64::MAX));
        self.evictions.inc_by(usage.evicted);
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Counts and times every request, labelled by its route pattern (never the raw path).
pub async fn measure(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(req).await?;
    if let Some(state) = state {
        let status = response.status().as_u16().to_string();
        state
            .metrics
            .requests
            .with_label_values(&[&route, &status])
            .inc();
        state
            .metrics
            .latency
            .with_label_values(&[&route])
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(response)
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(state.metrics.render(&state.db))
}
