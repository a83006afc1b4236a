//! Constraint counts of every gadget, measured by synthesising each one on a
//! fresh constraint system. `cargo run -p veil-circuits --example constraints`
//! writes the table to `circuits/CONSTRAINTS.md`; a test keeps it current.

use crate::babyjubjub::{
    alloc_point_unchecked, base8, enforce_in_subgroup, enforce_on_curve, fixed_base_mul,
    variable_base_mul,
};
use crate::compare::{enforce_le, enforce_mask_bit, enforce_not_in_list, enforce_range};
use crate::eddsa::{verify_var, PrivateKey, SignatureVar};
use crate::merkle::{Arity, MerklePathVar, MerkleTree};
use crate::poseidon::poseidon_var;
use crate::smt::{SmtProofVar, SparseMerkleTree};
use crate::F;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, fields::fp::FpVar, groups::CurveVar};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError};

/// One row of the table.
#[derive(Debug, Clone)]
pub struct GadgetCost {
    /// What was synthesised.
    pub gadget: String,
    /// Constraints veil's gadget uses.
    pub constraints: usize,
    /// circom 2 (`--O2`) + circomlib 2.0.5 for the same job, where measured
    /// (figures from `design/targets.md`).
    pub circom: Option<usize>,
}

fn count(
    build: impl FnOnce(ConstraintSystemRef<F>) -> Result<(), SynthesisError>,
) -> Result<usize, SynthesisError> {
    let cs = ConstraintSystem::<F>::new_ref();
    build(cs.clone())?;
    debug_assert!(cs.is_satisfied()?);
    Ok(cs.num_constraints())
}

fn witnesses(cs: &ConstraintSystemRef<F>, values: &[F]) -> Result<Vec<FpVar<F>>, SynthesisError> {
    values
        .iter()
        .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)))
        .collect()
}

fn bits(cs: &ConstraintSystemRef<F>, n: usize) -> Result<Vec<Boolean<F>>, SynthesisError> {
    (0..n)
        .map(|i| Boolean::new_witness(cs.clone(), || Ok(i % 3 == 0)))
        .collect()
}

/// Measures every gadget on satisfying witnesses.
pub fn measure() -> Result<Vec<GadgetCost>, SynthesisError> {
    let mut rows = Vec::new();
    let mut row = |gadget: &str, constraints: usize, circom: Option<usize>| {
        rows.push(GadgetCost {
            gadget: gadget.to_string(),
            constraints,
            circom,
        })
    };
    for n in 1..=16usize {
        let c = count(|cs| {
            let inputs = witnesses(&cs, &vec![F::from(7u64); n])?;
            poseidon_var(&inputs).map(|_| ())
        })?;
        let circom = match n {
            2 => Some(240),
            7 => Some(381),
            _ => None,
        };
        row(&format!("Poseidon({n})"), c, circom);
    }
    let point = |cs: &ConstraintSystemRef<F>| alloc_point_unchecked(cs.clone(), || Ok(base8()));
    row(
        "Baby Jubjub addition",
        count(|cs| {
            let (p, q) = (point(&cs)?, point(&cs)?);
            let _ = &p + &q;
            Ok(())
        })?,
        None,
    );
    row(
        "Baby Jubjub doubling",
        count(|cs| point(&cs)?.double().map(|_| ()))?,
        None,
    );
    row(
        "on-curve check",
        count(|cs| enforce_on_curve(&point(&cs)?))?,
        None,
    );
    row(
        "prime-order subgroup check",
        count(|cs| enforce_in_subgroup(&point(&cs)?))?,
        None,
    );
    row(
        "fixed-base scalar mul (Base8, 251 bits, incl. bit allocation)",
        count(|cs| fixed_base_mul(&bits(&cs, 251)?, &base8()).map(|_| ()))?,
        None,
    );
    row(
        "variable-base scalar mul (254 bits, incl. bit allocation)",
        count(|cs| {
            let p = point(&cs)?;
            variable_base_mul(&bits(&cs, 254)?, &p).map(|_| ())
        })?,
        None,
    );
    row(
        "Montgomery ladder, (2^248 + 2s + 1)·P, 248-bit s (incl. bit allocation)",
        count(|cs| {
            let p = point(&cs)?;
            crate::ladder::ladder_mul(&bits(&cs, 248)?, &p).map(|_| ())
        })?,
        None,
    );
    let key = PrivateKey::from_bytes([1u8; 32]);
    let pk = key.public_key();
    let sig = key.sign(F::from(9u64));
    row(
        "EdDSA-Poseidon verifier (subgroup checks, S < l)",
        count(|cs| {
            let k = alloc_point_unchecked(cs.clone(), || Ok(pk.0))?;
            let m = FpVar::new_witness(cs.clone(), || Ok(F::from(9u64)))?;
            let s = SignatureVar::new_witness(cs.clone(), || Ok(sig))?;
            verify_var(&k, &m, &s)
        })?,
        Some(4217),
    );
    // The same job as circom's inclusion template (index bits and the
    // root), for the issuer list's capacity (2^16 leaves) and the revocation
    // list's (2^21), binary and wide.
    let shapes = [
        (Arity::BINARY, 16, Some(3872)),
        (Arity::FOUR, 8, None),
        (Arity::EIGHT, 6, None),
        (Arity::SIXTEEN, 4, None),
        (Arity::BINARY, 21, None),
        (Arity::FOUR, 11, None),
        (Arity::EIGHT, 7, None),
        (Arity::SIXTEEN, 6, None),
    ];
    for (arity, depth, circom) in shapes {
        let tree = MerkleTree::with_arity(arity, depth, &[F::from(1u64)])
            .map_err(|_| SynthesisError::AssignmentMissing)?;
        let path = tree
            .path(0)
            .map_err(|_| SynthesisError::AssignmentMissing)?;
        let name = match arity.children() {
            2 => format!("Merkle root from a path, depth {depth}"),
            k => format!(
                "Merkle root from a path, {k}-ary, depth {depth} (2^{} leaves)",
                depth * arity.bits()
            ),
        };
        row(
            &name,
            count(|cs| {
                let p = MerklePathVar::new_witness(cs.clone(), arity, depth, Some(&path))?;
                let leaf = FpVar::new_witness(cs.clone(), || Ok(F::from(1u64)))?;
                debug_assert_eq!(ark_r1cs_std::GR1CSVar::value(&p.root(&leaf)?)?, tree.root());
                Ok(())
            })?,
            circom,
        );
    }
    for depth in [16usize, 32] {
        let mut smt =
            SparseMerkleTree::new(depth).map_err(|_| SynthesisError::AssignmentMissing)?;
        for k in 1..=4u64 {
            smt.insert(F::from(k), F::from(1u64))
                .map_err(|_| SynthesisError::AssignmentMissing)?;
        }
        let absent = smt.prove(F::from(100u64));
        row(
            &format!("sparse Merkle non-membership, depth {depth}"),
            count(|cs| {
                let p = SmtProofVar::new_witness(cs.clone(), depth, Some(&absent))?;
                let key = FpVar::new_witness(cs.clone(), || Ok(F::from(100u64)))?;
                let root = FpVar::new_input(cs.clone(), || Ok(smt.root()))?;
                p.enforce_non_membership(&root, &key)
            })?,
            None,
        );
        let present = smt.prove(F::from(2u64));
        row(
            &format!("sparse Merkle membership, depth {depth}"),
            count(|cs| {
                let p = SmtProofVar::new_witness(cs.clone(), depth, Some(&present))?;
                let v = witnesses(&cs, &[F::from(2u64), F::from(1u64)])?;
                let root = FpVar::new_input(cs.clone(), || Ok(smt.root()))?;
                p.enforce_membership(&root, &v[0], &v[1])
            })?,
            None,
        );
    }
    {
        use crate::disclosure::{enforce_disclosed, DisclosureMask};
        let claims: [F; crate::statement::layout::claim::COUNT] =
            std::array::from_fn(|i| F::from(i as u64 + 1));
        let mask =
            DisclosureMask::from_word(0x7f).map_err(|_| SynthesisError::AssignmentMissing)?;
        row(
            "disclosed claims packed into one input (7-bit mask, all seven)",
            count(|cs| {
                let m = FpVar::new_witness(cs.clone(), || Ok(F::from(mask.word())))?;
                let c = witnesses(&cs, &claims)?;
                let d = FpVar::new_input(cs.clone(), || Ok(mask.pack(&claims)))?;
                enforce_disclosed(&m, &c, &d)
            })?,
            None,
        );
    }
    {
        use crate::risk::{Attestation, AttestationTree, AttestationVar};
        let holder = F::from(7u64);
        let attestation = Attestation {
            holder,
            score: 120,
            day: 20_400,
        };
        let tree =
            AttestationTree::new(&[attestation]).map_err(|_| SynthesisError::AssignmentMissing)?;
        let proof = tree
            .prove(&holder)
            .map_err(|_| SynthesisError::AssignmentMissing)?;
        row(
            "risk attestation under an oracle root (4-ary, depth 10), score and age checks",
            count(|cs| {
                let a = AttestationVar::new_witness(cs.clone(), Some(&proof))?;
                let v = witnesses(
                    &cs,
                    &[holder, F::from(500u64), F::from(3u64), F::from(20_401u64)],
                )?;
                let root = FpVar::new_input(cs.clone(), || Ok(tree.root()))?;
                a.enforce(&root, &v[0], &v[1], &v[2], &v[3])
            })?,
            None,
        );
    }
    {
        use crate::imt::{IndexedMerkleTree, NonMembershipVar};
        use crate::statement::{REVOCATION_TREE_ARITY, REVOCATION_TREE_DEPTH};
        let ids: Vec<F> = (1..=4u64).map(|k| F::from(k * 1000)).collect();
        let key = F::from(2500u64);
        for (arity, depth) in [
            (Arity::BINARY, 21),
            (REVOCATION_TREE_ARITY, REVOCATION_TREE_DEPTH),
            (Arity::EIGHT, 7),
        ] {
            let imt = IndexedMerkleTree::with_shape(arity, depth, &ids)
                .map_err(|_| SynthesisError::AssignmentMissing)?;
            let absent = imt
                .prove_non_membership(&key)
                .map_err(|_| SynthesisError::AssignmentMissing)?;
            let name = match arity.children() {
                2 => format!(
                    "indexed Merkle non-membership, depth {depth} (statement v2's first revocation tree; v1 used the depth-32 sparse tree)"
                ),
                k if (arity, depth) == (REVOCATION_TREE_ARITY, REVOCATION_TREE_DEPTH) => format!(
                    "indexed Merkle non-membership, {k}-ary, depth {depth} (the revocation gadget)"
                ),
                k => format!("indexed Merkle non-membership, {k}-ary, depth {depth}"),
            };
            row(
                &name,
                count(|cs| {
                    let p = NonMembershipVar::new_witness_shaped(
                        cs.clone(),
                        arity,
                        depth,
                        Some(&absent),
                    )?;
                    let key = FpVar::new_witness(cs.clone(), || Ok(key))?;
                    let root = FpVar::new_input(cs.clone(), || Ok(imt.root()))?;
                    p.enforce_non_membership(&root, &key)
                })?,
                None,
            );
        }
    }
    row(
        "range check, 32 bits",
        count(|cs| enforce_range(&witnesses(&cs, &[F::from(5u64)])?[0], 32))?,
        None,
    );
    row(
        "a <= b, 32-bit operands",
        count(|cs| {
            let v = witnesses(&cs, &[F::from(5u64), F::from(9u64)])?;
            enforce_le(&v[0], &v[1], 32)
        })?,
        None,
    );
    row(
        "not in a list of 16",
        count(|cs| {
            let v = witnesses(&cs, &[F::from(250u64)])?;
            let list = witnesses(&cs, &[F::from(1u64); 16])?;
            enforce_not_in_list(&v[0], &list)
        })?,
        None,
    );
    row(
        "bit of an 8-bit mask",
        count(|cs| {
            let v = witnesses(&cs, &[F::from(0b11u64), F::from(1u64)])?;
            enforce_mask_bit(&v[0], &v[1], 3)
        })?,
        None,
    );
    row(
        "the whole compliance statement (circom: benches/peer/compliance.circom)",
        count(|cs| {
            use crate::statement::{sample::Sample, ComplianceCircuit};
            use ark_relations::gr1cs::ConstraintSynthesizer;
            use rand::SeedableRng;
            let sample = Sample::new(&mut rand::rngs::StdRng::seed_from_u64(0));
            let witness = sample
                .witness()
                .map_err(|_| SynthesisError::AssignmentMissing)?;
            ComplianceCircuit::new(witness).generate_constraints(cs)
        })?,
        Some(16_838),
    );
    Ok(rows)
}

/// The table as Markdown, as committed in `circuits/CONSTRAINTS.md`.
pub fn render_markdown(rows: &[GadgetCost]) -> String {
    let mut out = String::from(
        "# Constraint counts\n\n\
         Generated by `cargo run -p veil-circuits --example constraints` (a test fails when\n\
         this file is stale). circom figures: circom 2 `--O2` with circomlib 2.0.5, from\n\
         `design/targets.md`, and the whole statement's from `benches/peer/compliance.circom`\n\
         (the same trees, compiled by `bash benches/peer/run.sh`); \"—\" where no circom\n\
         figure was measured.\n\n\
         | gadget | veil (R1CS) | circom | veil / circom |\n|---|---:|---:|---:|\n",
    );
    for r in rows {
        let (circom, ratio) = match r.circom {
            Some(c) => (
                c.to_string(),
                format!("{:.2}", r.constraints as f64 / c as f64),
            ),
            None => ("—".to_string(), "—".to_string()),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.gadget, r.constraints, circom, ratio
        ));
    }
    out.push_str(NOTES);
    out
}

const NOTES: &str = "
Notes

- Scalar-multiplication rows include the scalar's bit allocation (one boolean
  constraint per bit).
- The escrow's `r·regulator_pk` uses the Montgomery ladder (`ladder.rs`, 6
  constraints a bit, incomplete additions that no choice of bits can make
  exceptional because the escrow randomness has the shape `2^248 + 2s + 1`).
- The EdDSA verifier does more than circomlib's: it rejects a key or `R8` outside
  the prime-order subgroup (21 each) and the identity key. Its challenge is a full
  254-bit field element, beyond the ladder's 249-bit bound, so it keeps complete
  twisted-Edwards formulas (2-bit windows, 11 constraints per bit); splitting the
  challenge into two ladder segments is the way to close that 20%.
- Wide trees (`merkle::Arity`) hold a binary tree's leaves in fewer, wider
  hashes: a level of `k` children is one `Poseidon(k)`, `log2 k` index bits
  and the children's placement (6 constraints for 4 children, 17 for 8). At
  the issuer list's 2^16 leaves 4-ary is cheapest (2,440 against 3,872); at
  the revocation list's 2^21, 8-ary (2,954 against 5,082; the indexed tree
  3,945 against 6,073). 16 children cost more at both sizes (2,612 and 3,918:
  `Poseidon(16)` is 609).
- The statement's trees are 4-ary: the issuer tree at depth 8, the
  revocation tree at depth 11 (4,346, against 3,945 for 8-ary). The gate
  checks revocation appends on chain, and `poseidon-solidity` hashes at most
  five inputs, so the 8-ary tree's saving of 401 more constraints would cost
  every revocation an unmeasured, hand-generated 8-input hash
  (`docs/statement.md`, section Tree shapes).
";
