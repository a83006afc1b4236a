//! The service's durable state in one RocksDB: proving jobs (with their
//! inputs, so a restart can resume them) and API keys (as BLAKE3 hashes).
//!
//! Every write that acknowledges something to a client is a synced write: a
//! job the service answered `SubmitProof` for survives a SIGKILL or a power
//! cut that follows the answer.

use crate::pb::{JobState, StoredJob};
use prost::Message;
use rocksdb::{ColumnFamilyDescriptor, Options, WriteOptions, DB};
use serde::{Deserialize, Serialize};
use std::path::Path;

const JOBS: &str = "jobs";
const API_KEYS: &str = "api_keys";

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB refused (including: another process has the database open).
    #[error("job store: {0}")]
    Db(#[from] rocksdb::Error),
    /// A stored record does not decode: the database is corrupt.
    #[error("job store: corrupt record {key}: {reason}")]
    Corrupt {
        /// The record's key.
        key: String,
        /// What failed.
        reason: String,
    },
    /// No such API key id.
    #[error("no API key with id {0}")]
    UnknownKey(String),
}

/// An API key as stored: never the key itself, only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// The key's public id (its first characters), for logs and metrics.
    pub id: String,
    /// Who it is for.
    pub name: String,
    /// Creation time, Unix seconds.
    pub created_unix: u64,
    /// Revoked keys are refused.
    pub revoked: bool,
}

/// The RocksDB behind the service.
pub struct Store {
    db: DB,
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
        let families = [JOBS, API_KEYS]
            .into_iter()
            .map(|name| ColumnFamilyDescriptor::new(name, Options::default()));
        Ok(Store {
            db: DB::open_cf_descriptors(&options, path, families)?,
        })
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
                self.db
                    .delete_cf_opt(self.cf(JOBS), job_id(&job).as_bytes(), &synced())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Stores a new API key's hash.
    pub fn put_api_key(&self, hash: &[u8; 32], record: &ApiKeyRecord) -> Result<(), StoreError> {
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

    /// Marks the key with public id `id` revoked.
    pub fn revoke_api_key(&self, id: &str) -> Result<ApiKeyRecord, StoreError> {
        let (hash, mut record) = self
            .api_keys()?
            .into_iter()
            .find(|(_, r)| r.id == id)
            .ok_or_else(|| StoreError::UnknownKey(id.to_owned()))?;
        record.revoked = true;
        self.put_api_key(&hash, &record)?;
        Ok(record)
    }
}

fn job_id(job: &StoredJob) -> String {
    job.job
        .as_ref()
        .map(|j| j.job_id.clone())
        .unwrap_or_default()
}

/// A stored job's state.
pub fn state_of(job: &StoredJob) -> JobState {
    job.job
        .as_ref()
        .and_then(|j| JobState::try_from(j.state).ok())
        .unwrap_or(JobState::Unspecified)
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
