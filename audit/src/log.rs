//! The transparency log on RocksDB: entries, every perfect-subtree hash and
//! the latest signed tree head, in three column families.
//!
//! An append writes its entries, the nodes they complete and the new signed
//! head in one synced `WriteBatch`, so the log on disk is always a whole
//! number of appends. Opening checks that claim anyway (a copy taken file by
//! file, a disk that lies, or a hand that edits the database): the head's
//! signature, that entries and leaves stop exactly at the head's size, that the
//! last entry hashes to its stored leaf, and that the stored nodes rebuild the
//! signed root. [`TransparencyLog::check_full`] re-hashes everything.

use crate::disclosure::{DisclosureBody, DisclosureError, DisclosureLog};
use crate::entry::Entry;
use crate::head::{log_id, HeadError, SignedTreeHead};
use crate::source::{LogSource, SourceError};
use crate::tree::{self, Frontier, Hash, NodeSource};
use rocksdb::{ColumnFamilyDescriptor, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use std::path::Path;
use std::sync::Mutex;
use thiserror::Error;
use veil_did::ControllerKey;

/// Column family of entries: big-endian index → entry bytes.
pub const ENTRIES: &str = "entries";
/// Column family of nodes: level (1 byte) ‖ big-endian index → 32-byte hash.
pub const NODES: &str = "nodes";
/// Column family of metadata: `head` → the latest signed tree head (JSON).
pub const META: &str = "meta";
const HEAD_KEY: &[u8] = b"head";

/// Why the log failed.
#[derive(Debug, Error)]
pub enum LogError {
    /// RocksDB refused (including: another process holds the log).
    #[error("log database: {0}")]
    Db(#[from] rocksdb::Error),
    /// The stored log is not a whole, consistent log.
    #[error("log is corrupt: {0}")]
    Corrupt(String),
    /// The stored head does not verify or is for another operator.
    #[error("log head: {0}")]
    Head(#[from] HeadError),
    /// Opened without the operator key: cannot append.
    #[error("log opened read-only: appending needs the operator key")]
    ReadOnly,
    /// A range or size beyond the log.
    #[error("{what} {value} is beyond the log's {size} entries")]
    OutOfRange {
        /// What was asked for.
        what: &'static str,
        /// Its value.
        value: u64,
        /// The log's size.
        size: u64,
    },
    /// The log does not exist (read-only opens do not create one).
    #[error("no log at {0}")]
    Missing(String),
    /// An entry larger than [`MAX_ENTRY_BYTES`]: never appended, so every
    /// entry can be served to an auditor in one message.
    #[error("entry of {bytes} bytes; entries are at most {MAX_ENTRY_BYTES} bytes")]
    EntryTooLarge {
        /// Its size.
        bytes: usize,
    },
}

/// The largest entry the log appends. An honest entry is a few kB (a halo2
/// proof, the largest field, is about 8 kB); the bound keeps any one entry
/// far below a gRPC message, so no caller can make part of the log
/// unservable to auditors.
pub const MAX_ENTRY_BYTES: usize = 64 << 10;

fn node_key(level: u32, index: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = level as u8;
    key[1..].copy_from_slice(&index.to_be_bytes());
    key
}

struct State {
    frontier: Frontier,
    head: SignedTreeHead,
}

/// An append-only, RFC 9162 Merkle log of [`Entry`]s.
pub struct TransparencyLog {
    db: DB,
    signer: Option<ControllerKey>,
    state: Mutex<State>,
}

/// Reads nodes straight from the database.
struct Nodes<'a>(&'a DB);

impl NodeSource for Nodes<'_> {
    type Error = LogError;
    fn perfect(&self, level: u32, index: u64) -> Result<Hash, LogError> {
        let cf = cf(self.0, NODES);
        let bytes = self
            .0
            .get_cf(cf, node_key(level, index))?
            .ok_or_else(|| LogError::Corrupt(format!("node ({level}, {index}) is missing")))?;
        bytes
            .try_into()
            .map_err(|_| LogError::Corrupt(format!("node ({level}, {index}) is not 32 bytes")))
    }
}

/// Reads every stored node once, level by level in index order, as
/// [`TransparencyLog::check_full`] asks for them: one forward iterator per
/// level instead of a point lookup per node (each of which searches every
/// table file; a log reopened after many crashes has many).
struct NodeScan<'a> {
    db: &'a DB,
    levels: Vec<rocksdb::DBIteratorWithThreadMode<'a, DB>>,
}

impl<'a> NodeScan<'a> {
    fn new(db: &'a DB) -> Self {
        NodeScan {
            db,
            levels: Vec::new(),
        }
    }

    /// The node `(level, index)`, which must be the level's next one.
    fn next(&mut self, level: u32, index: u64) -> Result<Hash, LogError> {
        let level_at = level as usize;
        while self.levels.len() <= level_at {
            let start = node_key(self.levels.len() as u32, 0);
            let iter = self.db.iterator_cf(
                cf(self.db, NODES),
                IteratorMode::From(&start, rocksdb::Direction::Forward),
            );
            self.levels.push(iter);
        }
        let missing = || LogError::Corrupt(format!("node ({level}, {index}) is missing"));
        let (key, value) = self.levels[level_at].next().ok_or_else(missing)??;
        if *key != node_key(level, index) {
            return Err(missing());
        }
        (*value)
            .try_into()
            .map_err(|_| LogError::Corrupt(format!("node ({level}, {index}) is not 32 bytes")))
    }
}

fn cf<'a>(db: &'a DB, name: &str) -> &'a rocksdb::ColumnFamily {
    // Every family is created (or required) on open.
    db.cf_handle(name)
        .unwrap_or_else(|| unreachable!("column family {name} exists once open"))
}

fn families() -> impl Iterator<Item = ColumnFamilyDescriptor> {
    [ENTRIES, NODES, META]
        .into_iter()
        .map(|name| ColumnFamilyDescriptor::new(name, Options::default()))
}

impl TransparencyLog {
    /// Opens (or creates, with a signed empty head) the log at `path` as its
    /// operator: heads are signed with `operator`, and a log signed by another
    /// key is refused.
    pub fn open(path: &Path, operator: ControllerKey) -> Result<Self, LogError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        let db = DB::open_cf_descriptors(&options, path, families())?;
        let expected = log_id(&operator)?;
        let head = match read_head(&db)? {
            Some(head) => head,
            None => {
                let head = SignedTreeHead::sign(&operator, 0, &tree::empty_root())?;
                let mut batch = WriteBatch::default();
                batch.put_cf(cf(&db, META), HEAD_KEY, head_bytes(&head));
                db.write_opt(batch, &synced())?;
                head
            }
        };
        head.verify(Some(&expected))?;
        let frontier = check_tail(&db, &head)?;
        Ok(TransparencyLog {
            db,
            signer: Some(operator),
            state: Mutex::new(State { frontier, head }),
        })
    }

    /// Opens an existing log to read (an auditor's copy, or beside a running
    /// server); the head must verify under the log's own id, or `expected_log`.
    pub fn open_read_only(path: &Path, expected_log: Option<&str>) -> Result<Self, LogError> {
        if !path.join("CURRENT").exists() {
            return Err(LogError::Missing(path.display().to_string()));
        }
        let db = DB::open_cf_descriptors_read_only(&Options::default(), path, families(), false)?;
        let head = read_head(&db)?.ok_or_else(|| LogError::Corrupt("no signed head".into()))?;
        head.verify(expected_log)?;
        let frontier = check_tail(&db, &head)?;
        Ok(TransparencyLog {
            db,
            signer: None,
            state: Mutex::new(State { frontier, head }),
        })
    }

    /// The log's id (its operator's did:key).
    pub fn log_id(&self) -> String {
        self.lock().head.log_id.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave State half-updated
        // (it is replaced whole after the write), so poisoning is ignorable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Entries so far.
    pub fn size(&self) -> u64 {
        self.lock().frontier.size()
    }

    /// The latest signed tree head (it covers every entry).
    pub fn head(&self) -> SignedTreeHead {
        self.lock().head.clone()
    }

    /// Appends entries atomically (one synced write) and signs the new head;
    /// returns the first entry's index and the head.
    pub fn append(&self, entries: &[Entry]) -> Result<(u64, SignedTreeHead), LogError> {
        let bytes: Vec<Vec<u8>> = entries.iter().map(Entry::to_bytes).collect();
        self.append_bytes(&bytes)
    }

    /// [`Self::append`] for entries already encoded.
    pub fn append_bytes(&self, entries: &[Vec<u8>]) -> Result<(u64, SignedTreeHead), LogError> {
        let signer = self.signer.as_ref().ok_or(LogError::ReadOnly)?;
        if let Some(big) = entries.iter().find(|e| e.len() > MAX_ENTRY_BYTES) {
            return Err(LogError::EntryTooLarge { bytes: big.len() });
        }
        let mut state = self.lock();
        let first = state.frontier.size();
        let mut frontier = state.frontier.clone();
        let mut batch = WriteBatch::default();
        let (entries_cf, nodes_cf) = (cf(&self.db, ENTRIES), cf(&self.db, NODES));
        for entry in entries {
            batch.put_cf(entries_cf, frontier.size().to_be_bytes(), entry);
            for (level, index, hash) in frontier.push(tree::leaf_hash(entry)) {
                batch.put_cf(nodes_cf, node_key(level, index), hash);
            }
        }
        let head = SignedTreeHead::sign(signer, frontier.size(), &frontier.root())?;
        batch.put_cf(cf(&self.db, META), HEAD_KEY, head_bytes(&head));
        self.db.write_opt(batch, &synced())?;
        *state = State {
            frontier,
            head: head.clone(),
        };
        Ok((first, head))
    }

    /// Signs the current tree again with the current time, so that an idle
    /// log's head stays fresh: auditors treat a head older than their bound
    /// as a finding (an operator could otherwise hide entries behind an old
    /// head). Returns the new head.
    pub fn refresh_head(&self) -> Result<SignedTreeHead, LogError> {
        let signer = self.signer.as_ref().ok_or(LogError::ReadOnly)?;
        let mut state = self.lock();
        let head = SignedTreeHead::sign(signer, state.frontier.size(), &state.frontier.root())?;
        let mut batch = WriteBatch::default();
        batch.put_cf(cf(&self.db, META), HEAD_KEY, head_bytes(&head));
        self.db.write_opt(batch, &synced())?;
        state.head = head.clone();
        Ok(head)
    }

    /// The raw bytes of entries `start..end`.
    pub fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, LogError> {
        self.entries_page(start, end, usize::MAX)
    }

    /// The entries from `start` towards `end`, stopping before their bytes
    /// would pass `max_bytes` (but at least one when `start < end`): a page
    /// that fits in one message, however large the entries. A short page is
    /// an answer, not an error; the reader asks again from where it ends.
    pub fn entries_page(
        &self,
        start: u64,
        end: u64,
        max_bytes: usize,
    ) -> Result<Vec<Vec<u8>>, LogError> {
        let size = self.size();
        if end > size {
            return Err(LogError::OutOfRange {
                what: "entry range end",
                value: end,
                size,
            });
        }
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let iter = self.db.iterator_cf(
            cf(&self.db, ENTRIES),
            IteratorMode::From(&start.to_be_bytes(), rocksdb::Direction::Forward),
        );
        for (expected, item) in (start..end).zip(iter) {
            let (key, value) = item?;
            if key.as_ref() != expected.to_be_bytes() {
                return Err(LogError::Corrupt(format!("entry {expected} is missing")));
            }
            bytes = bytes.saturating_add(value.len());
            if bytes > max_bytes && !out.is_empty() {
                return Ok(out);
            }
            out.push(value.to_vec());
        }
        if out.len() as u64 != end.saturating_sub(start) {
            return Err(LogError::Corrupt(format!(
                "entries stop at {}, before {end}",
                start + out.len() as u64
            )));
        }
        Ok(out)
    }

    fn check_size(&self, what: &'static str, value: u64) -> Result<(), LogError> {
        let size = self.size();
        if value > size {
            return Err(LogError::OutOfRange { what, value, size });
        }
        Ok(())
    }

    /// RFC 9162 inclusion proof of entry `index` in the tree of `tree_size`.
    pub fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>, LogError> {
        self.check_size("tree size", tree_size)?;
        if index >= tree_size {
            return Err(LogError::OutOfRange {
                what: "entry index",
                value: index,
                size: tree_size,
            });
        }
        tree::inclusion_proof(&Nodes(&self.db), index, tree_size)
    }

    /// RFC 9162 consistency proof from the tree of `first` entries to `second`.
    pub fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>, LogError> {
        self.check_size("tree size", second)?;
        if first > second {
            return Err(LogError::OutOfRange {
                what: "first tree size",
                value: first,
                size: second,
            });
        }
        tree::consistency_proof(&Nodes(&self.db), first, second)
    }

    /// The root of the first `tree_size` entries (from stored nodes).
    pub fn root_at(&self, tree_size: u64) -> Result<Hash, LogError> {
        self.check_size("tree size", tree_size)?;
        tree::subtree_root(&Nodes(&self.db), 0, tree_size)
    }

    /// Re-hashes every entry and rebuilds every node; names the first entry
    /// or node that disagrees. `progress` is told how many entries are done.
    pub fn check_full(&self, mut progress: impl FnMut(u64)) -> Result<(), LogError> {
        let head = self.head();
        let mut frontier = Frontier::new();
        let mut nodes = NodeScan::new(&self.db);
        const CHUNK: u64 = 4096;
        let mut start = 0;
        while start < head.tree_size {
            let end = (start + CHUNK).min(head.tree_size);
            for entry in self.entries(start, end)? {
                for (level, index, hash) in frontier.push(tree::leaf_hash(&entry)) {
                    if nodes.next(level, index)? != hash {
                        return Err(LogError::Corrupt(if level == 0 {
                            format!("entry {index} does not hash to its stored leaf")
                        } else {
                            format!("node ({level}, {index}) does not match its children")
                        }));
                    }
                }
            }
            start = end;
            progress(start);
        }
        if frontier.root() != head.root()? {
            return Err(LogError::Corrupt(
                "the entries do not hash to the signed root".into(),
            ));
        }
        Ok(())
    }
}

fn synced() -> WriteOptions {
    let mut options = WriteOptions::default();
    options.set_sync(true);
    options
}

fn head_bytes(head: &SignedTreeHead) -> Vec<u8> {
    serde_json::to_vec(head).unwrap_or_default()
}

fn read_head(db: &DB) -> Result<Option<SignedTreeHead>, LogError> {
    match db.get_cf(cf(db, META), HEAD_KEY)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| LogError::Corrupt(format!("stored head: {e}"))),
    }
}

fn last_key(db: &DB, family: &str) -> Result<Option<Box<[u8]>>, LogError> {
    match db.iterator_cf(cf(db, family), IteratorMode::End).next() {
        None => Ok(None),
        Some(item) => Ok(Some(item?.0)),
    }
}

/// Torn-write detection: the stored entries and nodes end exactly where the
/// signed head says, the last entry hashes to its leaf, and the stored right
/// edge rebuilds the signed root. Returns the frontier to append from.
fn check_tail(db: &DB, head: &SignedTreeHead) -> Result<Frontier, LogError> {
    let size = head.tree_size;
    let last_entry = last_key(db, ENTRIES)?;
    let expected_last = size.checked_sub(1).map(|i| i.to_be_bytes().to_vec());
    if last_entry.as_deref() != expected_last.as_deref() {
        return Err(LogError::Corrupt(format!(
            "the signed head covers {size} entries but the last stored entry is {}",
            describe_index(last_entry.as_deref())
        )));
    }
    let nodes = Nodes(db);
    if let Some(last) = size.checked_sub(1) {
        let entry = db
            .get_cf(cf(db, ENTRIES), last.to_be_bytes())?
            .ok_or_else(|| LogError::Corrupt(format!("entry {last} is missing")))?;
        if nodes.perfect(0, last)? != tree::leaf_hash(&entry) {
            return Err(LogError::Corrupt(format!(
                "entry {last} does not hash to its stored leaf"
            )));
        }
    }
    if db.get_cf(cf(db, NODES), node_key(0, size))?.is_some() {
        return Err(LogError::Corrupt(format!(
            "a leaf is stored beyond the signed head's {size} entries"
        )));
    }
    let frontier = Frontier::load(&nodes, size)?;
    if frontier.root() != head.root()? {
        return Err(LogError::Corrupt(
            "the stored tree does not rebuild the signed root".into(),
        ));
    }
    Ok(frontier)
}

fn describe_index(key: Option<&[u8]>) -> String {
    match key {
        None => "none".into(),
        Some(k) => match <[u8; 8]>::try_from(k) {
            Ok(b) => u64::from_be_bytes(b).to_string(),
            Err(_) => format!("a malformed key {}", hex::encode(k)),
        },
    }
}

fn source_error<E: std::fmt::Display>(e: E) -> SourceError {
    SourceError(e.to_string())
}

/// The operator's own log is an audit source (a copy, or read-only beside a
/// running server).
impl LogSource for TransparencyLog {
    fn signed_head(&self) -> Result<SignedTreeHead, SourceError> {
        Ok(self.head())
    }
    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, SourceError> {
        TransparencyLog::entries(self, start, end).map_err(source_error)
    }
    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>, SourceError> {
        TransparencyLog::consistency_proof(self, first, second).map_err(source_error)
    }
    fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>, SourceError> {
        TransparencyLog::inclusion_proof(self, index, tree_size).map_err(source_error)
    }
}

impl DisclosureLog for TransparencyLog {
    /// Appends the record as the log's operator (a log opened read-only
    /// refuses).
    fn record(&self, body: &DisclosureBody) -> Result<u64, DisclosureError> {
        self.append(&[body.record()])
            .map(|(index, _)| index)
            .map_err(|e| DisclosureError::Record(e.to_string()))
    }
}
