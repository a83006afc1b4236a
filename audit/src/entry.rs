//! What the log records. An entry is stored and hashed as the exact bytes it
//! was appended with (its JSON); auditors hash the bytes they fetch, so no
//! canonicalisation is needed. Entries hold public data only: the proof's
//! public inputs (whose escrow ciphertext only the regulator can open), the
//! verdict, and who asked — never a credential id, a key or a witness.

use serde::{Deserialize, Serialize};
use veil_circuits::encoding::field_from_decimal;
use veil_circuits::statement::files::PointJson;
use veil_circuits::statement::{PublicInputs, NUM_PUBLIC_INPUTS};

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// A proof the service verified (valid or not).
    Verification(VerificationRecord),
    /// A regulator asked an issuer to disclose whose credential an escrow
    /// holds. Logged before the issuer will answer, so no disclosure is secret.
    Disclosure(DisclosureRecord),
}

/// A verification, as the service saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRecord {
    /// When, milliseconds since the Unix epoch.
    pub time_unix_ms: u64,
    /// The proving system ("groth16" or "halo2").
    pub system: String,
    /// The proof as it was submitted (snarkjs JSON for Groth16, veil's
    /// `{"system": "halo2", "proof": "0x…"}` for halo2), so that anyone with
    /// the verifying key can re-check the verdict. Empty in entries written
    /// before proofs were logged.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub proof: String,
    /// The ten public inputs, decimal, in the statement's order (1: policy
    /// hash; 8–10: the escrow ciphertext).
    pub public_inputs: Vec<String>,
    /// The verdict.
    pub valid: bool,
    /// Why not valid (empty when valid).
    pub reason: String,
    /// The API key id of the caller, or "anonymous".
    pub caller: String,
    /// The regulator key of the policy the caller checked the proof against,
    /// when it named one (the policy hash binds it either way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regulator_key: Option<PointJson>,
}

/// A regulator's disclosure request, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRecord {
    /// When, milliseconds since the Unix epoch.
    pub time_unix_ms: u64,
    /// The verification entry whose escrow is being opened.
    pub entry_index: u64,
    /// The regulator key (the group's public key) that opened it.
    pub regulator_key: PointJson,
    /// BLAKE3 (hex) of the request's body ([`crate::disclosure`]).
    pub request_hash: String,
    /// The regulator's case reference or grounds.
    pub grounds: String,
}

/// Index of the policy hash among the public inputs.
pub const POLICY_HASH_INPUT: usize = 0;
/// Index of the nullifier.
pub const NULLIFIER_INPUT: usize = 6;
/// Index of the payment hash.
pub const PAYMENT_HASH_INPUT: usize = 5;
/// Index of the scope.
pub const SCOPE_INPUT: usize = 4;

impl Entry {
    /// The bytes to append (JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        // A derive-only enum of strings and numbers always serialises.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// An entry from its stored bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// When it was recorded.
    pub fn time_unix_ms(&self) -> u64 {
        match self {
            Entry::Verification(v) => v.time_unix_ms,
            Entry::Disclosure(d) => d.time_unix_ms,
        }
    }
}

/// Logged public inputs that do not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputsError {
    /// Not the statement's ten.
    #[error("expected {NUM_PUBLIC_INPUTS} public inputs, got {0}")]
    Count(usize),
    /// One is not a canonical decimal below r.
    #[error("public input {index}: {source}")]
    Number {
        /// 1-based, as the statement numbers them.
        index: usize,
        /// Why.
        source: veil_circuits::encoding::DecodeError,
    },
}

impl VerificationRecord {
    /// Public input `i`, or "" when the entry has fewer.
    pub fn input(&self, i: usize) -> &str {
        self.public_inputs.get(i).map(String::as_str).unwrap_or("")
    }

    /// The ten public inputs, decoded (each canonical, below r): what the
    /// audit re-verifies and opens escrows from.
    pub fn decoded_inputs(&self) -> Result<PublicInputs, InputsError> {
        let values = self
            .public_inputs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                field_from_decimal(s).map_err(|source| InputsError::Number {
                    index: i + 1,
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        PublicInputs::from_slice(&values).ok_or(InputsError::Count(values.len()))
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
