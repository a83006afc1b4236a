//! snarkjs's JSON files: `proof.json`, `public.json` and
//! `verification_key.json` (protocol `groth16`, curve `bn128`), so that
//! `snarkjs groth16 verify` accepts veil's proofs and veil accepts snarkjs's.
//!
//! Numbers are canonical decimal strings; points are projective triples in
//! affine form (`z = 1`; snarkjs writes infinity as `[0, 1, 0]`); an `Fq2`
//! element is `[c0, c1]`. Unknown fields (such as `vk_alphabeta_12`) are
//! ignored on import and not written on export.

use crate::error::DecodeError;
use crate::points::{
    fq_from_decimal, fq_to_decimal, g1_coords, g1_from_coords, g2_coords, g2_from_coords,
};
use crate::{Proof, VerifyingKey, NUM_PUBLIC_INPUTS};
use ark_bn254::{Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use serde::{Deserialize, Serialize};
use veil_circuits::encoding::{field_from_decimal, field_to_decimal};
use veil_circuits::F;

const PROTOCOL: &str = "groth16";
const CURVE: &str = "bn128";

/// A G1 point as snarkjs writes it.
pub type G1Json = [String; 3];
/// A G2 point as snarkjs writes it.
pub type G2Json = [[String; 2]; 3];

/// `proof.json`. snarkjs writes `protocol` and `curve`, rapidsnark (iden3's
/// native prover, which mobile wallets use) `protocol` only, and snarkjs's
/// verifier reads neither: a missing one is accepted, as snarkjs does, and
/// one that names another protocol or curve is refused. veil writes both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofJson {
    /// A.
    pub pi_a: G1Json,
    /// B.
    pub pi_b: G2Json,
    /// C.
    pub pi_c: G1Json,
    /// `groth16` (may be absent).
    #[serde(default = "default_protocol")]
    pub protocol: String,
    /// `bn128` (absent in rapidsnark's files).
    #[serde(default = "default_curve")]
    pub curve: String,
}

fn default_protocol() -> String {
    PROTOCOL.into()
}

fn default_curve() -> String {
    CURVE.into()
}

/// `verification_key.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyingKeyJson {
    /// Always `groth16`.
    pub protocol: String,
    /// Always `bn128`.
    pub curve: String,
    /// Number of public inputs.
    #[serde(rename = "nPublic")]
    pub n_public: usize,
    /// α in G1.
    pub vk_alpha_1: G1Json,
    /// β in G2.
    pub vk_beta_2: G2Json,
    /// γ in G2.
    pub vk_gamma_2: G2Json,
    /// δ in G2.
    pub vk_delta_2: G2Json,
    /// The input points, `nPublic + 1` of them.
    #[serde(rename = "IC")]
    pub ic: Vec<G1Json>,
}

fn g1_to_json(p: &G1Affine) -> G1Json {
    if p.is_zero() {
        return ["0".into(), "1".into(), "0".into()];
    }
    let (x, y) = g1_coords(p);
    [fq_to_decimal(&x), fq_to_decimal(&y), "1".into()]
}

fn fq2_to_json(x: &Fq2) -> [String; 2] {
    [fq_to_decimal(&x.c0), fq_to_decimal(&x.c1)]
}

fn g2_to_json(p: &G2Affine) -> G2Json {
    if p.is_zero() {
        return [
            ["0".into(), "0".into()],
            ["1".into(), "0".into()],
            ["0".into(), "0".into()],
        ];
    }
    let (x, y) = g2_coords(p);
    [fq2_to_json(&x), fq2_to_json(&y), ["1".into(), "0".into()]]
}

fn g1_from_json(p: &G1Json, what: &str) -> Result<G1Affine, DecodeError> {
    match p[2].as_str() {
        "0" => Ok(G1Affine::zero()),
        "1" => g1_from_coords(
            fq_from_decimal(&p[0], &format!("{what}[0]"))?,
            fq_from_decimal(&p[1], &format!("{what}[1]"))?,
            what,
        ),
        _ => Err(DecodeError::NotAffine(what.into())),
    }
}

fn fq2_from_json(x: &[String; 2], what: &str) -> Result<Fq2, DecodeError> {
    Ok(Fq2::new(
        fq_from_decimal(&x[0], &format!("{what}[0]"))?,
        fq_from_decimal(&x[1], &format!("{what}[1]"))?,
    ))
}

fn g2_from_json(p: &G2Json, what: &str) -> Result<G2Affine, DecodeError> {
    match (p[2][0].as_str(), p[2][1].as_str()) {
        ("0", "0") => Ok(G2Affine::zero()),
        ("1", "0") => g2_from_coords(
            fq2_from_json(&p[0], &format!("{what}[0]"))?,
            fq2_from_json(&p[1], &format!("{what}[1]"))?,
            what,
        ),
        _ => Err(DecodeError::NotAffine(what.into())),
    }
}

fn check_protocol(protocol: &str, curve: &str) -> Result<(), DecodeError> {
    if protocol != PROTOCOL {
        return Err(DecodeError::Protocol(protocol.into()));
    }
    if curve != CURVE {
        return Err(DecodeError::Curve(curve.into()));
    }
    Ok(())
}

impl ProofJson {
    /// The JSON form of `proof`.
    pub fn from_proof(proof: &Proof) -> Self {
        ProofJson {
            pi_a: g1_to_json(&proof.a),
            pi_b: g2_to_json(&proof.b),
            pi_c: g1_to_json(&proof.c),
            protocol: PROTOCOL.into(),
            curve: CURVE.into(),
        }
    }

    /// The proof, every point validated.
    pub fn to_proof(&self) -> Result<Proof, DecodeError> {
        check_protocol(&self.protocol, &self.curve)?;
        Ok(Proof {
            a: g1_from_json(&self.pi_a, "pi_a")?,
            b: g2_from_json(&self.pi_b, "pi_b")?,
            c: g1_from_json(&self.pi_c, "pi_c")?,
        })
    }
}

impl VerifyingKeyJson {
    /// The JSON form of `vk`.
    pub fn from_key(vk: &VerifyingKey) -> Self {
        VerifyingKeyJson {
            protocol: PROTOCOL.into(),
            curve: CURVE.into(),
            n_public: vk.gamma_abc_g1.len().saturating_sub(1),
            vk_alpha_1: g1_to_json(&vk.alpha_g1),
            vk_beta_2: g2_to_json(&vk.beta_g2),
            vk_gamma_2: g2_to_json(&vk.gamma_g2),
            vk_delta_2: g2_to_json(&vk.delta_g2),
            ic: vk.gamma_abc_g1.iter().map(g1_to_json).collect(),
        }
    }

    /// The key, every point validated; refuses a key for another number of
    /// public inputs than the statement's.
    pub fn to_key(&self) -> Result<VerifyingKey, DecodeError> {
        check_protocol(&self.protocol, &self.curve)?;
        if self.n_public != NUM_PUBLIC_INPUTS || self.ic.len() != NUM_PUBLIC_INPUTS + 1 {
            return Err(DecodeError::InputCount {
                expected: NUM_PUBLIC_INPUTS,
                got: self.n_public.max(self.ic.len().saturating_sub(1)),
            });
        }
        Ok(VerifyingKey {
            alpha_g1: g1_from_json(&self.vk_alpha_1, "vk_alpha_1")?,
            beta_g2: g2_from_json(&self.vk_beta_2, "vk_beta_2")?,
            gamma_g2: g2_from_json(&self.vk_gamma_2, "vk_gamma_2")?,
            delta_g2: g2_from_json(&self.vk_delta_2, "vk_delta_2")?,
            gamma_abc_g1: self
                .ic
                .iter()
                .enumerate()
                .map(|(i, p)| g1_from_json(p, &format!("IC[{i}]")))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// `proof.json` text for `proof`.
pub fn proof_to_string(proof: &Proof) -> String {
    pretty(&ProofJson::from_proof(proof))
}

/// A proof from `proof.json` text.
pub fn proof_from_str(s: &str) -> Result<Proof, DecodeError> {
    serde_json::from_str::<ProofJson>(s)?.to_proof()
}

/// `verification_key.json` text for `vk`.
pub fn verifying_key_to_string(vk: &VerifyingKey) -> String {
    pretty(&VerifyingKeyJson::from_key(vk))
}

/// A verifying key from `verification_key.json` text.
pub fn verifying_key_from_str(s: &str) -> Result<VerifyingKey, DecodeError> {
    serde_json::from_str::<VerifyingKeyJson>(s)?.to_key()
}

/// `public.json` text: the inputs as decimal strings.
pub fn public_to_string(public: &[F]) -> String {
    pretty(&public.iter().map(field_to_decimal).collect::<Vec<_>>())
}

/// Public inputs from `public.json` text: exactly the statement's ten, each a
/// canonical element of the scalar field.
pub fn public_from_str(s: &str) -> Result<Vec<F>, DecodeError> {
    let strings: Vec<String> = serde_json::from_str(s)?;
    if strings.len() != NUM_PUBLIC_INPUTS {
        return Err(DecodeError::InputCount {
            expected: NUM_PUBLIC_INPUTS,
            got: strings.len(),
        });
    }
    strings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            field_from_decimal(s).map_err(|e| DecodeError::number(format!("public[{i}]"), e))
        })
        .collect()
}

fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("plain data always serializes")
}
