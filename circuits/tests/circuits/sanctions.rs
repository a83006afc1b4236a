//! Sanctions screening (statement v3): person keys are stable under the
//! name's spelling noise and differ by person. A holder off the list proves
//! absence natively and in-circuit. A listed holder cannot, and neither can
//! a proof made against the root from before the holder was listed.

use crate::common::{new_cs, satisfied};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use veil_circuits::imt::{NonMembershipProof, NonMembershipVar};
use veil_circuits::sanctions::*;
use veil_circuits::F;

fn gadget(root: F, key: F, proof: &NonMembershipProof) -> bool {
    let cs = new_cs();
    let p = NonMembershipVar::new_witness_shaped(
        cs.clone(),
        SANCTIONS_TREE_ARITY,
        SANCTIONS_TREE_DEPTH,
        Some(proof),
    )
    .unwrap();
    let r = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
    let k = FpVar::new_witness(cs.clone(), || Ok(key)).unwrap();
    p.enforce_non_membership(&r, &k).unwrap();
    satisfied(&cs)
}

#[test]
fn person_keys_ignore_spelling_noise_and_tell_people_apart() {
    assert_eq!(normalise_name("  María-José  O'Neil "), "maría josé o neil");
    let key = person_key("María-José O'Neil", 7_000).unwrap();
    assert_eq!(person_key("MARÍA JOSÉ  o neil", 7_000).unwrap(), key);
    assert_ne!(
        person_key("Maria Jose O Neil", 7_000).unwrap(),
        key,
        "another spelling"
    );
    assert_ne!(
        person_key("María-José O'Neil", 7_001).unwrap(),
        key,
        "another birth date"
    );
    assert!(veil_circuits::imt::key_in_range(&key));
    assert_eq!(person_key(" -'- ", 1), Err(SanctionsError::EmptyName));
    assert_eq!(
        person_key(&"a".repeat(MAX_NAME_BYTES + 1), 1),
        Err(SanctionsError::NameTooLong)
    );
    // Refused as given, before normalising: punctuation that would
    // normalise away does not let an outsized input through.
    assert_eq!(
        person_key(&format!("ada{}", "-".repeat(MAX_NAME_BYTES)), 1),
        Err(SanctionsError::NameTooLong)
    );
}

#[test]
fn a_holder_off_the_list_proves_absence_and_a_listed_one_cannot() {
    let listed: Vec<F> = (0..40)
        .map(|i| person_key(&format!("listed person {i}"), 5_000 + i).unwrap())
        .collect();
    let mut list = SanctionsList::new(&listed).unwrap();
    assert_eq!(list.len(), 40);
    let holder = person_key("Ada Lovelace", 3_000).unwrap();
    let proof = list.prove_absent(&holder).unwrap();
    let before = list.root();
    assert!(proof.verify(before, holder) && gadget(before, holder, &proof));
    for key in &listed[..5] {
        assert_eq!(list.prove_absent(key), Err(SanctionsError::Listed));
    }
    // The holder is listed: the new root refuses the old proof, and no
    // proof of absence exists any more.
    list.add(holder).unwrap();
    assert!(!proof.verify(list.root(), holder) && !gadget(list.root(), holder, &proof));
    assert_eq!(list.prove_absent(&holder), Err(SanctionsError::Listed));
    assert!(matches!(list.add(holder), Err(SanctionsError::List(_))));
    assert!(SanctionsList::new(&[listed[0], listed[0]]).is_err());
}
