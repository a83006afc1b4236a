//! `veil`: zero-knowledge KYC compliance for payments, from the command line.
//!
//! `veil demo` runs the whole flow on embedded defaults; the other commands
//! are its steps, reading and writing JSON files (snarkjs's format for proofs
//! and keys).

mod commands;
mod dates;
mod demo;
mod files;
mod halo2;
mod identity;
mod issuer;
mod regulator;
mod service;
mod signing;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use veil_prover::ProvingSystem;

#[derive(Parser)]
#[command(
    name = "veil",
    version,
    about = "Zero-knowledge KYC compliance proofs for payments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole flow in a temporary directory: keys, credential, proof,
    /// verification, a tampered payment, a revoked credential, the regulator.
    Demo {
        /// Print one JSON report instead of lines.
        #[arg(long)]
        json: bool,
        /// Keep every file the demo made in this (new or empty) directory:
        /// keys, documents, proof, DID registry, log, regulator shares.
        #[arg(long)]
        keep: Option<PathBuf>,
        /// The proving system: groth16 or halo2 (KZG, universal setup).
        #[arg(long, default_value = "groth16")]
        system: ProvingSystem,
    },
    /// Keys for the compliance statement. groth16: a one-party setup
    /// (development only). halo2: universal parameters (a published SRS
    /// pinned by its BLAKE3, or generated locally: insecure) and keys.
    Setup {
        /// Directory for compliance.pk, compliance.vk, verification_key.json
        /// (groth16) or halo2.srs, halo2.srs.blake3, halo2.vk (halo2).
        #[arg(long, default_value = "keys")]
        out: PathBuf,
        /// Make the published, INSECURE demo keys instead (their toxic waste
        /// is known; they match the committed contracts/src/Groth16Verifier.sol
        /// and Halo2Verifier.sol).
        #[arg(long)]
        insecure_demo_key: bool,
        /// The proving system: groth16 or halo2.
        #[arg(long, default_value = "groth16")]
        system: ProvingSystem,
        /// halo2: a published powers-of-tau SRS in halo2's format.
        #[arg(long, requires = "srs_blake3")]
        srs: Option<PathBuf>,
        /// halo2: the BLAKE3 (hex) the --srs file must have.
        #[arg(long, requires = "srs")]
        srs_blake3: Option<String>,
    },
    /// DIDs: did:veil in a RocksDB registry (did:key resolves too).
    Did {
        /// Database directory (default: <data dir>/veil).
        #[arg(long, global = true)]
        db: Option<PathBuf>,
        #[command(subcommand)]
        command: DidCommand,
    },
    /// W3C Verifiable Credentials (KycCredential) and revocation.
    Vc {
        /// Database directory (default: <data dir>/veil).
        #[arg(long, global = true)]
        db: Option<PathBuf>,
        #[command(subcommand)]
        command: VcCommand,
    },
    /// On-chain artifacts.
    Contracts {
        #[command(subcommand)]
        command: ContractsCommand,
    },
    /// Issuer (KYC provider) keys, and answering regulators' disclosures.
    Issuer {
        #[command(subcommand)]
        command: issuer::IssuerCommand,
    },
    /// Holder (wallet) secret.
    Holder {
        #[command(subcommand)]
        command: KeygenOnly,
    },
    /// Regulators: escrow keys (single or t-of-n), decryption, audits of a
    /// service's log, disclosure requests.
    Regulator {
        #[command(subcommand)]
        command: RegulatorCommand,
    },
    /// Verifier policies.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Issue a ZK credential (JSON) to a holder's commitment.
    Issue {
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
    },
    /// Prove compliance for one payment.
    Prove {
        /// Directory written by `veil setup`.
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// Credential file.
        #[arg(long)]
        credential: PathBuf,
        /// Holder secret file.
        #[arg(long)]
        holder: PathBuf,
        /// Policy file.
        #[arg(long)]
        policy: PathBuf,
        /// Trusted issuer list ({"issuers": [{x, y}, ...]}).
        #[arg(long)]
        issuers: PathBuf,
        /// Revocation list ({"revoked": ["id", ...]}).
        #[arg(long)]
        revoked: PathBuf,
        /// Payment context ({"today", "scope", "payment_hash"}).
        #[arg(long)]
        context: PathBuf,
        /// Output directory for proof.json, public.json, calldata.txt.
        #[arg(long, default_value = "proof")]
        out: PathBuf,
        /// The proving system: groth16 or halo2 (keys from `veil setup
        /// --system` of the same name).
        #[arg(long, default_value = "groth16")]
        system: ProvingSystem,
    },
    /// Run the gRPC prover/verifier service (jobs on RocksDB, API keys,
    /// limits, health, reflection, Prometheus metrics).
    Serve(service::ServeArgs),
    /// Administer the service's database (API keys).
    Admin {
        #[command(subcommand)]
        command: service::AdminCommand,
    },
    /// Call a running `veil serve`: prove, verify, follow jobs.
    Remote(service::RemoteArgs),
    /// Verify a proof (its proof.json names the system), optionally against
    /// a policy and payment.
    Verify {
        /// verification_key.json or compliance.vk (groth16); halo2.vk, or any
        /// file in the keys directory that holds it (halo2).
        #[arg(long, default_value = "keys/verification_key.json")]
        vk: PathBuf,
        #[command(flatten)]
        check: files::ProofToCheck,
    },
}

#[derive(Subcommand)]
enum DidCommand {
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
    /// Create a did:veil controlled by KEY (prints the DID).
    Create {
        /// Controller key (JWK).
        #[arg(long)]
        key: PathBuf,
        /// Ed25519 key for signing credentials (added as #vc-1): a JWK or
        /// encrypted key file.
        #[arg(long)]
        vc_key: Option<PathBuf>,
        /// Or the #vc-1 key in an HSM.
        #[command(flatten)]
        hsm: signing::HsmArgs,
        /// Baby Jubjub issuer key (added as #bjj-1): a key file, or a
        /// threshold issuer's group.json.
        #[arg(long)]
        bjj: Option<PathBuf>,
        /// A service, `fragment,type,endpoint` (repeatable).
        #[arg(long)]
        service: Vec<String>,
    },
    /// Resolve a DID (W3C resolution result); `DID?versionId=N` for a version.
    Resolve {
        /// The DID.
        did: String,
        /// A version.
        #[arg(long)]
        version: Option<u64>,
    },
    /// Change a DID, signed by its current controller key.
    Update {
        /// Current controller key.
        #[arg(long)]
        key: PathBuf,
        /// The DID.
        #[arg(long)]
        did: String,
        /// New controller key (rotation).
        #[arg(long)]
        rotate: Option<PathBuf>,
        /// Add an Ed25519 assertion key, `fragment=key.jwk`.
        #[arg(long)]
        add_vc_key: Option<String>,
        /// Add a Baby Jubjub key, `fragment=issuer.json`.
        #[arg(long)]
        add_bjj: Option<String>,
        /// Add a service, `fragment,type,endpoint` (repeatable).
        #[arg(long)]
        add_service: Vec<String>,
        /// Remove a verification method by fragment (repeatable).
        #[arg(long)]
        remove_method: Vec<String>,
        /// Remove a service by fragment (repeatable).
        #[arg(long)]
        remove_service: Vec<String>,
    },
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

#[derive(Subcommand)]
enum VcCommand {
    /// Issue a KycCredential for a ZK credential from `veil issue`.
    Issue {
        /// credential.json from `veil issue` (or `veil issuer aggregate`):
        /// its ZK signature is carried into the VC.
        #[arg(long)]
        credential: PathBuf,
        /// The issuer's Baby Jubjub key file, to check it signed the
        /// credential (optional: a group's credential has no key file).
        #[arg(long)]
        issuer_key: Option<PathBuf>,
        /// The issuer's DID.
        #[arg(long)]
        did: String,
        /// The Ed25519 assertion key: a JWK or encrypted key file.
        #[arg(long)]
        vc_key: Option<PathBuf>,
        /// Or the assertion key in an HSM.
        #[command(flatten)]
        hsm: signing::HsmArgs,
        /// Its fragment in the DID document.
        #[arg(long, default_value = "vc-1")]
        vc_fragment: String,
        /// The Baby Jubjub key's fragment.
        #[arg(long, default_value = "bjj-1")]
        bjj_fragment: String,
        /// The holder's DID.
        #[arg(long)]
        holder_did: Option<String>,
        /// URL of the issuer's status list credential.
        #[arg(long, default_value = "https://issuer.example/status/1")]
        status_list: String,
        /// `v2` (VC 2.0, eddsa-rdfc-2022) or `v1` (VC 1.1, Ed25519Signature2020).
        #[arg(long, default_value = "v2")]
        format: String,
        /// Output file.
        #[arg(long, default_value = "vc.json")]
        out: PathBuf,
    },
    /// Verify a KycCredential; optionally its status and write the ZK credential.
    Verify {
        /// The credential.
        vc: PathBuf,
        /// The issuer's status list credential.
        #[arg(long)]
        status_list: Option<PathBuf>,
        /// The day to check validity on, YYYY-MM-DD (default today).
        #[arg(long)]
        today: Option<String>,
        /// Write the ZK credential (for `veil prove`) here.
        #[arg(long)]
        credential_out: Option<PathBuf>,
    },
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

#[derive(Subcommand)]
enum ContractsCommand {
    /// Generate the Solidity verifier for a verifying key: Groth16Verifier.sol,
    /// or with --system halo2 snark-verifier's Halo2Verifier.sol (compile it
    /// with the same solc as contracts/, e.g. `npm run build` there).
    Verifier {
        /// verification_key.json or compliance.vk (groth16); a file in the
        /// halo2 keys directory (halo2).
        #[arg(long, default_value = "keys/compliance.vk")]
        vk: PathBuf,
        /// Output file.
        #[arg(long, default_value = "Groth16Verifier.sol")]
        out: PathBuf,
        /// The proving system: groth16 or halo2.
        #[arg(long, default_value = "groth16")]
        system: ProvingSystem,
    },
}

#[derive(Subcommand)]
enum KeygenOnly {
    /// Make a new key and write it to a file.
    Keygen {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum RegulatorCommand {
    /// Make a new escrow key, or split a new one t-of-n between officials.
    Keygen {
        /// Output file (single key).
        #[arg(long, default_value = "regulator.json")]
        out: PathBuf,
        /// Split the key T/N (e.g. 2/3): writes group.json and one share
        /// file per official into --out-dir; the key itself is never written.
        #[arg(long)]
        threshold: Option<String>,
        /// Directory for a split key.
        #[arg(long, default_value = "regulator-shares")]
        out_dir: PathBuf,
    },
    /// Audit a service's log: signed head, consistency with the last head
    /// seen, every entry re-hashed, escrows opened; summary, CSV and JSON.
    Audit(regulator::AuditArgs),
    /// Ask the issuer to disclose one entry's credential: the request is
    /// recorded in the log first.
    Disclose(regulator::DiscloseArgs),
    /// Recover the credential id escrowed in a proof's public inputs.
    Decrypt {
        /// Regulator key file.
        #[arg(long)]
        key: PathBuf,
        /// public.json of the proof.
        #[arg(long)]
        public: PathBuf,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Write a policy.
    New {
        /// The regulator's key, group or share file (its public key is used).
        #[arg(long)]
        regulator: PathBuf,
        /// Minimum age in years.
        #[arg(long, default_value_t = 18)]
        min_age_years: u32,
        /// Maximum risk score.
        #[arg(long, default_value_t = 500)]
        max_risk: u16,
        /// Minimum KYC level.
        #[arg(long, default_value_t = 2)]
        min_kyc_level: u8,
        /// Allowed subject types, comma-separated.
        #[arg(long, default_value = "0,1")]
        subject_types: String,
        /// Barred ISO numeric country codes, comma-separated (at most 16).
        #[arg(long, default_value = "408,364,760")]
        barred: String,
        /// Output file.
        #[arg(long, default_value = "policy.json")]
        out: PathBuf,
    },
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo { json, keep, system } => demo::run(json, keep.as_deref(), system),
        Command::Serve(args) => service::serve_cmd(args, identity::default_db()),
        Command::Admin { command } => service::admin_cmd(command, identity::default_db()),
        Command::Remote(args) => service::remote_cmd(args),
        Command::Setup {
            out,
            insecure_demo_key,
            system: ProvingSystem::Groth16,
            srs: None,
            ..
        } => commands::setup_cmd(&out, insecure_demo_key),
        Command::Setup {
            system: ProvingSystem::Groth16,
            ..
        } => anyhow::bail!("--srs is for halo2: Groth16 needs a per-circuit ceremony"),
        Command::Setup {
            out,
            insecure_demo_key,
            system: ProvingSystem::Halo2Kzg,
            srs,
            srs_blake3,
        } => halo2::setup_cmd(
            &out,
            match (&srs, &srs_blake3) {
                (Some(path), Some(blake3)) => halo2::SrsSource::File { path, blake3 },
                _ if insecure_demo_key => halo2::SrsSource::InsecureDemo,
                _ => halo2::SrsSource::InsecureLocal,
            },
        ),
        Command::Did { db, command } => {
            let db = db.unwrap_or_else(identity::default_db);
            match command {
                DidCommand::Keygen { out, encrypt, hsm } => {
                    identity::did_keygen(out.as_deref(), encrypt, &hsm)
                }
                DidCommand::Create {
                    key,
                    vc_key,
                    hsm,
                    bjj,
                    service,
                } => identity::did_create(
                    &db,
                    &identity::CreateArgs {
                        key: &key,
                        vc_key: vc_key.as_deref(),
                        hsm: &hsm,
                        bjj: bjj.as_deref(),
                        services: &service,
                    },
                ),
                DidCommand::Resolve { did, version } => identity::did_resolve(&db, &did, version),
                DidCommand::Update {
                    key,
                    did,
                    rotate,
                    add_vc_key,
                    add_bjj,
                    add_service,
                    remove_method,
                    remove_service,
                } => identity::did_update(
                    &db,
                    &identity::UpdateArgs {
                        key: &key,
                        did: &did,
                        rotate: rotate.as_deref(),
                        add_vc_key: add_vc_key.as_deref(),
                        add_bjj: add_bjj.as_deref(),
                        add_services: &add_service,
                        remove_methods: &remove_method,
                        remove_services: &remove_service,
                    },
                ),
                DidCommand::Deactivate { key, did } => identity::did_deactivate(&db, &key, &did),
            }
        }
        Command::Vc { db, command } => {
            let db = db.unwrap_or_else(identity::default_db);
            match command {
                VcCommand::Issue {
                    credential,
                    issuer_key,
                    did,
                    vc_key,
                    hsm,
                    vc_fragment,
                    bjj_fragment,
                    holder_did,
                    status_list,
                    format,
                    out,
                } => identity::vc_issue(
                    &db,
                    &identity::VcIssueArgs {
                        credential: &credential,
                        issuer_key: issuer_key.as_deref(),
                        did: &did,
                        vc_key: vc_key.as_deref(),
                        hsm: &hsm,
                        vc_fragment: &vc_fragment,
                        bjj_fragment: &bjj_fragment,
                        holder_did,
                        status_list: &status_list,
                        format: &format,
                    },
                    &out,
                ),
                VcCommand::Verify {
                    vc,
                    status_list,
                    today,
                    credential_out,
                } => identity::vc_verify(
                    &db,
                    &vc,
                    status_list.as_deref(),
                    today.as_deref(),
                    credential_out.as_deref(),
                ),
                VcCommand::Revoke { credential_id } => identity::vc_revoke(&db, &credential_id),
                VcCommand::StatusList {
                    did,
                    vc_key,
                    vc_fragment,
                    url,
                    out,
                } => identity::vc_status_list(&db, &did, &vc_key, &vc_fragment, &url, &out),
            }
        }
        Command::Contracts {
            command: ContractsCommand::Verifier { vk, out, system },
        } => match system {
            ProvingSystem::Groth16 => commands::verifier_sol_cmd(&vk, &out),
            ProvingSystem::Halo2Kzg => {
                halo2::verifier_sol_cmd(veil_system::KeysDir::of_key_path(&vk).path(), &out)
            }
        },
        Command::Issuer { command } => issuer::run(command),
        Command::Holder {
            command: KeygenOnly::Keygen { out },
        } => commands::holder_keygen(&out),
        Command::Regulator { command } => match command {
            RegulatorCommand::Keygen {
                out,
                threshold: None,
                ..
            } => regulator::keygen(&out, None),
            RegulatorCommand::Keygen {
                threshold: Some(t),
                out_dir,
                ..
            } => regulator::keygen(&out_dir, Some(&t)),
            RegulatorCommand::Audit(args) => regulator::audit_cmd(args),
            RegulatorCommand::Disclose(args) => regulator::disclose_cmd(args),
            RegulatorCommand::Decrypt { key, public } => commands::decrypt_cmd(&key, &public),
        },
        Command::Policy {
            command:
                PolicyCommand::New {
                    regulator,
                    min_age_years,
                    max_risk,
                    min_kyc_level,
                    subject_types,
                    barred,
                    out,
                },
        } => commands::policy_cmd(
            &regulator,
            min_age_years,
            max_risk,
            min_kyc_level,
            &subject_types,
            &barred,
            &out,
        ),
        Command::Issue {
            issuer_key,
            group,
            holder,
            birth_date,
            country,
            kyc_level,
            risk_score,
            subject_type,
            issued,
            valid_days,
            out,
            records,
            subject,
        } => commands::issue_cmd(
            match (&issuer_key, &group) {
                (_, Some(g)) => commands::IssuerSource::Group(g),
                (Some(k), None) => commands::IssuerSource::Key(k),
                (None, None) => anyhow::bail!("give --issuer-key or --group"),
            },
            &commands::IssueArgs {
                holder: &holder,
                birth_date: &birth_date,
                country,
                kyc_level,
                risk_score,
                subject_type,
                issued: issued.as_deref(),
                valid_days,
            },
            &out,
            records.as_deref().zip(subject.as_deref()),
        ),
        Command::Prove {
            keys,
            credential,
            holder,
            policy,
            issuers,
            revoked,
            context,
            out,
            system,
        } => commands::prove_cmd(
            &commands::ProveArgs {
                system,
                keys: &keys,
                credential: &credential,
                holder: &holder,
                policy: &policy,
                issuers: &issuers,
                revoked: &revoked,
                context: &context,
            },
            &out,
        ),
        Command::Verify { vk, check } => commands::verify_cmd(&vk, &check),
    }
}
