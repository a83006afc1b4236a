//! The subcommands other than the demo: each reads its files, calls the
//! library, and writes its files. No cryptography lives here.

use crate::dates;
use crate::files::*;
use anyhow::{bail, Context, Result};
use ark_ff::UniformRand;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::OsRng;
use std::path::Path;
use std::time::{Duration, Instant};
use veil_circuits::eddsa::PrivateKey;
use veil_circuits::encoding::{field_from_decimal, field_to_decimal};
use veil_circuits::statement::files::*;
use veil_circuits::statement::{
    escrow_randomness, schema_hash, BindingMismatch, Claims, Credential, Policy, PublicInputs,
    Registry,
};
use veil_circuits::F;
use veil_prover::{
    insecure_demo_setup, setup, Keys, ProvingSystem, SetupStage, SystemProof, SystemProver,
};
use veil_system::KeysDir;
use veil_verifier::{snarkjs, SystemKey};

/// The schema name of veil's KYC credential.
pub const SCHEMA: &str = veil_circuits::statement::KYC_SCHEMA;

/// Runs the Groth16 setup, showing its stages on a spinner unless `quiet`;
/// with `insecure_demo`, the published demo key (see
/// [`veil_prover::insecure_demo_setup`]) instead of fresh OS randomness.
pub fn run_setup(quiet: bool, insecure_demo: bool) -> Result<Keys> {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")?);
    bar.enable_steady_tick(Duration::from_millis(120));
    let report = |stage| {
        bar.set_message(match stage {
            SetupStage::Shape => "synthesizing the circuit",
            SetupStage::Keys => "computing Groth16 keys",
            SetupStage::Done => "done",
        })
    };
    let keys = if insecure_demo {
        insecure_demo_setup(report)?
    } else {
        setup(&mut OsRng, report)?
    };
    bar.finish_and_clear();
    Ok(keys)
}

/// `veil setup --out DIR [--insecure-demo-key]`.
pub fn setup_cmd(out: &Path, insecure_demo: bool) -> Result<()> {
    let started = Instant::now();
    let keys = run_setup(false, insecure_demo)?;
    save_keys(&keys, out)?;
    println!(
        "setup done in {:.1?}: {} constraints, circuit {}",
        started.elapsed(),
        keys.shape.num_constraints,
        &keys.shape.digest_hex()[..16]
    );
    println!(
        "wrote {}/{{{PROVING_KEY},{VERIFYING_KEY},{VERIFYING_KEY_JSON}}}",
        out.display()
    );
    if insecure_demo {
        println!("WARNING: the demo key's randomness is public: anyone can forge proofs under it.");
    } else {
        println!(
            "note: one-party setup; whoever ran it could forge proofs. Use a ceremony in production."
        );
    }
    Ok(())
}

/// `veil contracts verifier --vk FILE --out FILE`.
pub fn verifier_sol_cmd(vk: &Path, out: &Path) -> Result<()> {
    let key = load_any_verifying_key(vk)?;
    let label = vk
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "verifying key".into());
    write_text(
        out,
        &veil_verifier::solidity::groth16_verifier_source(&key, &label),
    )?;
    println!(
        "wrote {} ({} public inputs); compile it with the solc of contracts/",
        out.display(),
        key.gamma_abc_g1.len().saturating_sub(1)
    );
    Ok(())
}

/// Writes the three key files into `dir`.
pub fn save_keys(keys: &Keys, dir: &Path) -> Result<()> {
    Ok(KeysDir::new(dir).save_groth16(&keys.proving_key, &keys.matrices)?)
}

/// `veil issuer keygen`.
pub fn issuer_keygen(out: &Path) -> Result<()> {
    let key = PrivateKey::generate(&mut OsRng);
    write_private_json(out, &IssuerKeyJson::from_key(&key))?;
    println!("issuer key written to {} (keep it private)", out.display());
    Ok(())
}

/// `veil holder keygen`.
pub fn holder_keygen(out: &Path) -> Result<()> {
    let doc = HolderJson::from_secret(F::rand(&mut OsRng));
    write_private_json(out, &doc)?;
    println!(
        "holder secret written to {}; give the issuer the commitment:",
        out.display()
    );
    println!("{}", doc.commitment);
    Ok(())
}

/// The claims a KYC provider asserts, as given on the command line.
pub struct IssueArgs<'a> {
    /// The holder's commitment, decimal.
    pub holder: &'a str,
    /// Birth date.
    pub birth_date: &'a str,
    /// ISO numeric country.
    pub country: u16,
    /// KYC level.
    pub kyc_level: u8,
    /// Risk score.
    pub risk_score: u16,
    /// Subject type.
    pub subject_type: u8,
    /// Issue date (default today).
    pub issued: Option<&'a str>,
    /// Validity in days.
    pub valid_days: u32,
}

/// The claims from the command line, with a fresh credential id.
pub fn new_claims(a: &IssueArgs) -> Result<Claims> {
    let issued_at = match a.issued {
        Some(d) => dates::parse_day(d)?,
        None => dates::today(),
    };
    Ok(Claims {
        schema: schema_hash(SCHEMA)?,
        holder: field_from_decimal(a.holder).context("--holder")?,
        credential_id: veil_circuits::statement::random_credential_id(&mut OsRng),
        birth_date: dates::parse_day(a.birth_date).context("--birth-date")?,
        country: a.country,
        kyc_level: a.kyc_level,
        risk_score: veil_circuits::statement::risk_score(a.risk_score)?,
        subject_type: a.subject_type,
        issued_at,
        expires_at: issued_at
            .checked_add(a.valid_days)
            .context("--valid-days overflows")?,
    })
}

/// Signs a credential: the claims, a fresh credential id, the issuer's
/// signature on their hash.
pub fn issue_credential(key: &PrivateKey, a: &IssueArgs) -> Result<Credential> {
    let claims = new_claims(a)?;
    Ok(Credential {
        claims,
        issuer: key.public_key(),
        signature: key.sign(claims.hash()),
    })
}

/// Who signs a new credential.
pub enum IssuerSource<'a> {
    /// A single key file.
    Key(&'a Path),
    /// A threshold group: write a signing request instead.
    Group(&'a Path),
}

/// `veil issue`.
pub fn issue_cmd(
    source: IssuerSource,
    args: &IssueArgs,
    out: &Path,
    records: Option<(&Path, &Path)>,
) -> Result<()> {
    let issuer_key = match source {
        IssuerSource::Key(k) => k,
        IssuerSource::Group(g) => {
            let group: veil_did::frost::IssuerGroup = read_json(g)?;
            group
                .public_key()
                .with_context(|| format!("{}", g.display()))?;
            let claims = new_claims(args)?;
            let request = veil_did::frost::SigningRequest::new(&claims, &group.public_key);
            write_json(out, &request)?;
            println!(
                "signing request for credential {} written to {}: {} of the group's {} officers sign it (veil issuer sign-round1/sign-round2/aggregate)",
                field_to_decimal(&claims.credential_id),
                out.display(),
                group.threshold,
                group.members.len()
            );
            return Ok(());
        }
    };
    let key = read_document(issuer_key, IssuerKeyJson::to_key)?;
    let subject = records
        .map(|(_, subject)| crate::issuer::read_subject(subject))
        .transpose()?;
    let credential = issue_credential(&key, args)?;
    write_json(out, &CredentialJson::from_credential(&credential))?;
    if let (Some((store, _)), Some(subject)) = (records, subject) {
        let id = field_to_decimal(&credential.claims.credential_id);
        crate::issuer::record_issuance(store, &id, subject)?;
        println!(
            "KYC record kept under credential {id} in {}",
            store.display()
        );
    }
    println!(
        "credential {} issued, valid {} to {}, written to {}",
        field_to_decimal(&credential.claims.credential_id),
        dates::iso(credential.claims.issued_at),
        dates::iso(credential.claims.expires_at),
        out.display()
    );
    Ok(())
}

/// Parses a comma-separated list of numbers.
pub fn parse_list(s: &str) -> Result<Vec<u16>> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.trim()
                .parse::<u16>()
                .with_context(|| format!("{p:?} in {s:?}"))
        })
        .collect()
}

/// `veil policy new`.
pub fn policy_cmd(
    regulator: &Path,
    min_age_years: u32,
    max_risk: u16,
    min_kyc_level: u8,
    subject_types: &str,
    barred: &str,
    out: &Path,
) -> Result<()> {
    let regulator_key = veil_regulator::keys::public_key_of(regulator)?;
    let mut mask = 0u8;
    for t in parse_list(subject_types)? {
        if t > 7 {
            bail!("subject types are 0..=7, got {t}");
        }
        mask |= 1 << t;
    }
    let policy = Policy {
        schema: veil_circuits::statement::KYC_SCHEMA.into(),
        min_age_days: veil_circuits::day::min_age_days(min_age_years),
        max_risk,
        min_kyc_level,
        subject_type_mask: mask,
        barred_countries: parse_list(barred)?,
        regulator_key: regulator_key
            .to_key("regulator public_key")
            .with_context(|| format!("{}", regulator.display()))?,
    };
    let hash = policy.hash()?;
    write_json(out, &PolicyJson::from_policy(&policy))?;
    println!(
        "policy {} written to {}",
        field_to_decimal(&hash),
        out.display()
    );
    Ok(())
}

/// The files `veil prove` reads.
pub struct ProveArgs<'a> {
    /// The proving system.
    pub system: ProvingSystem,
    /// Directory of `veil setup`.
    pub keys: &'a Path,
    /// The credential.
    pub credential: &'a Path,
    /// The holder's secret.
    pub holder: &'a Path,
    /// The verifier's policy.
    pub policy: &'a Path,
    /// Trusted issuers.
    pub issuers: &'a Path,
    /// Revoked ids.
    pub revoked: &'a Path,
    /// Payment context.
    pub context: &'a Path,
}

/// `veil prove`.
pub fn prove_cmd(a: &ProveArgs, out: &Path) -> Result<()> {
    let credential = read_document(a.credential, CredentialJson::to_credential)?;
    let holder = read_document(a.holder, HolderJson::to_secret)?;
    let policy = read_document(a.policy, PolicyJson::to_policy)?;
    let issuers = read_document(a.issuers, IssuerListJson::to_keys)?;
    let revoked = read_document(a.revoked, RevocationListJson::to_ids)?;
    let context = read_document(a.context, PaymentContextJson::to_context)?;
    let registry = Registry::new(&issuers, &revoked)?;
    let witness = registry
        .witness(
            credential,
            holder,
            policy,
            context,
            escrow_randomness(&mut OsRng),
        )
        .context("cannot prove")?;
    let prover = load_prover(a.system, a.keys)?;
    let started = Instant::now();
    let (proof, public) = prover.prove(witness, &mut OsRng)?;
    let elapsed = started.elapsed();
    write_any_proof_files(out, &proof, &public)?;
    println!(
        "proved with {} in {elapsed:.1?}; wrote proof.json, public.json, calldata.txt to {}",
        a.system,
        out.display()
    );
    Ok(())
}

/// The prover of `system` for the keys in `dir`.
pub fn load_prover(system: ProvingSystem, dir: &Path) -> Result<SystemProver> {
    SystemProver::load(&KeysDir::new(dir), system)
        .with_context(|| format!("loading the {system} keys in {}", dir.display()))
}

/// Writes `proof.json` (snarkjs's for Groth16, veil's with its system for
/// halo2), `public.json` and `calldata.txt` (the generated EVM verifier's
/// arguments) into `dir`, for a proof of either system.
pub fn write_any_proof_files(dir: &Path, proof: &SystemProof, public: &PublicInputs) -> Result<()> {
    write_text(
        &in_dir(dir, "proof.json")?,
        &veil_verifier::proof_to_json(proof),
    )?;
    write_text(
        &in_dir(dir, "public.json")?,
        &snarkjs::public_to_string(&public.to_vec()),
    )?;
    let calldata = veil_verifier::evm::calldata_text(proof, public)?;
    write_text(&in_dir(dir, "calldata.txt")?, &format!("{calldata}\n"))
}

/// The verifying key for proofs of `system`: `vk` itself for Groth16; the
/// halo2 keys in `vk`'s directory for halo2.
pub fn load_system_key(system: ProvingSystem, vk: &Path) -> Result<SystemKey> {
    Ok(SystemKey::from_keys(veil_system::load_verifier_keys(
        system, vk,
    )?)?)
}

/// The system a verifying-key path is for ([`veil_system::key_system`]).
pub use veil_system::key_system;

/// `veil verify`: the proof (of the system its file names), then (if given)
/// that it is for this policy and this payment.
pub fn verify_cmd(vk: &Path, check: &ProofToCheck) -> Result<()> {
    // The key first (its file says its system), so a bad key is named
    // before the proof files are read; a proof of the other system is then
    // refused as WrongSystem.
    let key = load_system_key(key_system(vk), vk)?;
    let (proof, inputs) = crate::halo2::read_proof_files(&check.proof, &check.public)?;
    let policy = check
        .policy
        .as_deref()
        .map(|p| read_document(p, PolicyJson::to_policy))
        .transpose()?;
    let context = check
        .context
        .as_deref()
        .map(|c| read_document(c, PaymentContextJson::to_context))
        .transpose()?;
    if let Some(mismatch) = inputs.binding_mismatch(policy.as_ref(), context.as_ref())? {
        let file = match mismatch {
            BindingMismatch::Policy => &check.policy,
            _ => &check.context,
        };
        let named = file
            .as_deref()
            .map(|f| format!(" than {}", f.display()))
            .unwrap_or_default();
        bail!("{mismatch}{named}");
    }
    let started = Instant::now();
    key.verify_statement(&proof, &inputs)?;
    println!(
        "valid {} proof ({:.2?}); nullifier {}",
        proof.system(),
        started.elapsed(),
        field_to_decimal(&inputs.nullifier)
    );
    Ok(())
}

/// The trusted-issuer list document for `keys`.
pub fn issuer_list(keys: &[veil_circuits::eddsa::PublicKey]) -> IssuerListJson {
    IssuerListJson {
        issuers: keys.iter().map(PointJson::from_key).collect(),
    }
}
