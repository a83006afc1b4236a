//! Prometheus metrics, served as text on their own HTTP port (`/metrics`):
//! requests by method and gRPC code, latency histograms, queue depth, running
//! jobs, proofs by outcome, proving time, and proofs per second over the last
//! minute.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::collections::VecDeque;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A request's labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The gRPC method path.
    pub method: String,
    /// The gRPC status code name.
    pub code: String,
}

/// A method label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabels {
    /// The gRPC method path.
    pub method: String,
}

/// A proof outcome label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `succeeded` or `failed`.
    pub outcome: String,
}

type HistogramFamily = Family<MethodLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.25 ms .. about 8 s.
    Histogram::new(exponential_buckets(0.00025, 2.0, 16))
}

const WINDOW: Duration = Duration::from_secs(60);

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    /// Jobs waiting for a worker.
    pub queue_depth: Gauge,
    /// Jobs being proved.
    pub running: Gauge,
    proofs: Family<OutcomeLabels, Counter>,
    prove_seconds: Histogram,
    proofs_per_second: Gauge<f64, AtomicU64>,
    recent: Mutex<VecDeque<Instant>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("veil");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = HistogramFamily::new_with_constructor(latency_histogram as fn() -> Histogram);
        let queue_depth = Gauge::default();
        let running = Gauge::default();
        let proofs = Family::<OutcomeLabels, Counter>::default();
        let prove_seconds = Histogram::new(exponential_buckets(0.05, 1.5, 16));
        let proofs_per_second = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "grpc_requests",
            "gRPC requests by method and status",
            requests.clone(),
        );
        registry.register(
            "grpc_request_duration_seconds",
            "gRPC request latency (until response headers for streams)",
            latency.clone(),
        );
        registry.register(
            "queue_depth",
            "Proving jobs waiting for a worker",
            queue_depth.clone(),
        );
        registry.register("jobs_running", "Proving jobs being proved", running.clone());
        registry.register(
            "proofs",
            "Proving jobs finished, by outcome",
            proofs.clone(),
        );
        registry.register(
            "prove_duration_seconds",
            "Time in the Groth16 prover per proof",
            prove_seconds.clone(),
        );
        registry.register(
            "proofs_per_second",
            "Proofs completed per second over the last minute",
            proofs_per_second.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            queue_depth,
            running,
            proofs,
            prove_seconds,
            proofs_per_second,
            recent: Mutex::new(VecDeque::new()),
        }
    }

    /// Records one answered request.
    pub fn record_request(&self, method: &str, code: tonic::Code, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                code: format!("{code:?}"),
            })
            .inc();
        self.latency
            .get_or_create(&MethodLabels {
                method: method.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Records a finished job.
    pub fn record_proof(&self, succeeded: bool, elapsed: Option<Duration>) {
        let outcome = if succeeded { "succeeded" } else { "failed" };
        self.proofs
            .get_or_create(&OutcomeLabels {
                outcome: outcome.into(),
            })
            .inc();
        if let Some(elapsed) = elapsed {
            self.prove_seconds.observe(elapsed.as_secs_f64());
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            recent.push_back(Instant::now());
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        {
            let now = Instant::now();
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            while recent
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) > WINDOW)
            {
                recent.pop_front();
            }
            self.proofs_per_second
                .set(recent.len() as f64 / WINDOW.as_secs_f64());
        }
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Serves `GET /metrics` on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, metrics: std::sync::Arc<Metrics>) {
    crate::http::serve(listener, "metrics", None, move |request| {
        if request.uri().path() == "/metrics" {
            crate::http::response(
                200,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                metrics.render().into_bytes(),
            )
        } else {
            crate::http::response(404, "text/plain", b"not found: try /metrics\n".to_vec())
        }
    })
    .await
}
