//! An issuer's revocation state on RocksDB: the revocation indexed Merkle
//! tree of the statement (revoked ids in revocation order; its root is what
//! ZK proofs show non-membership against) with the history of its roots, and
//! the bits of a W3C Bitstring Status List for classic verifiers (the format
//! is veil-did's [`veil_did::status_list`]). Both change together,
//! in one write batch: a revocation is acknowledged only once it is durable.

use serde::{Deserialize, Serialize};
use ssi::status::bitstring_status_list::{BitString, StatusSize};
use std::path::Path;
use std::sync::Mutex;
use veil_circuits::encoding::{field_from_le_bytes, field_to_le_bytes};
use veil_circuits::imt::{key_in_range, ImtError, IndexedMerkleTree};
use veil_circuits::statement::revocation_tree;
use veil_circuits::F;
use veil_did::error::VcError;
use veil_did::resolver::VeilResolver;
use veil_did::signer::Signer;

/// Why the issuer's revocation store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The credential id was never given a status index.
    #[error("unknown credential id (not issued by this store)")]
    Unknown,
    /// Already revoked.
    #[error("already revoked")]
    AlreadyRevoked,
    /// The status list is full.
    #[error("the status list is full")]
    ListFull,
    /// The id is 0 or wider than 248 bits: the revocation tree cannot list
    /// it and no proof can carry it, so it is never issued.
    #[error("credential id out of range (1 to 2^248 - 1)")]
    IdOutOfRange,
    /// Stored data does not add up.
    #[error("corrupt revocation store: {0}")]
    Corrupt(String),
    /// RocksDB failed.
    #[error("storage: {0}")]
    Storage(#[from] rocksdb::Error),
}

/// Entries in one status list (the spec's 16 KB minimum: 131,072).
pub const LIST_SIZE: usize = 131_072;

/// One published revocation root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootRecord {
    /// Sequence number, from 1 (0 is the empty tree, never stored).
    pub sequence: u64,
    /// The root, decimal.
    pub root: String,
    /// Revoked credentials under it.
    pub revoked: u64,
    /// RFC 3339 time.
    pub time: String,
}

/// The issuer's revocation store.
pub struct StatusStore {
    db: rocksdb::DB,
    state: Mutex<State>,
}

struct State {
    tree: IndexedMerkleTree,
    bits: BitString,
    next_index: u64,
    roots: u64,
}

const NEXT_INDEX: &[u8] = b"meta/next-index";
const ROOTS: &[u8] = b"meta/roots";

fn index_key(id: &F) -> Vec<u8> {
    [b"index/".as_slice(), &field_to_le_bytes(id)].concat()
}

fn revoked_key(id: &F) -> Vec<u8> {
    [b"revoked/".as_slice(), &field_to_le_bytes(id)].concat()
}

/// The `n`-th revocation (from 1): the tree's insertion order.
fn order_key(n: u64) -> Vec<u8> {
    [b"order/".as_slice(), &n.to_be_bytes()].concat()
}

fn root_key(seq: u64) -> Vec<u8> {
    [b"root/".as_slice(), &seq.to_be_bytes()].concat()
}

fn u64_value(v: Option<Vec<u8>>) -> Result<u64, StatusError> {
    match v {
        None => Ok(0),
        Some(b) => Ok(u64::from_be_bytes(
            b.as_slice()
                .try_into()
                .map_err(|_| StatusError::Corrupt("counter".into()))?,
        )),
    }
}

impl StatusStore {
    /// Opens (or creates) the store; rebuilds the tree and the list from the
    /// revoked ids, and checks the rebuilt root against the last recorded one.
    pub fn open(path: &Path) -> Result<Self, StatusError> {
        let mut options = rocksdb::Options::default();
        options.create_if_missing(true);
        let db = rocksdb::DB::open(&options, path)?;
        let next_index = u64_value(db.get(NEXT_INDEX)?)?;
        let roots = u64_value(db.get(ROOTS)?)?;
        let ids = revoked_in_order(&db)?;
        let mut bits = BitString::new_zeroed(StatusSize::DEFAULT, LIST_SIZE);
        for id in &ids {
            let index = db
                .get(revoked_key(id))?
                .ok_or_else(|| StatusError::Corrupt("revoked id without a status index".into()))?;
            set_bit(&mut bits, u64_value(Some(index))?)?;
        }
        let tree = revocation_tree(&ids).map_err(|e| StatusError::Corrupt(e.to_string()))?;
        let store = StatusStore {
            db,
            state: Mutex::new(State {
                tree,
                bits,
                next_index,
                roots,
            }),
        };
        if let Some(last) = store.root_history()?.last() {
            if last.root != veil_circuits::encoding::field_to_decimal(&store.root()) {
                return Err(StatusError::Corrupt(
                    "rebuilt revocation root differs from the last recorded root".into(),
                ));
            }
        }
        Ok(store)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Gives a new credential its status-list index (stored before it is used).
    pub fn allocate(&self, credential_id: &F) -> Result<u64, StatusError> {
        if !key_in_range(credential_id) {
            return Err(StatusError::IdOutOfRange);
        }
        let mut s = self.state();
        if let Some(i) = self.db.get(index_key(credential_id))? {
            return u64_value(Some(i));
        }
        let index = s.next_index;
        if index >= LIST_SIZE as u64 {
            return Err(StatusError::ListFull);
        }
        let mut batch = rocksdb::WriteBatch::default();
        batch.put(index_key(credential_id), index.to_be_bytes());
        batch.put(NEXT_INDEX, (index + 1).to_be_bytes());
        self.write(batch)?;
        s.next_index = index + 1;
        Ok(index)
    }

    fn write(&self, batch: rocksdb::WriteBatch) -> Result<(), StatusError> {
        let mut options = rocksdb::WriteOptions::default();
        options.set_sync(true);
        Ok(self.db.write_opt(batch, &options)?)
    }

    /// Revokes a credential: inserts its id into the tree, sets its bit, and
    /// records the new root; returns the root record.
    pub fn revoke(&self, credential_id: &F) -> Result<RootRecord, StatusError> {
        let mut s = self.state();
        let index = match self.db.get(index_key(credential_id))? {
            Some(i) => u64_value(Some(i))?,
            None => return Err(StatusError::Unknown),
        };
        if self.db.get(revoked_key(credential_id))?.is_some() {
            return Err(StatusError::AlreadyRevoked);
        }
        // The tree takes the id first (two path updates; the tree is too
        // big to copy at capacity) and is rebuilt from the store if the
        // write fails, so memory never runs ahead of the disk.
        s.tree.insert(*credential_id).map_err(|e| match e {
            ImtError::KeyOutOfRange => StatusError::IdOutOfRange,
            ImtError::KeyExists => StatusError::AlreadyRevoked,
            ImtError::Full { .. } => StatusError::ListFull,
            other => StatusError::Corrupt(other.to_string()),
        })?;
        let revoked = s.tree.len() as u64;
        let sequence = s.roots + 1;
        let record = RootRecord {
            sequence,
            root: veil_circuits::encoding::field_to_decimal(&s.tree.root()),
            revoked,
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        let mut batch = rocksdb::WriteBatch::default();
        batch.put(revoked_key(credential_id), index.to_be_bytes());
        batch.put(order_key(revoked), field_to_le_bytes(credential_id));
        batch.put(
            root_key(sequence),
            serde_json::to_vec(&record).map_err(|e| StatusError::Corrupt(e.to_string()))?,
        );
        batch.put(ROOTS, sequence.to_be_bytes());
        if let Err(e) = self.write(batch) {
            let ids = revoked_in_order(&self.db)?;
            s.tree = revocation_tree(&ids).map_err(|e| StatusError::Corrupt(e.to_string()))?;
            return Err(e);
        }
        set_bit(&mut s.bits, index)?;
        s.roots = sequence;
        Ok(record)
    }

    /// Whether the credential is revoked.
    pub fn is_revoked(&self, credential_id: &F) -> Result<bool, StatusError> {
        Ok(self.db.get(revoked_key(credential_id))?.is_some())
    }

    /// The current revocation root.
    pub fn root(&self) -> F {
        self.state().tree.root()
    }

    /// Every revoked credential id, in revocation order: the list a wallet
    /// or verifier builds the same tree (and root) from.
    pub fn revoked_ids(&self) -> Result<Vec<F>, StatusError> {
        revoked_in_order(&self.db)
    }

    /// The roots published so far, oldest first.
    pub fn root_history(&self) -> Result<Vec<RootRecord>, StatusError> {
        let n = self.state().roots;
        (1..=n)
            .map(|seq| {
                let bytes = self
                    .db
                    .get(root_key(seq))?
                    .ok_or_else(|| StatusError::Corrupt(format!("root {seq} missing")))?;
                serde_json::from_slice(&bytes).map_err(|e| StatusError::Corrupt(e.to_string()))
            })
            .collect()
    }

    /// The status list as a signed `BitstringStatusListCredential` (VC 2.0,
    /// `eddsa-rdfc-2022`), published at `url`.
    pub async fn status_list_credential(
        &self,
        resolver: &VeilResolver,
        issuer_did: &str,
        key: &dyn Signer,
        key_fragment: &str,
        url: &str,
    ) -> Result<serde_json::Value, VcError> {
        let encoded = self.state().bits.encode();
        veil_did::status_list::sign_list(resolver, issuer_did, key, key_fragment, url, encoded)
            .await
    }
}

/// The revoked ids in revocation order; a gap in the numbering is corruption.
fn revoked_in_order(db: &rocksdb::DB) -> Result<Vec<F>, StatusError> {
    let mut out = Vec::new();
    for item in db.prefix_iterator(b"order/") {
        let (k, v) = item?;
        if !k.starts_with(b"order/") {
            break;
        }
        if k.as_ref() != order_key(out.len() as u64 + 1).as_slice() {
            return Err(StatusError::Corrupt("revocation order has a gap".into()));
        }
        out.push(field_from_le_bytes(&v).map_err(|e| StatusError::Corrupt(e.to_string()))?);
    }
    Ok(out)
}

fn set_bit(bits: &mut BitString, index: u64) -> Result<(), StatusError> {
    bits.set(StatusSize::DEFAULT, index as usize, 1)
        .map(|_| ())
        .map_err(|_| StatusError::Corrupt(format!("status index {index} out of range")))
}
