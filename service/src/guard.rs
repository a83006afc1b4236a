//! The tower layer in front of every gRPC service: limits on requests in
//! flight (over one, `ResourceExhausted` at once instead of an unbounded
//! queue), and the request metrics.
//!
//! Each veil service has its own budget, split between callers that present
//! an API key and anonymous ones, so a flood of one kind cannot take another
//! service's or the keyed callers' slots (a unary `Prove` holds its slot
//! while its job waits). Health and reflection have no budget: a liveness
//! probe is always answered. Paths the server does not serve share one
//! budget of their own, and are counted under one metrics label
//! ([`UNKNOWN_METHOD`]): a caller cannot grow the metrics page, or escape the
//! limits, by inventing paths. A presented key is only checked by the
//! interceptor behind this layer; a bogus one is refused there at once, so
//! it holds a keyed slot for a moment only.

use crate::metrics::Metrics;
use std::collections::{HashMap, HashSet};
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

/// The metrics label of every request path that is not a method the server
/// serves.
pub const UNKNOWN_METHOD: &str = "unknown";

/// The reflection service's methods (its descriptors are not registered
/// with the server's own).
const REFLECTION_METHODS: [&str; 2] = [
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// Every method path (`/package.Service/Method`) the encoded descriptor
/// sets declare, and reflection's.
pub fn known_methods(descriptor_sets: &[&[u8]]) -> HashSet<String> {
    use prost::Message;
    let mut known: HashSet<String> = REFLECTION_METHODS.iter().map(|m| m.to_string()).collect();
    for set in descriptor_sets {
        // The sets are compiled in; one that does not decode names nothing.
        let Ok(set) = prost_types::FileDescriptorSet::decode(*set) else {
            continue;
        };
        for file in set.file {
            let package = file.package.unwrap_or_default();
            for service in file.service {
                let name = service.name.unwrap_or_default();
                for method in service.method {
                    let method = method.name.unwrap_or_default();
                    known.insert(format!("/{package}.{name}/{method}"));
                }
            }
        }
    }
    known
}

/// Adds [`Guard`] around a service.
#[derive(Clone)]
pub struct GuardLayer {
    budgets: Arc<HashMap<String, Budget>>,
    known: Arc<HashSet<String>>,
    per_key: Arc<PerKey>,
    metrics: Arc<Metrics>,
}

impl GuardLayer {
    /// For each gRPC service named (`veil.v1.Verifier`, …): at most
    /// `keyed` requests at once from callers presenting a key and
    /// `anonymous` from the others. Of the `known` method paths, those of
    /// services not named are not limited (health, reflection); every
    /// unknown path shares one more budget of the same sizes. Besides, any
    /// one key has at most `per_key` requests in flight in limited services.
    pub fn new(
        services: &[&str],
        known: HashSet<String>,
        (keyed, anonymous, per_key): (usize, usize, usize),
        metrics: Arc<Metrics>,
    ) -> Self {
        let budgets = services
            .iter()
            .copied()
            .chain([UNKNOWN_METHOD])
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
            known: Arc::new(known),
            per_key: Arc::new(PerKey::new(per_key)),
            metrics,
        }
    }
}

/// The gRPC service a request path (`/veil.v1.Verifier/Verify`) is for.
fn service_of(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// The API key header a request carries, if any (checked later).
fn presented_key(request: &http::Request<Body>) -> Option<&[u8]> {
    let headers = request.headers();
    headers
        .get("authorization")
        .or_else(|| headers.get("x-api-key"))
        .map(|v| v.as_bytes())
}

/// Buckets of the per-key in-flight limit: a key's requests count against
/// the bucket its hash picks, so memory stays fixed however many keys (or
/// made-up keys) callers present.
const KEY_BUCKETS: usize = 1024;

/// The in-flight limit of each API key, across all services: one key cannot
/// take every keyed slot of a service (a unary `Prove` holds its slot for
/// the whole proof).
pub struct PerKey {
    buckets: Vec<Arc<Semaphore>>,
    per_key: usize,
}

impl PerKey {
    /// At most `per_key` requests in flight for any one key.
    pub fn new(per_key: usize) -> Self {
        PerKey {
            buckets: (0..KEY_BUCKETS)
                .map(|_| Arc::new(Semaphore::new(per_key.max(1))))
                .collect(),
            per_key: per_key.max(1),
        }
    }

    fn bucket(&self, key: &[u8]) -> &Arc<Semaphore> {
        let hash = blake3::hash(key);
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        &self.buckets[(u64::from_le_bytes(first) % KEY_BUCKETS as u64) as usize]
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            budgets: self.budgets.clone(),
            known: self.known.clone(),
            per_key: self.per_key.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

/// The in-flight limit and request metrics around `S`.
#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    budgets: Arc<HashMap<String, Budget>>,
    known: Arc<HashSet<String>>,
    per_key: Arc<PerKey>,
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
        let path = request.uri().path();
        let method = if self.known.contains(path) {
            path.to_owned()
        } else {
            UNKNOWN_METHOD.to_owned()
        };
        let budget = match method.as_str() {
            UNKNOWN_METHOD => UNKNOWN_METHOD,
            known => service_of(known),
        };
        let started = Instant::now();
        let metrics = self.metrics.clone();
        let refuse = |message: String| {
            metrics.record_request(&method, tonic::Code::ResourceExhausted, started.elapsed());
            let status = tonic::Status::resource_exhausted(message);
            Box::pin(async move { Ok(status.into_http()) }) as Self::Future
        };
        let permits = match self.budgets.get(budget) {
            None => None,
            Some(budget_of) => {
                let key = presented_key(&request);
                let (pool, who) = match key {
                    Some(_) => (&budget_of.keyed, "keyed"),
                    None => (&budget_of.anonymous, "anonymous"),
                };
                let Ok(permit) = pool.clone().try_acquire_owned() else {
                    return refuse(format!(
                        "{budget} is at its in-flight limit for {who} callers; retry with backoff"
                    ));
                };
                let key_permit = match key {
                    None => None,
                    Some(key) => match self.per_key.bucket(key).clone().try_acquire_owned() {
                        Ok(p) => Some(p),
                        Err(_) => {
                            return refuse(format!(
                            "this API key has {} requests in flight, its limit; retry with backoff",
                            self.per_key.per_key
                        ))
                        }
                    },
                };
                Some((permit, key_permit))
            }
        };
        // The clone that was polled ready is the one to call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let result = inner.call(request).await;
            drop(permits);
            if let Ok(response) = &result {
                metrics.record_request(&method, code_of(response), started.elapsed());
            }
            result
        })
    }
}
