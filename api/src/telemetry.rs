//! Logging, set up once: `tracing` to stderr (stdout stays clean for commands that print), as
//! text or as JSON (`IIN_LOG_FORMAT=json`), filtered by `RUST_LOG` (default `info`). Text carries
//! ANSI colours only when stderr is a terminal, so files and log collectors get plain lines. When
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, spans also go to that OpenTelemetry collector (OTLP over
//! HTTP, `…/v1/traces`, in batches); nothing is exported otherwise.

use std::io::IsTerminal;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::{EnvFilter, Layer, fmt, layer::SubscriberExt, util::SubscriberInitExt};

/// Flushes the spans still buffered when dropped (at the end of `main`).
pub struct Telemetry(Option<SdkTracerProvider>);

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.0.take() {
            // The exporter blocks; it may not run on an async runtime's thread.
            let _ = std::thread::spawn(move || provider.shutdown()).join();
        }
    }
}

/// The collector's base URL, when one is configured.
pub fn otlp_endpoint(lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    lookup("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .or_else(|| lookup("OTEL_EXPORTER_OTLP_ENDPOINT"))
        .filter(|url| !url.trim().is_empty())
}

fn tracer_provider() -> Option<SdkTracerProvider> {
    otlp_endpoint(|name| std::env::var(name).ok())?;
    // The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS, …) from the environment.
    // Its blocking HTTP client must be built off the async runtime.
    let exporter = std::thread::spawn(|| {
        opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .build()
    })
    .join()
    .ok()?;
    let exporter = match exporter {
        Ok(exporter) => exporter,
        Err(err) => {
            eprintln!("iin-api: OpenTelemetry export disabled: {err}");
            return None;
        }
    };
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name("iin-api")
        .build();
    Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build(),
    )
}

pub fn init() -> Telemetry {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("IIN_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let logs = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let logs = if json {
        logs.json().boxed()
    } else {
        logs.boxed()
    };
    let provider = tracer_provider();
    let spans = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("iin-api")));
    // A second initialisation (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(logs)
        .with(spans)
        .try_init();
    Telemetry(provider)
}

/// Makes `span` a child of the W3C trace context in `headers` (`traceparent`, `tracestate`), for
/// the collector; without one, or without a collector, nothing changes.
pub fn continue_trace(span: &tracing::Span, headers: &actix_web::http::header::HeaderMap) {
    use opentelemetry::propagation::{Extractor, TextMapPropagator};
    use tracing_opentelemetry::OpenTelemetrySpanExt;

    struct Headers<'a>(&'a actix_web::http::header::HeaderMap);
    impl Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|v| v.to_str().ok())
        }
        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(|k| k.as_str()).collect()
        }
    }
    if !headers.contains_key("traceparent") {
        return;
    }
    let context =
        opentelemetry_sdk::propagation::TraceContextPropagator::new().extract(&Headers(headers));
    let _ = span.set_parent(context);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_exported_without_an_endpoint() {
        assert_eq!(otlp_endpoint(|_| None), None);
        assert_eq!(otlp_endpoint(|_| Some(" ".into())), None);
        assert_eq!(
            otlp_endpoint(|name| (name == "OTEL_EXPORTER_OTLP_ENDPOINT")
                .then(|| "http://collector:4318".into())),
            Some("http://collector:4318".into())
        );
    }
}
