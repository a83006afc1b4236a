//! API keys and per-key rate limits.
//!
//! A key is `veil_<id>_<secret>`: the id (128 random bits, 32 hex
//! characters, checked unique when stored) is public and names the caller in
//! logs, metrics and job ownership; the whole key is only ever stored as its
//! BLAKE3 hash. A key has a role: only regulator keys record disclosures. Keys are checked by a tonic interceptor,
//! which also charges the caller's token bucket.

use crate::store::{ApiKeyRecord, KeyLookup, KeyRole, Store, StoreError};
use rand::RngCore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// The caller, as the interceptor established it (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The API key id, or `None` for an anonymous read.
    pub key_id: Option<String>,
    /// The key's role (anonymous callers are clients).
    pub role: KeyRole,
}

impl Caller {
    /// The name used for metrics and job ownership.
    pub fn label(&self) -> &str {
        self.key_id.as_deref().unwrap_or("anonymous")
    }

    /// An anonymous caller.
    pub fn anonymous() -> Self {
        Caller {
            key_id: None,
            role: KeyRole::Client,
        }
    }

    /// Whether the caller presented a regulator's key.
    pub fn is_regulator(&self) -> bool {
        self.key_id.is_some() && self.role == KeyRole::Regulator
    }
}

/// A newly created key: shown once, then only its hash exists.
pub struct NewKey {
    /// The key to hand to the client.
    pub key: String,
    /// What was stored.
    pub record: ApiKeyRecord,
}

/// The hash a key is stored under.
pub fn key_hash(key: &str) -> [u8; 32] {
    *blake3::hash(key.as_bytes()).as_bytes()
}

/// Random bytes in a key id: 128 bits, so ids never collide by chance (the
/// store refuses a collision anyway).
pub const KEY_ID_BYTES: usize = 16;

/// Creates a key with `role` for `name` in the embedded store.
pub fn create_key(store: &Store, name: &str, role: KeyRole) -> Result<NewKey, StoreError> {
    let new = new_key(name, role);
    store.insert_api_key(&key_hash(&new.key), &new.record)?;
    Ok(new)
}

/// A fresh key with `role` for `name`, not yet stored (the caller stores
/// its [`key_hash`] in whichever store it uses).
pub fn new_key(name: &str, role: KeyRole) -> NewKey {
    let mut id = [0u8; KEY_ID_BYTES];
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut id);
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let id = hex::encode(id);
    let key = format!("veil_{id}_{}", hex::encode(secret));
    let record = ApiKeyRecord {
        id,
        name: name.to_owned(),
        created_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        revoked: false,
        role,
    };
    NewKey { key, record }
}

/// A token bucket per caller: `rate` requests a second, bursts of `burst`.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter; `rate <= 0` disables it.
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter {
            rate,
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from `caller`'s bucket; false if it is empty.
    pub fn try_acquire(&self, caller: &str) -> bool {
        self.try_acquire_at(caller, Instant::now(), 1.0)
    }

    /// Takes `n` tokens (a batch's items) at once, or none; false if the
    /// bucket holds fewer.
    pub fn try_acquire_n(&self, caller: &str, n: usize) -> bool {
        n == 0 || self.try_acquire_at(caller, Instant::now(), n as f64)
    }

    fn try_acquire_at(&self, caller: &str, now: Instant, n: f64) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, last) = buckets
            .entry(caller.to_owned())
            .or_insert((self.burst, now));
        let refilled = (*tokens + now.saturating_duration_since(*last).as_secs_f64() * self.rate)
            .min(self.burst);
        *last = now;
        if refilled >= n {
            *tokens = refilled - n;
            true
        } else {
            *tokens = refilled;
            false
        }
    }
}

/// Whether a service's calls need a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Every call needs a valid key (proving: it costs the operator).
    KeyRequired,
    /// Anonymous calls are allowed; a presented key must still be valid.
    KeyOptional,
}

/// The interceptor in front of each service.
#[derive(Clone)]
pub struct Authenticator {
    store: Arc<dyn KeyLookup>,
    limiter: Arc<RateLimiter>,
    access: Access,
}

impl Authenticator {
    /// An interceptor checking keys in `store` and charging `limiter`.
    pub fn new(store: Arc<dyn KeyLookup>, limiter: Arc<RateLimiter>, access: Access) -> Self {
        Authenticator {
            store,
            limiter,
            access,
        }
    }

    fn caller(&self, metadata: &tonic::metadata::MetadataMap) -> Result<Caller, Status> {
        let presented = presented_key(metadata)?;
        let Some(key) = presented else {
            return match self.access {
                Access::KeyOptional => Ok(Caller::anonymous()),
                Access::KeyRequired => Err(Status::unauthenticated(
                    "an API key is required: send `authorization: Bearer <key>`",
                )),
            };
        };
        let record = self
            .store
            .lookup(&key_hash(&key))
            .map_err(|e| match e {
                crate::store::StoreError::Unavailable(_) => Status::unavailable(e.to_string()),
                e => Status::internal(e.to_string()),
            })?
            .ok_or_else(|| Status::unauthenticated("unknown API key"))?;
        if record.revoked {
            return Err(Status::unauthenticated(format!(
                "API key {} is revoked",
                record.id
            )));
        }
        Ok(Caller {
            key_id: Some(record.id),
            role: record.role,
        })
    }
}

/// The key in `authorization: Bearer …` or `x-api-key`, if any.
fn presented_key(metadata: &tonic::metadata::MetadataMap) -> Result<Option<String>, Status> {
    let unreadable = || Status::unauthenticated("the API key header is not ASCII");
    if let Some(value) = metadata.get("authorization") {
        let text = value.to_str().map_err(|_| unreadable())?;
        let key = text
            .strip_prefix("Bearer ")
            .ok_or_else(|| Status::unauthenticated("authorization must be `Bearer <key>`"))?;
        return Ok(Some(key.trim().to_owned()));
    }
    match metadata.get("x-api-key") {
        Some(value) => Ok(Some(value.to_str().map_err(|_| unreadable())?.to_owned())),
        None => Ok(None),
    }
}

impl Interceptor for Authenticator {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let caller = self.caller(request.metadata())?;
        if !self.limiter.try_acquire(caller.label()) {
            return Err(Status::resource_exhausted(format!(
                "rate limit exceeded for {}",
                caller.label()
            )));
        }
        request.extensions_mut().insert(caller);
        Ok(request)
    }
}

/// The caller a handler was called by (anonymous if no interceptor ran).
pub fn caller_of<T>(request: &Request<T>) -> Caller {
    request
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_else(Caller::anonymous)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_allows_bursts_then_refills_at_the_rate() {
        let limiter = RateLimiter::new(10.0, 3.0);
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.try_acquire_at("a", t0, 1.0)));
        assert!(!limiter.try_acquire_at("a", t0, 1.0));
        // Another caller has its own bucket.
        assert!(limiter.try_acquire_at("b", t0, 1.0));
        // 100 ms at 10/s refills one token.
        let t1 = t0 + Duration::from_millis(100);
        assert!(limiter.try_acquire_at("a", t1, 1.0));
        assert!(!limiter.try_acquire_at("a", t1, 1.0));
    }

    #[test]
    fn a_batch_takes_a_token_per_item_or_none() {
        let limiter = RateLimiter::new(10.0, 5.0);
        let t0 = Instant::now();
        assert!(!limiter.try_acquire_at("a", t0, 6.0));
        assert!(limiter.try_acquire_at("a", t0, 4.0));
        assert!(limiter.try_acquire_at("a", t0, 1.0));
        assert!(!limiter.try_acquire_at("a", t0, 1.0));
    }

    #[test]
    fn zero_rate_disables_the_limit() {
        let limiter = RateLimiter::new(0.0, 0.0);
        assert!((0..1000).all(|_| limiter.try_acquire("a")));
    }
}
