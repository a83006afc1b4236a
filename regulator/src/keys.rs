//! The regulator's escrow key: made whole or split t-of-n between officials
//! (the whole key is then never written) and its public half for policies.
//! Nothing here decrypts: an escrow is opened only through a logged
//! disclosure (`disclose`, `release`, `open`).

use anyhow::{Context, Result};
use ark_ff::UniformRand;
use rand::rngs::OsRng;
use std::path::Path;
use veil_audit::threshold::split;
use veil_circuits::babyjubjub::Scalar;
use veil_circuits::shamir::Threshold;
use veil_circuits::statement::files::{write_json, write_private_json, RegulatorKeyJson};

/// `keygen`: one key into `out`, or (with `threshold` "T/N") a t-of-n split
/// into the directory `out`.
pub fn keygen(out: &Path, threshold: Option<Threshold>) -> Result<()> {
    let secret = Scalar::rand(&mut OsRng);
    let Some(spec) = threshold else {
        write_private_json(out, &RegulatorKeyJson::from_secret(&secret))?;
        println!(
            "regulator key written to {} (keep it private)",
            out.display()
        );
        return Ok(());
    };
    let Threshold { t, n } = spec;
    let (group, shares) = split(&secret, t, n, &mut OsRng)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_json(&out.join("group.json"), &group)?;
    for share in &shares {
        write_private_json(&out.join(format!("share-{}.json", share.index)), share)?;
    }
    println!(
        "regulator key split {t}-of-{n} into {}: group.json (public: use it for `veil policy new --regulator`) and share-1.json … share-{n}.json (one per official, each private); the whole key was never written",
        out.display()
    );
    Ok(())
}
