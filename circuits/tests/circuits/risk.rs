//! Risk attestations under an oracle root (statement v3): the native check
//! and the gadget accept a fresh attestation of the holder and refuse, each
//! alike, one for another holder, too old, dated after the proof's day,
//! scored above the policy's maximum, under another root, or with a
//! tampered path.

use crate::common::{new_cs, satisfied};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use veil_circuits::poseidon::poseidon;
use veil_circuits::risk::*;
use veil_circuits::F;

fn f(n: u64) -> F {
    F::from(n)
}

fn holder(n: u64) -> F {
    poseidon(&[f(n)]).unwrap()
}

/// The gadget's verdict on `proof` against `check`.
fn gadget(proof: &AttestationProof, c: &RiskCheck) -> bool {
    let cs = new_cs();
    let a = AttestationVar::new_witness(cs.clone(), Some(proof)).unwrap();
    let input = |v: F| FpVar::new_input(cs.clone(), || Ok(v)).unwrap();
    let (root, today) = (input(c.root), input(f(c.today.into())));
    let witness = |v: F| FpVar::new_witness(cs.clone(), || Ok(v)).unwrap();
    let holder = witness(c.holder);
    let max_risk = witness(f(c.max_risk.into()));
    let max_age = witness(f(c.max_age_days.into()));
    a.enforce(&root, &holder, &max_risk, &max_age, &today)
        .unwrap();
    satisfied(&cs)
}

#[test]
fn a_fresh_attestation_proves_and_every_broken_rule_is_refused_alike() {
    let day = 20_400;
    let attestations: Vec<Attestation> = (1..=9)
        .map(|n| Attestation {
            holder: holder(n),
            score: (n * 100) as u16,
            day,
        })
        .collect();
    let tree = AttestationTree::new(&attestations).unwrap();
    let proof = tree.prove(&holder(3)).unwrap();
    let good = RiskCheck {
        root: tree.root(),
        holder: holder(3),
        max_risk: 300,
        max_age_days: 2,
        today: day + 2,
    };
    assert_eq!(proof.check(&good), Ok(()));
    assert!(gadget(&proof, &good));

    let other = AttestationTree::new(&attestations[..5]).unwrap();
    let cases = [
        (
            "another holder",
            RiskCheck {
                holder: holder(4),
                ..good
            },
            RiskError::OtherHolder,
        ),
        (
            "score above max_risk",
            RiskCheck {
                max_risk: 299,
                ..good
            },
            RiskError::ScoreTooHigh {
                score: 300,
                max_risk: 299,
            },
        ),
        (
            "too old",
            RiskCheck {
                today: day + 3,
                ..good
            },
            RiskError::TooOld {
                day,
                today: day + 3,
                max_age_days: 2,
            },
        ),
        (
            "dated after today",
            RiskCheck {
                today: day - 1,
                ..good
            },
            RiskError::FromTheFuture {
                day,
                today: day - 1,
            },
        ),
        (
            "another oracle root",
            RiskCheck {
                root: other.root(),
                ..good
            },
            RiskError::NotUnderRoot,
        ),
    ];
    for (what, c, error) in cases {
        assert_eq!(proof.check(&c), Err(error), "{what}");
        assert!(!gadget(&proof, &c), "{what}");
    }
    // A changed score, day or path is not under the root.
    let mut bad = proof.clone();
    bad.attestation.score = 200;
    assert_eq!(bad.check(&good), Err(RiskError::NotUnderRoot));
    assert!(!gadget(&bad, &good));
    let mut bad = proof.clone();
    bad.attestation.day = day + 1;
    assert_eq!(bad.check(&good), Err(RiskError::NotUnderRoot));
    assert!(!gadget(&bad, &good));
    let mut bad = proof.clone();
    bad.path.siblings[5] += f(1);
    assert_eq!(bad.check(&good), Err(RiskError::NotUnderRoot));
    assert!(!gadget(&bad, &good));
}

#[test]
fn an_oracle_tree_refuses_what_it_cannot_hold() {
    let a = Attestation {
        holder: holder(1),
        score: 10,
        day: 1,
    };
    assert_eq!(
        AttestationTree::new(&[a, Attestation { score: 20, ..a }]).unwrap_err(),
        RiskError::DuplicateHolder
    );
    let tree = AttestationTree::new(&[a]).unwrap();
    assert_eq!(tree.prove(&holder(2)).unwrap_err(), RiskError::NotAttested);
    // The error names its field for the builder, the bindings and the service.
    assert!(RiskError::OtherHolder.to_string().starts_with("holder:"));
    assert!(RiskError::TooOld {
        day: 1,
        today: 9,
        max_age_days: 2
    }
    .to_string()
    .starts_with("day:"));
}
