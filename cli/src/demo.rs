//! `veil demo`: the whole flow on embedded defaults in a temporary directory.
//! An issuer and a regulator make keys; the issuer is listed as trusted and
//! issues a credential; a verifier writes a policy; the contracts are
//! deployed on an in-process EVM (revm) and the policy registered through the
//! multisig and the timelock; the wallet proves for one payment; the proof is
//! verified natively from its snarkjs files and on-chain, and the payment
//! settles through the router; then a replay, a tampered payment and a
//! revoked credential are refused. Every verification the exchange performs
//! is an entry in its signed transparency log; the demo ends with the
//! regulator's audit of that log (which opens no escrow), a disclosure
//! request recorded in the log, opened by two of three officials' partials
//! released only for that record and answered by the issuer from its KYC
//! records, and a second audit proving the log only grew.
//!
//! The keys are the INSECURE demo key (published seed), which the committed
//! `Groth16Verifier.sol` embeds; a deployment uses a ceremony's key and a
//! verifier generated for it (`veil contracts verifier`). With `--system
//! halo2` the same flow runs on halo2-KZG: the INSECURE demo SRS and keys,
//! which the committed `Halo2Verifier.sol` embeds, and the gate's halo2 path.

use crate::commands::{self, issue_credential, save_keys, IssueArgs};
use crate::dates;
use crate::files::*;
use crate::identity;
use alloy_primitives::{FixedBytes, U256};
use alloy_sol_types::SolValue;
use anyhow::{bail, Result};
use ark_ff::UniformRand;
use rand::rngs::OsRng;
use serde::Serialize;
use std::time::Instant;
use veil_audit::records::{IssuerRecords, KycRecord};
use veil_audit::threshold::split;
use veil_audit::{AuditOptions, AuditorState, Entry, TransparencyLog, VerificationRecord};
use veil_circuits::babyjubjub::{base8, Scalar};
use veil_circuits::eddsa::{PrivateKey, PublicKey};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{
    CredentialJson, HolderJson, PaymentContextJson, PointJson, PolicyJson, RevocationListJson,
};
use veil_circuits::statement::{
    escrow_randomness, PaymentContext, Policy, PublicInputs, Registry, WitnessError,
};
use veil_circuits::F;
use veil_contracts::abi::IVeilDIDRegistry;
use veil_contracts::system::{account, uint};
use veil_contracts::{CallError, Config, Receipt, System};
use veil_prover::{ProvingSystem, SystemProver};
use veil_regulator::audit::run_audit;
use veil_system::KeysDir;
use veil_verifier::{SystemKey, VerifyError};

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

/// Where the demo writes: a temporary directory, or one the caller keeps.
enum Workdir {
    Temporary(tempfile::TempDir),
    Kept(std::path::PathBuf),
}

impl Workdir {
    /// A kept directory must be new or empty: the demo's stores are fresh.
    fn new(keep: Option<&std::path::Path>) -> Result<Self> {
        let Some(path) = keep else {
            return Ok(Workdir::Temporary(tempfile::tempdir()?));
        };
        if path.exists() && std::fs::read_dir(path)?.next().is_some() {
            bail!("--keep {}: the directory is not empty", path.display());
        }
        std::fs::create_dir_all(path)?;
        Ok(Workdir::Kept(path.to_path_buf()))
    }

    fn path(&self) -> &std::path::Path {
        match self {
            Workdir::Temporary(t) => t.path(),
            Workdir::Kept(p) => p,
        }
    }
}

/// `veil demo`'s flags.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Print one JSON report instead of lines.
    #[arg(long)]
    json: bool,
    /// Keep every file the demo made in this (new or empty) directory:
    /// keys, documents, proof, DID registry, log, regulator shares.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
    #[command(flatten)]
    system: crate::flags::SystemArg,
}

/// Runs `veil demo` with its flags.
pub fn run_args(args: DemoArgs) -> Result<()> {
    run(args.json, args.keep.as_deref(), args.system.system)
}

/// Runs the demo; prints each step (or one JSON report with `json`). With
/// `keep`, every file it made stays there (keys, documents, proof, DID
/// registry, transparency log, regulator shares) for the bindings' examples
/// and tests.
pub fn run(json: bool, keep: Option<&std::path::Path>, system: ProvingSystem) -> Result<()> {
    let dir = Workdir::new(keep)?;
    let mut r = Recorder {
        json,
        steps: Vec::new(),
        clock: Instant::now(),
    };
    let rng = &mut OsRng;

    // 1. Keys for the statement.
    let (prover, key) = setup_keys(&mut r, dir.path(), system, json)?;

    // 2. Actors and registries.
    let issuer = PrivateKey::generate(rng);
    // The regulator's key is split 2-of-3 between officials at once; the
    // whole key exists only inside this block.
    let (regulator_key, officials) = {
        let secret = Scalar::rand(rng);
        let (_, shares) = split(&secret, 2, 3, rng)?;
        (
            PublicKey(ark_ec::CurveGroup::into_affine(base8() * secret)),
            shares,
        )
    };
    for share in &officials {
        write_private_json(
            &dir.path()
                .join(format!("regulator-share-{}.json", share.index)),
            share,
        )?;
    }
    // The exchange's transparency log of verifications, and its signing key.
    let operator = veil_did::ControllerKey::generate()?;
    write_text(&dir.path().join("log-operator.jwk"), &operator.to_json())?;
    let log = TransparencyLog::open(&dir.path().join("log"), operator)?;
    let holder_secret = F::rand(rng);
    let others: Vec<PublicKey> = (0..2)
        .map(|_| PrivateKey::generate(rng).public_key())
        .collect();
    let trusted = [others[0], issuer.public_key(), others[1]];
    let revoked: Vec<F> = (0..3)
        .map(|_| veil_circuits::statement::random_credential_id(rng))
        .collect();
    let mut registry = Registry::new(&trusted, &revoked)?;
    write_json(
        &dir.path().join("revoked.json"),
        &RevocationListJson {
            revoked: revoked.iter().map(field_to_decimal).collect(),
        },
    )?;
    write_private_json(
        &dir.path().join("holder.json"),
        &HolderJson::from_secret(holder_secret),
    )?;
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
    let records = IssuerRecords::open(&dir.path().join("issuer-records"))?;
    records.insert(&KycRecord {
        credential_id: field_to_decimal(&credential_id),
        subject: serde_json::json!({
            "name": "Erika Mustermann",
            "document": "passport C01X00T47 (DE)",
            "checks": ["liveness", "sanctions screening", "PEP screening"],
        }),
        issued_unix_ms: veil_audit::entry::now_unix_ms(),
    })?;
    r.record(
        "issue credential",
        true,
        format!(
            "id {}, born {birth}, DE, KYC 2, risk 120, valid to {}",
            short(&credential_id),
            dates::iso(credential.claims.expires_at)
        ),
    );

    // 3b. The same credential as a W3C VC from the issuer's did:veil; the
    // wallet verifies it and takes the ZK credential out of it.
    let (did, vc) = identity::demo_issue_vc(&dir.path().join("db"), &issuer, &credential)?;
    write_text(&dir.path().join("vc.json"), &vc)?;
    let credential = identity::demo_verify_vc(&dir.path().join("db"), &vc, today)?;
    write_json(
        &dir.path().join("credential.json"),
        &CredentialJson::from_credential(&credential),
    )?;
    r.record(
        "W3C credential",
        credential.claims.credential_id == credential_id,
        format!("KycCredential (VC 2.0, eddsa-rdfc-2022) from {did}; verified: proof, issuer DID, validity, ZK signature over the same claims"),
    );

    // 4. Policy and payment.
    let policy = Policy {
        schema: veil_circuits::statement::KYC_SCHEMA.into(),
        min_age_days: veil_circuits::day::min_age_days(18),
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
    let scope = F::from(0x7e11_u64);
    let mut chain = System::deploy(Config::default())?;
    chain.register_policy(&policy, scope, true)?;
    chain.publish_roots(registry.issuers_root(), registry.revocation_root())?;
    chain.set_day(today);
    let issuer_account = account(0x20);
    let registry_address = chain.registry;
    chain.chain.send_call(
        issuer_account,
        registry_address,
        &IVeilDIDRegistry::setAttributeCall {
            identity: issuer_account,
            name: FixedBytes::right_padding_from(b"did/pub/BabyJubJub/veriKey".as_slice()),
            value: (
                uint(&issuer.public_key().0.x),
                uint(&issuer.public_key().0.y),
            )
                .abi_encode_params()
                .into(),
            validity: U256::from(365 * 86_400u64),
        },
    )?;
    r.record(
        "deploy on-chain",
        true,
        format!(
            "revm: verifier, 2-of-3 multisig, timelock ({} h), gate {}, router, DID registry (issuer's Baby Jubjub key published), test USD; policy registered via multisig + timelock, roots published",
            chain.config().timelock_delay / 3600,
            chain.gate
        ),
    );

    let (payer, payee) = (account(0x10), account(0x11));
    let amount: u128 = 250_000_000;
    chain.fund(payer, amount)?;
    let payment = chain.payment(payer, payee, amount, 1);
    let context = PaymentContext {
        today,
        scope,
        payment_hash: payment.hash(),
    };
    r.record(
        "policy and payment",
        true,
        format!(
            "policy {} (age ≥ 18, risk ≤ 500, KYC ≥ 2, not KP/IR/SY); 250 tUSD, payment {}",
            short(&policy.hash()?),
            short(&context.payment_hash)
        ),
    );

    write_json(
        &dir.path().join("context.json"),
        &PaymentContextJson::from_context(&context),
    )?;

    // 5. Prove.
    let witness = registry.witness(
        credential.clone(),
        holder_secret,
        policy.clone(),
        context,
        escrow_randomness(rng),
    )?;
    let (proof, public) = prover.prove(witness, rng)?;
    commands::write_any_proof_files(dir.path(), &proof, &public)?;
    r.record(
        "prove",
        true,
        format!("{system} proof; wrote proof.json, public.json, calldata.txt"),
    );

    // 6. Verify from the files, as a verifier receives them.
    let (proof, public) = crate::halo2::read_proof_files(
        &dir.path().join("proof.json"),
        &dir.path().join("public.json"),
    )?;
    let verdict = key.verify_statement(&proof, &public);
    // The log keeps the proof as it was received, so a regulator can re-verify.
    let received = Received {
        system: proof.system().name(),
        proof_json: std::fs::read_to_string(dir.path().join("proof.json"))?,
    };
    let receipt = logged(&log, &received, &public, &verdict, &policy)?;
    r.record(
        "verify",
        verdict.is_ok(),
        format!(
            "native verification: {}; audit log entry {receipt}",
            outcome(&verdict)
        ),
    );

    // 7. The same proof presented for a different payment.
    let mut tampered = payment;
    tampered.amount[31] ^= 0x01;
    let mut other = public;
    other.payment_hash = tampered.hash();
    let verdict = key.verify_statement(&proof, &other);
    logged(&log, &received, &other, &verdict, &policy)?;
    let on_chain = chain.check_proof(&proof, &public, &tampered);
    r.record(
        "tampered payment",
        verdict == Err(VerifyError::Rejected) && on_chain.is_err(),
        format!(
            "amount changed by one unit: natively {}; gate {}",
            outcome(&verdict),
            onchain(&on_chain)
        ),
    );

    // 8. On-chain: the verifier alone, then the settlement.
    let (accepted, gas) = chain.verify_proof_on_chain(&proof, &public)?;
    r.record(
        "verify on-chain",
        accepted,
        format!(
            "{}: {} ({gas} gas)",
            match system {
                ProvingSystem::Groth16 => "Groth16Verifier.verifyProof",
                ProvingSystem::Halo2Kzg => "Halo2Verifier (snark-verifier)",
            },
            if accepted { "accepted" } else { "rejected" },
        ),
    );
    let settled = chain.settle_proof(&proof, &public, &payment);
    let paid = chain.balance(chain.token, payee)?;
    r.record(
        "settle on-chain",
        settled.is_ok() && paid == U256::from(amount),
        match &settled {
            Ok(receipt) => format!(
                "router paid 250 tUSD to the payee after the gate accepted ({} gas); nullifier spent",
                receipt.gas_used
            ),
            Err(e) => format!("refused: {e}"),
        },
    );
    let replay = chain.settle_proof(&proof, &public, &payment);
    r.record(
        "replay refused",
        replay.is_err(),
        format!("the same proof again: {}", onchain(&replay)),
    );

    // 9. The issuer revokes the credential.
    let revocation = registry.revoke(credential_id)?;
    let refused = registry.witness(
        credential,
        holder_secret,
        policy.clone(),
        context,
        escrow_randomness(rng),
    );
    let mut stale = public;
    stale.revocation_root = registry.revocation_root();
    let verdict = key.verify_statement(&proof, &stale);
    logged(&log, &received, &stale, &verdict, &policy)?;
    // The registry operator's fast key appends it on chain: the gate checks
    // the insertion against its current root (it can only add ids).
    chain.append_revocations(&[revocation])?;
    chain.chain.warp(chain.config().root_grace_period + 1);
    let next = chain.payment(payer, payee, amount, 2);
    let on_chain = chain.check_proof(&proof, &public, &next);
    r.record(
        "revoked credential",
        matches!(refused, Err(WitnessError::Revoked)) && verdict.is_err() && on_chain.is_err(),
        format!(
            "wallet refuses to prove ({}); old proof against the new root: {}; on-chain after the grace period: {}",
            refused
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "proved!".into()),
            outcome(&verdict),
            onchain(&on_chain)
        ),
    );

    // 10. The regulator audits the exchange's log, with no secret: the
    // audit opens no escrow.
    let state = AuditorState {
        log_id: log.log_id(),
        head: None,
    };
    let checker = veil_regulator::audit::KeyChecker(std::slice::from_ref(&key));
    let options = AuditOptions {
        checker: Some(&checker),
        ..AuditOptions::live()
    };
    let state_path = dir.path().join("audit-state.json");
    let mut rows = Vec::new();
    let mut report = run_audit(&log, &state, &options, &state_path, &mut |row| {
        rows.push(row)
    })?;
    report.rows = rows;
    veil_audit::report::write_csv(
        &report,
        std::fs::File::create(dir.path().join("audit.csv"))?,
    )?;
    write_json(&dir.path().join("audit.json"), &report)?;
    r.record(
        "regulator audit",
        report.passed() && report.reverified == report.valid,
        format!(
            "{} entries re-hashed into the head signed by {}…; {} valid ({} re-verified from the logged proof), {} invalid; no escrow opened (the audit holds no secret); audit.csv, audit.json",
            report.entries,
            &report.log_id[..20],
            report.valid,
            report.reverified,
            report.verifications - report.valid,
        ),
    );

    // 11. Disclosure: recorded in the log; officials 1 and 3 each release
    // a partial only for the logged request (neither could open alone);
    // the issuer checks it all and answers.
    let log_id = log.log_id();
    let request = veil_audit::disclosure::request(
        &log,
        &log_id,
        0,
        &officials[0].group,
        None,
        "case DEMO-1",
    )?;
    let partials = [&officials[0], &officials[2]]
        .into_iter()
        .map(|share| veil_audit::disclosure::release(&request, &log_id, share, &mut OsRng))
        .collect::<Result<Vec<_>, _>>()?;
    let opened = veil_audit::disclosure::open(request, &log_id, partials)?;
    let answer = veil_audit::disclosure::answer(&opened, &log_id, &records)?;
    r.record(
        "disclosure",
        answer.credential_id == field_to_decimal(&credential_id),
        format!(
            "request logged as entry {}; officials 1+3 of 3 released partials for it; the issuer checked it and disclosed credential {}: {}",
            answer.record_index,
            short(&credential_id),
            answer.record.subject["name"]
        ),
    );

    // 12. The next audit proves the log only grew, disclosure included.
    let state: AuditorState = read_json(&state_path)?;
    let again = run_audit(&log, &state, &options, &state_path, &mut |_| {})?;
    r.record(
        "audit again",
        again.passed() && again.disclosures == 1,
        format!(
            "consistent with the last head ({} → {} entries); {} disclosure on the record",
            report.entries, again.entries, again.disclosures
        ),
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

/// Makes the statement's keys for `system` in `dir` and loads them back as
/// a wallet and an exchange would: the INSECURE demo keys (published seeds),
/// which the committed Solidity verifiers embed.
fn setup_keys(
    r: &mut Recorder,
    dir: &std::path::Path,
    system: ProvingSystem,
    quiet: bool,
) -> Result<(SystemProver, SystemKey)> {
    let checked = match system {
        ProvingSystem::Groth16 => {
            let keys = commands::run_setup(quiet, true)?;
            save_keys(&keys, dir)?;
            let pk_size = std::fs::metadata(dir.join(PROVING_KEY))?.len();
            r.record(
                "setup",
                true,
                format!(
                    "Groth16: INSECURE demo keys (public seed) for {} constraints; proving key {:.1} MB",
                    keys.shape.num_constraints,
                    pk_size as f64 / 1e6
                ),
            );
            "key files checked against the circuit shape"
        }
        ProvingSystem::Halo2Kzg => {
            let (params, keys) = veil_halo2::keys::insecure_demo_keys()?;
            KeysDir::new(dir).save_halo2(&params, &keys)?;
            r.record(
                "setup",
                true,
                format!(
                    "halo2-KZG: INSECURE universal parameters (public seed, 2^{} rows, SRS {:.1} MB, BLAKE3 {}…) and keys ({} advice columns)",
                    keys.layout.shape.k,
                    params.to_bytes().len() as f64 / 1e6,
                    &params.blake3_hex()[..16],
                    keys.layout.config.num_advice_per_phase.iter().sum::<usize>()
                ),
            );
            "SRS checked against its pinned BLAKE3; proving key regenerated and matched to halo2.vk"
        }
    };
    // Loaded back from the files, as a wallet and an exchange would.
    let keys = KeysDir::new(dir);
    let prover = SystemProver::load(&keys, system)?;
    let key = SystemKey::from_keys(keys.load_verifier(system)?)?;
    r.record("load keys", true, checked.into());
    Ok((prover, key))
}

/// A proof as the exchange received it: its system and its `proof.json`.
struct Received {
    system: &'static str,
    proof_json: String,
}

/// Appends the exchange's verification of `public` to its log.
fn logged(
    log: &TransparencyLog,
    received: &Received,
    public: &PublicInputs,
    verdict: &Result<(), VerifyError>,
    policy: &Policy,
) -> Result<u64> {
    let entry = Entry::Verification(VerificationRecord {
        time_unix_ms: veil_audit::entry::now_unix_ms(),
        system: received.system.into(),
        proof: received.proof_json.clone(),
        public_inputs: public.to_vec().iter().map(field_to_decimal).collect(),
        valid: verdict.is_ok(),
        reason: verdict
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default(),
        caller: "demo-exchange".into(),
        regulator_key: Some(PointJson::from_key(&policy.regulator_key)),
    });
    Ok(log.append(&[entry])?.0)
}

fn onchain(v: &Result<Receipt, CallError>) -> String {
    match v {
        Ok(_) => "accepted".into(),
        Err(e) => format!("refused ({e})"),
    }
}

fn outcome(v: &Result<(), VerifyError>) -> String {
    match v {
        Ok(()) => "accepted".into(),
        Err(e) => format!("rejected ({e})"),
    }
}
