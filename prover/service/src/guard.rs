//! The tower layer in front of every gRPC service: a global limit on
//! requests in flight (over it, `ResourceExhausted` at once instead of an
//! unbounded queue), and the request metrics.

use crate::metrics::Metrics;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::sync::Semaphore;
use tonic::body::Body;
use tower::{Layer, Service};

/// Adds [`Guard`] around a service.
#[derive(Clone)]
pub struct GuardLayer {
    permits: Arc<Semaphore>,
    metrics: Arc<Metrics>,
}

impl GuardLayer {
    /// At most `max_in_flight` requests at once.
    pub fn new(max_in_flight: usize, metrics: Arc<Metrics>) -> Self {
        GuardLayer {
            permits: Arc::new(Semaphore::new(max_in_flight.max(1))),
            metrics,
        }
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            permits: self.permits.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

/// The in-flight limit and request metrics around `S`.
#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    permits: Arc<Semaphore>,
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
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            metrics.record_request(&method, tonic::Code::ResourceExhausted, started.elapsed());
            let status = tonic::Status::resource_exhausted(
                "the server is at its in-flight request limit; retry with backoff",
            );
            return Box::pin(async move { Ok(status.into_http()) });
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
