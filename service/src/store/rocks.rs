//! The service's durable state in one RocksDB: proving jobs (with their
//! inputs, so a restart can resume them) and API keys (as BLAKE3 hashes).
//!
//! Every write that acknowledges something to a client is a synced write: a
//! job the service answered `SubmitProof` for survives a SIGKILL or a power
//! cut that follows the answer.

use super::{
    parked_error, request_hash, state_of, ApiKeyRecord, Claimed, JobStore, KeyLookup, Lease,
    NewJob, Outcome, QueueLimits, Reaped, StoreError, SubmitError, Submitted,
};
use crate::pb::{JobState, ProofJob, StoredJob};
use prost::Message;
use rand::RngCore;
use rocksdb::{ColumnFamilyDescriptor, Options, WriteBatch, WriteOptions, DB};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

impl From<rocksdb::Error> for StoreError {
    fn from(e: rocksdb::Error) -> Self {
        StoreError::Engine(e.to_string())
    }
}

const JOBS: &str = "jobs";
const API_KEYS: &str = "api_keys";
/// Request ids: `owner \0 request_id` → the request's hash ‖ the job id.
const REQUESTS: &str = "requests";

/// The RocksDB behind the service. The queue's order, its leases and the
/// per-owner counts are kept in memory beside it: one process owns the
/// database, so they are rebuilt from the jobs on open.
pub struct Store {
    db: DB,
    queue: Mutex<QueueState>,
}

/// The in-memory side of the queue.
#[derive(Default)]
struct QueueState {
    /// Queued jobs, oldest first: (created, id).
    queued: BTreeSet<(i64, String)>,
    /// Held leases: job id → (token, deadline).
    leases: HashMap<String, (i64, Instant)>,
    /// Unfinished (queued or running) jobs per owner.
    unfinished: HashMap<String, usize>,
}

impl QueueState {
    fn release(&mut self, owner: &str) {
        if let Some(n) = self.unfinished.get_mut(owner) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.unfinished.remove(owner);
            }
        }
    }
}

fn synced() -> WriteOptions {
    let mut options = WriteOptions::default();
    options.set_sync(true);
    options
}

impl Store {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        let families = [JOBS, API_KEYS, REQUESTS]
            .into_iter()
            .map(|name| ColumnFamilyDescriptor::new(name, Options::default()));
        let store = Store {
            db: DB::open_cf_descriptors(&options, path, families)?,
            queue: Mutex::new(QueueState::default()),
        };
        store.load_queue()?;
        Ok(store)
    }

    /// Rebuilds the queue from the stored jobs. A job left `RUNNING` was
    /// being proved by the process that owned the database before, which
    /// is gone: it is queued again (or parked, once it has used its
    /// attempts, see [`MAX_ATTEMPTS_ON_OPEN`]).
    fn load_queue(&self) -> Result<(), StoreError> {
        let mut q = self.lock();
        let mut resumed = 0;
        for mut job in self.unfinished_jobs()? {
            let Some(status) = job.job.as_mut() else {
                continue;
            };
            if status.state != JobState::Queued as i32 {
                resumed += 1;
                if status.attempts >= MAX_ATTEMPTS_ON_OPEN {
                    status.state = JobState::Failed as i32;
                    status.stage = "failed".into();
                    status.error = parked_error(status.attempts);
                    self.put_job(&job)?;
                    continue;
                }
                status.state = JobState::Queued as i32;
                status.stage = "queued".into();
                self.put_job(&job)?;
            }
            let status = job
                .job
                .as_ref()
                .map(|j| (j.created_unix_ms, j.job_id.clone()));
            if let Some(key) = status {
                q.queued.insert(key);
                *q.unfinished.entry(job.owner.clone()).or_default() += 1;
            }
        }
        if resumed > 0 {
            tracing::info!(
                jobs = resumed,
                "resuming proving jobs a stopped process was running"
            );
        }
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
        // Both families are created on open, so they exist.
        self.db
            .cf_handle(name)
            .unwrap_or_else(|| unreachable!("column family {name} is created on open"))
    }

    /// Writes `job` durably (synced before returning).
    pub fn put_job(&self, job: &StoredJob) -> Result<(), StoreError> {
        let id = job_id(job);
        self.db
            .put_cf_opt(self.cf(JOBS), id.as_bytes(), job.encode_to_vec(), &synced())?;
        Ok(())
    }

    /// The job `id`, if stored.
    pub fn get_job(&self, id: &str) -> Result<Option<StoredJob>, StoreError> {
        match self.db.get_cf(self.cf(JOBS), id.as_bytes())? {
            None => Ok(None),
            Some(bytes) => decode_job(id.as_bytes(), &bytes).map(Some),
        }
    }

    /// Every stored job (for resuming and expiry).
    pub fn jobs(&self) -> Result<Vec<StoredJob>, StoreError> {
        self.db
            .iterator_cf(self.cf(JOBS), rocksdb::IteratorMode::Start)
            .map(|item| {
                let (key, value) = item?;
                decode_job(&key, &value)
            })
            .collect()
    }

    /// Jobs that were queued or running when the service stopped.
    pub fn unfinished_jobs(&self) -> Result<Vec<StoredJob>, StoreError> {
        let mut jobs: Vec<StoredJob> = self
            .jobs()?
            .into_iter()
            .filter(|j| {
                matches!(
                    state_of(j),
                    JobState::Queued | JobState::Running | JobState::Unspecified
                )
            })
            .collect();
        jobs.sort_by_key(|j| j.job.as_ref().map_or(0, |s| s.created_unix_ms));
        Ok(jobs)
    }

    /// Deletes finished jobs last updated before `cutoff_unix_ms`; returns
    /// how many.
    pub fn expire_jobs(&self, cutoff_unix_ms: i64) -> Result<usize, StoreError> {
        let mut removed = 0;
        for job in self.jobs()? {
            let finished = matches!(state_of(&job), JobState::Succeeded | JobState::Failed);
            let updated = job.job.as_ref().map_or(0, |s| s.updated_unix_ms);
            if finished && updated < cutoff_unix_ms {
                let mut batch = WriteBatch::default();
                batch.delete_cf(self.cf(JOBS), job_id(&job).as_bytes());
                if let Some(key) = request_key(&job) {
                    batch.delete_cf(self.cf(REQUESTS), key);
                }
                self.db.write_opt(batch, &synced())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Stores a new API key's hash, refusing an id that another key has.
    pub fn insert_api_key(&self, hash: &[u8; 32], record: &ApiKeyRecord) -> Result<(), StoreError> {
        if self.api_keys()?.iter().any(|(_, r)| r.id == record.id) {
            return Err(StoreError::DuplicateKeyId(record.id.clone()));
        }
        self.put_api_key(hash, record)
    }

    /// Writes an API key record (new or updated) under its hash.
    fn put_api_key(&self, hash: &[u8; 32], record: &ApiKeyRecord) -> Result<(), StoreError> {
        let value = serde_json::to_vec(record).map_err(|e| StoreError::Corrupt {
            key: record.id.clone(),
            reason: e.to_string(),
        })?;
        self.db
            .put_cf_opt(self.cf(API_KEYS), hash, value, &synced())?;
        Ok(())
    }

    /// The record for a key hash, if any.
    pub fn api_key(&self, hash: &[u8; 32]) -> Result<Option<ApiKeyRecord>, StoreError> {
        match self.db.get_cf(self.cf(API_KEYS), hash)? {
            None => Ok(None),
            Some(bytes) => decode_key(hash, &bytes).map(Some),
        }
    }

    /// Every API key record, with its hash.
    pub fn api_keys(&self) -> Result<Vec<([u8; 32], ApiKeyRecord)>, StoreError> {
        self.db
            .iterator_cf(self.cf(API_KEYS), rocksdb::IteratorMode::Start)
            .map(|item| {
                let (key, value) = item?;
                let hash: [u8; 32] = key.as_ref().try_into().map_err(|_| StoreError::Corrupt {
                    key: hex::encode(&key),
                    reason: "API key hash is not 32 bytes".into(),
                })?;
                Ok((hash, decode_key(&hash, &value)?))
            })
            .collect()
    }

    /// Marks the key with public id `id` revoked: every key with that id,
    /// should a store from before ids were checked hold twins.
    pub fn revoke_api_key(&self, id: &str) -> Result<ApiKeyRecord, StoreError> {
        let mut revoked = None;
        for (hash, mut record) in self.api_keys()?.into_iter().filter(|(_, r)| r.id == id) {
            record.revoked = true;
            self.put_api_key(&hash, &record)?;
            revoked = Some(record);
        }
        revoked.ok_or_else(|| StoreError::UnknownKey(id.to_owned()))
    }
}

/// How many claims a job left running by a stopped process may have had
/// and still be queued again on open (the process may have died proving
/// it: a job that keeps killing its process is parked).
pub const MAX_ATTEMPTS_ON_OPEN: u32 = 3;

/// The request-id index key of a stored job, if it has one.
fn request_key(job: &StoredJob) -> Option<Vec<u8>> {
    let request_id = &job.request.as_ref()?.request_id;
    (!request_id.is_empty()).then(|| index_key(&job.owner, request_id))
}

fn index_key(owner: &str, request_id: &str) -> Vec<u8> {
    [owner.as_bytes(), b"\0", request_id.as_bytes()].concat()
}

fn status_of(job: &mut StoredJob) -> &mut ProofJob {
    // Decoded jobs always have their status (decode_job refuses others).
    job.job.get_or_insert_with(ProofJob::default)
}

impl KeyLookup for Store {
    fn lookup(&self, hash: &[u8; 32]) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.api_key(hash)
    }
}

#[tonic::async_trait]
impl JobStore for Store {
    async fn submit(&self, new: NewJob, limits: QueueLimits) -> Result<Submitted, SubmitError> {
        let mut q = self.lock();
        let request_id = new.request.request_id.clone();
        let hash = request_hash(&new.request);
        if !request_id.is_empty() {
            let key = index_key(&new.owner, &request_id);
            if let Some(value) = self
                .db
                .get_cf(self.cf(REQUESTS), &key)
                .map_err(StoreError::from)?
            {
                let (stored_hash, id) = value.split_at(value.len().min(32));
                if stored_hash != hash {
                    return Err(SubmitError::RequestIdReused(request_id));
                }
                let id = String::from_utf8_lossy(id);
                if let Some(job) = self.get_job(&id)?.and_then(|s| s.job) {
                    return Ok(Submitted::Existing(job));
                }
            }
        }
        if q.queued.len() >= limits.max_queue {
            return Err(SubmitError::QueueFull(limits.max_queue));
        }
        if q.unfinished.get(&new.owner).copied().unwrap_or(0) >= limits.max_per_owner {
            return Err(SubmitError::OwnerQueueFull {
                owner: new.owner,
                limit: limits.max_per_owner,
            });
        }
        let job = ProofJob {
            job_id: new.id.clone(),
            state: JobState::Queued as i32,
            stage: "queued".into(),
            created_unix_ms: new.now_ms,
            updated_unix_ms: new.now_ms,
            ..Default::default()
        };
        let stored = StoredJob {
            request: Some(new.request),
            job: Some(job.clone()),
            owner: new.owner.clone(),
        };
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf(JOBS), new.id.as_bytes(), stored.encode_to_vec());
        if !request_id.is_empty() {
            let value = [hash.as_slice(), new.id.as_bytes()].concat();
            batch.put_cf(self.cf(REQUESTS), index_key(&new.owner, &request_id), value);
        }
        self.db
            .write_opt(batch, &synced())
            .map_err(StoreError::from)?;
        q.queued.insert((new.now_ms, new.id));
        *q.unfinished.entry(new.owner).or_default() += 1;
        Ok(Submitted::New(job))
    }

    async fn job(&self, id: &str) -> Result<Option<(String, ProofJob)>, StoreError> {
        Ok(self
            .get_job(id)?
            .and_then(|stored| Some((stored.owner, stored.job?))))
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        limits: QueueLimits,
    ) -> Result<Option<Claimed>, StoreError> {
        let mut q = self.lock();
        while let Some((created, id)) = q.queued.pop_first() {
            let Some(mut stored) = self.get_job(&id)? else {
                continue;
            };
            if state_of(&stored) != JobState::Queued {
                continue;
            }
            let now = super::now_ms();
            let status = status_of(&mut stored);
            if status.attempts >= limits.max_attempts {
                status.state = JobState::Failed as i32;
                status.stage = "failed".into();
                status.error = parked_error(status.attempts);
                status.updated_unix_ms = now;
                if let Err(e) = self.put_job(&stored) {
                    q.queued.insert((created, id));
                    return Err(e);
                }
                q.release(&stored.owner);
                continue;
            }
            status.state = JobState::Running as i32;
            status.stage = "proving".into();
            status.attempts += 1;
            status.updated_unix_ms = now;
            if let Err(e) = self.put_job(&stored) {
                q.queued.insert((created, id));
                return Err(e);
            }
            let token = rand::rngs::OsRng.next_u64() as i64;
            q.leases.insert(id.clone(), (token, Instant::now() + lease));
            return Ok(Some(Claimed {
                lease: Lease {
                    job_id: id,
                    worker: worker.to_owned(),
                    token,
                },
                request: stored.request.unwrap_or_default(),
                owner: stored.owner,
                job: stored.job.unwrap_or_default(),
            }));
        }
        Ok(None)
    }

    async fn renew(&self, lease: &Lease, lease_for: Duration) -> Result<bool, StoreError> {
        let mut q = self.lock();
        match q.leases.get_mut(&lease.job_id) {
            Some((token, until)) if *token == lease.token => {
                *until = Instant::now() + lease_for;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn finish(
        &self,
        lease: &Lease,
        outcome: Outcome,
    ) -> Result<Option<ProofJob>, StoreError> {
        let mut q = self.lock();
        if !matches!(q.leases.get(&lease.job_id), Some((token, _)) if *token == lease.token) {
            return Ok(None);
        }
        let Some(mut stored) = self.get_job(&lease.job_id)? else {
            q.leases.remove(&lease.job_id);
            return Ok(None);
        };
        let status = status_of(&mut stored);
        status.updated_unix_ms = super::now_ms();
        match outcome {
            Outcome::Proved { proof, seconds } => {
                status.state = JobState::Succeeded as i32;
                status.stage = "done".into();
                status.proof = Some(proof);
                status.prove_seconds = seconds;
                status.error.clear();
            }
            Outcome::Failed(error) => {
                status.state = JobState::Failed as i32;
                status.stage = "failed".into();
                status.error = error;
            }
        }
        self.put_job(&stored)?;
        q.leases.remove(&lease.job_id);
        q.release(&stored.owner);
        Ok(stored.job)
    }

    async fn reap(&self, limits: QueueLimits, now_ms: i64) -> Result<Reaped, StoreError> {
        let mut q = self.lock();
        let now = Instant::now();
        let lapsed: Vec<String> = q
            .leases
            .iter()
            .filter(|(_, (_, until))| *until < now)
            .map(|(id, _)| id.clone())
            .collect();
        let mut reaped = Reaped::default();
        for id in lapsed {
            q.leases.remove(&id);
            let Some(mut stored) = self.get_job(&id)? else {
                continue;
            };
            if state_of(&stored) != JobState::Running {
                continue;
            }
            let status = status_of(&mut stored);
            status.updated_unix_ms = now_ms;
            let created = status.created_unix_ms;
            if status.attempts >= limits.max_attempts {
                status.state = JobState::Failed as i32;
                status.stage = "failed".into();
                status.error = parked_error(status.attempts);
                self.put_job(&stored)?;
                q.release(&stored.owner);
                reaped.parked += 1;
            } else {
                status.state = JobState::Queued as i32;
                status.stage = "queued".into();
                self.put_job(&stored)?;
                q.queued.insert((created, id));
                reaped.requeued += 1;
            }
        }
        Ok(reaped)
    }

    async fn expire(&self, cutoff_ms: i64) -> Result<u64, StoreError> {
        Ok(self.expire_jobs(cutoff_ms)? as u64)
    }

    async fn queued(&self) -> Result<u64, StoreError> {
        Ok(self.lock().queued.len() as u64)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn shared(&self) -> bool {
        false
    }
}

fn job_id(job: &StoredJob) -> String {
    job.job
        .as_ref()
        .map(|j| j.job_id.clone())
        .unwrap_or_default()
}

fn decode_job(key: &[u8], bytes: &[u8]) -> Result<StoredJob, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason,
    };
    let job = StoredJob::decode(bytes).map_err(|e| corrupt(e.to_string()))?;
    if job.job.is_none() || job.request.is_none() {
        return Err(corrupt("job without its status or request".into()));
    }
    Ok(job)
}

fn decode_key(hash: &[u8; 32], bytes: &[u8]) -> Result<ApiKeyRecord, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: hex::encode(hash),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{create_key, key_hash, KEY_ID_BYTES};
    use crate::store::KeyRole;

    /// Finding 6: ids are 128 random bits, a second key under a taken id is
    /// refused, and revoking an id revokes every key that has it (a store
    /// written before ids were checked may hold twins).
    #[test]
    fn finding_6_key_ids_are_unique_and_revocation_reaches_every_twin() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let a = create_key(&store, "a", KeyRole::Client).expect("key");
        assert_eq!(a.record.id.len(), 2 * KEY_ID_BYTES);
        assert!(a.key.starts_with(&format!("veil_{}_", a.record.id)));
        let twin = ApiKeyRecord {
            name: "twin".into(),
            ..a.record.clone()
        };
        assert!(matches!(
            store.insert_api_key(&key_hash("veil_twin"), &twin),
            Err(StoreError::DuplicateKeyId(id)) if id == a.record.id
        ));
        // A legacy twin, written as an old store would have.
        store
            .put_api_key(&key_hash("veil_legacy_twin"), &twin)
            .expect("legacy write");
        store.revoke_api_key(&a.record.id).expect("revoke");
        let keys = store.api_keys().expect("keys");
        assert_eq!(keys.len(), 2);
        assert!(keys.iter().all(|(_, r)| r.revoked), "{keys:?}");
        // A record from before roles existed reads as a client.
        let old: ApiKeyRecord = serde_json::from_str(
            r#"{"id":"0a1b2c3d","name":"old","created_unix":1,"revoked":false}"#,
        )
        .expect("old record");
        assert_eq!(old.role, KeyRole::Client);
    }
}
