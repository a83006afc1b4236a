//! Distributed key generation (Pedersen's DKG as FROST uses it): each of n
//! participants deals a random degree t−1 polynomial, publishes Feldman
//! commitments to it with a Schnorr proof of knowledge of its constant term
//! (round 1, broadcast), and sends every other participant its evaluation
//! there (round 2, private). Each participant's key share is the sum of what
//! it received; the group key is the sum of the constant terms' commitments.
//! No one ever holds the group's secret.
//!
//! Every package and share is checked; a participant whose proof or share
//! fails is named.

use super::{
    check_parameters, malformed, parse_point, parse_scalar, FrostError, IssuerGroup, KeyShare,
    Member,
};
use ark_ec::CurveGroup;
use ark_ff::{UniformRand, Zero};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use veil_circuits::babyjubjub::{Point, PointProjective, Scalar};
use veil_circuits::shamir::{
    evaluate, feldman_value, hash_to_scalar, point_json, scalar_decimal, times_base8,
};
use veil_circuits::statement::files::PointJson;

const POK_DOMAIN: &str = "veil frost-babyjubjub dkg proof of knowledge v1";

/// What all participants agree on before the DKG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkgParameters {
    /// t: signers needed.
    pub threshold: u32,
    /// n: participants.
    pub members: u32,
    /// Binds the proofs to this DKG (use the issuer's DID), so a package
    /// cannot be replayed into another.
    pub context: String,
}

/// A participant's round-1 broadcast: commitments to its polynomial and a
/// proof that it knows the constant term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Round1Package {
    /// The dealer.
    pub index: u32,
    /// The parameters it dealt for.
    pub parameters: DkgParameters,
    /// `aⱼ·Base8` for its t coefficients.
    pub commitments: Vec<PointJson>,
    /// Proof of knowledge: `R = k·Base8`.
    pub proof_r: PointJson,
    /// Proof of knowledge: `z = k + a₀·c`, decimal.
    pub proof_z: String,
}

/// A participant's secret polynomial between rounds (keep the file private;
/// delete it after [`dkg_finish`]).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Round1Secret {
    /// The participant.
    pub index: u32,
    /// The parameters.
    pub parameters: DkgParameters,
    /// The polynomial's coefficients, decimal, constant term first.
    pub coefficients: Vec<String>,
}

impl std::fmt::Debug for Round1Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the coefficients.
        f.debug_struct("Round1Secret")
            .field("index", &self.index)
            .field("parameters", &self.parameters)
            .finish_non_exhaustive()
    }
}

/// A share `fᵢ(j)` sent privately from dealer `from` to participant `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareMessage {
    /// The dealer.
    pub from: u32,
    /// The recipient.
    pub to: u32,
    /// `f_from(to)`, decimal.
    pub share: String,
}

fn pok_challenge(index: u32, parameters: &DkgParameters, c0: &Point, r: &Point) -> Scalar {
    hash_to_scalar(
        POK_DOMAIN,
        &[c0, r],
        &[
            &index.to_le_bytes(),
            &parameters.threshold.to_le_bytes(),
            &parameters.members.to_le_bytes(),
            parameters.context.as_bytes(),
        ],
    )
}

/// Round 1 for participant `index`: a fresh polynomial; returns the secret
/// to keep and the package to broadcast.
pub fn dkg_round1<R: RngCore + CryptoRng>(
    parameters: &DkgParameters,
    index: u32,
    rng: &mut R,
) -> Result<(Round1Secret, Round1Package), FrostError> {
    check_parameters(parameters.threshold, parameters.members)?;
    if index == 0 || index > parameters.members {
        return Err(FrostError::UnknownParticipant(index));
    }
    let coefficients: Vec<Scalar> = (0..parameters.threshold)
        .map(|_| Scalar::rand(rng))
        .collect();
    let commitments: Vec<Point> = coefficients.iter().map(times_base8).collect();
    let k = Scalar::rand(rng);
    let r = times_base8(&k);
    let c = pok_challenge(index, parameters, &commitments[0], &r);
    let package = Round1Package {
        index,
        parameters: parameters.clone(),
        commitments: commitments.iter().map(point_json).collect(),
        proof_r: point_json(&r),
        proof_z: scalar_decimal(&(k + coefficients[0] * c)),
    };
    let secret = Round1Secret {
        index,
        parameters: parameters.clone(),
        coefficients: coefficients.iter().map(scalar_decimal).collect(),
    };
    Ok((secret, package))
}

impl Round1Secret {
    fn coefficients(&self) -> Result<Vec<Scalar>, FrostError> {
        if self.coefficients.len() != self.parameters.threshold as usize {
            return Err(malformed(None, "coefficients", "expected t of them"));
        }
        self.coefficients
            .iter()
            .map(|c| parse_scalar(c, None, "coefficients"))
            .collect()
    }
}

/// Every participant's package, each checked: the right parameters, t
/// commitments, a valid proof of knowledge. Returns the commitments by index
/// (1..=n).
fn check_packages(
    me: &Round1Secret,
    packages: &[Round1Package],
) -> Result<Vec<Vec<Point>>, FrostError> {
    let n = me.parameters.members;
    let mut by_index: Vec<Option<Vec<Point>>> = vec![None; n as usize];
    for p in packages {
        let i = p.index;
        if i == 0 || i > n {
            return Err(FrostError::UnknownParticipant(i));
        }
        if by_index[i as usize - 1].is_some() {
            return Err(FrostError::Duplicate(i));
        }
        if p.parameters != me.parameters {
            return Err(FrostError::WrongParameters(i));
        }
        if p.commitments.len() != me.parameters.threshold as usize {
            return Err(malformed(Some(i), "commitments", "expected t of them"));
        }
        let commitments = p
            .commitments
            .iter()
            .map(|c| parse_point(c, Some(i), "commitments"))
            .collect::<Result<Vec<_>, _>>()?;
        let r = parse_point(&p.proof_r, Some(i), "proof_r")?;
        let z = parse_scalar(&p.proof_z, Some(i), "proof_z")?;
        let c = pok_challenge(i, &p.parameters, &commitments[0], &r);
        if times_base8(&z) != (r + commitments[0] * c).into_affine() {
            return Err(FrostError::BadProofOfKnowledge(i));
        }
        by_index[i as usize - 1] = Some(commitments);
    }
    let mut all = Vec::with_capacity(n as usize);
    for (k, c) in by_index.into_iter().enumerate() {
        all.push(c.ok_or(FrostError::Missing(k as u32 + 1))?);
    }
    // Our own package must be the one our secret made.
    let own = &all[me.index as usize - 1];
    if times_base8(&me.coefficients()?[0]) != own[0] {
        return Err(malformed(
            Some(me.index),
            "package",
            "not the one this secret made",
        ));
    }
    Ok(all)
}

/// Round 2 for the holder of `me`: checks all n round-1 packages and returns
/// the private share for each other participant.
pub fn dkg_round2(
    me: &Round1Secret,
    packages: &[Round1Package],
) -> Result<Vec<ShareMessage>, FrostError> {
    check_packages(me, packages)?;
    let coefficients = me.coefficients()?;
    Ok((1..=me.parameters.members)
        .filter(|j| *j != me.index)
        .map(|j| ShareMessage {
            from: me.index,
            to: j,
            share: scalar_decimal(&evaluate(&coefficients, Scalar::from(j as u64))),
        })
        .collect())
}

/// Finishes the DKG for the holder of `me`: checks every share it received
/// against its dealer's commitments and returns its key share and the group.
pub fn dkg_finish(
    me: &Round1Secret,
    packages: &[Round1Package],
    received: &[ShareMessage],
) -> Result<KeyShare, FrostError> {
    let commitments = check_packages(me, packages)?;
    let n = me.parameters.members;
    let coefficients = me.coefficients()?;
    let mut shares: Vec<Option<Scalar>> = vec![None; n as usize];
    shares[me.index as usize - 1] = Some(evaluate(&coefficients, Scalar::from(me.index as u64)));
    for m in received {
        if m.from == 0 || m.from > n {
            return Err(FrostError::UnknownParticipant(m.from));
        }
        if m.to != me.index || m.from == me.index {
            return Err(malformed(
                Some(m.from),
                "to",
                format!("a share from {} to {}, not to {}", m.from, m.to, me.index),
            ));
        }
        if shares[m.from as usize - 1].is_some() {
            return Err(FrostError::Duplicate(m.from));
        }
        let share = parse_scalar(&m.share, Some(m.from), "share")?;
        if times_base8(&share) != feldman_value(&commitments[m.from as usize - 1], me.index) {
            return Err(FrostError::BadShare {
                dealer: m.from,
                recipient: me.index,
            });
        }
        shares[m.from as usize - 1] = Some(share);
    }
    let mut secret = Scalar::zero();
    for (k, s) in shares.iter().enumerate() {
        secret += s.ok_or(FrostError::Missing(k as u32 + 1))?;
    }
    let group = group_of(&me.parameters, &commitments);
    let share = KeyShare {
        index: me.index,
        secret: scalar_decimal(&secret),
        group,
    };
    share.secret()?;
    Ok(share)
}

/// The group every participant computes from the same packages.
fn group_of(parameters: &DkgParameters, commitments: &[Vec<Point>]) -> IssuerGroup {
    let public_key = commitments
        .iter()
        .fold(PointProjective::zero(), |acc, c| acc + c[0])
        .into_affine();
    let members = (1..=parameters.members)
        .map(|k| {
            let vk = commitments
                .iter()
                .fold(PointProjective::zero(), |acc, c| acc + feldman_value(c, k))
                .into_affine();
            Member {
                index: k,
                verification_key: point_json(&vk),
            }
        })
        .collect();
    IssuerGroup {
        threshold: parameters.threshold,
        context: parameters.context.clone(),
        public_key: point_json(&public_key),
        members,
    }
}
