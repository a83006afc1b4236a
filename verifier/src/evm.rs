//! EVM calldata for a Solidity Groth16 verifier:
//! `verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[10] input)`.
//!
//! All arguments are static, so the ABI encoding is their 32-byte big-endian
//! words in order (18 words). `b` follows EIP-197: an `Fq2` element
//! `c0 + c1·i` is written imaginary part first, `[c1, c0]` — the order the
//! pairing precompile at `0x08` reads and snarkjs's generated verifiers use.

use crate::points::{g1_coords, g1_from_coords, g2_coords, g2_from_coords};
use crate::DecodeError;
use crate::{Proof, NUM_PUBLIC_INPUTS};
use ark_bn254::{Fq, Fq2};
use ark_ff::{BigInteger, PrimeField};
use num_bigint::BigUint;
use veil_circuits::encoding::DecodeError as NumberError;
use veil_circuits::F;

/// A 256-bit big-endian word.
pub type Word = [u8; 32];

/// The calldata of the generated EVM verifier for a proof of either system,
/// as the text veil writes (`calldata.txt`, the service's `Proof.calldata`):
/// snarkjs's `generatecall` form for Groth16, `0x`-hex of snark-verifier's
/// encoding (inputs, then proof) for halo2-KZG. A halo2 proof needs the
/// `halo2` feature ([`crate::VerifyError::NotBuilt`] without it).
pub fn calldata_text(
    proof: &veil_system::SystemProof,
    public: &veil_circuits::statement::PublicInputs,
) -> Result<String, crate::VerifyError> {
    match proof {
        veil_system::SystemProof::Groth16(p) => {
            Ok(Calldata::new(p, &public.to_vec()).to_snarkjs_string())
        }
        #[cfg(feature = "halo2")]
        veil_system::SystemProof::Halo2Kzg(bytes) => Ok(format!(
            "0x{}",
            hex::encode(veil_halo2::evm::calldata(public, bytes))
        )),
        #[cfg(not(feature = "halo2"))]
        veil_system::SystemProof::Halo2Kzg(_) => Err(crate::VerifyError::NotBuilt(
            veil_system::ProvingSystem::Halo2Kzg,
        )),
    }
}

/// The verifier call's arguments as words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calldata {
    /// `A = (x, y)`.
    pub a: [Word; 2],
    /// `B = ([x.c1, x.c0], [y.c1, y.c0])`.
    pub b: [[Word; 2]; 2],
    /// `C = (x, y)`.
    pub c: [Word; 2],
    /// The public inputs in the statement's order.
    pub input: Vec<Word>,
}

/// Number of words in the encoded call (without selector).
pub const CALLDATA_WORDS: usize = 2 + 4 + 2 + NUM_PUBLIC_INPUTS;

fn word<P: PrimeField>(x: &P) -> Word {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

fn from_word<P: PrimeField>(w: &Word, field: &'static str, what: &str) -> Result<P, DecodeError> {
    let n = BigUint::from_bytes_be(w);
    if n >= P::MODULUS.into() {
        return Err(DecodeError::number(what, NumberError::OutOfRange { field }));
    }
    Ok(P::from_be_bytes_mod_order(w))
}

fn fq(w: &Word, what: &str) -> Result<Fq, DecodeError> {
    from_word(w, "BN254 base field", what)
}

impl Calldata {
    /// The calldata for `proof` and `public`.
    pub fn new(proof: &Proof, public: &[F]) -> Self {
        let (ax, ay) = g1_coords(&proof.a);
        let (bx, by) = g2_coords(&proof.b);
        let (cx, cy) = g1_coords(&proof.c);
        Calldata {
            a: [word(&ax), word(&ay)],
            b: [[word(&bx.c1), word(&bx.c0)], [word(&by.c1), word(&by.c0)]],
            c: [word(&cx), word(&cy)],
            input: public.iter().map(word).collect(),
        }
    }

    /// The words in ABI order: a, b, c, input.
    pub fn words(&self) -> Vec<Word> {
        let mut out = Vec::with_capacity(8 + self.input.len());
        out.extend_from_slice(&self.a);
        out.extend_from_slice(&self.b[0]);
        out.extend_from_slice(&self.b[1]);
        out.extend_from_slice(&self.c);
        out.extend_from_slice(&self.input);
        out
    }

    /// The ABI encoding of the arguments (append to a 4-byte selector).
    pub fn to_abi_bytes(&self) -> Vec<u8> {
        self.words().concat()
    }

    /// The arguments from their ABI encoding, validated: coordinates below
    /// the base-field modulus and on the curve, inputs below the scalar-field
    /// modulus (what the generated Solidity verifier also checks).
    pub fn from_abi_bytes(bytes: &[u8]) -> Result<(Proof, Vec<F>), DecodeError> {
        if bytes.len() != 32 * CALLDATA_WORDS {
            return Err(DecodeError::Length {
                expected: 32 * CALLDATA_WORDS,
                got: bytes.len(),
            });
        }
        let w: Vec<Word> = bytes
            .chunks(32)
            .map(|c| {
                let mut out = [0u8; 32];
                out.copy_from_slice(c);
                out
            })
            .collect();
        let a = g1_from_coords(fq(&w[0], "a[0]")?, fq(&w[1], "a[1]")?, "a")?;
        let b = g2_from_coords(
            Fq2::new(fq(&w[3], "b[0][1]")?, fq(&w[2], "b[0][0]")?),
            Fq2::new(fq(&w[5], "b[1][1]")?, fq(&w[4], "b[1][0]")?),
            "b",
        )?;
        let c = g1_from_coords(fq(&w[6], "c[0]")?, fq(&w[7], "c[1]")?, "c")?;
        let input = w[8..]
            .iter()
            .enumerate()
            .map(|(i, x)| from_word(x, "BN254 scalar field", &format!("input[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok((Proof { a, b, c }, input))
    }

    /// The text `snarkjs zkey export soliditycalldata` prints (byte for byte),
    /// for tools that expect it.
    pub fn to_snarkjs_string(&self) -> String {
        let hex = |w: &Word| format!("\"0x{}\"", hex::encode(w));
        let pair = |p: &[Word; 2]| format!("[{}, {}]", hex(&p[0]), hex(&p[1]));
        let inputs: Vec<String> = self.input.iter().map(hex).collect();
        format!(
            "{},[{},{}],{},[{}]",
            pair(&self.a),
            pair(&self.b[0]),
            pair(&self.b[1]),
            pair(&self.c),
            inputs.join(",")
        )
    }
}
