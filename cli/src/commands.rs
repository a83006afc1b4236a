//! The subcommands other than the demo: each reads its files, calls the
//! library, and writes its files. No cryptography lives here.

use crate::files::*;
use anyhow::{bail, Context, Result};
use ark_ff::UniformRand;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::OsRng;
use std::path::Path;
use std::time::{Duration, Instant};
use veil_circuits::eddsa::PrivateKey;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::*;
use veil_circuits::statement::{BindingMismatch, PublicInputs};
use veil_circuits::F;
use veil_prover::{
    insecure_demo_setup, setup, Keys, ProvingSystem, SetupStage, SystemProof, SystemProver,
};
use veil_system::KeysDir;
use veil_verifier::{snarkjs, SystemKey};

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
    Ok(write_text(
        &in_dir(dir, "calldata.txt")?,
        &format!("{calldata}\n"),
    )?)
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
