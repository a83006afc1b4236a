//! The Montgomery ladder: agreement with native scalar multiplication, the
//! bound behind its soundness argument, and its cost.

use crate::common::satisfied;
use ark_ec::CurveGroup;
use ark_ff::UniformRand;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::ConstraintSystem;
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use num_bigint::BigUint;
use veil_circuits::babyjubjub::{base8, point_value, subgroup_order, PointVar, Scalar};
use veil_circuits::ladder::*;
use veil_circuits::F;

#[test]
fn the_bound_holds_and_is_tight() {
    let l = subgroup_order();
    let three = BigUint::from(3u8);
    assert!(&three << MAX_LADDER_BITS < l);
    assert!(&three << (MAX_LADDER_BITS + 1) >= l);
}

fn random_s(rng: &mut StdRng, n: usize) -> BigUint {
    let bytes: Vec<u8> = (0..n.div_ceil(8)).map(|_| rng.gen()).collect();
    BigUint::from_bytes_le(&bytes) % (BigUint::from(1u8) << n)
}

fn run(s: &BigUint, n: usize, base: &veil_circuits::babyjubjub::Point) -> (bool, usize) {
    let cs = ConstraintSystem::<F>::new_ref();
    let p = PointVar::new_witness(cs.clone(), || Ok(*base)).unwrap();
    let before = cs.num_constraints();
    let bits: Vec<Boolean<F>> = (0..n)
        .map(|i| Boolean::new_witness(cs.clone(), || Ok(s.bit(i as u64))).unwrap())
        .collect();
    let out = ladder_mul(&bits, &p).unwrap();
    let cost = cs.num_constraints() - before - n;
    assert_eq!(
        point_value(&out).unwrap(),
        ladder_mul_native(s, n, base),
        "n = {n}"
    );
    (satisfied(&cs), cost)
}

#[test]
fn agrees_with_native_multiplication_for_every_length_and_extreme() {
    let mut rng = StdRng::seed_from_u64(9);
    for n in [1usize, 2, 3, 8, 64, 247, 248, 249] {
        let base = (base8() * Scalar::rand(&mut rng)).into_affine();
        let max = (BigUint::from(1u8) << n) - 1u8;
        for s in [BigUint::from(0u8), max, random_s(&mut rng, n)] {
            let (ok, cost) = run(&s, n, &base);
            assert!(ok, "n = {n}, s = {s}");
            assert_eq!(cost, 6 * n + 8, "n = {n}");
        }
    }
}

#[test]
fn a_wrong_result_is_unsatisfiable() {
    let mut rng = StdRng::seed_from_u64(10);
    let base = (base8() * Scalar::rand(&mut rng)).into_affine();
    let cs = ConstraintSystem::<F>::new_ref();
    let p = PointVar::new_witness(cs.clone(), || Ok(base)).unwrap();
    let bits: Vec<Boolean<F>> = (0..16)
        .map(|i| Boolean::new_witness(cs.clone(), || Ok(i % 3 == 0)).unwrap())
        .collect();
    let out = ladder_mul(&bits, &p).unwrap();
    let wrong = (point_value(&out).unwrap() + base8()).into_affine();
    let claimed = PointVar::new_witness(cs.clone(), || Ok(wrong)).unwrap();
    out.enforce_equal(&claimed).unwrap();
    assert!(!satisfied(&cs));
}

#[test]
fn the_identity_base_cannot_be_used() {
    let cs = ConstraintSystem::<F>::new_ref();
    let p =
        PointVar::new_witness(cs.clone(), || Ok(veil_circuits::babyjubjub::Point::zero())).unwrap();
    let bits = vec![Boolean::new_witness(cs.clone(), || Ok(true)).unwrap()];
    match ladder_mul(&bits, &p) {
        Err(_) => {}
        Ok(_) => assert!(!satisfied(&cs)),
    }
}

#[test]
fn ladder_shape_round_trips() {
    let mut rng = StdRng::seed_from_u64(11);
    for n in [1usize, 10, 248] {
        let s = random_s(&mut rng, n);
        assert_eq!(ladder_s(&ladder_scalar(&s, n), n), Some(s));
    }
    assert_eq!(ladder_s(&BigUint::from(4u8), 1), None); // even
    assert_eq!(ladder_s(&BigUint::from(1u8), 8), None); // below 2^n + 1
    assert_eq!(ladder_s(&((BigUint::from(1u8) << 12) + 1u8), 8), None); // s too long
}
