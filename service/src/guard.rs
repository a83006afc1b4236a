//! The tower layer in front of every gRPC service: limits on requests in
//! flight (over one, `ResourceExhausted` at once instead of an unbounded
//! queue), and the request metrics.
//!
//! Each veil service has its own budget, split between callers that present
//! an API key and anonymous ones, so a flood of one kind cannot take another
//! service's or the keyed callers' slots (a unary `Prove` holds its slot
//! while its job waits). Health and reflection have no budget: a liveness
//! probe is always answered. A presented key is only checked by the
//! interceptor behind this layer; a bogus one is refused there at once, so
//! it holds a keyed slot for a moment only.

use crate::metrics::Metrics;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::sync::Semaphore;
use tonic::body::Body;
use tower::{Layer, Service};

/// One service's in-flight budgets.
struct Budget {
    keyed: Arc<Semaphore>,
    anonymous: Arc<Semaphore>,
}

/// Adds [`Guard`] around a service.
#[derive(Clone)]
pub struct GuardLayer {
    budgets: Arc<HashMap<String, Budget>>,
    metrics: Arc<Metrics>,
}

impl GuardLayer {
    /// For each gRPC service named (`veil.v1.Verifier`, …): at most
    /// `keyed` requests at once from callers presenting a key and
    /// `anonymous` from the others. Services not named are not limited.
    pub fn new(services: &[&str], keyed: usize, anonymous: usize, metrics: Arc<Metrics>) -> Self {
        let budgets = services
            .iter()
            .map(|name| {
                let budget = Budget {
                    keyed: Arc::new(Semaphore::new(keyed.max(1))),
                    anonymous: Arc::new(Semaphore::new(anonymous.max(1))),
                };
                (name.to_string(), budget)
            })
            .collect();
        GuardLayer {
            budgets: Arc::new(budgets),
            metrics,
        }
    }
}

/// The gRPC service a request path (`/veil.v1.Verifier/Verify`) is for.
fn service_of(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// Whether the request carries an API key header (checked later).
fn presents_key(request: &http::Request<Body>) -> bool {
    let headers = request.headers();
    headers.contains_key("authorization") || headers.contains_key("x-api-key")
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            budgets: self.budgets.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

/// The in-flight limit and request metrics around `S`.
#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    budgets: Arc<HashMap<String, Budget>>,
    metrics: Arc<Metrics>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The gRPC code of a response: in the headers for errors (trailers-only
/// responses), otherwise in the trailers, which a unary success sends as OK.
fn code_of(response: &http::Response<Body>) -> tonic::Code {
    tonic::Status::from_header_map(response.headers()).map_or(tonic::Code::Ok, |s| s.code())
}

impl<S> Service<http::Request<Body>> for Guard<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let method = request.uri().path().to_owned();
        let started = Instant::now();
        let metrics = self.metrics.clone();
        let permit = match self.budgets.get(service_of(&method)) {
            None => None,
            Some(budget) => {
                let (pool, who) = if presents_key(&request) {
                    (&budget.keyed, "keyed")
                } else {
                    (&budget.anonymous, "anonymous")
                };
                match pool.clone().try_acquire_owned() {
                    Ok(permit) => Some(permit),
                    Err(_) => {
                        metrics.record_request(
                            &method,
                            tonic::Code::ResourceExhausted,
                            started.elapsed(),
                        );
                        let status = tonic::Status::resource_exhausted(format!(
                            "{} is at its in-flight limit for {who} callers; retry with backoff",
                            service_of(&method)
                        ));
                        return Box::pin(async move { Ok(status.into_http()) });
                    }
                }
            }
        };
        // The clone that was polled ready is the one to call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let result = inner.call(request).await;
            drop(permit);
            if let Ok(response) = &result {
                metrics.record_request(&method, code_of(response), started.elapsed());
            }
            result
        })
    }
}
