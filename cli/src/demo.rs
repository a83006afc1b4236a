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

use crate::commands::{self, save_keys};
use crate::dates;
use crate::files::*;
use crate::identity;
use alloy_primitives::{Address, FixedBytes, U256};
use alloy_sol_types::SolValue;
use anyhow::{bail, Result};
use ark_ff::UniformRand;
use rand::rngs::OsRng;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use veil_audit::audit::AuditRow;
use veil_audit::threshold::split;
use veil_audit::threshold::RegulatorShare;
use veil_audit::{
    audit_streaming, AuditOptions, AuditReport, AuditorState, Entry, KeyChecker, TransparencyLog,
    VerificationRecord,
};
use veil_circuits::babyjubjub::{base8, Scalar};
use veil_circuits::eddsa::{PrivateKey, PublicKey};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{
    CredentialJson, HolderJson, PaymentContextJson, PointJson, PolicyJson, RevocationListJson,
};
use veil_circuits::statement::{
    escrow_randomness, Credential, Payment, PaymentContext, Policy, PublicInputs, Registry,
    WitnessError,
};
use veil_circuits::F;
use veil_contracts::abi::IVeilDIDRegistry;
use veil_contracts::system::{account, uint};
use veil_contracts::{CallError, Config, Receipt, System};
use veil_issuer::issuance::{self, ClaimRequest};
use veil_issuer::records::IssuerRecords;
use veil_prover::{ProvingSystem, SystemProof, SystemProver};
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
/// and tests. Each step is a function below, in the order they run.
pub fn run(json: bool, keep: Option<&std::path::Path>, system: ProvingSystem) -> Result<()> {
    let dir = Workdir::new(keep)?;
    let mut r = Recorder {
        json,
        steps: Vec::new(),
        clock: Instant::now(),
    };
    let d = dir.path();
    let today = dates::today();
    let (prover, key) = setup_keys(&mut r, d, system, json)?;
    let mut actors = actors(&mut r, d)?;
    let credential = issue(&mut r, d, &actors, today)?;
    let mut deal = deal(&mut r, d, &actors, today)?;
    prove(&mut r, d, &prover, &actors, &credential, &deal)?;
    let presented = verify(&mut r, d, &key, &actors, &deal)?;
    tampered_payment(&mut r, &key, &actors, &mut deal, &presented)?;
    settle(&mut r, &mut deal, &presented, system)?;
    revoke(
        &mut r,
        &key,
        &mut actors,
        &credential,
        &mut deal,
        &presented,
    )?;
    let audited = audit(&mut r, d, &key, &actors)?;
    disclose(&mut r, &actors, &credential)?;
    audit_again(&mut r, &actors, &key, &audited)?;
    finish(r, d, json)
}

/// The parties and what they keep: the issuer, the regulator's officials
/// (the key split 2-of-3 at once), the exchange's transparency log, the
/// holder, the registries and the issuer's KYC records.
struct Actors {
    issuer: PrivateKey,
    regulator_key: PublicKey,
    officials: Vec<RegulatorShare>,
    log: TransparencyLog,
    holder_secret: F,
    registry: Registry,
    records: IssuerRecords,
}

/// Step 2: the actors and the registries, written as the files a wallet
/// and an exchange would hold.
fn actors(r: &mut Recorder, dir: &Path) -> Result<Actors> {
    let rng = &mut OsRng;
    let issuer = PrivateKey::generate(rng);
    // The whole regulator key exists only inside this block.
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
            &dir.join(format!("regulator-share-{}.json", share.index)),
            share,
        )?;
    }
    // The exchange's transparency log of verifications, and its signing key.
    let operator = veil_did::ControllerKey::generate()?;
    write_text(&dir.join("log-operator.jwk"), &operator.to_json())?;
    let log = TransparencyLog::open(&dir.join("log"), operator)?;
    let holder_secret = F::rand(rng);
    let others: Vec<PublicKey> = (0..2)
        .map(|_| PrivateKey::generate(rng).public_key())
        .collect();
    let trusted = [others[0], issuer.public_key(), others[1]];
    let revoked: Vec<F> = (0..3)
        .map(|_| veil_circuits::statement::random_credential_id(rng))
        .collect();
    let registry = Registry::new(&trusted, &revoked)?;
    write_json(
        &dir.join("revoked.json"),
        &RevocationListJson {
            revoked: revoked.iter().map(field_to_decimal).collect(),
        },
    )?;
    write_private_json(
        &dir.join("holder.json"),
        &HolderJson::from_secret(holder_secret),
    )?;
    write_json(&dir.join("issuers.json"), &commands::issuer_list(&trusted))?;
    r.record(
        "registries",
        true,
        format!(
            "3 trusted issuers (root {}), 3 revoked ids (root {})",
            short(&registry.issuers_root()),
            short(&registry.revocation_root())
        ),
    );
    Ok(Actors {
        issuer,
        regulator_key,
        officials,
        log,
        holder_secret,
        registry,
        records: IssuerRecords::open(&dir.join("issuer-records"))?,
    })
}

/// Step 3: the issuer issues (keeping the KYC record), then the same
/// credential as a W3C VC from its did:veil; the wallet verifies the VC and
/// takes the ZK credential out of it.
fn issue(r: &mut Recorder, dir: &Path, a: &Actors, today: u32) -> Result<Credential> {
    let name = veil_circuits::statement::sample::SAMPLE_NAME;
    let subject = serde_json::json!({
        "name": name,
        "document": "passport C01X00T47 (DE)",
        "checks": ["liveness", "sanctions screening", "PEP screening"],
    });
    let request = ClaimRequest {
        holder: veil_circuits::statement::holder_commitment(a.holder_secret),
        birth_date: today.saturating_sub(30 * 365),
        country: 276,
        kyc_level: 2,
        risk_score: 120,
        subject_type: 0,
        issued_at: today.saturating_sub(30),
        valid_days: 365,
        name: name.into(),
    };
    let issued = issuance::issue(&a.issuer, &request, Some((&a.records, subject)), &mut OsRng)?;
    r.record(
        "issue credential",
        true,
        format!(
            "id {}, born {}, DE, KYC 2, risk 120, valid to {}",
            short(&issued.claims.credential_id),
            dates::iso(request.birth_date),
            dates::iso(issued.claims.expires_at)
        ),
    );
    let (did, vc) = identity::demo_issue_vc(&dir.join("db"), &a.issuer, &issued)?;
    write_text(&dir.join("vc.json"), &vc)?;
    let credential = identity::demo_verify_vc(&dir.join("db"), &vc, today)?;
    write_json(
        &dir.join("credential.json"),
        &CredentialJson::from_credential(&credential),
    )?;
    r.record(
        "W3C credential",
        credential.claims.credential_id == issued.claims.credential_id,
        format!("KycCredential (VC 2.0, eddsa-rdfc-2022) from {did}; verified: proof, issuer DID, validity, ZK signature over the same claims"),
    );
    Ok(credential)
}

/// The payment a proof is bound to, and the chain it settles on.
struct Deal {
    policy: Policy,
    chain: System,
    payer: Address,
    payee: Address,
    amount: u128,
    payment: Payment,
    context: PaymentContext,
}

/// Step 4: the contracts deployed, the policy registered through the
/// multisig and the timelock, the issuer's key published in the DID
/// registry; a payment to prove for.
fn deal(r: &mut Recorder, dir: &Path, a: &Actors, today: u32) -> Result<Deal> {
    let policy = Policy::default_for(a.regulator_key);
    write_json(&dir.join("policy.json"), &PolicyJson::from_policy(&policy))?;
    let scope = F::from(0x7e11_u64);
    let mut chain = System::deploy(Config::default())?;
    chain.register_policy(&policy, scope, true)?;
    chain.publish_roots(a.registry.issuers_root(), a.registry.revocation_root())?;
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
                uint(&a.issuer.public_key().0.x),
                uint(&a.issuer.public_key().0.y),
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
        &dir.join("context.json"),
        &PaymentContextJson::from_context(&context),
    )?;
    Ok(Deal {
        policy,
        chain,
        payer,
        payee,
        amount,
        payment,
        context,
    })
}

/// Step 5: the wallet proves and writes the proof's files.
fn prove(
    r: &mut Recorder,
    dir: &Path,
    prover: &SystemProver,
    a: &Actors,
    credential: &Credential,
    deal: &Deal,
) -> Result<()> {
    let witness = a.registry.witness(
        credential.clone(),
        a.holder_secret,
        deal.policy.clone(),
        deal.context,
        escrow_randomness(&mut OsRng),
    )?;
    let (proof, public) = prover.prove(witness, &mut OsRng)?;
    commands::write_any_proof_files(dir, &proof, &public)?;
    r.record(
        "prove",
        true,
        format!(
            "{} proof; wrote proof.json, public.json, calldata.txt",
            prover.system()
        ),
    );
    Ok(())
}

/// A proof as the exchange received it, read back from its files.
struct Presented {
    proof: SystemProof,
    public: PublicInputs,
    received: Received,
}

/// Step 6: the exchange verifies from the files, as it receives them, and
/// logs its verdict.
fn verify(
    r: &mut Recorder,
    dir: &Path,
    key: &SystemKey,
    a: &Actors,
    deal: &Deal,
) -> Result<Presented> {
    let (proof, public) =
        crate::halo2::read_proof_files(&dir.join("proof.json"), &dir.join("public.json"))?;
    let verdict = key.verify_statement(&proof, &public);
    // The log keeps the proof as it was received, so a regulator can re-verify.
    let received = Received {
        system: proof.system().name(),
        proof_json: std::fs::read_to_string(dir.join("proof.json"))?,
    };
    let receipt = logged(&a.log, &received, &public, &verdict, &deal.policy)?;
    r.record(
        "verify",
        verdict.is_ok(),
        format!(
            "native verification: {}; audit log entry {receipt}",
            outcome(&verdict)
        ),
    );
    Ok(Presented {
        proof,
        public,
        received,
    })
}

/// Step 7: the same proof presented for a payment one unit larger.
fn tampered_payment(
    r: &mut Recorder,
    key: &SystemKey,
    a: &Actors,
    deal: &mut Deal,
    p: &Presented,
) -> Result<()> {
    let mut tampered = deal.payment;
    tampered.amount[31] ^= 0x01;
    let mut other = p.public;
    other.payment_hash = tampered.hash();
    let verdict = key.verify_statement(&p.proof, &other);
    logged(&a.log, &p.received, &other, &verdict, &deal.policy)?;
    let on_chain = deal.chain.check_proof(&p.proof, &p.public, &tampered);
    r.record(
        "tampered payment",
        verdict == Err(VerifyError::Rejected) && on_chain.is_err(),
        format!(
            "amount changed by one unit: natively {}; gate {}",
            outcome(&verdict),
            onchain(&on_chain)
        ),
    );
    Ok(())
}

/// Step 8: on-chain, the verifier alone, then the settlement, then a replay.
fn settle(r: &mut Recorder, deal: &mut Deal, p: &Presented, system: ProvingSystem) -> Result<()> {
    let chain = &mut deal.chain;
    let (accepted, gas) = chain.verify_proof_on_chain(&p.proof, &p.public)?;
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
    let settled = chain.settle_proof(&p.proof, &p.public, &deal.payment);
    let paid = chain.balance(chain.token, deal.payee)?;
    r.record(
        "settle on-chain",
        settled.is_ok() && paid == U256::from(deal.amount),
        match &settled {
            Ok(receipt) => format!(
                "router paid 250 tUSD to the payee after the gate accepted ({} gas); nullifier spent",
                receipt.gas_used
            ),
            Err(e) => format!("refused: {e}"),
        },
    );
    let replay = chain.settle_proof(&p.proof, &p.public, &deal.payment);
    r.record(
        "replay refused",
        replay.is_err(),
        format!("the same proof again: {}", onchain(&replay)),
    );
    Ok(())
}

/// Step 9: the issuer revokes the credential: the wallet can no longer
/// prove, the old proof fails against the new root, and the gate refuses
/// it once the registry operator's fast key has appended the id on chain
/// (the gate checks the insertion against its current root) and the grace
/// period has passed.
fn revoke(
    r: &mut Recorder,
    key: &SystemKey,
    a: &mut Actors,
    credential: &Credential,
    deal: &mut Deal,
    p: &Presented,
) -> Result<()> {
    let revocation = a.registry.revoke(credential.claims.credential_id)?;
    let refused = a.registry.witness(
        credential.clone(),
        a.holder_secret,
        deal.policy.clone(),
        deal.context,
        escrow_randomness(&mut OsRng),
    );
    let mut stale = p.public;
    stale.revocation_root = a.registry.revocation_root();
    let verdict = key.verify_statement(&p.proof, &stale);
    logged(&a.log, &p.received, &stale, &verdict, &deal.policy)?;
    let chain = &mut deal.chain;
    chain.append_revocations(&[revocation])?;
    chain.chain.warp(chain.config().root_grace_period + 1);
    let next = chain.payment(deal.payer, deal.payee, deal.amount, 2);
    let on_chain = chain.check_proof(&p.proof, &p.public, &next);
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
    Ok(())
}

/// The first audit's outcome, which the second continues from.
struct Audited {
    report: AuditReport,
    state_path: PathBuf,
}

/// Audits `log` from `state`, re-verifying every logged proof with `key`;
/// saves the advanced state to `state_path` when the audit passes.
fn audit_log(
    log: &TransparencyLog,
    key: &SystemKey,
    state: &AuditorState,
    state_path: &Path,
    on_row: impl FnMut(AuditRow),
) -> Result<AuditReport> {
    let checker = KeyChecker(std::slice::from_ref(key));
    let options = AuditOptions {
        checker: Some(&checker),
        ..AuditOptions::live()
    };
    let (report, next) = audit_streaming(log, state, &options, on_row, |_, _| {});
    if report.passed() {
        write_json(state_path, &next)?;
    }
    Ok(report)
}

/// Step 10: the regulator audits the exchange's log with no secret: the
/// audit opens no escrow.
fn audit(r: &mut Recorder, dir: &Path, key: &SystemKey, a: &Actors) -> Result<Audited> {
    let state = AuditorState {
        log_id: a.log.log_id(),
        head: None,
    };
    let state_path = dir.join("audit-state.json");
    let mut rows = Vec::new();
    let mut report = audit_log(&a.log, key, &state, &state_path, |row| rows.push(row))?;
    report.rows = rows;
    veil_audit::report::write_csv(&report, std::fs::File::create(dir.join("audit.csv"))?)?;
    write_json(&dir.join("audit.json"), &report)?;
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
    Ok(Audited { report, state_path })
}

/// Step 11: a disclosure, recorded in the log; officials 1 and 3 each
/// release a partial only for the logged request (neither could open
/// alone); the issuer checks it all and answers.
fn disclose(r: &mut Recorder, a: &Actors, credential: &Credential) -> Result<()> {
    let log_id = a.log.log_id();
    let request = veil_audit::disclosure::request(
        &a.log,
        &log_id,
        0,
        &a.officials[0].group,
        None,
        "case DEMO-1",
    )?;
    let partials = [&a.officials[0], &a.officials[2]]
        .into_iter()
        .map(|share| veil_audit::disclosure::release(&request, &log_id, share, &mut OsRng))
        .collect::<Result<Vec<_>, _>>()?;
    let opened = veil_audit::disclosure::open(request, &log_id, partials)?;
    let answer = veil_issuer::disclosure::answer(&opened, &log_id, &a.records)?;
    let credential_id = credential.claims.credential_id;
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
    Ok(())
}

/// Step 12: the next audit proves the log only grew, disclosure included.
fn audit_again(r: &mut Recorder, a: &Actors, key: &SystemKey, first: &Audited) -> Result<()> {
    let state: AuditorState = read_json(&first.state_path)?;
    let again = audit_log(&a.log, key, &state, &first.state_path, |_| {})?;
    r.record(
        "audit again",
        again.passed() && again.disclosures == 1,
        format!(
            "consistent with the last head ({} → {} entries); {} disclosure on the record",
            first.report.entries, again.entries, again.disclosures
        ),
    );
    Ok(())
}

/// The report, and the demo's verdict.
fn finish(r: Recorder, dir: &Path, json: bool) -> Result<()> {
    let ok = r.steps.iter().all(|s| s.ok);
    let report = Report {
        ok,
        workdir: dir.display().to_string(),
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
