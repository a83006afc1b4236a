//! Proving and verifying keys for the statement on halo2, and their files.
//!
//! halo2-base lays the statement out by itself (columns, break points), so a
//! key carries that layout: [`CircuitLayout`] is written in front of the
//! halo2 key and the prover rebuilds the same layout from it.

use crate::params::{ParamsError, UniversalParams};
use crate::statement::{synthesize, CircuitShape, BLINDING_ROWS};
use crate::Fr;
use halo2_base::gates::circuit::{
    builder::BaseCircuitBuilder, BaseCircuitParams, CircuitBuilderStage,
};
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_base::halo2_proofs::plonk::{keygen_pk, keygen_vk, ProvingKey, VerifyingKey};
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use halo2_base::halo2_proofs::SerdeFormat;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::WitnessError;

/// First bytes of a halo2 proving-key file.
pub const PK_MAGIC: &[u8; 8] = b"VEILH2PK";
/// First bytes of a halo2 verifying-key file.
pub const VK_MAGIC: &[u8; 8] = b"VEILH2VK";

/// Why keys could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The parameters do not fit.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// halo2 refused the circuit.
    #[error("halo2 key generation failed: {0}")]
    Keygen(String),
    /// The sample witness used to lay the circuit out was refused.
    #[error("the layout witness was refused: {0}")]
    Layout(#[from] WitnessError),
    /// Keys regenerated from the parameters differ from the verifying key
    /// given: another circuit, layout or SRS.
    #[error("the verifying key does not belong to this statement under these parameters")]
    Mismatch,
    /// A key file is not one of ours or is damaged.
    #[error("malformed halo2 key file: {0}")]
    Malformed(String),
}

/// How halo2-base laid the statement out: the shape, the columns it chose and
/// where each column's rows break.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CircuitLayout {
    /// Rows and range table.
    pub shape: CircuitShape,
    /// Columns per phase, fixed columns, lookup columns, instances.
    pub config: BaseCircuitParams,
    /// Per phase, the row at which each advice column is cut.
    pub break_points: Vec<Vec<usize>>,
}

/// The statement's halo2 keys and the layout they were made for.
#[derive(Clone, Debug)]
pub struct Halo2Keys {
    /// The layout.
    pub layout: CircuitLayout,
    /// The proving key (contains the verifying key).
    pub pk: ProvingKey<G1Affine>,
}

/// The verifying side: layout and verifying key.
#[derive(Clone, Debug)]
pub struct Halo2VerifyingKey {
    /// The layout.
    pub layout: CircuitLayout,
    /// The verifying key.
    pub vk: VerifyingKey<G1Affine>,
}

/// The sample witness that fixes the circuit's layout during key generation
/// (halo2-base lays a circuit out while assigning it; any honest witness
/// gives the same layout).
fn layout_witness() -> Result<veil_circuits::statement::ComplianceWitness, WitnessError> {
    Sample::new(&mut ChaCha20Rng::seed_from_u64(0)).witness()
}

/// A builder for `stage` with `shape` set.
pub(crate) fn builder(stage: CircuitBuilderStage, shape: CircuitShape) -> BaseCircuitBuilder<Fr> {
    BaseCircuitBuilder::from_stage(stage)
        .use_k(shape.k as usize)
        .use_lookup_bits(shape.lookup_bits)
        .use_instance_columns(1)
}

impl Halo2Keys {
    /// Generates the statement's keys under `params` (cut to the shape's
    /// `k`).
    pub fn generate(params: &UniversalParams, shape: CircuitShape) -> Result<Self, KeyError> {
        let kzg = params.for_k(shape.k)?;
        let (circuit, verifying) = Halo2VerifyingKey::generate_with_circuit(&kzg, shape)?;
        let pk =
            keygen_pk(&kzg, verifying.vk, &circuit).map_err(|e| KeyError::Keygen(e.to_string()))?;
        Ok(Halo2Keys {
            layout: verifying.layout,
            pk,
        })
    }

    /// The proving key, regenerated from the parameters, for a verifying key
    /// read from a file: a proving key is 10^5 times larger than the
    /// verifying key and key generation is deterministic, so veil ships the
    /// verifying key and derives the rest. Refuses a verifying key that the
    /// regenerated keys do not reproduce.
    pub fn regenerate(params: &UniversalParams, vk: &Halo2VerifyingKey) -> Result<Self, KeyError> {
        let keys = Self::generate(params, vk.layout.shape)?;
        if keys.pk.get_vk().transcript_repr() != vk.vk.transcript_repr() {
            return Err(KeyError::Mismatch);
        }
        Ok(keys)
    }

    /// The verifying side of these keys.
    pub fn verifying_key(&self) -> Halo2VerifyingKey {
        Halo2VerifyingKey {
            layout: self.layout.clone(),
            vk: self.pk.get_vk().clone(),
        }
    }

    /// The proving-key file: magic, layout (JSON, length-prefixed), halo2 key.
    pub fn to_bytes(&self) -> Vec<u8> {
        framed(
            PK_MAGIC,
            &self.layout,
            &self.pk.to_bytes(SerdeFormat::RawBytes),
        )
    }

    /// Reads a proving-key file, checking every point.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let (layout, pk) = read_framed(PK_MAGIC, bytes, |body, config| {
            ProvingKey::from_bytes::<BaseCircuitBuilder<Fr>>(body, SerdeFormat::RawBytes, config)
        })?;
        Ok(Halo2Keys { layout, pk })
    }
}

impl Halo2VerifyingKey {
    /// Generates the statement's verifying key alone under `params`: what a
    /// verifier (or a fuzz target) needs, without the proving key's
    /// polynomials, which take most of key generation's time.
    pub fn generate(params: &UniversalParams, shape: CircuitShape) -> Result<Self, KeyError> {
        let kzg = params.for_k(shape.k)?;
        Ok(Self::generate_with_circuit(&kzg, shape)?.1)
    }

    /// The verifying key and the laid-out circuit it was generated from (the
    /// proving key is generated from both).
    fn generate_with_circuit(
        kzg: &ParamsKZG<Bn256>,
        shape: CircuitShape,
    ) -> Result<(BaseCircuitBuilder<Fr>, Self), KeyError> {
        let mut circuit = builder(CircuitBuilderStage::Keygen, shape);
        synthesize(&mut circuit, &layout_witness()?)?;
        let config = circuit.calculate_params(Some(BLINDING_ROWS));
        let vk = keygen_vk(kzg, &circuit).map_err(|e| KeyError::Keygen(e.to_string()))?;
        let break_points = circuit.break_points();
        let layout = CircuitLayout {
            shape,
            config,
            break_points,
        };
        Ok((circuit, Halo2VerifyingKey { layout, vk }))
    }

    /// The verifying-key file: magic, layout, halo2 key.
    pub fn to_bytes(&self) -> Vec<u8> {
        framed(
            VK_MAGIC,
            &self.layout,
            &self.vk.to_bytes(SerdeFormat::RawBytes),
        )
    }

    /// Reads a verifying-key file, checking every point.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let (layout, vk) = read_framed(VK_MAGIC, bytes, |body, config| {
            VerifyingKey::from_bytes::<BaseCircuitBuilder<Fr>>(body, SerdeFormat::RawBytes, config)
        })?;
        Ok(Halo2VerifyingKey { layout, vk })
    }
}

/// The demo's universal parameters and keys: [`crate::params::INSECURE_DEMO_SEED`]
/// at the statement's shape. INSECURE (the toxic waste is public); the
/// committed `Halo2Verifier.sol` is generated from them.
pub fn insecure_demo_keys() -> Result<(UniversalParams, Halo2Keys), KeyError> {
    let shape = CircuitShape::default();
    let params = UniversalParams::insecure_demo(shape.k);
    let keys = Halo2Keys::generate(&params, shape)?;
    Ok((params, keys))
}

fn framed(magic: &[u8; 8], layout: &CircuitLayout, body: &[u8]) -> Vec<u8> {
    // A derived Serialize of plain data cannot fail.
    let header = serde_json::to_vec(layout).unwrap_or_default();
    let mut out = Vec::with_capacity(12 + header.len() + body.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(body);
    out
}

/// A framed key file's layout and its halo2 key, parsed by `parse` (which
/// needs the layout's column configuration).
fn read_framed<T>(
    magic: &[u8; 8],
    bytes: &[u8],
    parse: impl FnOnce(&[u8], BaseCircuitParams) -> std::io::Result<T>,
) -> Result<(CircuitLayout, T), KeyError> {
    let (layout, body) = unframe(magic, bytes)?;
    let key = parse(body, layout.config.clone()).map_err(|e| KeyError::Malformed(e.to_string()))?;
    Ok((layout, key))
}

fn unframe<'a>(magic: &[u8; 8], bytes: &'a [u8]) -> Result<(CircuitLayout, &'a [u8]), KeyError> {
    let bad = |m: &str| KeyError::Malformed(m.to_string());
    if bytes.len() < 12 || &bytes[..8] != magic {
        return Err(bad("missing the veil halo2 key header"));
    }
    let mut len = [0u8; 4];
    len.copy_from_slice(&bytes[8..12]);
    let len = u32::from_le_bytes(len) as usize;
    let header = bytes
        .get(12..12 + len)
        .ok_or_else(|| bad("truncated layout header"))?;
    let layout: CircuitLayout =
        serde_json::from_slice(header).map_err(|e| bad(&format!("layout: {e}")))?;
    Ok((layout, &bytes[12 + len..]))
}
