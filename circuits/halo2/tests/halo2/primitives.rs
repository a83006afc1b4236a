//! Each chip against circomlibjs' vectors (`../shared/vectors/`, or the file
//! named by `VEIL_VECTORS`) and against the native functions of
//! `veil-circuits`: Poseidon, Baby Jubjub multiplication, EdDSA-Poseidon, and
//! the subgroup check.

use ark_ec::{AffineRepr, CurveGroup};
use halo2_base::gates::circuit::{builder::BaseCircuitBuilder, CircuitBuilderStage};
use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::dev::MockProver;
use halo2_base::Context;
use serde_json::Value;
use std::str::FromStr;
use veil_circuits::babyjubjub::{base8, Point};
use veil_circuits::F;
use veil_halo2::babyjubjub::{
    assert_in_subgroup, fixed_base_mul, load_bits, load_constant, load_point, scalar_mul,
};
use veil_halo2::eddsa::{assert_valid, AssignedSignature};
use veil_halo2::field::{bits_le, fr};
use veil_halo2::{poseidon, Fr};

fn vectors() -> Value {
    let path = std::env::var("VEIL_VECTORS").unwrap_or_else(|_| {
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it");
        format!("{dir}/../../../shared/vectors/circomlib.json")
    });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reference vectors at {path}: {e} (set VEIL_VECTORS)"));
    serde_json::from_str(&text).expect("vectors parse")
}

fn fe(v: &Value) -> F {
    F::from_str(v.as_str().expect("decimal string")).expect("field element")
}

/// Runs `f` in a small mock circuit; whether its constraints hold.
fn satisfied(f: impl FnOnce(&mut Context<Fr>, &RangeChip<Fr>)) -> bool {
    let k = 14;
    let mut builder = BaseCircuitBuilder::<Fr>::from_stage(CircuitBuilderStage::Mock)
        .use_k(k)
        .use_lookup_bits(k - 1)
        .use_instance_columns(1);
    let range = builder.range_chip();
    f(builder.main(0), &range);
    builder.calculate_params(Some(9));
    MockProver::run(k as u32, &builder, vec![vec![]])
        .expect("mock prover runs")
        .verify()
        .is_ok()
}

#[test]
fn poseidon_matches_circomlibjs() {
    let v = vectors();
    let cases = v["poseidon"].as_array().expect("poseidon vectors");
    assert!(!cases.is_empty());
    for case in cases {
        let inputs: Vec<Fr> = case["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .map(|x| fr(&fe(x)))
            .collect();
        let expected = fr(&fe(&case["output"]));
        assert_eq!(poseidon::native(&inputs).expect("arity"), expected);
        for claimed in [expected, expected + Fr::one()] {
            let ok = satisfied(|ctx, range| {
                let cells: Vec<_> = inputs.iter().map(|x| ctx.load_witness(*x)).collect();
                let h = poseidon::hash(ctx, range.gate(), &cells).expect("arity");
                assert_eq!(*h.value(), expected);
                range.gate().assert_is_const(ctx, &h, &claimed);
            });
            assert_eq!(ok, claimed == expected, "{} inputs", inputs.len());
        }
    }
}

#[test]
fn poseidon_arity_outside_circom_is_an_error() {
    let ok = satisfied(|ctx, range| {
        let cells: Vec<_> = (0..17).map(|i| ctx.load_witness(Fr::from(i))).collect();
        assert!(poseidon::hash(ctx, range.gate(), &cells).is_err());
        assert!(poseidon::hash(ctx, range.gate(), &[]).is_err());
    });
    assert!(ok);
}

#[test]
fn multiplication_matches_circomlibjs() {
    let v = vectors();
    let muls = v["babyjub"]["mul"].as_array().expect("mul vectors");
    for case in muls.iter().take(4) {
        let scalar = fe(&case["scalar"]);
        let expected = &case["base8_times_scalar"];
        let (ex, ey) = (fr(&fe(&expected[0])), fr(&fe(&expected[1])));
        assert!(satisfied(|ctx, range| {
            let gate = range.gate();
            let bits = load_bits(ctx, gate, &bits_le(&scalar, 254));
            let fixed = fixed_base_mul(ctx, gate, &bits, &base8());
            let b8 = load_constant(ctx, &base8());
            let variable = scalar_mul(ctx, gate, &bits, &b8);
            for p in [fixed, variable] {
                assert_eq!(p.value(), (ex, ey));
                gate.assert_is_const(ctx, &p.x, &ex);
                gate.assert_is_const(ctx, &p.y, &ey);
            }
        }));
    }
}

#[test]
fn eddsa_matches_circomlibjs() {
    let v = vectors();
    let cases = v["eddsa_poseidon"].as_array().expect("eddsa vectors");
    for case in cases {
        let key = &case["public_key"];
        let sig = &case["signature"];
        let verifies = case["verifies"].as_bool().expect("verifies");
        let ok = satisfied(|ctx, range| {
            let key = veil_halo2::babyjubjub::load_witness(ctx, fr(&fe(&key[0])), fr(&fe(&key[1])));
            let r8 = veil_halo2::babyjubjub::load_witness(
                ctx,
                fr(&fe(&sig["R8"][0])),
                fr(&fe(&sig["R8"][1])),
            );
            let s = ctx.load_witness(fr(&fe(&sig["S"])));
            let message = ctx.load_witness(fr(&fe(&case["message"])));
            assert_valid(ctx, range, &key, message, &AssignedSignature { r8, s });
        });
        assert_eq!(ok, verifies, "vector {}", case["message"]);
    }
}

#[test]
fn subgroup_check_refuses_a_small_order_component() {
    // (0, −1) has order 2: base8 + it is on the curve but off the subgroup.
    let two_torsion = Point::new_unchecked(F::from(0u64), -F::from(1u64));
    assert!(two_torsion.is_on_curve());
    let mixed: Point = (base8().into_group() + two_torsion).into_affine();
    assert!(!mixed.is_zero());
    for (point, expected) in [(base8(), true), (mixed, false)] {
        let ok = satisfied(|ctx, range| {
            let p = load_point(ctx, &point);
            assert_in_subgroup(ctx, range.gate(), &p);
        });
        assert_eq!(ok, expected);
    }
}

/// Wide trees in halo2, against the native trees of `veil-circuits`: every
/// position checked verifies, a changed sibling or index bit does not, and
/// the 8-ary indexed tree proves an unlisted id absent and refuses a listed
/// one, as the R1CS gadgets do.
#[test]
fn wide_trees_agree_with_the_native_trees() {
    use veil_circuits::imt::IndexedMerkleTree;
    use veil_circuits::merkle::{Arity, MerklePath, MerkleTree};
    use veil_halo2::merkle::{assert_member, assert_non_member};
    let member = |arity: Arity, depth: usize, root: F, leaf: F, path: &MerklePath| {
        satisfied(|ctx, range| {
            let root = ctx.load_witness(fr(&root));
            let leaf = ctx.load_witness(fr(&leaf));
            assert_member(ctx, range.gate(), arity, depth, path, root, leaf);
        })
    };
    for (arity, depth) in [(Arity::FOUR, 3), (Arity::EIGHT, 2)] {
        let k = arity.children() as u64;
        let leaves: Vec<F> = (1..=k * 3 + 1).map(F::from).collect();
        let tree = MerkleTree::with_arity(arity, depth, &leaves).unwrap();
        for i in [0, 1, k - 1, k, k * 3, k * 3 + 1] {
            let leaf = leaves.get(i as usize).copied().unwrap_or_default();
            let path = tree.path(i).unwrap();
            assert!(member(arity, depth, tree.root(), leaf, &path), "{k}: {i}");
            let mut bad = path.clone();
            bad.siblings[arity.siblings()] += F::from(1u64);
            assert!(!member(arity, depth, tree.root(), leaf, &bad), "{k}: {i}");
            let mut bad = path.clone();
            bad.index ^= 1;
            assert!(!member(arity, depth, tree.root(), leaf, &bad), "{k}: {i}");
        }
        let path = tree.path(1).unwrap();
        assert!(!member(Arity::BINARY, depth, tree.root(), leaves[1], &path));
    }
    let ids: Vec<F> = [40u64, 10, 30].map(F::from).to_vec();
    let imt = IndexedMerkleTree::with_shape(Arity::EIGHT, 2, &ids).unwrap();
    let absent = |key: F, proof: &veil_circuits::imt::NonMembershipProof| {
        satisfied(|ctx, range| {
            let root = ctx.load_witness(fr(&imt.root()));
            let key = ctx.load_witness(fr(&key));
            assert_non_member(ctx, range, Arity::EIGHT, 2, proof, root, key);
        })
    };
    let key = F::from(25u64);
    assert!(absent(key, &imt.prove_non_membership(&key).unwrap()));
    assert!(!absent(ids[2], &imt.low_leaf_proof(&ids[2])));
}

/// Statement v3's risk and disclosure chips against the native rules: a
/// fresh attestation of the holder passes; another holder, a score above
/// the maximum, an old or future-dated attestation fail; the disclosed word
/// passes with exactly the masked claims and fails changed or with a mask
/// wider than seven bits.
#[test]
fn risk_and_disclosure_chips_agree_with_the_native_rules() {
    use ark_ff::Field as _;
    use veil_circuits::disclosure::{DisclosureMask, OFFSETS};
    use veil_circuits::risk::{Attestation, AttestationTree, RiskCheck};
    use veil_halo2::disclosure::assert_disclosed;
    use veil_halo2::risk::{assert_fresh_attestation, RiskCells};
    let (holder, day) = (F::from(77u64), 20_400u32);
    let tree = AttestationTree::new(&[
        Attestation {
            holder,
            score: 300,
            day,
        },
        Attestation {
            holder: F::from(78u64),
            score: 10,
            day,
        },
    ])
    .unwrap();
    let proof = tree.prove(&holder).unwrap();
    let good = RiskCheck {
        root: tree.root(),
        holder,
        max_risk: 300,
        max_age_days: 2,
        today: day + 2,
    };
    let chip = |c: RiskCheck| {
        satisfied(|ctx, range| {
            let cells = RiskCells {
                root: ctx.load_witness(fr(&c.root)),
                holder: ctx.load_witness(fr(&c.holder)),
                max_risk: ctx.load_witness(Fr::from(u64::from(c.max_risk))),
                max_age_days: ctx.load_witness(Fr::from(u64::from(c.max_age_days))),
                today: ctx.load_witness(Fr::from(u64::from(c.today))),
            };
            assert_fresh_attestation(ctx, range, &proof, cells);
        })
    };
    assert!(proof.check(&good).is_ok() && chip(good));
    for (what, c) in [
        (
            "another holder",
            RiskCheck {
                holder: F::from(78u64),
                ..good
            },
        ),
        (
            "score above max_risk",
            RiskCheck {
                max_risk: 299,
                ..good
            },
        ),
        (
            "too old",
            RiskCheck {
                today: day + 3,
                ..good
            },
        ),
        (
            "dated after today",
            RiskCheck {
                today: day - 1,
                ..good
            },
        ),
    ] {
        assert!(proof.check(&c).is_err() && !chip(c), "{what}");
    }

    let claims: [F; veil_circuits::statement::layout::claim::COUNT] =
        std::array::from_fn(|i| F::from(100 + i as u64));
    let mask = DisclosureMask::from_names(&["country", "risk_score"]).unwrap();
    let word = mask.pack(&claims);
    let disclose = |mask_word: u64, disclosed: F| {
        satisfied(|ctx, range| {
            let m = ctx.load_witness(Fr::from(mask_word));
            let c = claims.map(|v| ctx.load_witness(fr(&v)));
            let d = ctx.load_witness(fr(&disclosed));
            assert_disclosed(ctx, range, m, &c, d);
        })
    };
    assert!(disclose(mask.word(), word));
    let one_up = F::from(2u64).pow([OFFSETS[1] as u64]);
    assert!(
        !disclose(mask.word(), word + one_up),
        "a changed disclosed value"
    );
    assert!(
        !disclose(mask.word() | 1 << 7, word),
        "a mask above seven bits"
    );
}
