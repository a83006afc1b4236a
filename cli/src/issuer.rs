//! `veil issuer …` for a threshold issuer: a FROST group over Baby Jubjub.
//! The DKG and both signing rounds run over files, one participant per
//! command, so each officer can run theirs on their own machine and pass
//! only public files (packages, commitments, signature shares) and the
//! private point-to-point DKG shares between them. `keygen --threshold`
//! runs every participant of the DKG in one process, for tests and demos.

use crate::dates;
use crate::files::*;
use anyhow::{bail, Context, Result};
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use veil_audit::disclosure::DisclosureRequest;
use veil_circuits::encoding::field_from_decimal;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::shamir::Threshold;
use veil_circuits::statement::files::IssuerKeyJson;
use veil_circuits::statement::files::{CredentialJson, IssuerListJson};
use veil_issuer::disclosure;
use veil_issuer::frost::dkg::ShareMessage;
use veil_issuer::frost::*;
use veil_issuer::issuance::{self, ClaimRequest};
use veil_issuer::records::IssuerRecords;

fn params(threshold: Threshold, context: &str) -> Result<DkgParameters> {
    Ok(DkgParameters {
        threshold: threshold.t,
        members: threshold.n,
        context: context.into(),
    })
}

/// `veil issuer keygen --threshold T/N --out-dir DIR`: the whole DKG in one
/// process; writes `group.json` and `share-I.json` (0600) per participant.
pub fn keygen_local(threshold: Threshold, context: &str, out_dir: &Path) -> Result<()> {
    let p = params(threshold, context)?;
    let mut secrets = Vec::new();
    let mut packages = Vec::new();
    for i in 1..=p.members {
        let (s, pkg) = dkg_round1(&p, i, &mut OsRng)?;
        secrets.push(s);
        packages.push(pkg);
    }
    let mut messages = Vec::new();
    for s in &secrets {
        messages.extend(dkg_round2(s, &packages)?);
    }
    let mut group = None;
    for s in &secrets {
        let inbox: Vec<ShareMessage> = messages
            .iter()
            .filter(|m| m.to == s.index)
            .cloned()
            .collect();
        let share = dkg_finish(s, &packages, &inbox)?;
        write_private_json(
            &in_dir(out_dir, &format!("share-{}.json", s.index))?,
            &share,
        )?;
        group = Some(share.group);
    }
    let group = group.context("no participants")?;
    write_json(&in_dir(out_dir, "group.json")?, &group)?;
    println!(
        "issuer group {}-of-{} (context {:?}): public key x={} written to {}/group.json, shares to share-1..{}.json",
        p.threshold,
        p.members,
        p.context,
        group.public_key.x,
        out_dir.display(),
        p.members
    );
    println!("each share file belongs to one officer; the group key itself was never formed");
    Ok(())
}

/// `veil issuer dkg-round1`: this participant's polynomial; writes
/// `dkg-secret-I.json` (private, keep until dkg-finish) and
/// `dkg-package-I.json` (send to every participant).
pub fn dkg_round1_cmd(
    index: u32,
    threshold: Threshold,
    context: &str,
    out_dir: &Path,
) -> Result<()> {
    let (secret, package) = dkg_round1(&params(threshold, context)?, index, &mut OsRng)?;
    write_private_json(
        &in_dir(out_dir, &format!("dkg-secret-{index}.json"))?,
        &secret,
    )?;
    write_json(
        &in_dir(out_dir, &format!("dkg-package-{index}.json"))?,
        &package,
    )?;
    println!(
        "wrote {0}/dkg-secret-{index}.json (private) and {0}/dkg-package-{index}.json (broadcast it)",
        out_dir.display()
    );
    Ok(())
}

fn read_secret(path: &Path) -> Result<Round1Secret> {
    Ok(read_json(path)?)
}

/// `veil issuer dkg-round2`: checks every package; writes
/// `dkg-share-I-to-J.json` for each other participant J (send each privately).
pub fn dkg_round2_cmd(secret: &Path, packages: &[PathBuf], out_dir: &Path) -> Result<()> {
    let me = read_secret(secret)?;
    let packages: Vec<Round1Package> = read_json_list(packages)?;
    let messages = dkg_round2(&me, &packages)?;
    for m in &messages {
        write_private_json(
            &in_dir(out_dir, &format!("dkg-share-{}-to-{}.json", m.from, m.to))?,
            m,
        )?;
    }
    println!(
        "all {} packages verified; wrote {} shares to {} (send dkg-share-{}-to-J.json to participant J only)",
        packages.len(),
        messages.len(),
        out_dir.display(),
        me.index
    );
    Ok(())
}

/// `veil issuer dkg-finish`: checks the shares received; writes this
/// participant's key share and the group, and deletes the round-1 secret.
pub fn dkg_finish_cmd(
    secret: &Path,
    packages: &[PathBuf],
    shares: &[PathBuf],
    out: &Path,
    group_out: &Path,
) -> Result<()> {
    let me = read_secret(secret)?;
    let packages: Vec<Round1Package> = read_json_list(packages)?;
    let received: Vec<ShareMessage> = read_json_list(shares)?;
    let share = dkg_finish(&me, &packages, &received)?;
    write_private_json(out, &share)?;
    write_json(group_out, &share.group)?;
    std::fs::remove_file(secret)
        .with_context(|| format!("key share written, but {} not deleted", secret.display()))?;
    println!(
        "participant {}: key share written to {} (private); group key x={} in {}",
        share.index,
        out.display(),
        share.group.public_key.x,
        group_out.display()
    );
    Ok(())
}

/// `veil issuer sign-round1`: fresh nonces (`nonces-I.json`, private, single
/// use) and their commitment (`commitment-I.json`, for the coordinator).
pub fn sign_round1_cmd(share: &Path, out_dir: &Path) -> Result<()> {
    let share: KeyShare = read_json(share)?;
    let (nonces, commitment) = sign_round1(&share, &mut OsRng)?;
    let i = share.index;
    write_private_json(&in_dir(out_dir, &format!("nonces-{i}.json"))?, &nonces)?;
    write_json(
        &in_dir(out_dir, &format!("commitment-{i}.json"))?,
        &commitment,
    )?;
    println!(
        "wrote {0}/nonces-{i}.json (private, used once) and {0}/commitment-{i}.json",
        out_dir.display()
    );
    Ok(())
}

/// `veil issuer sign-round2`: this signer's share of the signature on the
/// request. The nonces file is deleted before anything else, so it can
/// never sign twice.
pub fn sign_round2_cmd(
    share: &Path,
    nonces: &Path,
    request: &Path,
    commitments: &[PathBuf],
    out: &Path,
) -> Result<()> {
    let key: KeyShare = read_json(share)?;
    let n: SigningNonces = read_json(nonces)?;
    std::fs::remove_file(nonces)
        .with_context(|| format!("cannot delete {} (nonces are single-use)", nonces.display()))?;
    let request: SigningRequest = read_json(request)?;
    let pkg = request.package(&key.group, read_json_list(commitments)?)?;
    let answer = sign_round2(&key, n, &pkg)?;
    write_json(out, &answer)?;
    println!(
        "participant {} signed credential {}; share written to {}",
        key.index,
        request.claims.credential_id,
        out.display()
    );
    Ok(())
}

/// `veil issuer aggregate`: checks each signer's share (naming a cheat) and
/// writes the signed credential.
pub fn aggregate_cmd(
    group: &Path,
    request: &Path,
    commitments: &[PathBuf],
    shares: &[PathBuf],
    out: &Path,
) -> Result<()> {
    let group: IssuerGroup = read_json(group)?;
    let request: SigningRequest = read_json(request)?;
    let pkg = request.package(&group, read_json_list(commitments)?)?;
    let answers: Vec<SignatureShare> = read_json_list(shares)?;
    let signature = aggregate(&group, &pkg, &answers)?;
    let credential = request.credential(signature)?;
    write_json(out, &CredentialJson::from_credential(&credential))?;
    println!(
        "credential {} signed by {} of the {}-of-{} group, written to {}",
        field_to_decimal(&credential.claims.credential_id),
        answers.len(),
        group.threshold,
        group.members.len(),
        out.display()
    );
    Ok(())
}

/// `veil issuer trust`: adds or removes an issuer key (a key, group or share
/// file) in a trusted-issuer list, the leaves of the issuers tree.
pub fn trust_cmd(list: &Path, add: &[PathBuf], remove: &[PathBuf]) -> Result<()> {
    let mut doc = if list.exists() {
        read_json::<IssuerListJson>(list)?
    } else {
        IssuerListJson { issuers: vec![] }
    };
    for path in add {
        let key = public_key_of(path)?;
        key.to_key("public_key")
            .with_context(|| format!("{}", path.display()))?;
        if doc.issuers.contains(&key) {
            bail!("{} is already trusted", path.display());
        }
        doc.issuers.push(key);
    }
    for path in remove {
        let key = public_key_of(path)?;
        let before = doc.issuers.len();
        doc.issuers.retain(|k| *k != key);
        if doc.issuers.len() == before {
            bail!("{} is not in {}", path.display(), list.display());
        }
    }
    write_json(list, &doc)?;
    println!(
        "{} now trusts {} issuer key(s)",
        list.display(),
        doc.issuers.len()
    );
    Ok(())
}

/// `veil issuer …`.
#[derive(clap::Subcommand)]
pub enum IssuerCommand {
    /// Make a new Baby Jubjub issuer key; or, with --threshold, run a whole
    /// t-of-n DKG locally (each officer's share in its own file; for a
    /// distributed ceremony use dkg-round1/dkg-round2/dkg-finish).
    Keygen {
        /// Output file (single key).
        #[arg(long, required_unless_present = "threshold")]
        out: Option<PathBuf>,
        /// T/N, e.g. 2/3.
        #[arg(long)]
        threshold: Option<Threshold>,
        /// Directory for group.json and the shares.
        #[arg(long, default_value = "issuer-group")]
        out_dir: PathBuf,
        /// The DKG's context (use the issuer's DID).
        #[arg(long, default_value = "veil issuer")]
        context: String,
    },
    /// DKG round 1 for one participant: writes its secret and its package.
    DkgRound1 {
        /// This participant's index, 1..=N.
        #[arg(long)]
        index: u32,
        /// T/N.
        #[arg(long)]
        threshold: Threshold,
        /// The DKG's context (the same for everyone; use the issuer's DID).
        #[arg(long)]
        context: String,
        /// Output directory.
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
    },
    /// DKG round 2: checks all N packages, writes a private share for each
    /// other participant.
    DkgRound2 {
        /// dkg-secret-I.json.
        #[arg(long)]
        secret: PathBuf,
        /// All N packages, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        packages: Vec<PathBuf>,
        /// Output directory.
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
    },
    /// DKG finish: checks the shares received, writes this participant's
    /// key share and the group.
    DkgFinish {
        /// dkg-secret-I.json (deleted on success).
        #[arg(long)]
        secret: PathBuf,
        /// All N packages, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        packages: Vec<PathBuf>,
        /// The N−1 shares addressed to this participant, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        shares: Vec<PathBuf>,
        /// Output: the key share (private).
        #[arg(long)]
        out: PathBuf,
        /// Output: the group (public).
        #[arg(long, default_value = "group.json")]
        group_out: PathBuf,
    },
    /// Signing round 1: fresh nonces and their commitment.
    SignRound1 {
        /// This participant's share-I.json.
        #[arg(long)]
        share: PathBuf,
        /// Output directory.
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
    },
    /// Signing round 2: this participant's signature share on a request.
    SignRound2 {
        /// This participant's share-I.json.
        #[arg(long)]
        share: PathBuf,
        /// Its nonces-I.json from round 1 (deleted: single use).
        #[arg(long)]
        nonces: PathBuf,
        /// The signing request (`veil issue --group`).
        #[arg(long)]
        request: PathBuf,
        /// The signing set's commitments, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        commitments: Vec<PathBuf>,
        /// Output: the signature share.
        #[arg(long)]
        out: PathBuf,
    },
    /// Combines the signature shares into the signed credential; a bad
    /// share names its signer.
    Aggregate {
        /// group.json.
        #[arg(long)]
        group: PathBuf,
        /// The signing request.
        #[arg(long)]
        request: PathBuf,
        /// The signing set's commitments, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        commitments: Vec<PathBuf>,
        /// The signature shares, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        shares: Vec<PathBuf>,
        /// Output: the credential.
        #[arg(long, default_value = "credential.json")]
        out: PathBuf,
    },
    /// Adds or removes issuer keys in a trusted-issuer list (rotation: add
    /// the new key, later remove the old one).
    Trust {
        /// The list ({"issuers": [...]}); created if absent.
        #[arg(long)]
        list: PathBuf,
        /// Key, group or share file to trust (repeatable).
        #[arg(long)]
        add: Vec<PathBuf>,
        /// Key, group or share file to stop trusting (repeatable).
        #[arg(long)]
        remove: Vec<PathBuf>,
    },
    /// Answer a regulator's disclosure request from the KYC records, after
    /// checking it is in the log (signed heads, inclusion proofs) and that
    /// the regulator's partial decryptions open the entry's escrow.
    Disclose {
        /// The KYC record store (`veil issue --records`).
        #[arg(long)]
        records: PathBuf,
        /// The request (`veil regulator disclose`).
        #[arg(long)]
        request: PathBuf,
        /// The did:key of the log the issuer trusts.
        #[arg(long)]
        log_id: String,
        /// Output: the disclosure.
        #[arg(long, default_value = "disclosure.json")]
        out: PathBuf,
    },
}

/// Runs one `veil issuer` command.
pub fn run(command: IssuerCommand) -> Result<()> {
    match command {
        IssuerCommand::Keygen {
            threshold: Some(t),
            out_dir,
            context,
            ..
        } => keygen_local(t, &context, &out_dir),
        IssuerCommand::Keygen { out, .. } => {
            crate::commands::issuer_keygen(&out.context("--out is required")?)
        }
        IssuerCommand::DkgRound1 {
            index,
            threshold,
            context,
            out_dir,
        } => dkg_round1_cmd(index, threshold, &context, &out_dir),
        IssuerCommand::DkgRound2 {
            secret,
            packages,
            out_dir,
        } => dkg_round2_cmd(&secret, &packages, &out_dir),
        IssuerCommand::DkgFinish {
            secret,
            packages,
            shares,
            out,
            group_out,
        } => dkg_finish_cmd(&secret, &packages, &shares, &out, &group_out),
        IssuerCommand::SignRound1 { share, out_dir } => sign_round1_cmd(&share, &out_dir),
        IssuerCommand::SignRound2 {
            share,
            nonces,
            request,
            commitments,
            out,
        } => sign_round2_cmd(&share, &nonces, &request, &commitments, &out),
        IssuerCommand::Aggregate {
            group,
            request,
            commitments,
            shares,
            out,
        } => aggregate_cmd(&group, &request, &commitments, &shares, &out),
        IssuerCommand::Trust { list, add, remove } => trust_cmd(&list, &add, &remove),
        IssuerCommand::Disclose {
            records,
            request,
            log_id,
            out,
        } => disclose_cmd(&records, &request, &log_id, &out),
    }
}

/// `veil issuer disclose`: checks a regulator's request and answers it from
/// the issuer's KYC records.
pub fn disclose_cmd(records: &Path, request: &Path, log_id: &str, out: &Path) -> Result<()> {
    let request: DisclosureRequest = read_json(request)?;
    let store =
        IssuerRecords::open(records).with_context(|| format!("records {}", records.display()))?;
    let answer = disclosure::answer(&request, log_id, &store)?;
    write_json(out, &answer)?;
    println!(
        "request checked (logged as entry {}, grounds {:?}); credential {} disclosed to {}",
        answer.record_index,
        answer.grounds,
        answer.credential_id,
        out.display()
    );
    Ok(())
}

/// `veil issue`'s flags: a ZK credential for a holder's commitment.
#[derive(clap::Args)]
pub struct IssueArgs {
    /// Issuer key file.
    #[arg(long, required_unless_present = "group")]
    issuer_key: Option<PathBuf>,
    /// A threshold issuer's group.json instead: writes the signing
    /// request (claims, no signature) to --out for `veil issuer
    /// sign-round2` and `aggregate`.
    #[arg(long, conflicts_with_all = ["issuer_key", "records"])]
    group: Option<PathBuf>,
    /// The holder's commitment (decimal), from `veil holder keygen`.
    #[arg(long)]
    holder: String,
    /// Birth date, YYYY-MM-DD.
    #[arg(long)]
    birth_date: String,
    /// The holder's full name, as the KYC check established it: the
    /// credential carries the sanctions-screening key made from it and the
    /// birth date, never the name.
    #[arg(long)]
    name: String,
    /// ISO 3166-1 numeric country code.
    #[arg(long)]
    country: u16,
    /// 1 basic, 2 enhanced, 3 KYB.
    #[arg(long)]
    kyc_level: u8,
    /// 0 (none) to 1000 (severe).
    #[arg(long)]
    risk_score: u16,
    /// 0 person, 1 business, 2 machine.
    #[arg(long, default_value_t = 0)]
    subject_type: u8,
    /// Issue date, YYYY-MM-DD (default today).
    #[arg(long)]
    issued: Option<String>,
    /// Days of validity.
    #[arg(long, default_value_t = 365)]
    valid_days: u32,
    /// Output file.
    #[arg(long, default_value = "credential.json")]
    out: PathBuf,
    /// The issuer's KYC record store: keep the subject's record under the
    /// new credential id, for answering disclosures.
    #[arg(long, requires = "subject")]
    records: Option<PathBuf>,
    /// The subject's KYC record (JSON: name, documents, checks…).
    #[arg(long, requires = "records")]
    subject: Option<PathBuf>,
}

impl IssueArgs {
    /// The claims asked for, dates read with the statement's calendar.
    fn claim_request(&self) -> Result<ClaimRequest> {
        Ok(ClaimRequest {
            holder: field_from_decimal(&self.holder).context("--holder")?,
            birth_date: dates::parse_day(&self.birth_date).context("--birth-date")?,
            country: self.country,
            kyc_level: self.kyc_level,
            risk_score: self.risk_score,
            subject_type: self.subject_type,
            issued_at: match &self.issued {
                Some(d) => dates::parse_day(d).context("--issued")?,
                None => dates::today(),
            },
            valid_days: self.valid_days,
            name: self.name.clone(),
        })
    }
}

/// Runs `veil issue`: one key signs, or a threshold group gets a signing
/// request.
pub fn issue(a: IssueArgs) -> Result<()> {
    // The signer's file first: a wrong key file is named before any claim.
    if let Some(g) = &a.group {
        let group: IssuerGroup = read_json(g)?;
        let signing = issuance::signing_request(&group, &a.claim_request()?, &mut OsRng)
            .with_context(|| format!("{}", g.display()))?;
        write_json(&a.out, &signing)?;
        println!(
            "signing request for credential {} written to {}: {} of the group's {} officers sign it (veil issuer sign-round1/sign-round2/aggregate)",
            signing.claims.credential_id,
            a.out.display(),
            group.threshold,
            group.members.len()
        );
        return Ok(());
    }
    let key_path = a
        .issuer_key
        .as_deref()
        .context("give --issuer-key or --group")?;
    let key = read_document(key_path, IssuerKeyJson::to_key)?;
    let request = a.claim_request()?;
    let records = match &a.records {
        Some(dir) => {
            Some(IssuerRecords::open(dir).with_context(|| format!("records {}", dir.display()))?)
        }
        None => None,
    };
    let subject = a
        .subject
        .as_deref()
        .map(read_json::<serde_json::Value>)
        .transpose()?;
    let credential = issuance::issue(&key, &request, records.as_ref().zip(subject), &mut OsRng)?;
    write_json(&a.out, &CredentialJson::from_credential(&credential))?;
    let id = field_to_decimal(&credential.claims.credential_id);
    if let Some(dir) = &a.records {
        println!("KYC record kept under credential {id} in {}", dir.display());
    }
    println!(
        "credential {id} issued, valid {} to {}, written to {}",
        dates::iso(credential.claims.issued_at),
        dates::iso(credential.claims.expires_at),
        a.out.display()
    );
    Ok(())
}
