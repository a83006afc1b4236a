//! The service's side of the audit log: every verification it answers and
//! every disclosure a regulator records becomes an entry, stored (synced) in
//! the [`TransparencyLog`] before the caller is answered.
//!
//! Appends are group-committed: one writer thread takes whatever entries are
//! waiting, appends them in one synced batch with one signed head, and tells
//! each caller its index. Under load one fsync covers many verifications, so
//! logging costs throughput little; a caller is never answered before its
//! entry is on disk, and if the log cannot write, the caller gets an error
//! instead of an unlogged verdict.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tonic::Status;
use veil_audit::{Entry, LogError, SignedTreeHead, TransparencyLog};
use veil_did::ControllerKey;

/// Entries appended per batch at most.
const MAX_GROUP: usize = 4096;

struct Pending {
    entries: Vec<Vec<u8>>,
    done: oneshot::Sender<Result<(u64, SignedTreeHead), String>>,
}

/// Entries on disk: where the first one is, the signed head that covers
/// them, and their exact bytes (each caller's receipt).
pub struct Logged {
    /// The first entry's index.
    pub first: u64,
    /// The head signed after the append.
    pub head: SignedTreeHead,
    /// The entries' bytes, in order.
    pub entries: Vec<Vec<u8>>,
}

/// The log and its writer thread.
pub struct AuditLog {
    log: Arc<TransparencyLog>,
    tx: Option<mpsc::Sender<Pending>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for AuditLog {
    /// Closes the queue and waits for the writer, so the database is released
    /// when the log is dropped (a restart in the same process can reopen it).
    fn drop(&mut self) {
        self.tx.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Why the operator key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum OperatorKeyError {
    /// Reading or writing the key file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a private Ed25519 JWK.
    #[error("{path}: {message}")]
    Key {
        /// The file.
        path: String,
        /// The cause.
        message: String,
    },
}

/// The operator's Ed25519 key at `path`; made (readable by the owner only)
/// if the file does not exist, so a fresh server needs no setup.
pub fn load_or_create_operator_key(path: &Path) -> Result<ControllerKey, OperatorKeyError> {
    let shown = path.display().to_string();
    let io = |source| OperatorKeyError::Io {
        path: shown.clone(),
        source,
    };
    let bad = |e: veil_did::KeyError| OperatorKeyError::Key {
        path: shown.clone(),
        message: e.to_string(),
    };
    match std::fs::read_to_string(path) {
        Ok(text) => ControllerKey::from_json(&text).map_err(bad),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = ControllerKey::generate().map_err(bad)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            write_private(path, key.to_json().as_bytes()).map_err(io)?;
            Ok(key)
        }
        Err(e) => Err(io(e)),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

impl AuditLog {
    /// Opens (or creates) the log at `dir`, signed by `operator`, and starts
    /// its writer.
    pub fn open(dir: &Path, operator: ControllerKey) -> Result<Self, LogError> {
        let log = Arc::new(TransparencyLog::open(dir, operator)?);
        let (tx, mut rx) = mpsc::channel::<Pending>(MAX_GROUP);
        let writer = log.clone();
        let handle = std::thread::Builder::new()
            .name("veil-audit-log".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut group = vec![first];
                    let mut count = group[0].entries.len();
                    while count < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(p) => {
                                count += p.entries.len();
                                group.push(p);
                            }
                            Err(_) => break,
                        }
                    }
                    let bytes: Vec<Vec<u8>> = group
                        .iter()
                        .flat_map(|p| p.entries.iter().cloned())
                        .collect();
                    match writer.append_bytes(&bytes) {
                        Ok((mut index, head)) => {
                            for p in group {
                                let n = p.entries.len() as u64;
                                let _ = p.done.send(Ok((index, head.clone())));
                                index += n;
                            }
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "audit log append failed");
                            for p in group {
                                let _ = p.done.send(Err(e.to_string()));
                            }
                        }
                    }
                }
            })
            .map_err(|e| LogError::Corrupt(format!("cannot start the log writer: {e}")))?;
        Ok(AuditLog {
            log,
            tx: Some(tx),
            writer: Some(handle),
        })
    }

    /// The log, for reads.
    pub fn log(&self) -> &Arc<TransparencyLog> {
        &self.log
    }

    /// Appends `entries` (durably); returns where they are, the signed head
    /// covering them and their bytes.
    pub async fn record(&self, entries: Vec<Entry>) -> Result<Logged, Status> {
        let (done, result) = oneshot::channel();
        let bytes: Vec<Vec<u8>> = entries.iter().map(Entry::to_bytes).collect();
        // Refused here, not in the writer's group, where it would fail the
        // other callers' entries with it.
        if let Some(big) = bytes
            .iter()
            .find(|b| b.len() > veil_audit::log::MAX_ENTRY_BYTES)
        {
            return Err(Status::invalid_argument(format!(
                "the verification's log entry would be {} bytes; at most {}",
                big.len(),
                veil_audit::log::MAX_ENTRY_BYTES
            )));
        }
        let pending = Pending {
            entries: bytes.clone(),
            done,
        };
        let unavailable = || Status::unavailable("the audit log is not accepting entries");
        let tx = self.tx.as_ref().ok_or_else(unavailable)?;
        tx.send(pending).await.map_err(|_| unavailable())?;
        let (first, head) = result
            .await
            .map_err(|_| unavailable())?
            .map_err(|e| Status::unavailable(format!("audit log: {e}")))?;
        Ok(Logged {
            first,
            head,
            entries: bytes,
        })
    }

    /// Re-signs the head every `every`, so an idle log's head stays fresh
    /// for auditors (who refuse stale heads); runs until the log is dropped.
    pub fn spawn_head_refresh(log: &Arc<AuditLog>, every: Duration) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(log);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(log) = weak.upgrade() else { return };
                let inner = log.log.clone();
                drop(log);
                match tokio::task::spawn_blocking(move || inner.refresh_head()).await {
                    Ok(Ok(head)) => {
                        tracing::debug!(size = head.tree_size, "audit log head re-signed")
                    }
                    Ok(Err(e)) => tracing::error!(error = %e, "audit log head refresh failed"),
                    Err(e) => tracing::error!(error = %e, "audit log head refresh panicked"),
                }
            }
        })
    }
}

/// The most bytes of a verdict's reason a log entry keeps.
pub const MAX_REASON_BYTES: usize = 1024;

/// `text` cut to at most `max` bytes, on a character boundary.
fn bounded(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The log entry of one answered verification: the proof's system, the
/// proof itself and its public inputs in their canonical encoding (so a
/// regulator can re-verify the verdict, and an entry is as large as a
/// proof, never as large as a request), the verdict, the caller, and the
/// regulator key of the policy it was checked against (when the request
/// named one that decodes).
pub fn verification_entry(
    request: &crate::pb::VerifyRequest,
    response: &crate::pb::VerifyResponse,
    caller: &str,
) -> Entry {
    let regulator_key = if request.policy_json.is_empty() {
        None
    } else {
        serde_json::from_str::<veil_circuits::statement::files::PolicyJson>(&request.policy_json)
            .ok()
            .and_then(|p| p.regulator_key.to_key("regulator_key").ok())
            .map(|key| veil_circuits::statement::files::PointJson::from_key(&key))
    };
    // The engine answered, so the proof decodes; an entry without one is
    // what an auditor treats as a finding.
    let proof = veil_client::proof::canonical(request.proof.as_ref()).unwrap_or_default();
    Entry::Verification(veil_audit::VerificationRecord {
        time_unix_ms: veil_audit::entry::now_unix_ms(),
        system: veil_client::proof::system_of(proof.system)
            .unwrap_or(veil_prover::ProvingSystem::Groth16)
            .name()
            .into(),
        proof: proof.proof_json,
        public_inputs: proof.public_inputs,
        valid: response.valid,
        reason: bounded(&response.reason, MAX_REASON_BYTES),
        caller: bounded(caller, MAX_REASON_BYTES),
        regulator_key,
    })
}
