//! The regulator's escrow key: made whole or split t-of-n between officials
//! (the whole key is then never written) and its public half for policies.
//! Nothing here decrypts: an escrow is opened only through a logged
//! disclosure (`disclose`, `release`, `open`).

use crate::files::{read_json, write_json, write_private_json};
use anyhow::{Context, Result};
use ark_ff::UniformRand;
use rand::rngs::OsRng;
use std::path::Path;
use veil_audit::threshold::split;
use veil_circuits::babyjubjub::Scalar;
use veil_circuits::statement::files::{PointJson, RegulatorKeyJson};

/// `keygen`: one key into `out`, or (with `threshold` "T/N") a t-of-n split
/// into the directory `out`.
pub fn keygen(out: &Path, threshold: Option<&str>) -> Result<()> {
    let secret = Scalar::rand(&mut OsRng);
    let Some(spec) = threshold else {
        write_private_json(out, &RegulatorKeyJson::from_secret(&secret))?;
        println!(
            "regulator key written to {} (keep it private)",
            out.display()
        );
        return Ok(());
    };
    let (t, n) = spec
        .split_once('/')
        .and_then(|(t, n)| Some((t.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)))
        .with_context(|| format!("--threshold {spec:?}: expected T/N, e.g. 2/3"))?;
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

/// The public escrow key in a regulator key, group or share file.
pub fn public_key_of(path: &Path) -> Result<PointJson> {
    let value: serde_json::Value = read_json(path)?;
    let key = value
        .get("public_key")
        .or_else(|| value.get("group").and_then(|g| g.get("public_key")))
        .with_context(|| {
            format!(
                "{}: no public_key (expected a regulator key, group or share file)",
                path.display()
            )
        })?;
    serde_json::from_value(key.clone()).with_context(|| format!("{}: public_key", path.display()))
}
