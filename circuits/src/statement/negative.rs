//! The statement's table of negative cases (`docs/statement.md`), shared by
//! every layer that must reject them: the witness builder, the constraint
//! system, the Groth16 prover and native verifier, and (later) the contracts
//! and the halo2 backend. Adding a rule means adding a row here.
//!
//! Two kinds of rows:
//! - [`WitnessCase`]: a credential, policy or context that breaks a rule. The
//!   builder must refuse it with that rule's [`WitnessError`]; [`forced`]
//!   pushes it past the builder so lower layers can be tested on it.
//! - [`TamperCase`]: a change to an honest witness that the builder never
//!   produces (forged signatures, altered public inputs, tampered paths).
//!
//! Verification-level rows (a valid proof presented with another payment,
//! scope or root) live with the verifier, since they need a proof.

use super::sample::Sample;
use super::*;
use crate::babyjubjub::{base8, Scalar};
use crate::eddsa::PrivateKey;
use crate::F;
use ark_ec::CurveGroup;
use ark_ff::Field;

/// A rule broken before proving: the builder names it.
pub struct WitnessCase {
    /// What is wrong.
    pub name: &'static str,
    /// Changes an honest sample (the claims are re-signed by
    /// [`Sample::witness`], so only the rule is broken).
    pub change: fn(&mut Sample),
    /// The builder's expected refusal.
    pub expect: fn(&WitnessError) -> bool,
}

/// A witness the builder would never produce.
pub struct TamperCase {
    /// What is tampered.
    pub name: &'static str,
    /// Changes an honest witness.
    pub tamper: fn(&mut ComplianceWitness),
}

fn one() -> F {
    F::from(1u64)
}

/// Every rule a credential, policy or context can break.
pub fn witness_cases() -> Vec<WitnessCase> {
    vec![
        WitnessCase {
            name: "expired",
            change: |s| s.claims.expires_at = s.context.today,
            expect: |e| matches!(e, WitnessError::Expired { .. }),
        },
        WitnessCase {
            name: "not yet valid",
            change: |s| s.claims.issued_at = s.context.today + 1,
            expect: |e| matches!(e, WitnessError::NotYetValid { .. }),
        },
        WitnessCase {
            name: "under age",
            change: |s| s.claims.birth_date = s.context.today - s.policy.min_age_days + 1,
            expect: |e| *e == WitnessError::UnderAge,
        },
        WitnessCase {
            name: "risk too high",
            change: |s| s.claims.risk_score = s.policy.max_risk + 1,
            expect: |e| matches!(e, WitnessError::RiskTooHigh { .. }),
        },
        WitnessCase {
            name: "level too low",
            change: |s| s.claims.kyc_level = s.policy.min_kyc_level - 1,
            expect: |e| matches!(e, WitnessError::KycLevelTooLow { .. }),
        },
        WitnessCase {
            name: "subject type not allowed",
            change: |s| s.claims.subject_type = 2,
            expect: |e| *e == WitnessError::SubjectTypeNotAllowed(2),
        },
        WitnessCase {
            name: "barred country",
            change: |s| s.claims.country = 364,
            expect: |e| *e == WitnessError::BarredCountry(364),
        },
        WitnessCase {
            name: "wrong holder secret",
            change: |s| s.holder_secret += one(),
            expect: |e| *e == WitnessError::WrongHolder,
        },
        WitnessCase {
            name: "revoked credential",
            change: |s| {
                let id = s.claims.credential_id;
                s.revocation_tree
                    .insert(id)
                    .expect("the sample's id is not revoked")
            },
            expect: |e| *e == WitnessError::Revoked,
        },
        WitnessCase {
            // Revoked ids on both sides, adjacent to the credential's: the
            // low leaf's next value is the id itself.
            name: "revoked credential between adjacent revoked ids",
            change: |s| {
                let id = s.claims.credential_id;
                for neighbour in [id - one(), id, id + one()] {
                    s.revocation_tree
                        .insert(neighbour)
                        .expect("fresh ids in range")
                }
            },
            expect: |e| *e == WitnessError::Revoked,
        },
        WitnessCase {
            // 2^248: the end of the list brackets it, only its width is wrong.
            name: "credential id wider than 248 bits",
            change: |s| s.claims.credential_id = F::from(2u64).pow([CREDENTIAL_ID_BITS as u64]),
            expect: |e| *e == WitnessError::CredentialIdRange,
        },
        WitnessCase {
            name: "credential of another schema",
            change: |s| s.claims.schema = schema_hash("veil.membership.v1").expect("short name"),
            expect: |e| *e == WitnessError::WrongSchema,
        },
        WitnessCase {
            name: "issuer not in the tree",
            change: |s| s.issuer_tree = issuer_tree(&[F::from(99u64)]).expect("one leaf fits"),
            expect: |e| *e == WitnessError::IssuerNotTrusted,
        },
    ]
}

/// The honest witness of `make()` with `change` forced into it, bypassing the
/// builder's checks (the public inputs follow the changed trees, holder and
/// credential, as a cheating prover would set them).
pub fn forced(make: impl Fn() -> Sample, change: fn(&mut Sample)) -> ComplianceWitness {
    let honest = make();
    let mut w = honest.witness().expect("the sample is honest");
    let mut s = make();
    change(&mut s);
    w.credential = s.credential();
    w.holder_secret = s.holder_secret;
    w.public.nullifier = nullifier(s.holder_secret, s.context.scope);
    w.issuer_path = s.issuer_tree.path(0).expect("index 0 exists");
    w.public.issuers_root = s.issuer_tree.root();
    w.revocation_proof = s.revocation_tree.low_leaf_proof(&s.claims.credential_id);
    w.public.revocation_root = s.revocation_tree.root();
    w
}

/// Tampering below the builder.
pub fn tamper_cases() -> Vec<TamperCase> {
    vec![
        TamperCase {
            name: "forged signature (S)",
            tamper: |w| w.credential.signature.s += Scalar::from(1u64),
        },
        TamperCase {
            name: "forged signature (R8)",
            tamper: |w| {
                w.credential.signature.r8 = (w.credential.signature.r8 + base8()).into_affine()
            },
        },
        TamperCase {
            name: "claims changed after signing",
            tamper: |w| w.credential.claims.risk_score = 1,
        },
        TamperCase {
            name: "wrong policy parameters",
            tamper: |w| w.policy.max_risk += 1,
        },
        TamperCase {
            name: "wrong barred list",
            tamper: |w| w.policy.barred_countries.push(1),
        },
        TamperCase {
            name: "wrong regulator key",
            tamper: |w| w.policy.regulator_key = PrivateKey::from_bytes([5u8; 32]).public_key(),
        },
        TamperCase {
            // Consistent public inputs for the identity as the escrow key:
            // K = r·O = O, so anyone could open the escrow.
            name: "identity regulator key",
            tamper: |w| {
                w.policy.regulator_key = crate::eddsa::PublicKey(
                    <crate::babyjubjub::Point as ark_ec::AffineRepr>::zero(),
                );
                w.public.policy_hash = w.policy.hash().expect("policy hashes");
                let (c1, ct) = escrow(
                    w.credential.claims.credential_id,
                    &w.policy.regulator_key,
                    &w.escrow_randomness,
                );
                w.public.escrow_c1 = c1;
                w.public.escrow_ct = ct;
            },
        },
        TamperCase {
            name: "wrong nullifier",
            tamper: |w| w.public.nullifier += one(),
        },
        TamperCase {
            name: "proof for another scope",
            tamper: |w| w.public.scope += one(),
        },
        TamperCase {
            name: "wrong today",
            tamper: |w| w.public.today += F::from(400u64),
        },
        TamperCase {
            name: "escrow ciphertext that does not decrypt to the id",
            tamper: |w| w.public.escrow_ct += one(),
        },
        TamperCase {
            name: "escrow c1 for other randomness",
            tamper: |w| w.escrow_randomness += Scalar::from(2u64),
        },
        TamperCase {
            name: "wrong issuers root",
            tamper: |w| w.public.issuers_root += one(),
        },
        TamperCase {
            name: "wrong revocation root",
            tamper: |w| w.public.revocation_root += one(),
        },
        TamperCase {
            name: "tampered issuer path",
            tamper: |w| w.issuer_path.siblings[5] += one(),
        },
        TamperCase {
            name: "tampered revocation path",
            tamper: |w| w.revocation_proof.path.siblings[0] += one(),
        },
        TamperCase {
            name: "revocation low leaf with a wider bracket",
            tamper: |w| w.revocation_proof.low_leaf.next_value = F::from(0u64),
        },
    ]
}
