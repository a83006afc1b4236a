//! The regulator's escrow key split t-of-n (Shamir over the Baby Jubjub
//! scalar field), decrypting without ever rebuilding the key: each official
//! computes a partial decryption `Dᵢ = sᵢ·c1` with a Chaum–Pedersen proof that
//! it used their share, and any t partials combine in the exponent,
//! `K = Σ λᵢ·Dᵢ = sk·c1`. A wrong partial is caught and its official named.
//!
//! A single key is the group t = n = 1 (share 1 is the key), so one code
//! path serves both. Splitting is done by a dealer holding the key (the
//! regulator's existing key, or a fresh one); the dealer's Feldman
//! commitments let every official check their share, and the key should be
//! destroyed after the split.

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, UniformRand, Zero};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use veil_circuits::babyjubjub::{base8, pack_point, Point, PointProjective, Scalar};
use veil_circuits::encoding::{field_to_decimal, prime_field_from_decimal};
use veil_circuits::poseidon::poseidon_fixed;
use veil_circuits::shamir::{
    evaluate, feldman_value, lagrange_at_zero, point_json, scalar_decimal,
};
use veil_circuits::statement::files::{PointJson, RegulatorKeyJson};
use veil_circuits::F;

/// Why a share, a partial decryption or a combination is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ThresholdError {
    /// t and n out of range.
    #[error("threshold {threshold} of {members} is not valid (1 <= t <= n <= 255)")]
    Parameters {
        /// t.
        threshold: u32,
        /// n.
        members: u32,
    },
    /// A field of a share, group or partial is malformed.
    #[error("{field}: {message}")]
    Malformed {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A share does not match the dealer's commitments or its verification key.
    #[error("share of official {0} does not match the group's commitments")]
    BadShare(u32),
    /// Not an official of the group.
    #[error("official {0} is not a member of the regulator group")]
    UnknownMember(u32),
    /// The same official twice.
    #[error("official {0} contributed twice")]
    Duplicate(u32),
    /// A partial decryption whose proof fails: that official cheated (or
    /// used another share or ciphertext).
    #[error("partial decryption from official {0} does not prove it used their share")]
    BadPartial(u32),
    /// Fewer distinct, valid partials than the threshold.
    #[error("{have} valid partial decryptions; the group needs {need}")]
    NotEnough {
        /// Valid partials.
        have: usize,
        /// The threshold.
        need: usize,
    },
}

fn malformed(field: impl Into<String>, message: impl ToString) -> ThresholdError {
    ThresholdError::Malformed {
        field: field.into(),
        message: message.to_string(),
    }
}

fn point(json: &PointJson, field: &str) -> Result<Point, ThresholdError> {
    json.to_key("point")
        .map(|k| k.0)
        .map_err(|e| malformed(field, e))
}

fn scalar(s: &str, field: &str) -> Result<Scalar, ThresholdError> {
    prime_field_from_decimal::<Scalar>(s, "Baby Jubjub subgroup order")
        .map_err(|e| malformed(field, e))
}

/// One official's public verification key `sᵢ·Base8`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The official's index (1-based, the Shamir x-coordinate).
    pub index: u32,
    /// `sᵢ·Base8`.
    pub verification_key: PointJson,
}

/// What everyone may know about a regulator key: its public key (the one in
/// policies), the threshold, each official's verification key, and the
/// dealer's Feldman commitments `aⱼ·Base8`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegulatorGroup {
    /// t: partials needed to decrypt.
    pub threshold: u32,
    /// `sk·Base8`: the escrow key in policies.
    pub public_key: PointJson,
    /// The officials.
    pub members: Vec<Member>,
    /// Feldman commitments to the polynomial's coefficients (the first is the
    /// public key).
    pub commitments: Vec<PointJson>,
}

/// One official's share (keep the file private) with the group it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegulatorShare {
    /// The official's index.
    pub index: u32,
    /// `sᵢ = f(i)`, decimal.
    pub secret: String,
    /// The group.
    pub group: RegulatorGroup,
}

/// A partial decryption of one escrow by one official, with its proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialDecryption {
    /// The official.
    pub index: u32,
    /// `Dᵢ = sᵢ·c1`.
    pub share_point: PointJson,
    /// Chaum–Pedersen challenge, decimal.
    pub challenge: String,
    /// Chaum–Pedersen response, decimal.
    pub response: String,
}

/// Splits `secret` t-of-n; returns the group and the n shares (index 1..=n).
pub fn split<R: RngCore + CryptoRng>(
    secret: &Scalar,
    threshold: u32,
    members: u32,
    rng: &mut R,
) -> Result<(RegulatorGroup, Vec<RegulatorShare>), ThresholdError> {
    if threshold == 0 || threshold > members || members > 255 {
        return Err(ThresholdError::Parameters { threshold, members });
    }
    let mut coefficients = vec![*secret];
    coefficients.extend((1..threshold).map(|_| Scalar::rand(rng)));
    let g = base8();
    let commitments: Vec<PointJson> = coefficients
        .iter()
        .map(|a| point_json(&(g * a).into_affine()))
        .collect();
    let secrets: Vec<(u32, Scalar)> = (1..=members)
        .map(|i| (i, evaluate(&coefficients, Scalar::from(i as u64))))
        .collect();
    let group = RegulatorGroup {
        threshold,
        public_key: commitments[0].clone(),
        members: secrets
            .iter()
            .map(|(i, s)| Member {
                index: *i,
                verification_key: point_json(&(g * s).into_affine()),
            })
            .collect(),
        commitments,
    };
    let shares = secrets
        .into_iter()
        .map(|(index, s)| RegulatorShare {
            index,
            secret: scalar_decimal(&s),
            group: group.clone(),
        })
        .collect();
    Ok((group, shares))
}

impl RegulatorShare {
    /// A single key as the 1-of-1 group.
    pub fn from_key(key: &RegulatorKeyJson) -> Result<Self, ThresholdError> {
        let secret = key.to_secret().map_err(|e| malformed("key", e))?;
        let public = point_json(&(base8() * secret).into_affine());
        Ok(RegulatorShare {
            index: 1,
            secret: scalar_decimal(&secret),
            group: RegulatorGroup {
                threshold: 1,
                public_key: public.clone(),
                members: vec![Member {
                    index: 1,
                    verification_key: public.clone(),
                }],
                commitments: vec![public],
            },
        })
    }

    /// The share's secret, checked against its verification key and the
    /// dealer's commitments (Feldman: `sᵢ·Base8 = Σ iʲ·Cⱼ`).
    pub fn secret(&self) -> Result<Scalar, ThresholdError> {
        let s = scalar(&self.secret, "secret")?;
        let mine = (base8() * s).into_affine();
        let member = self.group.member(self.index)?;
        if point(&member.verification_key, "verification_key")? != mine {
            return Err(ThresholdError::BadShare(self.index));
        }
        if self.group.feldman(self.index)? != mine {
            return Err(ThresholdError::BadShare(self.index));
        }
        Ok(s)
    }

    /// This official's partial decryption of the escrow whose first part is
    /// `c1`, with a proof that it used the share, bound to `context` (the
    /// logged disclosure record it answers: `disclosure::binding`), so the
    /// partial checks only for that record.
    pub fn partial_decrypt<R: RngCore + CryptoRng>(
        &self,
        c1: &Point,
        context: &[u8],
        rng: &mut R,
    ) -> Result<PartialDecryption, ThresholdError> {
        let s = self.secret()?;
        Ok(partial_with(self.index, &s, c1, context, rng))
    }
}

/// The partial decryption by share `s` (already checked) of official `index`.
fn partial_with<R: RngCore + CryptoRng>(
    index: u32,
    s: &Scalar,
    c1: &Point,
    context: &[u8],
    rng: &mut R,
) -> PartialDecryption {
    let g = base8();
    let v = (g * s).into_affine();
    let d = (*c1 * s).into_affine();
    let k = Scalar::rand(rng);
    let a1 = (g * k).into_affine();
    let a2 = (*c1 * k).into_affine();
    let e = challenge(index, context, &v, c1, &d, &a1, &a2);
    PartialDecryption {
        index,
        share_point: point_json(&d),
        challenge: scalar_decimal(&e),
        response: scalar_decimal(&(k + e * s)),
    }
}

fn challenge(
    index: u32,
    context: &[u8],
    v: &Point,
    c1: &Point,
    d: &Point,
    a1: &Point,
    a2: &Point,
) -> Scalar {
    let mut h = blake3::Hasher::new_derive_key("veil regulator partial decryption v2");
    h.update(&index.to_be_bytes());
    h.update(&(context.len() as u64).to_be_bytes());
    h.update(context);
    for p in [v, c1, d, a1, a2] {
        h.update(&pack_point(p));
    }
    let mut wide = [0u8; 64];
    h.finalize_xof().fill(&mut wide);
    Scalar::from_le_bytes_mod_order(&wide)
}

impl RegulatorGroup {
    /// The public key (the escrow key in policies).
    pub fn public_key(&self) -> Result<Point, ThresholdError> {
        point(&self.public_key, "public_key")
    }

    fn member(&self, index: u32) -> Result<&Member, ThresholdError> {
        self.members
            .iter()
            .find(|m| m.index == index)
            .ok_or(ThresholdError::UnknownMember(index))
    }

    fn feldman(&self, index: u32) -> Result<Point, ThresholdError> {
        let commitments = self
            .commitments
            .iter()
            .enumerate()
            .map(|(j, c)| point(c, &format!("commitments[{j}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(feldman_value(&commitments, index))
    }

    /// Checks the group is self-consistent: t commitments, the first is the
    /// public key, and every verification key is the commitments' value.
    pub fn check(&self) -> Result<(), ThresholdError> {
        let n = self.members.len() as u32;
        if self.threshold == 0 || self.threshold > n || n > 255 {
            return Err(ThresholdError::Parameters {
                threshold: self.threshold,
                members: n,
            });
        }
        if self.commitments.len() != self.threshold as usize
            || self.commitments[0] != self.public_key
        {
            return Err(malformed(
                "commitments",
                "expected t commitments starting with the public key",
            ));
        }
        for m in &self.members {
            if point(&m.verification_key, "verification_key")? != self.feldman(m.index)? {
                return Err(ThresholdError::BadShare(m.index));
            }
        }
        Ok(())
    }

    /// Checks one partial decryption of `c1` bound to `context`; returns `Dᵢ`.
    pub fn verify_partial(
        &self,
        c1: &Point,
        context: &[u8],
        partial: &PartialDecryption,
    ) -> Result<Point, ThresholdError> {
        let member = self.member(partial.index)?;
        let v = point(&member.verification_key, "verification_key")?;
        let bad = || ThresholdError::BadPartial(partial.index);
        let d = point(&partial.share_point, "share_point").map_err(|_| bad())?;
        let e = scalar(&partial.challenge, "challenge").map_err(|_| bad())?;
        let z = scalar(&partial.response, "response").map_err(|_| bad())?;
        let g = base8();
        let a1 = (g * z - v * e).into_affine();
        let a2 = (*c1 * z - d * e).into_affine();
        if challenge(partial.index, context, &v, c1, &d, &a1, &a2) != e {
            return Err(bad());
        }
        Ok(d)
    }

    /// Combines t or more partials of the escrow `(c1, ct)`, each bound to
    /// `context`, into the escrowed credential id. Every partial is checked
    /// first; a bad one (or one made for another record) names its official.
    pub fn decrypt(
        &self,
        c1: &Point,
        ct: F,
        context: &[u8],
        partials: &[PartialDecryption],
    ) -> Result<F, ThresholdError> {
        let mut points: Vec<(u32, Point)> = Vec::with_capacity(partials.len());
        for p in partials {
            if points.iter().any(|(i, _)| *i == p.index) {
                return Err(ThresholdError::Duplicate(p.index));
            }
            points.push((p.index, self.verify_partial(c1, context, p)?));
        }
        combine(self.threshold, &points, ct)
    }
}

/// `K = Σ λᵢ·Dᵢ` over the first t `(i, Dᵢ)`, then `ct − H(K)`.
fn combine(threshold: u32, points: &[(u32, Point)], ct: F) -> Result<F, ThresholdError> {
    let need = threshold as usize;
    if points.len() < need {
        return Err(ThresholdError::NotEnough {
            have: points.len(),
            need,
        });
    }
    let used = &points[..need];
    let mut k = PointProjective::zero();
    for (i, d) in used {
        k += *d * lagrange_at_zero(*i, used.iter().map(|(j, _)| *j));
    }
    let k = k.into_affine();
    let (x, y) = k.xy().unwrap_or_default();
    Ok(ct - poseidon_fixed([x, y]))
}

/// The escrowed credential id as a decimal string.
pub fn credential_id_decimal(id: &F) -> String {
    field_to_decimal(id)
}
