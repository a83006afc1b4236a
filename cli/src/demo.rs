//! `veil demo`: the whole flow on embedded defaults in a temporary directory.
//! An issuer and a regulator make keys; the issuer is listed as trusted and
//! issues a credential; a verifier publishes a policy; the wallet proves for
//! one payment; the proof is verified natively from its snarkjs files; then a
//! tampered payment and a revoked credential are rejected, and the regulator
//! recovers the credential id from the escrow.

use crate::commands::{self, decrypt, issue_credential, read_proof_files, save_keys, IssueArgs};
use crate::dates;
use crate::files::*;
use anyhow::{bail, Result};
use ark_ff::UniformRand;
use rand::rngs::OsRng;
use serde::Serialize;
use std::time::Instant;
use veil_circuits::babyjubjub::{base8, Scalar};
use veil_circuits::eddsa::{PrivateKey, PublicKey};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{CredentialJson, PolicyJson};
use veil_circuits::statement::{
    escrow_randomness, Payment, PaymentContext, Policy, Registry, WitnessError,
};
use veil_circuits::F;
use veil_prover::keys::load_verifying_key;
use veil_prover::Prover;
use veil_verifier::{PreparedKey, VerifyError};

/// One step of the demo, as reported.
#[derive(Debug, Serialize)]
pub struct Step {
    /// What was done.
    pub step: &'static str,
    /// Whether the outcome was the expected one.
    pub ok: bool,
    /// What happened.
    pub detail: String,
    /// Wall time of the step in milliseconds.
    pub ms: f64,
}

/// The demo's report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Every step in order.
    pub steps: Vec<Step>,
    /// All steps had the expected outcome.
    pub ok: bool,
    /// The directory the files were written to (deleted afterwards).
    pub workdir: String,
}

struct Recorder {
    json: bool,
    steps: Vec<Step>,
    clock: Instant,
}

impl Recorder {
    fn record(&mut self, step: &'static str, ok: bool, detail: String) {
        let ms = self.clock.elapsed().as_secs_f64() * 1e3;
        if !self.json {
            let mark = if ok { "ok " } else { "FAIL" };
            println!("[{mark}] {step:<22} {detail}  ({ms:.1} ms)");
        }
        self.steps.push(Step {
            step,
            ok,
            detail,
            ms,
        });
        self.clock = Instant::now();
    }
}

fn short(x: &F) -> String {
    let s = field_to_decimal(x);
    if s.len() > 14 {
        format!("{}…{}", &s[..6], &s[s.len() - 6..])
    } else {
        s
    }
}

/// Runs the demo; prints each step (or one JSON report with `json`).
pub fn run(json: bool) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut r = Recorder {
        json,
        steps: Vec::new(),
        clock: Instant::now(),
    };
    let rng = &mut OsRng;

    // 1. Keys for the statement.
    let keys = commands::run_setup(json)?;
    save_keys(&keys, dir.path())?;
    let pk_size = std::fs::metadata(dir.path().join(PROVING_KEY))?.len();
    r.record(
        "setup",
        true,
        format!(
            "Groth16 keys for {} constraints; proving key {:.1} MB on disk",
            keys.shape.num_constraints,
            pk_size as f64 / 1e6
        ),
    );
    let prover = Prover::load(&dir.path().join(PROVING_KEY))?;
    let vk = load_verifying_key(&dir.path().join(VERIFYING_KEY), &keys.shape)?;
    let key = PreparedKey::new(&vk)?;
    r.record(
        "load keys",
        true,
        "key files checked against the circuit shape".into(),
    );

    // 2. Actors and registries.
    let issuer = PrivateKey::generate(rng);
    let regulator_secret = Scalar::rand(rng);
    let regulator_key = PublicKey(ark_ec::CurveGroup::into_affine(base8() * regulator_secret));
    let holder_secret = F::rand(rng);
    let others: Vec<PublicKey> = (0..2)
        .map(|_| PrivateKey::generate(rng).public_key())
        .collect();
    let trusted = [others[0], issuer.public_key(), others[1]];
    let revoked: Vec<F> = (0..3).map(|_| F::rand(rng)).collect();
    let mut registry = Registry::new(&trusted, &revoked)?;
    write_json(
        &dir.path().join("issuers.json"),
        &commands::issuer_list(&trusted),
    )?;
    r.record(
        "registries",
        true,
        format!(
            "3 trusted issuers (root {}), 3 revoked ids (root {})",
            short(&registry.issuers_root()),
            short(&registry.revocation_root())
        ),
    );

    // 3. Issuance.
    let today = dates::today();
    let holder = field_to_decimal(&veil_circuits::statement::holder_commitment(holder_secret));
    let birth = dates::iso(today.saturating_sub(30 * 365));
    let issued = dates::iso(today.saturating_sub(30));
    let credential = issue_credential(
        &issuer,
        &IssueArgs {
            holder: &holder,
            birth_date: &birth,
            country: 276,
            kyc_level: 2,
            risk_score: 120,
            subject_type: 0,
            issued: Some(&issued),
            valid_days: 365,
        },
    )?;
    let credential_id = credential.claims.credential_id;
    write_json(
        &dir.path().join("credential.json"),
        &CredentialJson::from_credential(&credential),
    )?;
    r.record(
        "issue credential",
        true,
        format!(
            "id {}, born {birth}, DE, KYC 2, risk 120, valid to {}",
            short(&credential_id),
            dates::iso(credential.claims.expires_at)
        ),
    );

    // 4. Policy and payment.
    let policy = Policy {
        min_age_days: 18 * 365 + 4,
        max_risk: 500,
        min_kyc_level: 2,
        subject_type_mask: 0b011,
        barred_countries: vec![408, 364, 760],
        regulator_key,
    };
    write_json(
        &dir.path().join("policy.json"),
        &PolicyJson::from_policy(&policy),
    )?;
    let payment = Payment::new(
        1,
        [0xaa; 20],
        [0x11; 20],
        [0x22; 20],
        [0x33; 20],
        250_000_000,
        1,
    );
    let context = PaymentContext {
        today,
        scope: F::from(0x7e11_u64),
        payment_hash: payment.hash(),
    };
    r.record(
        "policy and payment",
        true,
        format!(
            "policy {} (age ≥ 18, risk ≤ 500, KYC ≥ 2, not KP/IR/SY); 250 USDC, payment {}",
            short(&policy.hash()?),
            short(&context.payment_hash)
        ),
    );

    // 5. Prove.
    let witness = registry.witness(
        credential.clone(),
        holder_secret,
        policy.clone(),
        context,
        escrow_randomness(rng),
    )?;
    let (proof, public) = prover.prove(witness, rng)?;
    commands::write_proof_files(dir.path(), &proof, &public)?;
    r.record(
        "prove",
        true,
        "Groth16 proof; wrote proof.json, public.json, calldata.txt".into(),
    );

    // 6. Verify from the files, as a verifier receives them.
    let (proof, public) = read_proof_files(
        &dir.path().join("proof.json"),
        &dir.path().join("public.json"),
    )?;
    let verdict = key.verify_statement(&proof, &public);
    r.record(
        "verify",
        verdict.is_ok(),
        format!("native verification: {}", outcome(&verdict)),
    );

    // 7. The same proof presented for a different payment.
    let mut tampered = payment;
    tampered.amount[31] ^= 0x01;
    let mut other = public;
    other.payment_hash = tampered.hash();
    let verdict = key.verify_statement(&proof, &other);
    r.record(
        "tampered payment",
        verdict == Err(VerifyError::Rejected),
        format!("amount changed by one unit: {}", outcome(&verdict)),
    );

    // 8. The issuer revokes the credential.
    registry.revoke(credential_id)?;
    let refused = registry.witness(
        credential,
        holder_secret,
        policy,
        context,
        escrow_randomness(rng),
    );
    let mut stale = public;
    stale.revocation_root = registry.revocation_root();
    let verdict = key.verify_statement(&proof, &stale);
    r.record(
        "revoked credential",
        matches!(refused, Err(WitnessError::Revoked)) && verdict.is_err(),
        format!(
            "wallet refuses to prove ({}); old proof against the new root: {}",
            refused
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "proved!".into()),
            outcome(&verdict)
        ),
    );

    // 9. The regulator opens the escrow.
    let recovered = decrypt(&regulator_secret, &public)?;
    r.record(
        "regulator decrypt",
        recovered == credential_id,
        format!("recovered credential id {}", short(&recovered)),
    );

    let ok = r.steps.iter().all(|s| s.ok);
    let report = Report {
        ok,
        workdir: dir.path().display().to_string(),
        steps: r.steps,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if ok {
        println!("demo passed: every step had the expected outcome");
    }
    if !ok {
        bail!("demo failed: a step did not have the expected outcome");
    }
    Ok(())
}

fn outcome(v: &Result<(), VerifyError>) -> String {
    match v {
        Ok(()) => "accepted".into(),
        Err(e) => format!("rejected ({e})"),
    }
}
