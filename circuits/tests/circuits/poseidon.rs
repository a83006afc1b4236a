//! Poseidon: native and gadget against circomlibjs, light-poseidon and each other.

use crate::common::{fe, new_cs, satisfied, vectors};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar, GR1CSVar};
use light_poseidon::{Poseidon, PoseidonHasher};
use proptest::prelude::*;
use veil_circuits::poseidon::{poseidon, poseidon_var, PoseidonError};
use veil_circuits::F;

#[test]
fn native_matches_every_circomlibjs_vector() {
    let v = vectors();
    assert_eq!(v.poseidon.len(), 18);
    for (i, case) in v.poseidon.iter().enumerate() {
        let inputs: Vec<F> = case.inputs.iter().map(|s| fe(s)).collect();
        assert_eq!(poseidon(&inputs).unwrap(), fe(&case.output), "vector {i}");
    }
}

#[test]
fn gadget_matches_every_vector_and_rejects_a_wrong_output() {
    for case in vectors().poseidon {
        let cs = new_cs();
        let inputs: Vec<FpVar<F>> = case
            .inputs
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(fe(s))).unwrap())
            .collect();
        let out = poseidon_var(&inputs).unwrap();
        let expected = FpVar::new_input(cs.clone(), || Ok(fe(&case.output))).unwrap();
        out.enforce_equal_checked(&expected);
        assert!(satisfied(&cs), "arity {}", case.inputs.len());

        // Each input flipped (+1) breaks the claimed output.
        for flip in 0..case.inputs.len() {
            let cs = new_cs();
            let inputs: Vec<FpVar<F>> = case
                .inputs
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let x = if i == flip {
                        fe(s) + F::from(1u64)
                    } else {
                        fe(s)
                    };
                    FpVar::new_witness(cs.clone(), || Ok(x)).unwrap()
                })
                .collect();
            let out = poseidon_var(&inputs).unwrap();
            let expected = FpVar::new_input(cs.clone(), || Ok(fe(&case.output))).unwrap();
            out.enforce_equal_checked(&expected);
            assert!(!satisfied(&cs), "flipped input {flip}");
        }
    }
}

trait EnforceEqualChecked {
    fn enforce_equal_checked(&self, other: &Self);
}
impl EnforceEqualChecked for FpVar<F> {
    fn enforce_equal_checked(&self, other: &Self) {
        use ark_r1cs_std::eq::EqGadget;
        self.enforce_equal(other).unwrap();
    }
}

#[test]
fn circom_poseidon2_costs_240_constraints() {
    let cs = new_cs();
    let a = FpVar::new_witness(cs.clone(), || Ok(F::from(1u64))).unwrap();
    let b = FpVar::new_witness(cs.clone(), || Ok(F::from(2u64))).unwrap();
    let h = poseidon_var(&[a, b]).unwrap();
    assert_eq!(cs.num_constraints(), 240);
    // The value documented in design/dependencies.md.
    assert_eq!(
        h.value().unwrap(),
        fe("7853200120776062878684798364095072458815029376092732009249414926327459813530")
    );
}

#[test]
fn arity_outside_1_to_16_is_a_typed_error() {
    assert_eq!(poseidon(&[]), Err(PoseidonError::Arity(0)));
    assert_eq!(
        poseidon(&[F::from(1u64); 17]),
        Err(PoseidonError::Arity(17))
    );
    assert!(poseidon_var(&[]).is_err());
}

fn field() -> impl Strategy<Value = F> {
    any::<[u8; 32]>().prop_map(|b| {
        use ark_ff::PrimeField;
        F::from_le_bytes_mod_order(&b)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn native_agrees_with_light_poseidon(inputs in prop::collection::vec(field(), 1..=12)) {
        let mut reference = Poseidon::<F>::new_circom(inputs.len()).unwrap();
        prop_assert_eq!(poseidon(&inputs).unwrap(), reference.hash(&inputs).unwrap());
    }

    #[test]
    fn gadget_agrees_with_native(inputs in prop::collection::vec(field(), 1..=16)) {
        let cs = new_cs();
        let vars: Vec<FpVar<F>> = inputs
            .iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
            .collect();
        let out = poseidon_var(&vars).unwrap();
        prop_assert_eq!(out.value().unwrap(), poseidon(&inputs).unwrap());
        prop_assert!(satisfied(&cs));
    }
}
