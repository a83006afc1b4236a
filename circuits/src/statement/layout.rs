//! One description of the statement's shape, which every implementation
//! iterates instead of copying it: the claim and public-input indices, the
//! range-check table, the predicates' bit widths and the order of the
//! policy hash's preimage. The native builder ([`super::witness`]), the R1CS
//! circuit ([`super::circuit`]) and the halo2 circuit (`veil-halo2`) all read
//! them here, so a change to the statement is made once
//! (`docs/statement.md` specifies it).

/// Claim indices: the eleven claims `c0..c10` an issuer signs.
pub mod claim {
    /// c0: the schema's hash.
    pub const SCHEMA: usize = 0;
    /// c1: the holder's commitment `H(holder_secret)`.
    pub const HOLDER: usize = 1;
    /// c2: the credential id (the revocation key, what the escrow holds).
    pub const CREDENTIAL_ID: usize = 2;
    /// c3: birth date, days.
    pub const BIRTH_DATE: usize = 3;
    /// c4: ISO 3166-1 numeric country.
    pub const COUNTRY: usize = 4;
    /// c5: KYC level.
    pub const KYC_LEVEL: usize = 5;
    /// c6: risk score.
    pub const RISK_SCORE: usize = 6;
    /// c7: subject type.
    pub const SUBJECT_TYPE: usize = 7;
    /// c8: issue date, days.
    pub const ISSUED_AT: usize = 8;
    /// c9: expiry date, days.
    pub const EXPIRES_AT: usize = 9;
    /// c10: the person key a sanctions list is matched on
    /// (`veil_circuits::sanctions::person_key`: BLAKE3 of the normalised
    /// name and the birth date, 248 bits).
    pub const PERSON_KEY: usize = 10;
    /// How many claims there are.
    pub const COUNT: usize = 11;
    /// Each claim's name, as the credential's JSON and typed errors spell it.
    pub const NAMES: [&str; COUNT] = [
        "schema",
        "holder",
        "credential_id",
        "birth_date",
        "country",
        "kyc_level",
        "risk_score",
        "subject_type",
        "issued_at",
        "expires_at",
        "person_key",
    ];
}

/// A word of `claims_hash`'s preimage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimsWord {
    /// Claim `c_i` as it is.
    Claim(usize),
    /// The seven numeric claims packed into one word at their disclosure
    /// offsets (`veil_circuits::disclosure::pack_numeric`): each is
    /// range-checked to its width, so the packing is one-to-one, and one
    /// word hashes for 138 constraints less than seven.
    Numeric,
}

/// `claims_hash = H(…)` of these words, in this order: what the issuer signs.
pub const CLAIMS_HASH_PREIMAGE: [ClaimsWord; 5] = [
    ClaimsWord::Claim(claim::SCHEMA),
    ClaimsWord::Claim(claim::HOLDER),
    ClaimsWord::Claim(claim::CREDENTIAL_ID),
    ClaimsWord::Numeric,
    ClaimsWord::Claim(claim::PERSON_KEY),
];

/// Public-input indices, in format order (`PublicInputs::to_vec`, snarkjs's
/// `public.json`, the verifiers' calldata).
pub mod input {
    /// `policy_hash`.
    pub const POLICY_HASH: usize = 0;
    /// `issuers_root`.
    pub const ISSUERS_ROOT: usize = 1;
    /// `revocation_root`.
    pub const REVOCATION_ROOT: usize = 2;
    /// `today`, days.
    pub const TODAY: usize = 3;
    /// `scope`.
    pub const SCOPE: usize = 4;
    /// `payment_hash`.
    pub const PAYMENT_HASH: usize = 5;
    /// `nullifier`.
    pub const NULLIFIER: usize = 6;
    /// `escrow_c1.x`.
    pub const ESCROW_C1_X: usize = 7;
    /// `escrow_c1.y`.
    pub const ESCROW_C1_Y: usize = 8;
    /// `escrow_ct`.
    pub const ESCROW_CT: usize = 9;
}

/// A value of the statement that has a bit width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranged {
    /// Claim `c_i`.
    Claim(usize),
    /// The public input `today`.
    Today,
    /// The policy's minimum age, days.
    MinAge,
    /// The policy's maximum risk score.
    MaxRisk,
    /// The policy's minimum KYC level.
    MinKycLevel,
}

/// Every range check of the statement, in the order both circuits make
/// them: each claim that is a number, then `today` and the policy's numeric
/// parameters. The predicates below rely on these widths (no comparison
/// can wrap around the field).
pub const RANGE_CHECKS: [(Ranged, usize); 11] = [
    (Ranged::Claim(claim::BIRTH_DATE), 32),
    (Ranged::Claim(claim::COUNTRY), 16),
    (Ranged::Claim(claim::KYC_LEVEL), 8),
    (Ranged::Claim(claim::RISK_SCORE), 16),
    (Ranged::Claim(claim::SUBJECT_TYPE), 8),
    (Ranged::Claim(claim::ISSUED_AT), 32),
    (Ranged::Claim(claim::EXPIRES_AT), 32),
    (Ranged::Today, 32),
    (Ranged::MinAge, 32),
    (Ranged::MaxRisk, 16),
    (Ranged::MinKycLevel, 8),
];

/// `birth_date + min_age_days ≤ today`: the sum of two 32-bit words.
pub const AGE_BITS: usize = 33;
/// `issued_at ≤ today < expires_at`: 32-bit days.
pub const DATE_BITS: usize = 32;
/// `min_kyc_level ≤ kyc_level`.
pub const KYC_LEVEL_BITS: usize = 8;
/// `risk_score ≤ max_risk`.
pub const RISK_BITS: usize = 16;
/// Bit `subject_type` of the policy's mask is set: types `0..8`, three bits.
pub const SUBJECT_TYPE_BITS: usize = 3;

/// A word of `policy_hash`'s preimage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyWord {
    /// The schema's hash (in-circuit: claim c0 itself).
    Schema,
    /// Minimum age, days.
    MinAge,
    /// Maximum risk score.
    MaxRisk,
    /// Minimum KYC level.
    MinKycLevel,
    /// Mask of the subject types admitted.
    SubjectTypeMask,
    /// `H` of the barred countries, zero-padded.
    SanctionsHash,
    /// The regulator key's x.
    RegulatorX,
    /// The regulator key's y.
    RegulatorY,
}

/// `policy_hash = H(…)` of these words, in this order.
pub const POLICY_HASH_PREIMAGE: [PolicyWord; 8] = [
    PolicyWord::Schema,
    PolicyWord::MinAge,
    PolicyWord::MaxRisk,
    PolicyWord::MinKycLevel,
    PolicyWord::SubjectTypeMask,
    PolicyWord::SanctionsHash,
    PolicyWord::RegulatorX,
    PolicyWord::RegulatorY,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every numeric claim is range-checked once; the identifiers (schema,
    /// holder, credential id, person key, whose own checks are elsewhere)
    /// are not.
    #[test]
    fn every_numeric_claim_has_one_range_check() {
        for i in 0..claim::COUNT {
            let n = RANGE_CHECKS
                .iter()
                .filter(|(r, _)| *r == Ranged::Claim(i))
                .count();
            let numeric = (claim::BIRTH_DATE..=claim::EXPIRES_AT).contains(&i);
            assert_eq!(n, usize::from(numeric), "claim c{i}");
        }
        assert_eq!(super::super::NUM_PUBLIC_INPUTS, input::ESCROW_CT + 1);
    }
}
