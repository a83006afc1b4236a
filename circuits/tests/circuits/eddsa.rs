//! Baby Jubjub and EdDSA-Poseidon against circomlibjs, natively and in-circuit.

use crate::common::{fe, new_cs, satisfied, vectors};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, UniformRand};
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::ConstraintSystemRef;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use num_bigint::BigUint;
use proptest::prelude::*;
use veil_circuits::babyjubjub::*;
use veil_circuits::eddsa::*;
use veil_circuits::F;

fn big(s: &str) -> BigUint {
    s.parse().unwrap()
}

#[test]
fn curve_constants_match_circomlibjs() {
    let v = vectors().babyjub;
    assert_eq!(
        fe(&v.a),
        <BabyJubjubConfig as ark_ec::twisted_edwards::TECurveConfig>::COEFF_A
    );
    assert_eq!(
        fe(&v.d),
        <BabyJubjubConfig as ark_ec::twisted_edwards::TECurveConfig>::COEFF_D
    );
    assert_eq!(
        base8(),
        point_from_coords(fe(&v.base8[0]), fe(&v.base8[1])).unwrap()
    );
    assert_eq!(subgroup_order(), big(&v.subgroup_order));
    assert_eq!(subgroup_order() * 8u32, big(&v.order));
    let g = generator();
    assert_eq!((g.x, g.y), (fe(&v.generator[0]), fe(&v.generator[1])));
    assert!(g.is_on_curve());
    // The full generator has order 8l: it is refused as a subgroup point.
    assert_eq!(point_from_coords(g.x, g.y), Err(CurveError::NotInSubgroup));
    assert_eq!(mul_integer(&g, &BigUint::from(8u32)), base8());
}

#[test]
fn base8_multiples_match_every_vector() {
    for case in vectors().babyjub.mul {
        let p = mul_base8(&big(&case.scalar));
        assert_eq!(
            (p.x, p.y),
            (
                fe(&case.base8_times_scalar[0]),
                fe(&case.base8_times_scalar[1])
            )
        );
    }
}

fn scalar_bits(cs: &ConstraintSystemRef<F>, k: &BigUint, n: usize) -> Vec<Boolean<F>> {
    integer_bits_le(k, n)
        .into_iter()
        .map(|b| Boolean::new_witness(cs.clone(), || Ok(b)).unwrap())
        .collect()
}

#[test]
fn fixed_and_variable_base_gadgets_match_vectors_and_reject_wrong_results() {
    for case in vectors().babyjub.mul {
        let k = big(&case.scalar);
        let expected = (
            fe(&case.base8_times_scalar[0]),
            fe(&case.base8_times_scalar[1]),
        );
        for variable in [false, true] {
            for tamper in [false, true] {
                let cs = new_cs();
                let bits = scalar_bits(&cs, &k, 253);
                let out = if variable {
                    let b = alloc_point_unchecked(cs.clone(), || Ok(base8())).unwrap();
                    variable_base_mul(&bits, &b).unwrap()
                } else {
                    fixed_base_mul(&bits, &base8()).unwrap()
                };
                assert_eq!((out.x.value().unwrap(), out.y.value().unwrap()), expected);
                let claimed_x = if tamper {
                    expected.0 + F::from(1u64)
                } else {
                    expected.0
                };
                let cx = FpVar::new_input(cs.clone(), || Ok(claimed_x)).unwrap();
                let cy = FpVar::new_input(cs.clone(), || Ok(expected.1)).unwrap();
                out.enforce_equal(&PointVar::new(cx, cy)).unwrap();
                assert_eq!(
                    satisfied(&cs),
                    !tamper,
                    "variable={variable} tamper={tamper}"
                );
            }
        }
    }
}

#[test]
fn subgroup_gadget_accepts_subgroup_points_and_rejects_others() {
    let g = generator();
    let torsion = mul_integer(&g, &subgroup_order()); // a point of order 8
    let cases = [
        (base8(), true),
        (g, false),
        (torsion, false),
        ((base8().into_group() + torsion).into_affine(), false),
    ];
    for (p, ok) in cases {
        let cs = new_cs();
        let v = alloc_point_unchecked(cs.clone(), || Ok(p)).unwrap();
        enforce_in_subgroup(&v).unwrap();
        assert_eq!(satisfied(&cs), ok);
    }
    // An off-curve point fails both the native decoder and the gadget.
    let off = (base8().x, base8().y + F::from(1u64));
    assert_eq!(point_from_coords(off.0, off.1), Err(CurveError::NotOnCurve));
    let cs = new_cs();
    let v = alloc_point_unchecked(cs.clone(), || {
        Ok(ark_ec::twisted_edwards::Affine::new_unchecked(off.0, off.1))
    })
    .unwrap();
    enforce_on_curve(&v).unwrap();
    assert!(!satisfied(&cs));
}

#[test]
fn packing_round_trips_and_refuses_bad_encodings() {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..8 {
        let p = (base8().into_group() * Scalar::rand(&mut rng)).into_affine();
        assert_eq!(unpack_point(&pack_point(&p)).unwrap(), p);
    }
    assert!(matches!(
        unpack_point(&[0u8; 31]),
        Err(CurveError::Decode(_))
    ));
    // y = p (non-canonical) is refused, never reduced.
    let mut non_canonical = veil_circuits::encoding::field_to_le_bytes(&F::from(0u64));
    let modulus: BigUint = F::MODULUS.into();
    non_canonical.copy_from_slice(&{
        let mut b = modulus.to_bytes_le();
        b.resize(32, 0);
        b
    });
    assert!(matches!(
        unpack_point(&non_canonical),
        Err(CurveError::Decode(_))
    ));
    // A torsion point packs fine but is refused on decode.
    let torsion = mul_integer(&generator(), &subgroup_order());
    assert_eq!(
        unpack_point(&pack_point(&torsion)),
        Err(CurveError::NotInSubgroup)
    );
}

#[test]
fn eddsa_matches_every_circomlibjs_vector() {
    for case in vectors().eddsa_poseidon {
        let key = PrivateKey::from_hex(&case.private_key_hex).unwrap();
        let pk = key.public_key();
        assert_eq!(
            (pk.0.x, pk.0.y),
            (fe(&case.public_key[0]), fe(&case.public_key[1]))
        );
        let msg = fe(&case.message);
        let sig = key.sign(msg);
        let expected = Signature::from_decimal(
            &case.signature.r8[0],
            &case.signature.r8[1],
            &case.signature.s,
        )
        .unwrap();
        assert_eq!(sig, expected, "signature bit-for-bit");
        assert_eq!(pk.verify(msg, &sig), case.verifies);
        assert_eq!(Signature::from_bytes(&sig.to_bytes()).unwrap(), sig);
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
    }
}

#[test]
fn native_verification_rejects_each_tampered_part() {
    let key = PrivateKey::from_bytes([3u8; 32]);
    let pk = key.public_key();
    let msg = F::from(42u64);
    let sig = key.sign(msg);
    assert!(pk.verify(msg, &sig));
    assert!(!pk.verify(msg + F::from(1u64), &sig));
    let mut bad = sig;
    bad.s += Scalar::from(1u64);
    assert!(!pk.verify(msg, &bad));
    let mut bad = sig;
    bad.r8 = (bad.r8.into_group() + base8()).into_affine();
    assert!(!pk.verify(msg, &bad));
    let other = PrivateKey::from_bytes([4u8; 32]).public_key();
    assert!(!other.verify(msg, &sig));
    // S >= l is refused by the decoder (no malleable signatures).
    let l = subgroup_order().to_string();
    assert_eq!(
        Signature::from_decimal(&sig.r8.x.to_string(), &sig.r8.y.to_string(), &l),
        Err(SignatureError::ScalarOutOfRange)
    );
    assert!(matches!(
        Signature::from_decimal("01", "2", "3"),
        Err(SignatureError::Decode(_))
    ));
    assert!(matches!(
        PublicKey::from_coords(F::from(0u64), F::from(1u64)),
        Err(SignatureError::IdentityKey)
    ));
}

/// Builds the verifier gadget over raw values (not validated natively, so bad
/// witnesses reach the constraints) and reports satisfaction.
fn gadget_accepts(a: (F, F), msg: F, r8: (F, F), s: F) -> bool {
    let cs = new_cs();
    let key = PointVar::new(
        FpVar::new_witness(cs.clone(), || Ok(a.0)).unwrap(),
        FpVar::new_witness(cs.clone(), || Ok(a.1)).unwrap(),
    );
    let m = FpVar::new_input(cs.clone(), || Ok(msg)).unwrap();
    let sig = SignatureVar {
        r8: PointVar::new(
            FpVar::new_witness(cs.clone(), || Ok(r8.0)).unwrap(),
            FpVar::new_witness(cs.clone(), || Ok(r8.1)).unwrap(),
        ),
        s: FpVar::new_witness(cs.clone(), || Ok(s)).unwrap(),
    };
    verify_var(&key, &m, &sig).unwrap();
    satisfied(&cs)
}

fn scalar_to_f(s: &Scalar) -> F {
    F::from_le_bytes_mod_order(&ark_ff::BigInteger::to_bytes_le(&s.into_bigint()))
}

#[test]
fn verifier_gadget_accepts_vectors_and_rejects_every_mutation() {
    for case in vectors().eddsa_poseidon {
        let a = (fe(&case.public_key[0]), fe(&case.public_key[1]));
        let r8 = (fe(&case.signature.r8[0]), fe(&case.signature.r8[1]));
        let s = fe(&case.signature.s);
        let msg = fe(&case.message);
        assert_eq!(gadget_accepts(a, msg, r8, s), case.verifies);
        let one = F::from(1u64);
        assert!(!gadget_accepts((a.0 + one, a.1), msg, r8, s), "key x");
        assert!(!gadget_accepts((a.0, a.1 + one), msg, r8, s), "key y");
        assert!(!gadget_accepts(a, msg + one, r8, s), "message");
        assert!(!gadget_accepts(a, msg, (r8.0 + one, r8.1), s), "R8 x");
        assert!(!gadget_accepts(a, msg, (r8.0, r8.1 + one), s), "R8 y");
        assert!(!gadget_accepts(a, msg, r8, s + one), "S");
        // S + l satisfies the group equation but is a second encoding: refused.
        let l = scalar_to_f(&Scalar::from(0u64))
            + F::from_le_bytes_mod_order(&subgroup_order().to_bytes_le());
        assert!(!gadget_accepts(a, msg, r8, s + l), "S + l");
    }
}

#[test]
fn verifier_gadget_rejects_small_order_components() {
    // Key A' = A + T (T of order 8) with a signature made for 8·A' = 8·A would pass a
    // cofactor-clearing verifier; veil's subgroup check refuses it.
    let key = PrivateKey::from_bytes([9u8; 32]);
    let pk = key.public_key();
    let msg = F::from(5u64);
    let sig = key.sign(msg);
    let torsion = mul_integer(&generator(), &subgroup_order());
    let a_t = (pk.0.into_group() + torsion).into_affine();
    assert!(!gadget_accepts(
        (a_t.x, a_t.y),
        msg,
        (sig.r8.x, sig.r8.y),
        scalar_to_f(&sig.s)
    ));
    let r_t = (sig.r8.into_group() + torsion).into_affine();
    assert!(!gadget_accepts(
        (pk.0.x, pk.0.y),
        msg,
        (r_t.x, r_t.y),
        scalar_to_f(&sig.s)
    ));
    // The identity key is refused.
    assert!(!gadget_accepts(
        (F::from(0u64), F::from(1u64)),
        msg,
        (sig.r8.x, sig.r8.y),
        scalar_to_f(&sig.s)
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn gadget_and_native_agree_on_random_keys_and_messages(seed in any::<[u8; 32]>(), m in any::<u64>(), tamper in any::<bool>()) {
        let key = PrivateKey::from_bytes(seed);
        let pk = key.public_key();
        let msg = F::from(m);
        let sig = key.sign(msg);
        let checked = if tamper { msg + F::from(1u64) } else { msg };
        let native = pk.verify(checked, &sig);
        let gadget = gadget_accepts((pk.0.x, pk.0.y), checked, (sig.r8.x, sig.r8.y), scalar_to_f(&sig.s));
        prop_assert_eq!(native, !tamper);
        prop_assert_eq!(gadget, native);
    }

    #[test]
    fn scalar_mul_gadgets_agree_with_native(k in any::<[u8; 32]>()) {
        let k = BigUint::from_bytes_le(&k) >> 3u32;
        let cs = new_cs();
        let bits = scalar_bits(&cs, &k, 253);
        let p = mul_base8(&BigUint::from(12345u32));
        let pv = alloc_point_unchecked(cs.clone(), || Ok(p)).unwrap();
        let fixed = fixed_base_mul(&bits, &p).unwrap();
        let var = variable_base_mul(&bits, &pv).unwrap();
        let expected = mul_integer(&p, &k);
        prop_assert_eq!(point_value(&fixed).unwrap(), expected);
        prop_assert_eq!(point_value(&var).unwrap(), expected);
        prop_assert!(satisfied(&cs));
    }
}

#[test]
fn private_key_debug_hides_the_secret() {
    let key = PrivateKey::from_bytes([1u8; 32]);
    assert_eq!(format!("{key:?}"), "PrivateKey(<secret>)");
}
