//! Disclosure: the only way an escrow is opened. The regulator asks the
//! issuer whose credential an escrow holds; the request is in the log before
//! any official releases a decryption share, and the issuer answers only a
//! request that is provably in the log, opened by partials bound to it.
//!
//! 1. The regulator [`prepare`]s a [`DisclosureBody`]: the verification entry
//!    with its inclusion proof under a signed head, the regulator group and
//!    the grounds. No secret is used.
//! 2. The log operator appends a [`DisclosureRecord`] naming the entry and the
//!    body's hash — never the credential id — so every disclosure is on the
//!    record the regulator's own audits, and anyone's, will see.
//! 3. The regulator [`finish`]es: the record's inclusion proof under a head
//!    ([`request`] does 1–3 in one call).
//! 4. Each official [`release`]s a partial decryption: its tool checks the
//!    request exactly as the issuer will (heads signed by the log it trusts,
//!    both inclusion proofs, the record committing to this body, the key the
//!    entry escrowed to) and binds the partial to the record ([`binding`]).
//!    No request in the log, no partial.
//! 5. The regulator [`open`]s: t partials, each checked against the record.
//! 6. The issuer answers (veil-issuer's `disclosure::answer`): the same
//!    checks ([`check`]), then looks the credential id up in its KYC records.
//!
//! t officials running other code can still combine their shares in secret:
//! that is the limit of threshold decryption. What veil's tools promise is
//! that none of them releases a share, and no issuer answers, off the record.

use crate::entry::{self, DisclosureRecord, Entry, VerificationRecord};
use crate::head::{HeadError, SignedTreeHead};
use crate::source::{hashes_from_hex, hashes_to_hex, LogSource, SourceError};
use crate::threshold::{PartialDecryption, RegulatorGroup, RegulatorShare, ThresholdError};
use crate::tree::{self, ProofError};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use veil_circuits::babyjubjub::Point;
use veil_circuits::statement::files::{PointJson, PolicyJson};
use veil_circuits::F;

/// Why a disclosure cannot be prepared or answered.
#[derive(Debug, Error)]
pub enum DisclosureError {
    /// The log could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A head is not signed by the trusted log.
    #[error("{what}: {error}")]
    Head {
        /// Which head.
        what: &'static str,
        /// Why.
        error: HeadError,
    },
    /// An inclusion proof fails.
    #[error("{what} is not in the signed log: {error}")]
    NotInLog {
        /// Which entry.
        what: &'static str,
        /// Why.
        error: ProofError,
    },
    /// The entry is not what a disclosure can be about.
    #[error("entry {index}: {message}")]
    BadEntry {
        /// The entry.
        index: u64,
        /// Why.
        message: String,
    },
    /// The logged record does not commit to this request.
    #[error("the disclosure record does not match the request: {0}")]
    RecordMismatch(String),
    /// The regulator key is not the one the proof escrowed to.
    #[error("regulator key: {0}")]
    WrongRegulator(String),
    /// A partial decryption or the group is bad (names the official).
    #[error(transparent)]
    Threshold(#[from] ThresholdError),
    /// A field of the request is malformed.
    #[error("{field}: {message}")]
    Malformed {
        /// The field.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// The log would not record the request.
    #[error("recording the request: {0}")]
    Record(String),
}

/// What the regulator asks, before it is logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureBody {
    /// The log it is about.
    pub log_id: String,
    /// The verification entry.
    pub entry_index: u64,
    /// Its stored bytes (JSON).
    pub entry: String,
    /// A head that includes it.
    pub head: SignedTreeHead,
    /// Its inclusion proof under `head` (hex).
    pub inclusion_proof: Vec<String>,
    /// The regulator key's group (a single key is a 1-of-1 group).
    pub regulator: RegulatorGroup,
    /// The policy, when the entry does not name its regulator key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyJson>,
    /// The regulator's grounds or case reference.
    pub grounds: String,
}

impl DisclosureBody {
    /// BLAKE3 (hex) of the body's JSON: what the log records.
    pub fn hash(&self) -> String {
        blake3::hash(&serde_json::to_vec(self).unwrap_or_default())
            .to_hex()
            .to_string()
    }

    /// The log entry that records this request.
    pub fn record(&self) -> Entry {
        Entry::Disclosure(DisclosureRecord {
            time_unix_ms: entry::now_unix_ms(),
            entry_index: self.entry_index,
            regulator_key: self.regulator.public_key.clone(),
            request_hash: self.hash(),
            grounds: self.grounds.clone(),
        })
    }
}

/// The request the issuer receives: the body, and proof it was logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRequest {
    /// What is asked.
    pub body: DisclosureBody,
    /// Where the log recorded it.
    pub record_index: u64,
    /// The record's stored bytes.
    pub record_entry: String,
    /// A head that includes the record.
    pub record_head: SignedTreeHead,
    /// The record's inclusion proof under `record_head` (hex).
    pub record_proof: Vec<String>,
    /// t partial decryptions of the entry's escrow, each bound to this
    /// record ([`binding`]); empty until the officials [`release`] them.
    #[serde(default)]
    pub partials: Vec<PartialDecryption>,
}

fn head_ok(
    what: &'static str,
    head: &SignedTreeHead,
    log: &str,
) -> Result<tree::Hash, DisclosureError> {
    head.verify(Some(log))
        .map_err(|error| DisclosureError::Head { what, error })
}

fn included(
    what: &'static str,
    bytes: &[u8],
    index: u64,
    head: &SignedTreeHead,
    root: &tree::Hash,
    proof: &[tree::Hash],
) -> Result<(), DisclosureError> {
    tree::verify_inclusion(&tree::leaf_hash(bytes), index, head.tree_size, proof, root)
        .map_err(|error| DisclosureError::NotInLog { what, error })
}

fn one_entry(source: &dyn LogSource, index: u64) -> Result<Vec<u8>, DisclosureError> {
    source
        .entries(index, index + 1)?
        .pop()
        .ok_or_else(|| DisclosureError::Source(SourceError(format!("entry {index} missing"))))
}

/// The escrow of a valid verification entry, and the regulator key it is
/// escrowed to (from the entry or, failing that, the policy).
fn escrow_of(
    index: u64,
    bytes: &[u8],
    policy: Option<&PolicyJson>,
) -> Result<(Point, F, Point), DisclosureError> {
    let bad = |message: String| DisclosureError::BadEntry { index, message };
    let v: VerificationRecord = match Entry::from_bytes(bytes) {
        Ok(Entry::Verification(v)) => v,
        Ok(Entry::Disclosure(_)) => return Err(bad("is a disclosure, not a verification".into())),
        Err(e) => return Err(bad(format!("does not decode: {e}"))),
    };
    if !v.valid {
        return Err(bad("records an invalid proof".into()));
    }
    let inputs = v.decoded_inputs().map_err(|e| bad(e.to_string()))?;
    let key = match (&v.regulator_key, policy) {
        (Some(k), _) => k.to_key("regulator_key").map_err(|e| bad(e.to_string()))?.0,
        (None, Some(p)) => {
            let parsed = p.to_policy().map_err(|e| DisclosureError::Malformed {
                field: "policy",
                message: e.to_string(),
            })?;
            let mismatch = inputs.binding_mismatch(Some(&parsed), None).map_err(|e| {
                DisclosureError::Malformed {
                    field: "policy",
                    message: e.to_string(),
                }
            })?;
            if mismatch.is_some() {
                return Err(DisclosureError::WrongRegulator(
                    "the policy given is not the proof's policy".into(),
                ));
            }
            parsed.regulator_key.0
        }
        (None, None) => {
            return Err(DisclosureError::WrongRegulator(
                "the entry names no regulator key; give the proof's policy".into(),
            ))
        }
    };
    let (c1, ct) = inputs
        .escrow()
        .map_err(|e| bad(format!("escrow c1: {e}")))?;
    Ok((c1, ct, key))
}

/// Step 1: the regulator's request for entry `index` of the log `log_id`,
/// to be opened by `group`.
pub fn prepare(
    source: &dyn LogSource,
    log_id: &str,
    index: u64,
    group: &RegulatorGroup,
    policy: Option<PolicyJson>,
    grounds: &str,
) -> Result<DisclosureBody, DisclosureError> {
    let head = source.signed_head()?;
    let root = head_ok("log head", &head, log_id)?;
    if index >= head.tree_size {
        return Err(DisclosureError::BadEntry {
            index,
            message: format!("beyond the log's {} entries", head.tree_size),
        });
    }
    let bytes = one_entry(source, index)?;
    let proof = source.inclusion_proof(index, head.tree_size)?;
    included("the entry", &bytes, index, &head, &root, &proof)?;
    let (_, _, key) = escrow_of(index, &bytes, policy.as_ref())?;
    group.check()?;
    if key != group.public_key()? {
        return Err(DisclosureError::WrongRegulator(
            "the entry is escrowed to another regulator key".into(),
        ));
    }
    Ok(DisclosureBody {
        log_id: log_id.to_string(),
        entry_index: index,
        entry: String::from_utf8_lossy(&bytes).into_owned(),
        head,
        inclusion_proof: hashes_to_hex(&proof),
        regulator: group.clone(),
        policy,
        grounds: grounds.to_string(),
    })
}

/// A log a disclosure body can be recorded in before the issuer will answer
/// it: a local log by its operator, or the service's `RecordDisclosure`
/// (veil-service's `RemoteLog`).
pub trait DisclosureLog: LogSource {
    /// Appends the body's [`DisclosureRecord`]; returns its index.
    fn record(&self, body: &DisclosureBody) -> Result<u64, DisclosureError>;
}

/// The regulator's whole request in one call: [`prepare`] the body for
/// entry `index`, record it in `log`, and [`finish`] with the record's
/// inclusion proof. What `veil regulator disclose` runs, local or remote;
/// the officials then [`release`] their partials for it.
pub fn request(
    log: &dyn DisclosureLog,
    log_id: &str,
    index: u64,
    group: &RegulatorGroup,
    policy: Option<PolicyJson>,
    grounds: &str,
) -> Result<DisclosureRequest, DisclosureError> {
    let body = prepare(log, log_id, index, group, policy, grounds)?;
    let record_index = log.record(&body)?;
    finish(log, body, record_index)
}

/// Step 3: once the log holds the body's record at `record_index`, the
/// request with the record's inclusion proof under the log's current head.
pub fn finish(
    source: &dyn LogSource,
    body: DisclosureBody,
    record_index: u64,
) -> Result<DisclosureRequest, DisclosureError> {
    let head = source.signed_head()?;
    let root = head_ok("log head", &head, &body.log_id)?;
    let bytes = one_entry(source, record_index)?;
    let proof = source.inclusion_proof(record_index, head.tree_size)?;
    included(
        "the disclosure record",
        &bytes,
        record_index,
        &head,
        &root,
        &proof,
    )?;
    Ok(DisclosureRequest {
        body,
        record_index,
        record_entry: String::from_utf8_lossy(&bytes).into_owned(),
        record_head: head,
        record_proof: hashes_to_hex(&proof),
        partials: Vec::new(),
    })
}

/// Checks that `(bytes, index)` is in the tree of `head`, itself signed by
/// `log`, by the hex inclusion proof `proof`.
fn in_signed_log(
    what: &'static str,
    (bytes, index): (&[u8], u64),
    head: &SignedTreeHead,
    proof: &[String],
    log: &str,
) -> Result<(), DisclosureError> {
    let root = head_ok(what, head, log)?;
    let proof = hashes_from_hex(what, proof)?;
    included(what, bytes, index, head, &root, &proof)
}

/// What a partial for `request` is bound to: the log, the record's index
/// and the request's hash. A partial released for one record checks for no
/// other (another request about the same entry included).
pub fn binding(request: &DisclosureRequest) -> Vec<u8> {
    let body = &request.body;
    let mut context = Vec::new();
    for part in [
        body.log_id.as_bytes(),
        &request.record_index.to_be_bytes(),
        body.hash().as_bytes(),
    ] {
        context.extend_from_slice(&(part.len() as u64).to_be_bytes());
        context.extend_from_slice(part);
    }
    context
}

/// Checks that `request` is on the record of the log `trusted_log` and
/// names the escrow it is about; returns the escrow `(c1, ct)`. What the
/// officials' tools and the issuer check before anything else.
pub fn check_logged(
    request: &DisclosureRequest,
    trusted_log: &str,
) -> Result<(Point, F), DisclosureError> {
    let body = &request.body;
    let log = trusted_log;
    let entry = (body.entry.as_bytes(), body.entry_index);
    in_signed_log("the entry", entry, &body.head, &body.inclusion_proof, log)?;
    let record = (request.record_entry.as_bytes(), request.record_index);
    in_signed_log(
        "the disclosure record",
        record,
        &request.record_head,
        &request.record_proof,
        log,
    )?;
    let record = match Entry::from_bytes(request.record_entry.as_bytes()) {
        Ok(Entry::Disclosure(d)) => d,
        _ => {
            return Err(DisclosureError::RecordMismatch(
                "the record is not a disclosure entry".into(),
            ))
        }
    };
    if record.request_hash != body.hash() {
        return Err(DisclosureError::RecordMismatch(
            "it records another request".into(),
        ));
    }
    if record.entry_index != body.entry_index {
        return Err(DisclosureError::RecordMismatch(format!(
            "it discloses entry {}, the request entry {}",
            record.entry_index, body.entry_index
        )));
    }
    if record.regulator_key != body.regulator.public_key {
        return Err(DisclosureError::RecordMismatch(
            "it names another regulator key".into(),
        ));
    }
    let (c1, ct, key) = escrow_of(
        body.entry_index,
        body.entry.as_bytes(),
        body.policy.as_ref(),
    )?;
    body.regulator.check()?;
    if body.regulator.public_key()? != key {
        return Err(DisclosureError::WrongRegulator(
            "the request's group is not the key the proof escrowed to".into(),
        ));
    }
    Ok((c1, ct))
}

/// Step 4, an official: releases this share's partial decryption for a
/// request only once [`check_logged`] shows it is in the log the official
/// trusts, bound to its record.
pub fn release<R: RngCore + CryptoRng>(
    request: &DisclosureRequest,
    trusted_log: &str,
    share: &RegulatorShare,
    rng: &mut R,
) -> Result<PartialDecryption, DisclosureError> {
    let (c1, _) = check_logged(request, trusted_log)?;
    if share.group != request.body.regulator {
        return Err(DisclosureError::WrongRegulator(
            "this share belongs to another regulator group".into(),
        ));
    }
    Ok(share.partial_decrypt(&c1, &binding(request), rng)?)
}

/// Step 5, the regulator: attaches the officials' partials to the request,
/// each checked against the record (a partial for another record, or a
/// cheating official, is named); returns the request for the issuer.
pub fn open(
    mut request: DisclosureRequest,
    trusted_log: &str,
    partials: Vec<PartialDecryption>,
) -> Result<DisclosureRequest, DisclosureError> {
    request.partials = partials;
    check(&request, trusted_log)?;
    Ok(request)
}

/// Checks a request and its partials against the log the issuer trusts;
/// returns the credential id it is about (without looking it up).
pub fn check(request: &DisclosureRequest, trusted_log: &str) -> Result<F, DisclosureError> {
    let (c1, ct) = check_logged(request, trusted_log)?;
    let context = binding(request);
    Ok(request
        .body
        .regulator
        .decrypt(&c1, ct, &context, &request.partials)?)
}

/// The regulator key as JSON (for records and requests).
pub fn key_json(p: &Point) -> PointJson {
    PointJson::from_key(&veil_circuits::eddsa::PublicKey(*p))
}
