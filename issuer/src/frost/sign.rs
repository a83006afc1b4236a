//! Two-round FROST signing. Round 1: each signer commits to two fresh nonces
//! (`Dᵢ = dᵢ·Base8`, `Eᵢ = eᵢ·Base8`). The coordinator gathers t or more
//! commitments and the message into a [`SigningPackage`]. Round 2: each
//! signer answers `zᵢ = dᵢ + ρᵢ·eᵢ + λᵢ·8c·sᵢ`, where `ρᵢ` binds its nonces
//! to the package, `R = Σ Dᵢ + ρᵢ·Eᵢ` and `c = Poseidon(R, A, m)`.
//! Aggregation checks each `zᵢ` against the signer's verification key (a bad
//! one names its signer) and outputs `(R8, S) = (R, Σ zᵢ)`, an
//! EdDSA-Poseidon signature under the group key.
//!
//! Nonces are single-use: [`sign_round2`] consumes them, and a caller that
//! keeps them in a file must delete it before answering (the CLI does).

use super::{malformed, parse_point, parse_scalar, FrostError, IssuerGroup, KeyShare};
use ark_ec::CurveGroup;
use ark_ff::{BigInteger, PrimeField, Zero};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use veil_circuits::babyjubjub::{pack_point, Point, PointProjective, Scalar};
use veil_circuits::eddsa::{challenge, Signature};
use veil_circuits::encoding::{field_from_decimal, field_to_decimal};
use veil_circuits::shamir::{
    hash_to_scalar, lagrange_at_zero, point_json, scalar_decimal, times_base8,
};
use veil_circuits::statement::files::PointJson;
use veil_circuits::F;

const NONCE_DOMAIN: &str = "veil frost-babyjubjub nonce v1";
const BINDING_DOMAIN: &str = "veil frost-babyjubjub binding factor v1";

/// A signer's public round-1 commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningCommitment {
    /// The signer.
    pub index: u32,
    /// `Dᵢ = dᵢ·Base8`.
    pub hiding: PointJson,
    /// `Eᵢ = eᵢ·Base8`.
    pub binding: PointJson,
}

/// A signer's secret round-1 nonces (single use; keep private, delete after
/// round 2).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningNonces {
    /// The signer.
    pub index: u32,
    /// `dᵢ`, decimal.
    pub hiding: String,
    /// `eᵢ`, decimal.
    pub binding: String,
}

impl std::fmt::Debug for SigningNonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningNonces")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// What the coordinator sends every signer: the message and the signing set's
/// commitments (sorted by index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningPackage {
    /// The message (for a credential, its claims hash), decimal.
    pub message: String,
    /// The signers' commitments.
    pub commitments: Vec<SigningCommitment>,
}

/// A signer's round-2 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureShare {
    /// The signer.
    pub index: u32,
    /// `zᵢ`, decimal.
    pub share: String,
}

/// A fresh nonce, hedged: OS randomness hashed with the secret share
/// (RFC 9591 §4.1), so a weak RNG alone does not leak the share.
fn nonce<R: RngCore + CryptoRng>(secret: &Scalar, rng: &mut R) -> Scalar {
    let mut random = [0u8; 32];
    rng.fill_bytes(&mut random);
    hash_to_scalar(
        NONCE_DOMAIN,
        &[],
        &[&random, &secret.into_bigint().to_bytes_le()],
    )
}

/// Round 1: two nonces and their commitment.
pub fn sign_round1<R: RngCore + CryptoRng>(
    share: &KeyShare,
    rng: &mut R,
) -> Result<(SigningNonces, SigningCommitment), FrostError> {
    let secret = share.secret()?;
    let (d, e) = (nonce(&secret, rng), nonce(&secret, rng));
    let commitment = SigningCommitment {
        index: share.index,
        hiding: point_json(&times_base8(&d)),
        binding: point_json(&times_base8(&e)),
    };
    let nonces = SigningNonces {
        index: share.index,
        hiding: scalar_decimal(&d),
        binding: scalar_decimal(&e),
    };
    Ok((nonces, commitment))
}

impl SigningPackage {
    /// The package for `message` from the signers' commitments: at least t
    /// distinct members of `group`.
    pub fn new(
        group: &IssuerGroup,
        message: F,
        mut commitments: Vec<SigningCommitment>,
    ) -> Result<Self, FrostError> {
        commitments.sort_by_key(|c| c.index);
        let package = SigningPackage {
            message: field_to_decimal(&message),
            commitments,
        };
        Prepared::new(group, &package)?;
        Ok(package)
    }

    /// The message.
    pub fn message(&self) -> Result<F, FrostError> {
        field_from_decimal(&self.message).map_err(|e| malformed(None, "message", e))
    }
}

/// A package checked against the group, with what both rounds derive from it.
struct Prepared {
    message: F,
    signers: Vec<Signer>,
    group_commitment: Point,
    /// `8·c mod l`.
    challenge8: Scalar,
}

struct Signer {
    index: u32,
    hiding: Point,
    binding: Point,
    rho: Scalar,
}

impl Prepared {
    fn new(group: &IssuerGroup, package: &SigningPackage) -> Result<Self, FrostError> {
        group.check()?;
        let message = package.message()?;
        let need = group.threshold as usize;
        if package.commitments.len() < need {
            return Err(FrostError::NotEnough {
                have: package.commitments.len(),
                need,
            });
        }
        let mut points = Vec::with_capacity(package.commitments.len());
        let mut encoded = Vec::new();
        for (k, c) in package.commitments.iter().enumerate() {
            group.verification_key(c.index).map(|_| ())?;
            if k > 0 && package.commitments[k - 1].index >= c.index {
                return Err(if package.commitments[k - 1].index == c.index {
                    FrostError::Duplicate(c.index)
                } else {
                    malformed(None, "commitments", "not sorted by index")
                });
            }
            let d = parse_point(&c.hiding, Some(c.index), "hiding")?;
            let e = parse_point(&c.binding, Some(c.index), "binding")?;
            encoded.extend_from_slice(&c.index.to_le_bytes());
            encoded.extend_from_slice(&pack_point(&d));
            encoded.extend_from_slice(&pack_point(&e));
            points.push((c.index, d, e));
        }
        let group_key = group.public_key()?.0;
        let message_bytes = message.into_bigint().to_bytes_le();
        let mut r = PointProjective::zero();
        let mut signers = Vec::with_capacity(points.len());
        for (index, hiding, binding) in points {
            let rho = hash_to_scalar(
                BINDING_DOMAIN,
                &[&group_key],
                &[&message_bytes, &encoded, &index.to_le_bytes()],
            );
            r += hiding + binding * rho;
            signers.push(Signer {
                index,
                hiding,
                binding,
                rho,
            });
        }
        let group_commitment = r.into_affine();
        let c = challenge(&group_commitment, &group_key, message);
        let challenge8 =
            Scalar::from_le_bytes_mod_order(&c.into_bigint().to_bytes_le()) * Scalar::from(8u64);
        Ok(Prepared {
            message,
            signers,
            group_commitment,
            challenge8,
        })
    }

    fn lagrange(&self, index: u32) -> Scalar {
        lagrange_at_zero(index, self.signers.iter().map(|s| s.index))
    }

    fn signer(&self, index: u32) -> Result<&Signer, FrostError> {
        self.signers
            .iter()
            .find(|s| s.index == index)
            .ok_or(FrostError::UnknownParticipant(index))
    }
}

/// Round 2: the signer's answer to `package`, with the nonces of its round 1
/// (consumed). Refuses a package whose commitment for this signer is not the
/// one these nonces made.
pub fn sign_round2(
    share: &KeyShare,
    nonces: SigningNonces,
    package: &SigningPackage,
) -> Result<SignatureShare, FrostError> {
    let secret = share.secret()?;
    let prepared = Prepared::new(&share.group, package)?;
    if nonces.index != share.index {
        return Err(malformed(
            Some(share.index),
            "nonces",
            format!("made by participant {}", nonces.index),
        ));
    }
    let me = prepared.signer(share.index)?;
    let d = parse_scalar(&nonces.hiding, Some(share.index), "nonces.hiding")?;
    let e = parse_scalar(&nonces.binding, Some(share.index), "nonces.binding")?;
    if times_base8(&d) != me.hiding || times_base8(&e) != me.binding {
        return Err(FrostError::CommitmentMismatch(share.index));
    }
    let z = d + e * me.rho + prepared.lagrange(share.index) * prepared.challenge8 * secret;
    Ok(SignatureShare {
        index: share.index,
        share: scalar_decimal(&z),
    })
}

/// Combines the signers' answers into the group's signature on the
/// package's message. Every share is checked first; a bad one names its
/// signer. The result is verified under the group key before it is returned.
pub fn aggregate(
    group: &IssuerGroup,
    package: &SigningPackage,
    shares: &[SignatureShare],
) -> Result<Signature, FrostError> {
    let prepared = Prepared::new(group, package)?;
    let mut z_by_signer: Vec<Option<Scalar>> = vec![None; prepared.signers.len()];
    for s in shares {
        let slot = prepared
            .signers
            .iter()
            .position(|x| x.index == s.index)
            .ok_or(FrostError::UnknownParticipant(s.index))?;
        if z_by_signer[slot].is_some() {
            return Err(FrostError::Duplicate(s.index));
        }
        z_by_signer[slot] = Some(parse_scalar(&s.share, Some(s.index), "share")?);
    }
    let mut total = Scalar::zero();
    for (signer, z) in prepared.signers.iter().zip(&z_by_signer) {
        let z = z.ok_or(FrostError::Missing(signer.index))?;
        let y = group.verification_key(signer.index)?;
        let expected = signer.hiding
            + signer.binding * signer.rho
            + y * (prepared.lagrange(signer.index) * prepared.challenge8);
        if times_base8(&z) != expected.into_affine() {
            return Err(FrostError::BadSignatureShare(signer.index));
        }
        total += z;
    }
    let signature = Signature {
        r8: prepared.group_commitment,
        s: total,
    };
    // Unreachable once every share verified; checked anyway, since a wrong
    // signature must never leave this function.
    if !group.public_key()?.verify(prepared.message, &signature) {
        return Err(malformed(
            None,
            "signature",
            "does not verify under the group key",
        ));
    }
    Ok(signature)
}
