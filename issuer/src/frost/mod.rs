//! Threshold issuance: t-of-n FROST (RFC 9591's two-round Schnorr scheme)
//! over Baby Jubjub, producing ordinary circomlib EdDSA-Poseidon signatures,
//! `S·Base8 = R8 + 8·H(R8, A, m)·A` — the compliance circuit and
//! circomlibjs's `verifyPoseidon` check them unchanged, and nobody can tell a
//! group's signature from a single key's.
//!
//! HSMs do not implement Baby Jubjub, so this is how an issuer keeps its ZK
//! key off any single server: the key is generated distributedly
//! ([`dkg`], Pedersen's DKG with Feldman commitments and proofs of
//! knowledge), never exists in one place, and t officers sign together
//! ([`sign`]). Every message a party receives is checked, and a party whose
//! message fails is named ([`FrostError::culprit`]): identifiable aborts.
//!
//! Differences from RFC 9591, which fixes no Baby Jubjub ciphersuite: the
//! challenge is circomlib's Poseidon challenge times the cofactor 8 (so the
//! result verifies as EdDSA-Poseidon); the other hashes (nonces, binding
//! factors, proofs of knowledge) are BLAKE3 in derive-key mode, reduced from
//! 512 bits.

pub mod dkg;
pub mod request;
pub mod sign;

use serde::{Deserialize, Serialize};
use veil_circuits::babyjubjub::{Point, Scalar};
use veil_circuits::eddsa::PublicKey;
use veil_circuits::shamir::{point_from_json, scalar_from_decimal};
use veil_circuits::statement::files::PointJson;

pub use dkg::{dkg_finish, dkg_round1, dkg_round2, DkgParameters, Round1Package, Round1Secret};
pub use request::SigningRequest;
pub use sign::{
    aggregate, sign_round1, sign_round2, SignatureShare, SigningCommitment, SigningNonces,
    SigningPackage,
};

/// Why a FROST step was refused; where a party is to blame, it is named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrostError {
    /// t and n out of range.
    #[error("threshold {threshold} of {members} is not valid (2 <= t <= n <= 255)")]
    Parameters {
        /// t.
        threshold: u32,
        /// n.
        members: u32,
    },
    /// A field of a message from `party` (or of a local file) is malformed.
    #[error("{}{field}: {message}", party.map(|p| format!("participant {p}: ")).unwrap_or_default())]
    Malformed {
        /// Who sent it, if known.
        party: Option<u32>,
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A DKG package whose proof of knowledge of its secret fails.
    #[error("participant {0}'s proof of knowledge of its DKG secret does not verify")]
    BadProofOfKnowledge(u32),
    /// A DKG package built for other parameters (t, n or context).
    #[error("participant {0}'s DKG package is for other parameters (t, n or context)")]
    WrongParameters(u32),
    /// A share that does not match its dealer's Feldman commitments.
    #[error("the share participant {dealer} sent participant {recipient} does not match {dealer}'s commitments")]
    BadShare {
        /// The dealer, who cheated.
        dealer: u32,
        /// Who received it.
        recipient: u32,
    },
    /// A message from an index outside the group (or the signing set).
    #[error("{0} is not a participant")]
    UnknownParticipant(u32),
    /// The same participant twice.
    #[error("participant {0} appears twice")]
    Duplicate(u32),
    /// A participant's message is missing.
    #[error("nothing from participant {0}")]
    Missing(u32),
    /// Fewer signers than the threshold.
    #[error("{have} signers; the group needs {need}")]
    NotEnough {
        /// Signers.
        have: usize,
        /// The threshold.
        need: usize,
    },
    /// A signer's own commitment in the signing package is not the one its
    /// nonces made (a coordinator's mistake or attack).
    #[error("the signing package's commitment for participant {0} is not the one its nonces made")]
    CommitmentMismatch(u32),
    /// A signature share that does not verify: that participant cheated.
    #[error("participant {0}'s signature share does not verify")]
    BadSignatureShare(u32),
    /// A key share that does not match the group's verification key.
    #[error("participant {0}'s key share does not match the group's verification key")]
    BadKeyShare(u32),
}

impl FrostError {
    /// The participant to blame, when one is.
    pub fn culprit(&self) -> Option<u32> {
        match self {
            FrostError::BadProofOfKnowledge(p)
            | FrostError::WrongParameters(p)
            | FrostError::BadSignatureShare(p)
            | FrostError::BadKeyShare(p) => Some(*p),
            FrostError::BadShare { dealer, .. } => Some(*dealer),
            FrostError::Malformed { party, .. } => *party,
            _ => None,
        }
    }
}

pub(crate) fn malformed(party: Option<u32>, field: &str, message: impl ToString) -> FrostError {
    FrostError::Malformed {
        party,
        field: field.into(),
        message: message.to_string(),
    }
}

pub(crate) fn parse_point(
    json: &PointJson,
    party: Option<u32>,
    field: &str,
) -> Result<Point, FrostError> {
    point_from_json(json).map_err(|e| malformed(party, field, e))
}

pub(crate) fn parse_scalar(s: &str, party: Option<u32>, field: &str) -> Result<Scalar, FrostError> {
    scalar_from_decimal(s).map_err(|e| malformed(party, field, e))
}

pub(crate) fn check_parameters(threshold: u32, members: u32) -> Result<(), FrostError> {
    if threshold < 2 || threshold > members || members > 255 {
        return Err(FrostError::Parameters { threshold, members });
    }
    Ok(())
}

/// One participant's public verification key `sᵢ·Base8`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The participant's index (1-based, the Shamir x-coordinate).
    pub index: u32,
    /// `sᵢ·Base8`.
    pub verification_key: PointJson,
}

/// What everyone may know about a threshold issuer key: the group's public
/// key (the issuer key in DID documents, trusted-issuer lists and
/// credentials), t, and each participant's verification key (for naming a
/// cheating signer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerGroup {
    /// t: signers needed.
    pub threshold: u32,
    /// The DKG's context string (e.g. the issuer's DID).
    pub context: String,
    /// The group's Baby Jubjub public key.
    pub public_key: PointJson,
    /// The participants, by index.
    pub members: Vec<Member>,
}

impl IssuerGroup {
    /// The group key as an EdDSA public key.
    pub fn public_key(&self) -> Result<PublicKey, FrostError> {
        parse_point(&self.public_key, None, "public_key").map(PublicKey)
    }

    pub(crate) fn verification_key(&self, index: u32) -> Result<Point, FrostError> {
        let member = self
            .members
            .iter()
            .find(|m| m.index == index)
            .ok_or(FrostError::UnknownParticipant(index))?;
        parse_point(&member.verification_key, Some(index), "verification_key")
    }

    /// Checks t and n.
    pub fn check(&self) -> Result<(), FrostError> {
        check_parameters(self.threshold, self.members.len() as u32)
    }
}

/// One participant's key share (keep the file private) with its group.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyShare {
    /// The participant's index.
    pub index: u32,
    /// `sᵢ`, decimal.
    pub secret: String,
    /// The group.
    pub group: IssuerGroup,
}

impl std::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret share.
        f.debug_struct("KeyShare")
            .field("index", &self.index)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl KeyShare {
    /// The secret share, checked against the group's verification key.
    pub fn secret(&self) -> Result<Scalar, FrostError> {
        let s = parse_scalar(&self.secret, Some(self.index), "secret")?;
        if veil_circuits::shamir::times_base8(&s) != self.group.verification_key(self.index)? {
            return Err(FrostError::BadKeyShare(self.index));
        }
        Ok(s)
    }
}
