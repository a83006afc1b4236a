//! The issuer's side of a disclosure: at issuance, the issuer stores the KYC
//! record behind each credential id (the id is all a proof's escrow reveals);
//! answering a disclosure request is a lookup by that id.

#[cfg(feature = "store")]
use rocksdb::{Options, WriteOptions, DB};
use serde::{Deserialize, Serialize};
#[cfg(feature = "store")]
use std::path::Path;

/// What the issuer knows about a credential's subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KycRecord {
    /// The credential id, decimal.
    pub credential_id: String,
    /// The subject as the issuer's KYC process recorded it (name, documents,
    /// checks…): free-form JSON.
    pub subject: serde_json::Value,
    /// When the credential was issued, milliseconds since the Unix epoch.
    pub issued_unix_ms: u64,
}

/// Why the record store failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// RocksDB refused.
    #[cfg(feature = "store")]
    #[error("issuer records: {0}")]
    Db(#[from] rocksdb::Error),
    /// A stored record does not decode.
    #[error("issuer records: record {0} is corrupt")]
    Corrupt(String),
    /// A record for this id exists already (ids are never reused).
    #[error("issuer records: credential {0} already has a record")]
    Exists(String),
}

/// The issuer's KYC records by credential id, on RocksDB.
#[cfg(feature = "store")]
pub struct IssuerRecords {
    db: DB,
}

#[cfg(feature = "store")]
impl IssuerRecords {
    /// Opens (or creates) the store.
    pub fn open(path: &Path) -> Result<Self, RecordError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        Ok(IssuerRecords {
            db: DB::open(&options, path)?,
        })
    }

    /// Stores the record for a newly issued credential (synced).
    pub fn insert(&self, record: &KycRecord) -> Result<(), RecordError> {
        let key = record.credential_id.as_bytes();
        if self.db.get(key)?.is_some() {
            return Err(RecordError::Exists(record.credential_id.clone()));
        }
        let mut options = WriteOptions::default();
        options.set_sync(true);
        let bytes = serde_json::to_vec(record).unwrap_or_default();
        self.db.put_opt(key, bytes, &options)?;
        Ok(())
    }

    /// Keeps `subject` (the issuer's KYC data, free-form JSON) as the record
    /// of a credential issued now under `credential_id` (decimal).
    pub fn record_issuance(
        &self,
        credential_id: &str,
        subject: serde_json::Value,
    ) -> Result<(), RecordError> {
        self.insert(&KycRecord {
            credential_id: credential_id.to_string(),
            subject,
            issued_unix_ms: veil_audit::entry::now_unix_ms(),
        })
    }

    /// The record of a credential id (decimal), if the issuer has one.
    pub fn get(&self, credential_id: &str) -> Result<Option<KycRecord>, RecordError> {
        match self.db.get(credential_id.as_bytes())? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|_| RecordError::Corrupt(credential_id.to_string())),
        }
    }
}
