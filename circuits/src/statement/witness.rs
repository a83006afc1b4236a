//! The statement's native side: credential, policy, payment context, public
//! inputs, and [`ComplianceWitness::build`], which checks every rule before
//! proving so a wallet learns *why* it cannot prove.

use super::layout::{claim, ClaimsWord, PolicyWord, CLAIMS_HASH_PREIMAGE, POLICY_HASH_PREIMAGE};
use super::{
    ISSUER_TREE_ARITY, ISSUER_TREE_DEPTH, MAX_BARRED_COUNTRIES, NUM_PUBLIC_INPUTS,
    REVOCATION_TREE_ARITY, REVOCATION_TREE_DEPTH,
};
use crate::babyjubjub::{base8, point_from_coords, CurveError, Point, Scalar};
use crate::disclosure::pack_numeric;
use crate::eddsa::{PublicKey, Signature};
use crate::imt::NonMembershipProof;
use crate::ladder::{ladder_s, ladder_scalar};
use crate::merkle::MerklePath;
use crate::poseidon::{poseidon, poseidon_fixed};
use crate::F;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, PrimeField};
use num_bigint::BigUint;

/// The eleven claims of a KYC credential (c0..c10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    /// c0: `H` of the schema name, packed 31 bytes a limb ([`schema_hash`]).
    pub schema: F,
    /// c1: `H(holder_secret)`.
    pub holder: F,
    /// c2: random, `1..2^248` ([`random_credential_id`]); the revocation key
    /// and what the regulator recovers.
    pub credential_id: F,
    /// c3: days since 1970-01-01.
    pub birth_date: u32,
    /// c4: ISO 3166-1 numeric.
    pub country: u16,
    /// c5: 1 basic, 2 enhanced, 3 KYB.
    pub kyc_level: u8,
    /// c6: 0 (none) to [`MAX_RISK_SCORE`] (severe).
    pub risk_score: u16,
    /// c7: 0 person, 1 business, 2 machine.
    pub subject_type: u8,
    /// c8: days.
    pub issued_at: u32,
    /// c9: days.
    pub expires_at: u32,
    /// c10: the person key sanctions lists are matched on
    /// ([`crate::sanctions::person_key`] of the holder's name and birth
    /// date, which the issuer computes at KYC).
    pub person_key: F,
}

/// The highest risk score an issuer may sign (c6 runs 0 to 1000): the one
/// bound the CLI and the W3C credential reader both check.
pub const MAX_RISK_SCORE: u16 = 1000;

/// A risk score above [`MAX_RISK_SCORE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("risk score must be 0..={MAX_RISK_SCORE}, got {0}")]
pub struct RiskScoreRange(pub u16);

/// `score`, when an issuer may sign it.
pub fn risk_score(score: u16) -> Result<u16, RiskScoreRange> {
    if score > MAX_RISK_SCORE {
        return Err(RiskScoreRange(score));
    }
    Ok(score)
}

impl Claims {
    /// The claims as field elements, c0..c10.
    pub fn to_fields(&self) -> [F; claim::COUNT] {
        [
            self.schema,
            self.holder,
            self.credential_id,
            F::from(self.birth_date),
            F::from(self.country),
            F::from(self.kyc_level),
            F::from(self.risk_score),
            F::from(self.subject_type),
            F::from(self.issued_at),
            F::from(self.expires_at),
            self.person_key,
        ]
    }

    /// `claims_hash`, what the issuer signs: `H` of
    /// [`CLAIMS_HASH_PREIMAGE`] (schema, holder, credential id, the numeric
    /// claims packed into one word, person key).
    pub fn hash(&self) -> F {
        let fields = self.to_fields();
        poseidon_fixed(CLAIMS_HASH_PREIMAGE.map(|word| match word {
            ClaimsWord::Claim(i) => fields[i],
            ClaimsWord::Numeric => pack_numeric(&fields),
        }))
    }
}

/// The schema of veil's KYC credentials: the name whose [`schema_hash`] is
/// claim c0 and that policies name (one definition for every crate).
pub const KYC_SCHEMA: &str = "veil.kyc.v1";

/// `H` of a schema name, its bytes packed 31 to a limb (big-endian within a
/// limb); names of up to 16·31 bytes.
pub fn schema_hash(name: &str) -> Result<F, WitnessError> {
    let limbs: Vec<F> = name
        .as_bytes()
        .chunks(31)
        .map(F::from_be_bytes_mod_order)
        .collect();
    poseidon(&limbs).map_err(|_| WitnessError::SchemaName)
}

/// `H(holder_secret)`: the holder claim an issuer puts in a credential.
pub fn holder_commitment(holder_secret: F) -> F {
    poseidon_fixed([holder_secret])
}

/// `H(Ax, Ay)`: an issuer's leaf in the trusted-issuer tree.
pub fn issuer_leaf(key: &PublicKey) -> F {
    poseidon_fixed([key.0.x, key.0.y])
}

/// `H(holder_secret, scope)`.
pub fn nullifier(holder_secret: F, scope: F) -> F {
    poseidon_fixed([holder_secret, scope])
}

/// A credential as the wallet holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The claims.
    pub claims: Claims,
    /// The issuer's Baby Jubjub key.
    pub issuer: PublicKey,
    /// The issuer's signature on `claims.hash()`.
    pub signature: Signature,
}

/// A verifier's policy (public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The credential schema the policy reads ([`KYC_SCHEMA`]): the
    /// circuit checks claim c0 against it, so a credential of another kind
    /// from a trusted issuer is never read as KYC data.
    pub schema: String,
    /// Minimum age in days.
    pub min_age_days: u32,
    /// Maximum risk score.
    pub max_risk: u16,
    /// Minimum KYC level.
    pub min_kyc_level: u8,
    /// Bit `t` set: subject type `t` allowed (types 0..=7).
    pub subject_type_mask: u8,
    /// Barred ISO numeric country codes, at most 16.
    pub barred_countries: Vec<u16>,
    /// The regulator's escrow key.
    pub regulator_key: PublicKey,
}

/// The default policy's rules, written once: what `veil policy new` asks for
/// unless told otherwise, and what the sample and `veil demo` use.
pub mod default_policy {
    /// Minimum age in years.
    pub const MIN_AGE_YEARS: u32 = 18;
    /// Maximum risk score.
    pub const MAX_RISK: u16 = 500;
    /// Minimum KYC level (2: enhanced).
    pub const MIN_KYC_LEVEL: u8 = 2;
    /// Allowed subject types: persons and businesses.
    pub const SUBJECT_TYPES: [u8; 2] = [0, 1];
    /// Barred countries: North Korea, Iran, Syria (ISO 3166-1 numeric).
    pub const BARRED_COUNTRIES: [u16; 3] = [408, 364, 760];
}

/// A subject type outside 0..=7 (each is one bit of the policy's mask).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("subject types are 0..=7, got {0}")]
pub struct SubjectTypeRange(pub u8);

impl Policy {
    /// A KYC policy ([`KYC_SCHEMA`]) from its rules, escrowing to
    /// `regulator_key`.
    pub fn kyc(
        min_age_years: u32,
        max_risk: u16,
        min_kyc_level: u8,
        subject_types: &[u8],
        barred_countries: Vec<u16>,
        regulator_key: PublicKey,
    ) -> Result<Self, SubjectTypeRange> {
        let mut subject_type_mask = 0u8;
        for &t in subject_types {
            if t > 7 {
                return Err(SubjectTypeRange(t));
            }
            subject_type_mask |= 1 << t;
        }
        Ok(Policy {
            schema: KYC_SCHEMA.into(),
            min_age_days: crate::day::min_age_days(min_age_years),
            max_risk,
            min_kyc_level,
            subject_type_mask,
            barred_countries,
            regulator_key,
        })
    }

    /// The default policy ([`default_policy`]) escrowing to `regulator_key`.
    pub fn default_for(regulator_key: PublicKey) -> Self {
        use default_policy::*;
        Self::kyc(
            MIN_AGE_YEARS,
            MAX_RISK,
            MIN_KYC_LEVEL,
            &SUBJECT_TYPES,
            BARRED_COUNTRIES.to_vec(),
            regulator_key,
        )
        .expect("the default subject types are 0..=7")
    }

    /// The barred list zero-padded to 16 entries.
    pub fn barred_padded(&self) -> Result<[F; MAX_BARRED_COUNTRIES], WitnessError> {
        if self.barred_countries.len() > MAX_BARRED_COUNTRIES {
            return Err(WitnessError::TooManyBarredCountries(
                self.barred_countries.len(),
            ));
        }
        let mut out = [F::ZERO; MAX_BARRED_COUNTRIES];
        for (o, c) in out.iter_mut().zip(&self.barred_countries) {
            *o = F::from(*c);
        }
        Ok(out)
    }

    /// `sanctions_hash = H(barred list, zero-padded to 16)`.
    pub fn sanctions_hash(&self) -> Result<F, WitnessError> {
        Ok(poseidon_fixed(self.barred_padded()?))
    }

    /// `H` of the schema name: what claim c0 must be.
    pub fn schema_hash(&self) -> Result<F, WitnessError> {
        schema_hash(&self.schema)
    }

    /// `policy_hash = H(schema_hash, min_age_days, max_risk, min_kyc_level,
    /// subject_type_mask, sanctions_hash, regulator.x, regulator.y)`, the
    /// first public input.
    pub fn hash(&self) -> Result<F, WitnessError> {
        let (schema, sanctions) = (self.schema_hash()?, self.sanctions_hash()?);
        Ok(poseidon_fixed(POLICY_HASH_PREIMAGE.map(
            |word| match word {
                PolicyWord::Schema => schema,
                PolicyWord::MinAge => F::from(self.min_age_days),
                PolicyWord::MaxRisk => F::from(self.max_risk),
                PolicyWord::MinKycLevel => F::from(self.min_kyc_level),
                PolicyWord::SubjectTypeMask => F::from(self.subject_type_mask),
                PolicyWord::SanctionsHash => sanctions,
                PolicyWord::RegulatorX => self.regulator_key.0.x,
                PolicyWord::RegulatorY => self.regulator_key.0.y,
            },
        )))
    }
}

/// What the proof is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentContext {
    /// Today in days; the gate checks it against the block time.
    pub today: u32,
    /// Who the nullifier is for (a verifier, a gate, an epoch).
    pub scope: F,
    /// The settlement's hash, reduced into the field.
    pub payment_hash: F,
}

/// A valid proof presented for another policy, payment, scope or day than
/// the verifier expects: what [`PublicInputs::binding_mismatch`] finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BindingMismatch {
    /// `policy_hash` is not the expected policy's hash.
    #[error("the proof is for another policy")]
    Policy,
    /// `payment_hash` is not the expected payment's.
    #[error("the proof is for another payment")]
    Payment,
    /// `scope` is not the expected scope (a replay elsewhere).
    #[error("the proof is for another scope")]
    Scope,
    /// `today` is not the expected day.
    #[error("the proof is for another day")]
    Day,
}

/// The ten public inputs, in their format order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicInputs {
    /// 1.
    pub policy_hash: F,
    /// 2.
    pub issuers_root: F,
    /// 3.
    pub revocation_root: F,
    /// 4.
    pub today: F,
    /// 5.
    pub scope: F,
    /// 6.
    pub payment_hash: F,
    /// 7.
    pub nullifier: F,
    /// 8, 9.
    pub escrow_c1: (F, F),
    /// 10.
    pub escrow_ct: F,
}

impl PublicInputs {
    /// The escrow ciphertext `(c1, ct)`, `c1` checked to be a point of the
    /// prime-order subgroup (public inputs come from outside).
    pub fn escrow(&self) -> Result<(Point, F), CurveError> {
        let (x, y) = self.escrow_c1;
        Ok((point_from_coords(x, y)?, self.escrow_ct))
    }

    /// The first binding these inputs fail, if any, against the policy and
    /// the payment context a verifier expects (each checked where given):
    /// the one check the CLI, the service and the bindings make before the
    /// proof. An error only for a policy that does not hash (malformed).
    pub fn binding_mismatch(
        &self,
        policy: Option<&Policy>,
        context: Option<&PaymentContext>,
    ) -> Result<Option<BindingMismatch>, WitnessError> {
        if let Some(policy) = policy {
            if policy.hash()? != self.policy_hash {
                return Ok(Some(BindingMismatch::Policy));
            }
        }
        if let Some(c) = context {
            let mismatch = if c.payment_hash != self.payment_hash {
                Some(BindingMismatch::Payment)
            } else if c.scope != self.scope {
                Some(BindingMismatch::Scope)
            } else if F::from(c.today) != self.today {
                Some(BindingMismatch::Day)
            } else {
                None
            };
            return Ok(mismatch);
        }
        Ok(None)
    }

    /// The inputs in format order.
    pub fn to_vec(&self) -> Vec<F> {
        vec![
            self.policy_hash,
            self.issuers_root,
            self.revocation_root,
            self.today,
            self.scope,
            self.payment_hash,
            self.nullifier,
            self.escrow_c1.0,
            self.escrow_c1.1,
            self.escrow_ct,
        ]
    }

    /// Inputs from a slice in format order; `None` unless exactly ten.
    pub fn from_slice(v: &[F]) -> Option<Self> {
        if v.len() != NUM_PUBLIC_INPUTS {
            return None;
        }
        Some(PublicInputs {
            policy_hash: v[0],
            issuers_root: v[1],
            revocation_root: v[2],
            today: v[3],
            scope: v[4],
            payment_hash: v[5],
            nullifier: v[6],
            escrow_c1: (v[7], v[8]),
            escrow_ct: v[9],
        })
    }
}

/// Why a wallet cannot prove: each rule of the statement, named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    /// The issuer's signature does not verify on the claims.
    #[error("the issuer's signature does not verify on the credential's claims")]
    BadSignature,
    /// The issuer key is not under `issuers_root` at the given path.
    #[error("the issuer is not in the trusted-issuer tree")]
    IssuerNotTrusted,
    /// The credential id is 0 or wider than [`crate::imt::KEY_BITS`] bits: the
    /// revocation tree cannot list it, so the circuit refuses it.
    #[error("the credential id must be 1 to 2^248 - 1")]
    CredentialIdRange,
    /// The credential id is in the revocation tree (or the proof is invalid).
    #[error("the credential is revoked (or the revocation proof does not match the root)")]
    Revoked,
    /// `c1 != H(holder_secret)`.
    #[error("the holder secret does not match the credential's holder")]
    WrongHolder,
    /// `today < issued_at`.
    #[error("the credential is not valid yet (issued on day {issued_at}, today is {today})")]
    NotYetValid {
        /// Issue day.
        issued_at: u32,
        /// Today.
        today: u32,
    },
    /// `today >= expires_at`.
    #[error("the credential expired on day {expires_at} (today is {today})")]
    Expired {
        /// Expiry day.
        expires_at: u32,
        /// Today.
        today: u32,
    },
    /// `today - birth_date < min_age_days`.
    #[error("the holder is under the policy's minimum age")]
    UnderAge,
    /// `risk_score > max_risk`.
    #[error("risk score {risk} exceeds the policy's maximum {max}")]
    RiskTooHigh {
        /// The credential's score.
        risk: u16,
        /// The policy's maximum.
        max: u16,
    },
    /// `kyc_level < min_kyc_level`.
    #[error("KYC level {level} is below the policy's minimum {min}")]
    KycLevelTooLow {
        /// The credential's level.
        level: u8,
        /// The policy's minimum.
        min: u8,
    },
    /// Subject type not in the policy's mask.
    #[error("subject type {0} is not allowed by the policy")]
    SubjectTypeNotAllowed(u8),
    /// The country is barred.
    #[error("country {0} is barred by the policy")]
    BarredCountry(u16),
    /// More than 16 barred countries.
    #[error("a policy lists at most 16 barred countries, got {0}")]
    TooManyBarredCountries(usize),
    /// A path not of the statement's shape for its tree (another arity, a
    /// ragged sibling list, an index beyond the tree, another depth).
    #[error("{tree} path must be {arity}-ary with {depth} levels, got {got_arity}-ary with {got_siblings} siblings")]
    PathShape {
        /// Which tree.
        tree: &'static str,
        /// Children per node expected.
        arity: usize,
        /// Levels expected.
        depth: usize,
        /// Children per node given.
        got_arity: usize,
        /// Siblings given.
        got_siblings: usize,
    },
    /// A schema name too long to hash.
    #[error("schema name is longer than 496 bytes")]
    SchemaName,
    /// Claim c0 is not the policy's schema.
    #[error("the credential is not of the policy's schema")]
    WrongSchema,
    /// The policy's escrow key is the identity or outside the prime-order
    /// subgroup: anyone could open the escrow.
    #[error("the policy's regulator key is the identity or not in the prime-order subgroup")]
    RegulatorKey,
    /// The escrow randomness is not of the ladder's shape.
    #[error("escrow randomness must be 2^248 + 2s + 1 with s < 2^248 (use statement::escrow_randomness)")]
    EscrowRandomness,
}

/// Everything the prover knows, checked against every rule of the statement.
#[derive(Debug, Clone)]
pub struct ComplianceWitness {
    /// The credential.
    pub credential: Credential,
    /// The holder's secret.
    pub holder_secret: F,
    /// The verifier's policy.
    pub policy: Policy,
    /// Path of `H(Ax, Ay)` in the trusted-issuer tree.
    pub issuer_path: MerklePath,
    /// Non-membership proof of `credential_id` in the revocation tree.
    pub revocation_proof: NonMembershipProof,
    /// The escrow randomness `r` ([`escrow_randomness`]).
    pub escrow_randomness: Scalar,
    /// The public inputs this witness proves.
    pub public: PublicInputs,
}

/// The builder's name for a credential id the revocation tree cannot prove
/// absent: out of range, or listed (revoked).
impl From<crate::imt::ImtError> for WitnessError {
    fn from(e: crate::imt::ImtError) -> Self {
        match e {
            crate::imt::ImtError::KeyOutOfRange => WitnessError::CredentialIdRange,
            _ => WitnessError::Revoked,
        }
    }
}

/// A fresh credential id, uniform in `1..2^248`: what the revocation tree and
/// the circuit accept (use `OsRng` outside tests).
pub fn random_credential_id<R: rand::RngCore + rand::CryptoRng>(rng: &mut R) -> F {
    loop {
        let mut bytes = [0u8; crate::imt::KEY_BITS / 8];
        rng.fill_bytes(&mut bytes);
        let id = F::from_le_bytes_mod_order(&bytes);
        if id != F::ZERO {
            return id;
        }
    }
}

/// Bits of `s` in the escrow randomness `r = 2^248 + 2s + 1`: the shape the
/// circuit's Montgomery ladder multiplies by (see [`crate::ladder`]).
pub const ESCROW_LADDER_BITS: usize = 248;

/// Fresh escrow randomness `2^248 + 2s + 1` for a uniform 248-bit `s` (use
/// `OsRng` outside tests).
pub fn escrow_randomness<R: rand::RngCore + rand::CryptoRng>(rng: &mut R) -> Scalar {
    let mut bytes = [0u8; ESCROW_LADDER_BITS / 8];
    rng.fill_bytes(&mut bytes);
    let r = ladder_scalar(&BigUint::from_bytes_le(&bytes), ESCROW_LADDER_BITS);
    Scalar::from_le_bytes_mod_order(&r.to_bytes_le())
}

/// The bits of `s` (little-endian) if `r = 2^248 + 2s + 1`, else `None`.
pub fn escrow_bits(r: &Scalar) -> Option<Vec<bool>> {
    let s = ladder_s(&BigUint::from(r.into_bigint()), ESCROW_LADDER_BITS)?;
    Some((0..ESCROW_LADDER_BITS).map(|i| s.bit(i as u64)).collect())
}

/// ElGamal-style escrow: `c1 = r·Base8`, `K = r·regulator_pk`,
/// `ct = credential_id + H(K.x, K.y)`.
pub fn escrow(credential_id: F, regulator: &PublicKey, r: &Scalar) -> ((F, F), F) {
    let c1 = (base8() * r).into_affine();
    let k = (regulator.0 * r).into_affine();
    ((c1.x, c1.y), credential_id + poseidon_fixed([k.x, k.y]))
}

/// The regulator's side: `K = sk·c1`, `credential_id = ct − H(K.x, K.y)`.
pub fn escrow_decrypt(regulator_secret: &Scalar, c1: &Point, ct: F) -> F {
    let k = (c1.into_group() * regulator_secret).into_affine();
    ct - poseidon_fixed([k.x, k.y])
}

impl ComplianceWitness {
    /// Checks every rule natively and computes the public inputs; refuses with
    /// the first rule the witness breaks.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        credential: Credential,
        holder_secret: F,
        policy: Policy,
        issuers_root: F,
        issuer_path: MerklePath,
        revocation_root: F,
        revocation_proof: NonMembershipProof,
        context: PaymentContext,
        escrow_randomness: Scalar,
    ) -> Result<Self, WitnessError> {
        let c = &credential.claims;
        check_shape("issuer", &issuer_path, ISSUER_TREE_ARITY, ISSUER_TREE_DEPTH)?;
        check_shape(
            "revocation",
            &revocation_proof.path,
            REVOCATION_TREE_ARITY,
            REVOCATION_TREE_DEPTH,
        )?;
        if c.schema != policy.schema_hash()? {
            return Err(WitnessError::WrongSchema);
        }
        let regulator = policy.regulator_key.0;
        if regulator.is_zero()
            || crate::babyjubjub::point_from_coords(regulator.x, regulator.y).is_err()
        {
            return Err(WitnessError::RegulatorKey);
        }
        if !credential.issuer.verify(c.hash(), &credential.signature) {
            return Err(WitnessError::BadSignature);
        }
        if !issuer_path.verify(issuers_root, issuer_leaf(&credential.issuer)) {
            return Err(WitnessError::IssuerNotTrusted);
        }
        if !crate::imt::key_in_range(&c.credential_id) {
            return Err(WitnessError::CredentialIdRange);
        }
        if !revocation_proof.verify(revocation_root, c.credential_id) {
            return Err(WitnessError::Revoked);
        }
        if c.holder != holder_commitment(holder_secret) {
            return Err(WitnessError::WrongHolder);
        }
        let today = context.today;
        if today < c.issued_at {
            return Err(WitnessError::NotYetValid {
                issued_at: c.issued_at,
                today,
            });
        }
        if today >= c.expires_at {
            return Err(WitnessError::Expired {
                expires_at: c.expires_at,
                today,
            });
        }
        if (c.birth_date as u64) + (policy.min_age_days as u64) > today as u64 {
            return Err(WitnessError::UnderAge);
        }
        if c.risk_score > policy.max_risk {
            return Err(WitnessError::RiskTooHigh {
                risk: c.risk_score,
                max: policy.max_risk,
            });
        }
        if c.kyc_level < policy.min_kyc_level {
            return Err(WitnessError::KycLevelTooLow {
                level: c.kyc_level,
                min: policy.min_kyc_level,
            });
        }
        if c.subject_type >= 8 || (policy.subject_type_mask >> c.subject_type) & 1 == 0 {
            return Err(WitnessError::SubjectTypeNotAllowed(c.subject_type));
        }
        // The circuit compares against the zero-padded list, so country 0 is
        // barred whenever the list has padding.
        if policy.barred_padded()?.contains(&F::from(c.country)) {
            return Err(WitnessError::BarredCountry(c.country));
        }
        if escrow_bits(&escrow_randomness).is_none() {
            return Err(WitnessError::EscrowRandomness);
        }
        let (escrow_c1, escrow_ct) =
            escrow(c.credential_id, &policy.regulator_key, &escrow_randomness);
        let public = PublicInputs {
            policy_hash: policy.hash()?,
            issuers_root,
            revocation_root,
            today: F::from(today),
            scope: context.scope,
            payment_hash: context.payment_hash,
            nullifier: nullifier(holder_secret, context.scope),
            escrow_c1,
            escrow_ct,
        };
        Ok(ComplianceWitness {
            credential,
            holder_secret,
            policy,
            issuer_path,
            revocation_proof,
            escrow_randomness,
            public,
        })
    }
}

/// A path of the statement's shape for `tree`: `arity` children a level,
/// `depth` whole levels (the circuits allocate exactly that many siblings).
fn check_shape(
    tree: &'static str,
    path: &MerklePath,
    arity: crate::merkle::Arity,
    depth: usize,
) -> Result<(), WitnessError> {
    if path.arity != arity || !path.is_canonical() || path.depth() != depth {
        return Err(WitnessError::PathShape {
            tree,
            arity: arity.children(),
            depth,
            got_arity: path.arity.children(),
            got_siblings: path.siblings.len(),
        });
    }
    Ok(())
}
