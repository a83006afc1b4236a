//! A hostile log operator: it signs whatever heads it likes (so they
//! verify) and serves any entries and proof hashes, too few or too many.
//! The regulator's audit, receipt checks and entry decoder must answer with
//! findings or typed errors: never a panic, a hang, or memory sized by a
//! number the operator chose.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use veil_audit::audit::{audit_streaming, AuditOptions, AuditorState};
use veil_audit::head::log_id;
use veil_audit::source::{LogSource, SourceError};
use veil_audit::tree::{root_of, Hash};
use veil_audit::{Entry, Receipt, SignedTreeHead};

#[derive(Arbitrary, Debug)]
struct HostileLog {
    /// The entries it serves.
    entries: Vec<Vec<u8>>,
    /// The size its head claims (`None`: the entries' count).
    claimed_size: Option<u64>,
    /// Whether the head's root is the entries' true root.
    honest_root: bool,
    /// The head's time.
    timestamp_unix_ms: u64,
    /// A head the regulator kept from an earlier audit: size and time.
    previous: Option<(u64, u64)>,
    /// The hashes it serves as any consistency or inclusion proof.
    proof: Vec<Hash>,
    /// Entries served beyond (or, negative, short of) what was asked.
    skew: i8,
    /// A receipt's index.
    receipt_index: u64,
}

impl HostileLog {
    fn size(&self) -> u64 {
        self.claimed_size.unwrap_or(self.entries.len() as u64)
    }

    fn root(&self) -> Hash {
        if self.honest_root {
            root_of(self.entries.iter().map(Vec::as_slice))
        } else {
            [7; 32]
        }
    }

    fn head(&self, size: u64, root: &Hash, time: u64) -> SignedTreeHead {
        SignedTreeHead::sign_at(veil_fuzz::operator_key(), size, root, time)
            .expect("signing with a generated key")
    }
}

impl LogSource for HostileLog {
    fn signed_head(&self) -> Result<SignedTreeHead, SourceError> {
        Ok(self.head(self.size(), &self.root(), self.timestamp_unix_ms))
    }

    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, SourceError> {
        let len = self.entries.len() as u64;
        let end = end.saturating_add_signed(self.skew as i64).min(len);
        let start = start.min(end);
        Ok(self.entries[start as usize..end as usize].to_vec())
    }

    fn consistency_proof(&self, _: u64, _: u64) -> Result<Vec<Hash>, SourceError> {
        Ok(self.proof.clone())
    }

    fn inclusion_proof(&self, _: u64, _: u64) -> Result<Vec<Hash>, SourceError> {
        Ok(self.proof.clone())
    }
}

fuzz_target!(init: { veil_fuzz::operator_key(); }, |log: HostileLog| {
    let key = veil_fuzz::operator_key();
    let id = log_id(key).expect("a did:key");
    for entry in &log.entries {
        let _ = Entry::from_bytes(entry);
    }
    let state = AuditorState {
        log_id: id.clone(),
        head: log
            .previous
            .map(|(size, time)| log.head(size, &[9; 32], time)),
    };
    let options = AuditOptions {
        chunk: 64,
        ..AuditOptions::live()
    };
    let _ = audit_streaming(&log, &state, &options, |_| {}, |_, _| {});
    let receipt = Receipt {
        index: log.receipt_index,
        entry: log.entries.first().cloned().unwrap_or_default(),
        head: log.signed_head().expect("the fuzz log always has a head"),
    };
    let _ = receipt.verify(Some(&id), &log.proof);
    let _ = receipt.check(&log, Some(&id));
});
