//! Embedded defaults: an issuer, a regulator, a holder, trees, a credential, a
//! policy and a payment, consistent with each other. `veil demo`, the tests
//! and the benchmarks start from here and change one thing at a time.

use super::*;
use crate::babyjubjub::{base8, Scalar};
use crate::eddsa::PrivateKey;
use crate::imt::IndexedMerkleTree;
use crate::merkle::MerkleTree;
use crate::F;
use ark_ec::CurveGroup;
use ark_ff::UniformRand;
use rand::{CryptoRng, RngCore};

/// A consistent set of actors and data for one proof.
pub struct Sample {
    /// The issuer's signing key.
    pub issuer_key: PrivateKey,
    /// The regulator's escrow secret.
    pub regulator_secret: Scalar,
    /// The holder's secret.
    pub holder_secret: F,
    /// Trusted issuers (the sample issuer at index 0).
    pub issuer_tree: MerkleTree,
    /// Revoked credential ids (a few, not the sample's).
    pub revocation_tree: IndexedMerkleTree,
    /// The claims the issuer signed.
    pub claims: Claims,
    /// The verifier's policy.
    pub policy: Policy,
    /// The payment.
    pub context: PaymentContext,
    /// Escrow randomness.
    pub escrow_randomness: Scalar,
}

/// Day 20,000 is 2024-10-04.
pub const SAMPLE_TODAY: u32 = 20_000;
/// The sample holder's name, from which the issuer derives the person key.
pub const SAMPLE_NAME: &str = "Erika Mustermann";
/// The sample holder's birth date, days (1989-12-27).
pub const SAMPLE_BIRTH_DATE: u32 = 7_300;

impl Sample {
    /// Fresh keys and ids from `rng`; everything else fixed.
    pub fn new<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let issuer_key = PrivateKey::generate(rng);
        let regulator_secret = Scalar::rand(rng);
        let regulator_key = crate::eddsa::PublicKey((base8() * regulator_secret).into_affine());
        let holder_secret = F::rand(rng);
        let issuer_tree =
            issuer_tree(&[issuer_leaf(&issuer_key.public_key())]).expect("one leaf fits");
        let mut revocation_tree = revocation_tree(&[]).expect("an empty list fits");
        for _ in 0..3 {
            // Other, revoked credentials.
            let _ = revocation_tree.insert(random_credential_id(rng));
        }
        let claims = Claims {
            schema: schema_hash(KYC_SCHEMA).expect("short name"),
            holder: holder_commitment(holder_secret),
            credential_id: random_credential_id(rng),
            birth_date: SAMPLE_BIRTH_DATE,
            country: 276, // Germany
            kyc_level: 2,
            risk_score: 120,
            subject_type: 0,
            issued_at: SAMPLE_TODAY - 100,
            expires_at: SAMPLE_TODAY + 265,
            person_key: crate::sanctions::person_key(SAMPLE_NAME, SAMPLE_BIRTH_DATE)
                .expect("a short name"),
        };
        let policy = Policy::default_for(regulator_key);
        let context = PaymentContext {
            today: SAMPLE_TODAY,
            scope: F::from(0xa11ce_u64),
            payment_hash: F::rand(rng),
        };
        Sample {
            issuer_key,
            regulator_secret,
            holder_secret,
            issuer_tree,
            revocation_tree,
            claims,
            policy,
            context,
            escrow_randomness: escrow_randomness(rng),
        }
    }

    /// The credential: the claims signed by the issuer.
    pub fn credential(&self) -> Credential {
        Credential {
            claims: self.claims,
            issuer: self.issuer_key.public_key(),
            signature: self.issuer_key.sign(self.claims.hash()),
        }
    }

    /// The witness for the current state, through the checking builder.
    pub fn witness(&self) -> Result<ComplianceWitness, WitnessError> {
        let credential = self.credential();
        let issuer_path = self
            .issuer_tree
            .path(0)
            .map_err(|_| WitnessError::IssuerNotTrusted)?;
        ComplianceWitness::build(
            credential,
            self.holder_secret,
            self.policy.clone(),
            self.issuer_tree.root(),
            issuer_path,
            self.revocation_tree.root(),
            self.revocation_tree
                .prove_non_membership(&self.claims.credential_id)
                .map_err(WitnessError::from)?,
            self.context,
            self.escrow_randomness,
        )
    }
}
