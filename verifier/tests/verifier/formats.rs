//! Bytes, snarkjs JSON and EVM calldata: round trips, and every kind of bad
//! input refused with its typed error.

use crate::fixture::{first, fixture};
use ark_bn254::{Fq, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use veil_circuits::encoding::DecodeError as NumberError;
use veil_verifier::bytes::{proof_from_bytes, proof_to_bytes, public_from_bytes, public_to_bytes};
use veil_verifier::evm::{Calldata, CALLDATA_WORDS};
use veil_verifier::snarkjs::{self, ProofJson, VerifyingKeyJson};
use veil_verifier::DecodeError;

const R: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
const P: &str = "21888242871839275222246405745257275088696311157297823662689037894645226208583";

#[test]
fn bytes_round_trip() {
    let (proof, public) = first();
    let bytes = proof_to_bytes(&proof);
    assert_eq!(bytes.len(), 128);
    assert_eq!(proof_from_bytes(&bytes).unwrap(), proof);
    assert_eq!(
        public_from_bytes(&public_to_bytes(&public)).unwrap(),
        public
    );
}

#[test]
fn bad_proof_bytes_are_typed_errors() {
    let (proof, public) = first();
    let bytes = proof_to_bytes(&proof);
    for n in [0, 1, 64, 127, 129] {
        let mut b = bytes.clone();
        b.resize(n, 0);
        assert_eq!(
            proof_from_bytes(&b),
            Err(DecodeError::Length {
                expected: 128,
                got: n
            })
        );
    }
    // x = p - 1 ... with its flags: some byte patterns are off the curve, the
    // all-ones pattern is above the modulus.
    let mut b = bytes.clone();
    b[..32].copy_from_slice(&[0xff; 32]);
    assert!(matches!(
        proof_from_bytes(&b),
        Err(DecodeError::Bytes { what: "proof", .. })
    ));
    let mut rejected = 0;
    for i in 0..32u8 {
        let mut b = bytes.clone();
        b[0] ^= i + 1;
        if proof_from_bytes(&b).is_err() {
            rejected += 1;
        } else {
            // Another valid point: it must not verify.
            let bad = proof_from_bytes(&b).unwrap();
            assert!(fixture().key.verify(&bad, &public).is_err());
        }
    }
    assert!(rejected > 0, "some flipped x must be off the curve");

    let public_bytes = public_to_bytes(&public);
    assert!(matches!(
        public_from_bytes(&public_bytes[..300]),
        Err(DecodeError::Length {
            expected: 320,
            got: 300
        })
    ));
    let mut big = public_bytes.clone();
    big[32 * 4..32 * 5].copy_from_slice(&[0xff; 32]);
    assert!(matches!(
        public_from_bytes(&big),
        Err(DecodeError::Number { ref field, source: NumberError::OutOfRange { .. } }) if field == "public[4]"
    ));
}

#[test]
fn snarkjs_json_round_trips() {
    let f = fixture();
    let (proof, public) = first();
    let text = snarkjs::proof_to_string(&proof);
    assert!(text.contains("\"protocol\": \"groth16\"") && text.contains("\"curve\": \"bn128\""));
    assert_eq!(snarkjs::proof_from_str(&text).unwrap(), proof);
    assert_eq!(
        snarkjs::public_from_str(&snarkjs::public_to_string(&public)).unwrap(),
        public
    );
    let vk_text = snarkjs::verifying_key_to_string(f.keys.verifying_key());
    assert!(vk_text.contains("\"nPublic\": 10"));
    assert_eq!(
        &snarkjs::verifying_key_from_str(&vk_text).unwrap(),
        f.keys.verifying_key()
    );
}

#[test]
fn snarkjs_extras_are_accepted() {
    // snarkjs writes vk_alphabeta_12; veil ignores it.
    let mut v: serde_json::Value = serde_json::from_str(&snarkjs::verifying_key_to_string(
        fixture().keys.verifying_key(),
    ))
    .unwrap();
    v["vk_alphabeta_12"] = serde_json::json!([[["1", "2"]]]);
    assert!(snarkjs::verifying_key_from_str(&v.to_string()).is_ok());
}

fn proof_json() -> ProofJson {
    ProofJson::from_proof(&first().0)
}

fn decode(p: &ProofJson) -> Result<veil_prover::Proof, DecodeError> {
    p.to_proof()
}

#[test]
fn bad_snarkjs_proofs_are_typed_errors() {
    let mut p = proof_json();
    p.protocol = "plonk".into();
    assert_eq!(decode(&p), Err(DecodeError::Protocol("plonk".into())));

    let mut p = proof_json();
    p.curve = "bls12381".into();
    assert_eq!(decode(&p), Err(DecodeError::Curve("bls12381".into())));

    let mut p = proof_json();
    p.pi_a[1] = "1".into();
    assert_eq!(decode(&p), Err(DecodeError::NotOnCurve("pi_a".into())));

    let mut p = proof_json();
    p.pi_c[0] = P.into();
    assert!(matches!(decode(&p), Err(DecodeError::Number { ref field, .. }) if field == "pi_c[0]"));

    for bad in ["-1", "0x10", "007", "", "1e3", " 1"] {
        let mut p = proof_json();
        p.pi_a[0] = bad.into();
        assert!(
            matches!(
                decode(&p),
                Err(DecodeError::Number {
                    source: NumberError::NotDecimal(_),
                    ..
                })
            ),
            "{bad:?}"
        );
    }

    let mut p = proof_json();
    p.pi_a[2] = "2".into();
    assert_eq!(decode(&p), Err(DecodeError::NotAffine("pi_a".into())));

    let mut p = proof_json();
    p.pi_b[1][0] = "5".into();
    assert_eq!(decode(&p), Err(DecodeError::NotOnCurve("pi_b".into())));

    assert!(matches!(
        snarkjs::proof_from_str("{"),
        Err(DecodeError::Json(_))
    ));
    assert!(matches!(
        snarkjs::proof_from_str("{\"pi_a\": []}"),
        Err(DecodeError::Json(_))
    ));
}

#[test]
fn a_g2_point_outside_the_subgroup_is_refused() {
    // Find a point on the twist that is not in the r-torsion.
    use ark_bn254::{Fq2, G2Affine};
    use ark_ff::Field;
    let b = <ark_bn254::g2::Config as ark_ec::short_weierstrass::SWCurveConfig>::COEFF_B;
    let mut x = Fq2::new(Fq::from(1u64), Fq::from(0u64));
    let point = loop {
        if let Some(y) = (x.square() * x + b).sqrt() {
            let p = G2Affine::new_unchecked(x, y);
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                break p;
            }
        }
        x += Fq2::ONE;
    };
    let mut proof = first().0;
    proof.b = point;
    let json = ProofJson::from_proof(&proof);
    assert_eq!(
        decode(&json),
        Err(DecodeError::NotInSubgroup("pi_b".into()))
    );
}

#[test]
fn bad_public_json_is_a_typed_error() {
    let (_, public) = first();
    let good: Vec<String> = serde_json::from_str(&snarkjs::public_to_string(&public)).unwrap();
    let mut v = good.clone();
    v.pop();
    assert_eq!(
        snarkjs::public_from_str(&serde_json::to_string(&v).unwrap()),
        Err(DecodeError::InputCount {
            expected: 10,
            got: 9
        })
    );
    let mut v = good.clone();
    v[7] = R.into();
    assert!(matches!(
        snarkjs::public_from_str(&serde_json::to_string(&v).unwrap()),
        Err(DecodeError::Number { ref field, source: NumberError::OutOfRange { .. } }) if field == "public[7]"
    ));
    assert!(matches!(
        snarkjs::public_from_str("[1,2]"),
        Err(DecodeError::Json(_))
    ));
}

#[test]
fn bad_snarkjs_keys_are_typed_errors() {
    let good = VerifyingKeyJson::from_key(fixture().keys.verifying_key());
    let mut k = good.clone();
    k.n_public = 9;
    assert!(matches!(
        k.to_key(),
        Err(DecodeError::InputCount { expected: 10, .. })
    ));
    let mut k = good.clone();
    k.ic.pop();
    assert!(matches!(
        k.to_key(),
        Err(DecodeError::InputCount { expected: 10, .. })
    ));
    let mut k = good.clone();
    k.ic[4][0] = "3".into();
    assert_eq!(k.to_key(), Err(DecodeError::NotOnCurve("IC[4]".into())));
}

#[test]
fn evm_calldata_round_trips_and_orders_g2_for_the_precompile() {
    let (proof, public) = first();
    let call = Calldata::new(&proof, &public);
    let bytes = call.to_abi_bytes();
    assert_eq!(bytes.len(), 32 * CALLDATA_WORDS);
    assert_eq!(
        Calldata::from_abi_bytes(&bytes).unwrap(),
        (proof.clone(), public.clone())
    );
    // EIP-197: the imaginary part first.
    let (x, _) = proof.b.xy().unwrap();
    assert_eq!(call.b[0][0].to_vec(), x.c1.into_bigint().to_bytes_be());
    assert_eq!(call.b[0][1].to_vec(), x.c0.into_bigint().to_bytes_be());
    // Read in the other order, B is a different point (or none): the order matters.
    let mut swapped = bytes.clone();
    let (w2, w3) = swapped[64..128].split_at_mut(32);
    w2.swap_with_slice(w3);
    assert_ne!(
        Calldata::from_abi_bytes(&swapped).ok().map(|(p, _)| p.b),
        Some(proof.b)
    );
}

#[test]
fn bad_calldata_is_a_typed_error() {
    let (proof, public) = first();
    let bytes = Calldata::new(&proof, &public).to_abi_bytes();
    assert!(matches!(
        Calldata::from_abi_bytes(&bytes[1..]),
        Err(DecodeError::Length { .. })
    ));
    let mut big = bytes.clone();
    big[32 * 8..32 * 9].copy_from_slice(&[0xff; 32]);
    assert!(matches!(
        Calldata::from_abi_bytes(&big),
        Err(DecodeError::Number { ref field, .. }) if field == "input[0]"
    ));
    let mut off = bytes.clone();
    off[63] ^= 1;
    assert_eq!(
        Calldata::from_abi_bytes(&off),
        Err(DecodeError::NotOnCurve("a".into()))
    );
    // (0, 0) is the EVM's point at infinity.
    let mut inf = bytes.clone();
    inf[..64].fill(0);
    assert_eq!(
        Calldata::from_abi_bytes(&inf).unwrap().0.a,
        G1Affine::zero()
    );
}
