//! Disclosed claims (statement v3): the packed word carries exactly the
//! masked claims, natively and in-circuit. A changed disclosed value is
//! refused, an undisclosed claim does not change the word, and a mask naming
//! a claim that does not exist or must stay hidden is a typed error.

use crate::common::{new_cs, satisfied};
use ark_ff::Field;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use veil_circuits::disclosure::*;
use veil_circuits::statement::layout::claim;
use veil_circuits::F;

fn claims() -> [F; claim::COUNT] {
    let mut c = [F::from(0u64); claim::COUNT];
    c[claim::SCHEMA] = F::from(11u64);
    c[claim::HOLDER] = F::from(22u64);
    c[claim::CREDENTIAL_ID] = F::from(33u64);
    c[claim::BIRTH_DATE] = F::from(7_000u64);
    c[claim::COUNTRY] = F::from(840u64);
    c[claim::KYC_LEVEL] = F::from(2u64);
    c[claim::RISK_SCORE] = F::from(120u64);
    c[claim::SUBJECT_TYPE] = F::from(0u64);
    c[claim::ISSUED_AT] = F::from(20_000u64);
    c[claim::EXPIRES_AT] = F::from(20_365u64);
    c
}

fn gadget(mask: F, claims: &[F; claim::COUNT], disclosed: F) -> bool {
    let cs = new_cs();
    let m = FpVar::new_witness(cs.clone(), || Ok(mask)).unwrap();
    let c: Vec<FpVar<F>> = claims
        .iter()
        .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)).unwrap())
        .collect();
    let d = FpVar::new_input(cs.clone(), || Ok(disclosed)).unwrap();
    enforce_disclosed(&m, &c, &d).unwrap();
    satisfied(&cs)
}

#[test]
fn the_word_carries_exactly_the_masked_claims() {
    let c = claims();
    let mask = DisclosureMask::from_names(&["country", "kyc_level"]).unwrap();
    let word = mask.pack(&c);
    assert_eq!(
        mask.unpack(&word),
        Ok(vec![("country", 840), ("kyc_level", 2)])
    );
    assert_eq!(mask.names(), vec!["country", "kyc_level"]);
    let mask_word = F::from(mask.word());
    assert!(gadget(mask_word, &c, word));
    // A changed disclosed value is refused.
    let shifted = F::from(2u64).pow([OFFSETS[1] as u64]);
    assert!(!gadget(mask_word, &c, word + shifted));
    // Undisclosed claims leak nowhere: changing any leaves the word alone.
    for hidden in [
        claim::SCHEMA,
        claim::HOLDER,
        claim::CREDENTIAL_ID,
        claim::BIRTH_DATE,
        claim::RISK_SCORE,
        claim::EXPIRES_AT,
    ] {
        let mut other = c;
        other[hidden] += F::from(1u64);
        assert_eq!(mask.pack(&other), word, "{}", claim::NAMES[hidden]);
        assert!(gadget(mask_word, &other, word));
    }
    // Nothing disclosed: the word is 0, whatever the claims.
    assert_eq!(DisclosureMask::NONE.pack(&c), F::from(0u64));
    assert!(gadget(F::from(0u64), &c, F::from(0u64)));
    // A word with bits outside the mask's claims is refused by the reader.
    assert_eq!(
        mask.unpack(&(word + F::from(1u64))),
        Err(DisclosureError::NotCanonical)
    );
    // A mask word above the seven claims is refused by both.
    assert!(!gadget(F::from(1u64 << 7), &c, F::from(0u64)));
    assert_eq!(
        DisclosureMask::from_word(1 << 7),
        Err(DisclosureError::MaskOutOfRange(128))
    );
}

#[test]
fn every_claim_disclosed_at_its_widest_round_trips() {
    let mut c = claims();
    for (index, width) in DISCLOSABLE {
        c[index] = F::from((1u64 << width) - 1);
    }
    let all = DisclosureMask::from_word(0x7f).unwrap();
    let word = all.pack(&c);
    let values = all.unpack(&word).unwrap();
    assert_eq!(values.len(), 7);
    for ((name, value), (index, width)) in values.iter().zip(DISCLOSABLE) {
        assert_eq!(*name, claim::NAMES[index]);
        assert_eq!(*value, (1u64 << width) - 1);
    }
    assert!(gadget(F::from(0x7fu64), &c, word));
}

#[test]
fn a_mask_names_only_claims_that_exist_and_may_be_shown() {
    for hidden in ["schema", "holder", "credential_id"] {
        let e = DisclosureMask::from_names(&[hidden]).unwrap_err();
        assert!(matches!(e, DisclosureError::NotDisclosable(n) if n == hidden));
        assert!(e.to_string().starts_with("disclose:"));
    }
    assert_eq!(
        DisclosureMask::from_names(&["nationality"]),
        Err(DisclosureError::UnknownClaim("nationality".into()))
    );
}
