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
    /// A new key's id is already taken (ids name callers and own jobs, so
    /// two keys may never share one).
    #[error("an API key with id {0} already exists")]
    DuplicateKeyId(String),
}

/// What a key may do beyond proving and verifying.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRole {
    /// A wallet, exchange or custodian: proves and verifies.
    #[default]
    Client,
    /// A regulator: may also record disclosures in the audit log.
    Regulator,
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
    /// What the key may do (keys made before roles existed are clients).
    #[serde(default)]
    pub role: KeyRole,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{create_key, key_hash, KEY_ID_BYTES};

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
