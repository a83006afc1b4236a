//! Comparisons and ranges: native and gadget agree, boundaries included, and
//! out-of-range operands cannot slip through a wrapped difference.

use crate::common::{new_cs, satisfied};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use proptest::prelude::*;
use veil_circuits::compare::*;
use veil_circuits::F;

fn f(n: u64) -> F {
    F::from(n)
}

fn gadget(build: impl FnOnce(&ark_relations::gr1cs::ConstraintSystemRef<F>)) -> bool {
    let cs = new_cs();
    build(&cs);
    satisfied(&cs)
}

fn w(cs: &ark_relations::gr1cs::ConstraintSystemRef<F>, x: F) -> FpVar<F> {
    FpVar::new_witness(cs.clone(), || Ok(x)).unwrap()
}

#[test]
fn range_check_boundaries() {
    for (x, n, ok) in [
        (0u64, 8, true),
        (255, 8, true),
        (256, 8, false),
        (65535, 16, true),
        (65536, 16, false),
    ] {
        assert_eq!(fits_in_bits(&f(x), n), ok);
        assert_eq!(
            gadget(|cs| enforce_range(&w(cs, f(x)), n).unwrap()),
            ok,
            "{x} in {n} bits"
        );
    }
    // p - 1 (i.e. -1) is not a small number.
    assert!(!gadget(|cs| enforce_range(&w(cs, -f(1)), 32).unwrap()));
}

#[test]
fn le_and_lt_boundaries_and_wraparound() {
    for (a, b) in [(0u64, 0u64), (5, 5), (4, 5), (6, 5), (0, 65535), (65535, 0)] {
        assert_eq!(
            gadget(|cs| enforce_le(&w(cs, f(a)), &w(cs, f(b)), 16).unwrap()),
            a <= b,
            "{a} <= {b}"
        );
        assert_eq!(
            gadget(|cs| enforce_lt(&w(cs, f(a)), &w(cs, f(b)), 16).unwrap()),
            a < b,
            "{a} < {b}"
        );
        assert_eq!(is_le(&f(a), &f(b), 16), a <= b);
        assert_eq!(is_lt(&f(a), &f(b), 16), a < b);
    }
    // enforce_le trusts its operands' widths; callers range-check them once,
    // and a "negative" a (p - 3) then fails that check.
    assert!(!gadget(|cs| {
        let a = w(cs, -f(3));
        enforce_range(&a, 16).unwrap();
        enforce_le(&a, &w(cs, f(5)), 16).unwrap()
    }));
    assert!(!is_le(&-f(3), &f(5), 16));
}

#[test]
fn not_in_list_rejects_each_entry() {
    let list: Vec<u64> = vec![408, 364, 760, 0, 0];
    for x in [408u64, 364, 760, 0, 250] {
        let ok = !list.contains(&x);
        let lf: Vec<F> = list.iter().map(|v| f(*v)).collect();
        assert_eq!(is_not_in_list(&f(x), &lf), ok);
        assert_eq!(
            gadget(|cs| {
                let lv: Vec<FpVar<F>> = lf.iter().map(|v| w(cs, *v)).collect();
                enforce_not_in_list(&w(cs, f(x)), &lv).unwrap()
            }),
            ok,
            "{x}"
        );
    }
}

#[test]
fn mask_bit_selects_each_bit_and_refuses_wide_indices() {
    let mask = 0b1010_0110u64;
    for i in 0..10u64 {
        let ok = i < 8 && (mask >> i) & 1 == 1;
        assert_eq!(mask_bit_is_set(&f(mask), &f(i), 8), ok);
        assert_eq!(
            gadget(|cs| enforce_mask_bit(&w(cs, f(mask)), &w(cs, f(i)), 3).unwrap()),
            ok,
            "bit {i}"
        );
    }
    // A mask wider than its declared width is refused.
    assert!(!gadget(|cs| enforce_mask_bit(
        &w(cs, f(1 << 9 | 1)),
        &w(cs, f(0)),
        3
    )
    .unwrap()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn gadgets_agree_with_native(a in any::<u32>(), b in any::<u32>(), mask in any::<u16>(), i in 0u64..20) {
        let (fa, fb) = (f(a as u64), f(b as u64));
        prop_assert_eq!(gadget(|cs| enforce_le(&w(cs, fa), &w(cs, fb), 32).unwrap()), is_le(&fa, &fb, 32));
        prop_assert_eq!(gadget(|cs| enforce_lt(&w(cs, fa), &w(cs, fb), 32).unwrap()), is_lt(&fa, &fb, 32));
        prop_assert_eq!(gadget(|cs| enforce_range(&w(cs, fa), 16).unwrap()), fits_in_bits(&fa, 16));
        let (fm, fi) = (f(mask as u64), f(i));
        prop_assert_eq!(gadget(|cs| enforce_mask_bit(&w(cs, fm), &w(cs, fi), 4).unwrap()), mask_bit_is_set(&fm, &fi, 16));
    }
}
