//! `veil did …` and `veil vc …`: the identity layer (`veil-did`) from the
//! command line. DIDs live in a `did:veil` registry and revocation state in
//! an issuer store, both RocksDB under `--db` (default: the user's data
//! directory).

use crate::files::*;
use crate::signing::{self, HsmArgs};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use veil_circuits::encoding::{field_from_decimal, field_to_decimal};
use veil_circuits::statement::files::{CredentialJson, IssuerKeyJson};
use veil_did::local::{LocalIdentity, Resolving};
use veil_did::vc::{self, Format, Issuer, StatusEntry};
use veil_did::web::WebDid;
use veil_did::Signer;
use veil_did::{resolver, BabyJubJubPoint, ControllerKey, MethodSpec, Patch};
use veil_issuer::signer::file::{EncryptedKeyFile, KdfCost};
use veil_issuer::signer::pkcs11::Pkcs11Signer;
use veil_issuer::status::StatusStore;

/// The default database directory: `<data dir>/veil`.
pub fn default_db() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("veil")
}

fn open_status(db: &Path) -> Result<StatusStore> {
    std::fs::create_dir_all(db).with_context(|| format!("creating {}", db.display()))?;
    StatusStore::open(&db.join("status"))
        .with_context(|| format!("opening {}/status", db.display()))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn read_key(path: &Path) -> Result<ControllerKey> {
    let text = read_text(path)?;
    ControllerKey::from_json(&text).with_context(|| format!("{}", path.display()))
}

/// The Baby Jubjub public key of an issuer key file or a threshold group
/// (group or share file), checked.
fn bjj_point(issuer_key: &Path) -> Result<BabyJubJubPoint> {
    let point = public_key_of(issuer_key)?;
    point
        .to_key("public_key")
        .with_context(|| format!("{}", issuer_key.display()))?;
    Ok(BabyJubJubPoint {
        x: point.x,
        y: point.y,
    })
}

/// `veil did keygen`: an Ed25519 key as a private JWK, an encrypted key
/// file, or generated inside an HSM.
pub fn did_keygen(out: Option<&Path>, encrypt: bool, hsm: &HsmArgs) -> Result<()> {
    if let Some(config) = hsm.config()? {
        if out.is_some() {
            bail!("an HSM key stays in the HSM: drop --out");
        }
        let signer = Pkcs11Signer::generate(&config)?;
        println!(
            "generated {} (public {})",
            Signer::describe(&signer),
            Signer::public_multibase(&signer)?
        );
        return Ok(());
    }
    let out = out.context("--out is required")?;
    let key = ControllerKey::generate()?;
    if encrypt {
        let passphrase = std::env::var(crate::signing::PASSPHRASE_ENV).with_context(|| {
            format!(
                "--encrypt reads the passphrase from ${}",
                crate::signing::PASSPHRASE_ENV
            )
        })?;
        EncryptedKeyFile::seal(&key, passphrase.as_bytes(), KdfCost::default())?.write(out)?;
    } else {
        write_private_json(out, key.jwk())?;
    }
    println!(
        "wrote {}{} (public {})",
        out.display(),
        if encrypt { ", encrypted" } else { "" },
        key.public_multibase()?
    );
    Ok(())
}

/// `veil did create`'s flags: what goes into the new document.
#[derive(Args)]
pub struct CreateArgs {
    /// Controller key (JWK).
    #[arg(long)]
    pub key: PathBuf,
    /// Ed25519 key for signing credentials (added as #vc-1): a JWK or
    /// encrypted key file.
    #[arg(long)]
    pub vc_key: Option<PathBuf>,
    /// Or the #vc-1 key in an HSM.
    #[command(flatten)]
    pub hsm: signing::HsmArgs,
    /// Baby Jubjub issuer key (added as #bjj-1): a key file, or a
    /// threshold issuer's group.json.
    #[arg(long)]
    pub bjj: Option<PathBuf>,
    /// A service, `fragment,type,endpoint` (repeatable).
    #[arg(long)]
    pub service: Vec<String>,
    /// A did:web at `host[:port][/path]` instead of a did:veil: its
    /// did.json goes into the site (--site), to publish at
    /// https://host[:port]/.well-known/did.json or /path/did.json.
    #[arg(long)]
    pub web: Option<String>,
}

fn service_patch(spec: &str) -> Result<Patch> {
    let parts: Vec<&str> = spec.splitn(3, ',').collect();
    let [fragment, kind, endpoint] = parts[..] else {
        bail!("--service {spec:?}: expected fragment,type,endpoint");
    };
    Ok(Patch::AddService {
        fragment: fragment.into(),
        kind: kind.into(),
        endpoint: endpoint.into(),
    })
}

/// `veil did create`: a did:veil in the registry, or (`--web`) a did:web
/// document in the issuer's site, ready to publish.
pub fn did_create(id: &LocalIdentity, a: &CreateArgs) -> Result<()> {
    let key = read_key(&a.key)?;
    let mut methods = Vec::new();
    if a.vc_key.is_some() || a.hsm.hsm_module.is_some() {
        methods.push(MethodSpec::Ed25519 {
            fragment: "vc-1".into(),
            public_key_multibase: crate::signing::public_multibase(a.vc_key.as_deref(), &a.hsm)?,
        });
    }
    if let Some(p) = &a.bjj {
        methods.push(MethodSpec::BabyJubJub {
            fragment: "bjj-1".into(),
            point: bjj_point(p)?,
        });
    }
    let mut services = Vec::new();
    for s in &a.service {
        services.push(service_patch(s)?);
    }
    if let Some(location) = a.web.as_deref() {
        let web = WebDid::from_location(location)?;
        let site = id.site();
        let r = site.create(&web, &key, methods, services)?;
        println!("{}", r.did_document.id);
        eprintln!(
            "publish {} as {} (veil serve --did-web {})",
            site.document_path(&web).display(),
            web.url(),
            site.root().display()
        );
        return Ok(());
    }
    let registry = id.registry()?;
    let controller = key.public_multibase()?;
    let did = veil_did::did_for_key(&controller);
    let op = veil_did::Operation::sign(
        &key,
        &did,
        1,
        veil_did::registry::Action::Create {
            controller,
            methods,
            services,
        },
    )?;
    let r = registry.apply(&op)?;
    println!("{}", r.did_document.id);
    Ok(())
}

/// `veil did resolve DID [--version N] [--resolver URL]`: the W3C
/// resolution result as JSON: a did:veil from the local registry or a
/// remote endpoint, a did:web from its host over HTTPS.
pub fn did_resolve(
    id: &LocalIdentity,
    did: &str,
    version: Option<u64>,
    remote: Option<&str>,
) -> Result<()> {
    let (did, version) = match did.split_once("?versionId=") {
        Some((d, v)) => (d, Some(v.parse().context("versionId is not a number")?)),
        None => (did, version),
    };
    if did.starts_with(veil_did::web::PREFIX) {
        if version.is_some() {
            bail!("did:web has no versions to resolve");
        }
        let outcome = runtime()?.block_on(id.web_resolver()?.resolve(did));
        let result = match &outcome {
            Ok(web) => web.resolution_result(),
            Err(e) => veil_did::resolution::resolution_result(&Err(e.clone())),
        };
        println!("{}", serde_json::to_string_pretty(&result)?);
        return outcome.map(|_| ()).map_err(Into::into);
    }
    let outcome = match remote {
        Some(url) => {
            let endpoint =
                veil_did::remote::RemoteResolver::with_options(url, &id.client_options()?)?;
            runtime()?.block_on(endpoint.resolve(did, version))
        }
        None => id.registry()?.resolve(did, version),
    };
    let result = veil_did::resolution::resolution_result(&outcome);
    println!("{}", serde_json::to_string_pretty(&result)?);
    outcome.map(|_| ()).map_err(Into::into)
}

/// `veil did update`'s flags: what changes.
#[derive(Args)]
pub struct UpdateArgs {
    /// Current controller key.
    #[arg(long)]
    pub key: PathBuf,
    /// The DID.
    #[arg(long)]
    pub did: String,
    /// New controller key (rotation).
    #[arg(long)]
    pub rotate: Option<PathBuf>,
    /// Add an Ed25519 assertion key, `fragment=key.jwk`.
    #[arg(long)]
    pub add_vc_key: Option<String>,
    /// Add a Baby Jubjub key, `fragment=issuer.json`.
    #[arg(long)]
    pub add_bjj: Option<String>,
    /// Add a service, `fragment,type,endpoint` (repeatable).
    #[arg(long)]
    pub add_service: Vec<String>,
    /// Remove a verification method by fragment (repeatable).
    #[arg(long)]
    pub remove_method: Vec<String>,
    /// Remove a service by fragment (repeatable).
    #[arg(long)]
    pub remove_service: Vec<String>,
}

fn fragment_file(spec: &str, flag: &str) -> Result<(String, PathBuf)> {
    let (f, p) = spec
        .split_once('=')
        .with_context(|| format!("{flag} {spec:?}: expected fragment=file"))?;
    Ok((f.into(), PathBuf::from(p)))
}

/// `veil did update`: a did:veil in the registry, a did:web in the site.
pub fn did_update(id: &LocalIdentity, a: &UpdateArgs) -> Result<()> {
    let key = read_key(&a.key)?;
    let mut patches = Vec::new();
    if let Some(spec) = &a.add_vc_key {
        let (fragment, path) = fragment_file(spec, "--add-vc-key")?;
        patches.push(Patch::AddMethod {
            method: MethodSpec::Ed25519 {
                fragment,
                public_key_multibase: crate::signing::public_multibase(
                    Some(&path),
                    &HsmArgs::default(),
                )?,
            },
        });
    }
    if let Some(spec) = &a.add_bjj {
        let (fragment, path) = fragment_file(spec, "--add-bjj")?;
        patches.push(Patch::AddMethod {
            method: MethodSpec::BabyJubJub {
                fragment,
                point: bjj_point(&path)?,
            },
        });
    }
    for s in &a.add_service {
        patches.push(service_patch(s)?);
    }
    for f in &a.remove_method {
        patches.push(Patch::RemoveMethod {
            fragment: f.clone(),
        });
    }
    for f in &a.remove_service {
        patches.push(Patch::RemoveService {
            fragment: f.clone(),
        });
    }
    if let Some(p) = &a.rotate {
        patches.push(Patch::RotateController {
            public_key_multibase: read_key(p)?.public_multibase()?,
        });
    }
    if patches.is_empty() {
        bail!("nothing to update: give at least one change");
    }
    let r = if a.did.starts_with(veil_did::web::PREFIX) {
        id.site().update(&key, &a.did, &patches)?
    } else {
        id.registry()?.update(&key, &a.did, patches)?
    };
    println!(
        "{} now at version {}",
        a.did, r.did_document_metadata.version_id
    );
    Ok(())
}

/// `veil did deactivate`: a did:veil in the registry, a did:web in the
/// site (served 410 Gone from then on).
pub fn did_deactivate(id: &LocalIdentity, key: &Path, did: &str) -> Result<()> {
    let key = read_key(key)?;
    let r = if did.starts_with(veil_did::web::PREFIX) {
        id.site().deactivate(&key, did)?
    } else {
        id.registry()?.deactivate(&key, did)?
    };
    println!(
        "{did} deactivated at version {}",
        r.did_document_metadata.version_id
    );
    Ok(())
}

/// `veil vc issue`'s flags: what the KycCredential carries and who signs it.
#[derive(Args)]
pub struct VcIssueArgs {
    /// credential.json from `veil issue` (or `veil issuer aggregate`):
    /// its ZK signature is carried into the VC.
    #[arg(long)]
    pub credential: PathBuf,
    /// The issuer's Baby Jubjub key file, to check it signed the
    /// credential (optional: a group's credential has no key file).
    #[arg(long)]
    pub issuer_key: Option<PathBuf>,
    /// The issuer's DID.
    #[arg(long)]
    pub did: String,
    /// The Ed25519 assertion key: a JWK or encrypted key file.
    #[arg(long)]
    pub vc_key: Option<PathBuf>,
    /// Or the assertion key in an HSM.
    #[command(flatten)]
    pub hsm: signing::HsmArgs,
    /// Its fragment in the DID document.
    #[arg(long, default_value = "vc-1")]
    pub vc_fragment: String,
    /// The Baby Jubjub key's fragment.
    #[arg(long, default_value = "bjj-1")]
    pub bjj_fragment: String,
    /// The holder's DID.
    #[arg(long)]
    pub holder_did: Option<String>,
    /// URL of the issuer's status list credential.
    #[arg(long, default_value = "https://issuer.example/status/1")]
    pub status_list: String,
    /// `v2` (VC 2.0, eddsa-rdfc-2022) or `v1` (VC 1.1, Ed25519Signature2020).
    #[arg(long, default_value = "v2")]
    pub format: String,
    /// Output file.
    #[arg(long, default_value = "vc.json")]
    pub out: PathBuf,
}

fn parse_format(s: &str) -> Result<Format> {
    match s {
        "v2" => Ok(Format::V2),
        "v1" => Ok(Format::V1),
        other => bail!("--format {other:?}: expected v2 or v1"),
    }
}

/// `veil vc issue`: a KycCredential for a ZK credential's claims.
pub fn vc_issue(id: &LocalIdentity, a: &VcIssueArgs) -> Result<()> {
    let out = &a.out;
    let format = parse_format(&a.format)?;
    let credential = read_document(&a.credential, CredentialJson::to_credential)?;
    if let Some(path) = &a.issuer_key {
        let zk_key = read_document(path, IssuerKeyJson::to_key)?;
        if zk_key.public_key() != credential.issuer {
            bail!(
                "{}: not the key that signed {}",
                path.display(),
                a.credential.display()
            );
        }
    }
    let signing_key = crate::signing::open_signer(a.vc_key.as_deref(), &a.hsm)?;
    let resolver = id.resolver(Resolving::Own)?;
    let status = open_status(id.db())?;
    let index = status.allocate(&credential.claims.credential_id)?;
    let entry = StatusEntry::revocation(&a.status_list, index);
    let issuer = Issuer {
        did: &a.did,
        signing_key: signing_key.as_ref(),
        signing_fragment: &a.vc_fragment,
        zk_key: vc::ZkSigning::Presigned(&credential),
        zk_fragment: &a.bjj_fragment,
    };
    let vc = runtime()?.block_on(vc::issue(
        &resolver,
        &issuer,
        &credential.claims,
        a.holder_did.clone(),
        Some(&entry),
        format,
    ))?;
    write_text(out, &serde_json::to_string_pretty(&vc)?)?;
    println!(
        "issued {} (status index {index}) to {}",
        field_to_decimal(&credential.claims.credential_id),
        out.display()
    );
    Ok(())
}

/// `veil vc verify`'s flags: the credential and what to check it against.
#[derive(Args)]
pub struct VcVerifyArgs {
    /// The credential.
    pub vc: PathBuf,
    /// The issuer's status list credential.
    #[arg(long)]
    pub status_list: Option<PathBuf>,
    /// The day to check validity on, YYYY-MM-DD (default today).
    #[arg(long)]
    pub today: Option<String>,
    /// Write the ZK credential (for `veil prove`) here.
    #[arg(long)]
    pub credential_out: Option<PathBuf>,
    /// Resolve did:veil issuers at this DID Resolution endpoint
    /// (`http(s)://host:port`) instead of the local registry (did:web
    /// issuers are always fetched from their hosts).
    #[arg(long)]
    pub resolver: Option<String>,
}

/// `veil vc verify`: proof, issuer, validity, ZK signature, and status when
/// a status list is given; writes the ZK credential for `veil prove`.
pub fn vc_verify(id: &LocalIdentity, args: &VcVerifyArgs) -> Result<()> {
    let vc_path = &args.vc;
    let (status_list, credential_out) =
        (args.status_list.as_deref(), args.credential_out.as_deref());
    let (today, remote) = (args.today.as_deref(), args.resolver.as_deref());
    let text = read_text(vc_path)?;
    let resolver = id.resolver(Resolving::Others(remote))?;
    let today = match today {
        Some(d) => crate::dates::parse_day(d)?,
        None => crate::dates::today(),
    };
    let rt = runtime()?;
    let checked = rt
        .block_on(vc::verify_any(&resolver, &text, today))
        .with_context(|| format!("{} does not verify", vc_path.display()))?;
    let verified = match checked {
        vc::Checked::Kyc(verified) => verified,
        vc::Checked::Other { issuer, types } => {
            if status_list.is_some() || credential_out.is_some() {
                bail!(
                    "{}: not a KycCredential ({}): it has no KYC claims or veil status to check",
                    vc_path.display(),
                    types.join(", ")
                );
            }
            println!(
                "valid: issuer {issuer}, a {} (not a KycCredential)",
                types.join(", ")
            );
            return Ok(());
        }
    };
    if let Some(list) = status_list {
        let list_text = read_text(list)?;
        rt.block_on(vc::check_status(&resolver, &verified, &list_text))
            .with_context(|| format!("status of {}", vc_path.display()))?;
    }
    if let Some(out) = credential_out {
        write_json(out, &CredentialJson::from_credential(&verified.credential))?;
    }
    println!(
        "valid: issuer {}, credential {}, {:?}{}",
        verified.issuer,
        field_to_decimal(&verified.credential.claims.credential_id),
        verified.format,
        if status_list.is_some() {
            ", not revoked"
        } else {
            ""
        }
    );
    Ok(())
}

/// `veil vc revoke --credential-id ID`.
pub fn vc_revoke(db: &Path, credential_id: &str) -> Result<()> {
    let id = field_from_decimal(credential_id).context("--credential-id")?;
    let record = open_status(db)?.revoke(&id)?;
    println!(
        "revoked; revocation root #{} is {} ({} revoked)",
        record.sequence, record.root, record.revoked
    );
    Ok(())
}

/// `veil vc status-list`: the signed BitstringStatusListCredential.
pub fn vc_status_list(
    id: &LocalIdentity,
    did: &str,
    vc_key: &Path,
    vc_fragment: &str,
    url: &str,
    out: &Path,
) -> Result<()> {
    let key = crate::signing::open_signer(Some(vc_key), &HsmArgs::default())?;
    let resolver = id.resolver(Resolving::Own)?;
    let status = open_status(id.db())?;
    let list = runtime()?.block_on(status.status_list_credential(
        &resolver,
        did,
        key.as_ref(),
        vc_fragment,
        url,
    ))?;
    write_text(out, &serde_json::to_string_pretty(&list)?)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// The demo's issuer DID and VC: a did:veil with fresh Ed25519 keys and the
/// issuer's Baby Jubjub key, and a VC 2.0 KycCredential for `credential`.
pub fn demo_issue_vc(
    db: &Path,
    zk_key: &veil_circuits::eddsa::PrivateKey,
    credential: &veil_circuits::statement::Credential,
) -> Result<(String, String)> {
    let registry = LocalIdentity::new(db.to_path_buf(), None).registry()?;
    let controller = ControllerKey::generate()?;
    let signing = ControllerKey::generate()?;
    let point = zk_key.public_key();
    let did = registry
        .create(
            &controller,
            MethodSpec::issuer_keys(
                signing.public_multibase()?,
                BabyJubJubPoint {
                    x: field_to_decimal(&point.0.x),
                    y: field_to_decimal(&point.0.y),
                },
            ),
            vec![],
        )?
        .did_document
        .id;
    let status = open_status(db)?;
    let index = status.allocate(&credential.claims.credential_id)?;
    let entry = StatusEntry::revocation("https://issuer.example/status/1", index);
    let issuer = Issuer {
        did: &did,
        signing_key: &signing,
        signing_fragment: "vc-1",
        zk_key: vc::ZkSigning::Key(zk_key),
        zk_fragment: "bjj-1",
    };
    let vc = runtime()?.block_on(vc::issue(
        &resolver(registry),
        &issuer,
        &credential.claims,
        None,
        Some(&entry),
        Format::V2,
    ))?;
    Ok((did, serde_json::to_string_pretty(&vc)?))
}

/// The demo wallet's check of its VC; returns the ZK credential inside.
pub fn demo_verify_vc(
    db: &Path,
    vc: &str,
    today: u32,
) -> Result<veil_circuits::statement::Credential> {
    let resolver = resolver(LocalIdentity::new(db.to_path_buf(), None).registry()?);
    Ok(runtime()?
        .block_on(vc::verify(&resolver, vc, today))?
        .credential)
}

/// `--db`: the database directory of `veil did` and `veil vc` (default:
/// [`default_db`]); `--site`: the issuer's did:web site; `--tls-ca`: a CA
/// trusted for HTTPS resolution.
#[derive(Args)]
pub struct DbArg {
    /// Database directory (default: <data dir>/veil).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// The issuer's did:web site: the directory of did.json files that
    /// `veil did create --web` writes and `veil serve --did-web` publishes
    /// (default: <db>/web).
    #[arg(long, global = true)]
    site: Option<PathBuf>,
    /// A CA certificate (PEM) trusted beside the system's roots when
    /// resolving over HTTPS (did:web hosts, --resolver endpoints).
    #[arg(long, global = true)]
    tls_ca: Option<PathBuf>,
    /// Let did:web resolution reach loopback, private, link-local and CGNAT
    /// addresses (refused by default: a credential names the host the
    /// verifier fetches from). For a private deployment or a test.
    #[arg(long, global = true)]
    allow_private_hosts: bool,
}

impl DbArg {
    /// The directory given, or the default.
    pub fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(default_db)
    }

    /// Where identity state lives and how other issuers are reached.
    fn context(&self) -> LocalIdentity {
        LocalIdentity::new(self.path(), self.site.clone())
            .with_extra_ca(self.tls_ca.clone())
            .allowing_private_hosts(self.allow_private_hosts)
    }
}

#[derive(Subcommand)]
pub enum DidCommand {
    /// Make an Ed25519 key: a controller or assertion key, as a private JWK,
    /// a passphrase-encrypted file (--encrypt, passphrase from
    /// $VEIL_KEY_PASSPHRASE), or generated inside an HSM (--hsm-*).
    Keygen {
        /// Output file.
        #[arg(long, required_unless_present = "hsm_module")]
        out: Option<PathBuf>,
        /// Encrypt the file (argon2id + XChaCha20-Poly1305).
        #[arg(long, requires = "out")]
        encrypt: bool,
        #[command(flatten)]
        hsm: signing::HsmArgs,
    },
    /// Create a did:veil controlled by KEY, or with --web a did:web whose
    /// did.json is written into the site (prints the DID).
    Create(CreateArgs),
    /// Resolve a DID (W3C resolution result); `DID?versionId=N` for a version.
    Resolve {
        /// The DID.
        did: String,
        /// A version.
        #[arg(long)]
        version: Option<u64>,
        /// Ask this DID Resolution endpoint (`http(s)://host:port`: another
        /// node's `veil serve --did-http`, a Universal Resolver) instead of
        /// the local registry.
        #[arg(long)]
        resolver: Option<String>,
    },
    /// Change a DID, signed by its current controller key.
    Update(UpdateArgs),
    /// Deactivate a DID for good.
    Deactivate {
        /// Current controller key.
        #[arg(long)]
        key: PathBuf,
        /// The DID.
        #[arg(long)]
        did: String,
    },
}

/// Runs `veil did …` against the registry in `db`.
pub fn run_did(db: &DbArg, command: DidCommand) -> Result<()> {
    let id = db.context();
    match command {
        DidCommand::Keygen { out, encrypt, hsm } => did_keygen(out.as_deref(), encrypt, &hsm),
        DidCommand::Create(a) => did_create(&id, &a),
        DidCommand::Resolve {
            did,
            version,
            resolver,
        } => did_resolve(&id, &did, version, resolver.as_deref()),
        DidCommand::Update(a) => did_update(&id, &a),
        DidCommand::Deactivate { key, did } => did_deactivate(&id, &key, &did),
    }
}

#[derive(Subcommand)]
pub enum VcCommand {
    /// Issue a KycCredential for a ZK credential from `veil issue`.
    Issue(VcIssueArgs),
    /// Verify a KycCredential; optionally its status and write the ZK credential.
    Verify(VcVerifyArgs),
    /// Revoke a credential (revocation tree and status list).
    Revoke {
        /// The credential id, decimal.
        #[arg(long)]
        credential_id: String,
    },
    /// Write the signed BitstringStatusListCredential.
    StatusList {
        /// The issuer's DID.
        #[arg(long)]
        did: String,
        /// The Ed25519 assertion key (JWK).
        #[arg(long)]
        vc_key: PathBuf,
        /// Its fragment.
        #[arg(long, default_value = "vc-1")]
        vc_fragment: String,
        /// Where the list is published.
        #[arg(long, default_value = "https://issuer.example/status/1")]
        url: String,
        /// Output file.
        #[arg(long, default_value = "status-list.json")]
        out: PathBuf,
    },
}

/// Runs `veil vc …` against the registry and revocation store in `db`.
pub fn run_vc(db: &DbArg, command: VcCommand) -> Result<()> {
    let id = db.context();
    match command {
        VcCommand::Issue(a) => vc_issue(&id, &a),
        VcCommand::Verify(a) => vc_verify(&id, &a),
        VcCommand::Revoke { credential_id } => vc_revoke(id.db(), &credential_id),
        VcCommand::StatusList {
            did,
            vc_key,
            vc_fragment,
            url,
            out,
        } => vc_status_list(&id, &did, &vc_key, &vc_fragment, &url, &out),
    }
}
