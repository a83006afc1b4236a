//! `KycCredential`s: W3C Verifiable Credentials that serve classic and ZK
//! verifiers at once.
//!
//! The issuer signs the same claims twice: classically, a Data Integrity
//! proof made with `ssi` (VC Data Model 2.0 with `eddsa-rdfc-2022` by
//! default, or VC 1.1 with `Ed25519Signature2020` for didkit and other 1.1
//! verifiers), and for ZK, an EdDSA-Poseidon signature on Baby Jubjub over
//! the circuit's claims hash, carried in the credential as `zkSignature` (and
//! so itself covered by the Data Integrity proof). [`verify`] checks both and
//! returns the circuit's credential only if the two sign the same claims.

use crate::claims::{midnight, parse_midnight, KycSubject};
use crate::document::BABY_JUBJUB_KEY;
use crate::error::VcError;
use crate::resolver::VeilResolver;
use crate::signer::{Signer, SsiSigner};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ssi::claims::data_integrity::{AnySuite, CryptographicSuite, ProofOptions};
use ssi::claims::vc::AnyJsonCredential;
use ssi::claims::VerificationParameters;
use ssi::dids::{DIDResolver, DID};
use ssi::verification_methods::LocalSigner;
use veil_circuits::eddsa::{PrivateKey, Signature};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{CredentialJson, PointJson};
use veil_circuits::statement::{Claims, Credential};

/// Which data model and suite to issue in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// VC Data Model 2.0, `DataIntegrityProof` with `eddsa-rdfc-2022`.
    #[default]
    V2,
    /// VC Data Model 1.1, `Ed25519Signature2020` (what didkit 0.2 speaks).
    V1,
}

/// The vocabulary of veil's credential terms, declared inline in both data
/// models (neither base context defines them).
pub const VEIL_VOCAB: &str = "https://w3id.org/veil/v1#";
/// `zkSignature.type`.
pub const ZK_SIGNATURE_TYPE: &str = "EdDsaPoseidonBabyJubJub";

pub use crate::status_list::StatusEntry;

/// The ZK half of the credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ZkSignature {
    /// [`ZK_SIGNATURE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The issuer's Baby Jubjub verification method (`did#fragment`).
    pub verification_method: String,
    /// `R8`.
    pub r8: PointJson,
    /// `S`, decimal.
    pub s: String,
}

/// The issuer's keys and where its DID document lists them.
pub struct Issuer<'a> {
    /// The issuer's DID.
    pub did: &'a str,
    /// The Ed25519 assertion key: a JWK, an encrypted file or an HSM.
    pub signing_key: &'a dyn Signer,
    /// Its fragment in the DID document (an assertion method).
    pub signing_fragment: &'a str,
    /// The Baby Jubjub key, or a signature already made by it.
    pub zk_key: ZkSigning<'a>,
    /// Its fragment in the DID document.
    pub zk_fragment: &'a str,
}

/// How the credential gets its ZK signature.
#[derive(Clone, Copy)]
pub enum ZkSigning<'a> {
    /// Sign the claims with this key.
    Key(&'a PrivateKey),
    /// A ZK credential signed elsewhere (e.g. by a FROST group, whose key
    /// no one holds); it must sign exactly these claims.
    Presigned(&'a Credential),
}

impl ZkSigning<'_> {
    fn sign(&self, claims: &Claims) -> Result<Credential, VcError> {
        match self {
            ZkSigning::Key(key) => Ok(Credential {
                claims: *claims,
                issuer: key.public_key(),
                signature: key.sign(claims.hash()),
            }),
            ZkSigning::Presigned(c) => {
                if c.claims != *claims || !c.issuer.verify(claims.hash(), &c.signature) {
                    return Err(VcError::field(
                        "zkSignature",
                        "the presigned credential does not sign these claims",
                    ));
                }
                Ok((*c).clone())
            }
        }
    }
}

/// The credential before its Data Integrity proof (the ZK signature is in).
pub fn unsigned_credential(
    issuer: &Issuer,
    claims: &Claims,
    holder_did: Option<String>,
    status: Option<&StatusEntry>,
    format: Format,
) -> Result<Value, VcError> {
    let subject = KycSubject::from_claims(claims, holder_did)?;
    let signed = CredentialJson::from_credential(&issuer.zk_key.sign(claims)?);
    let zk = ZkSignature {
        kind: ZK_SIGNATURE_TYPE.into(),
        verification_method: format!("{}#{}", issuer.did, issuer.zk_fragment),
        r8: signed.signature.r8,
        s: signed.signature.s,
    };
    let mut vc = match format {
        Format::V2 => json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", { "@vocab": VEIL_VOCAB }],
            "validFrom": midnight(claims.issued_at),
            "validUntil": midnight(claims.expires_at),
        }),
        Format::V1 => json!({
            "@context": ["https://www.w3.org/2018/credentials/v1", { "@vocab": VEIL_VOCAB }],
            "issuanceDate": midnight(claims.issued_at),
            "expirationDate": midnight(claims.expires_at),
        }),
    };
    let fields = json!({
        "id": format!("urn:veil:credential:{}", field_to_decimal(&claims.credential_id)),
        "type": ["VerifiableCredential", "KycCredential"],
        "issuer": issuer.did,
        "credentialSubject": subject,
        "zkSignature": zk,
    });
    if let (Some(obj), Some(extra)) = (vc.as_object_mut(), fields.as_object()) {
        obj.extend(extra.clone());
        if let Some(s) = status {
            obj.insert(
                "credentialStatus".into(),
                serde_json::to_value(s).map_err(|e| VcError::Json(e.to_string()))?,
            );
        }
    }
    Ok(vc)
}

/// Issues a `KycCredential` for `claims` (signed both ways); returns its JSON.
pub async fn issue(
    resolver: &VeilResolver,
    issuer: &Issuer<'_>,
    claims: &Claims,
    holder_did: Option<String>,
    status: Option<&StatusEntry>,
    format: Format,
) -> Result<Value, VcError> {
    let vc = unsigned_credential(issuer, claims, holder_did, status, format)?;
    // did:veil and did:web documents veil writes list each Ed25519
    // assertion key twice: as Multikey (Data Integrity suites) and as
    // Ed25519VerificationKey2020 (the 2020 suite).
    let fragment = match format {
        Format::V1
            if issuer.did.starts_with(crate::registry::PREFIX)
                || issuer.did.starts_with(crate::web::PREFIX) =>
        {
            format!(
                "{}{}",
                issuer.signing_fragment,
                crate::document::ED25519_2020_SUFFIX
            )
        }
        _ => issuer.signing_fragment.to_owned(),
    };
    let vm: ssi::dids::DIDURLBuf = format!("{}#{fragment}", issuer.did)
        .parse()
        .map_err(|_| VcError::field("issuer", "not a DID URL"))?;
    let mut options = ProofOptions::from_method(vm.into_iri().into());
    options.created = crate::signer::created_now();
    let signer = LocalSigner(SsiSigner(issuer.signing_key));
    let vm_resolver = crate::resolver::vm_resolver(resolver);
    let signed = match format {
        Format::V2 => {
            let credential: ssi::claims::vc::v2::JsonCredential =
                serde_json::from_value(vc).map_err(|e| VcError::Json(e.to_string()))?;
            let signed = AnySuite::EdDsaRdfc2022
                .sign(credential, &vm_resolver, &signer, options)
                .await
                .map_err(|e| VcError::Signing(e.to_string()))?;
            serde_json::to_value(&signed)
        }
        Format::V1 => {
            let credential: ssi::claims::vc::v1::JsonCredential =
                serde_json::from_value(vc).map_err(|e| VcError::Json(e.to_string()))?;
            let signed = AnySuite::Ed25519Signature2020
                .sign(credential, &vm_resolver, &signer, options)
                .await
                .map_err(|e| VcError::Signing(e.to_string()))?;
            serde_json::to_value(&signed)
        }
    };
    signed.map_err(|e| VcError::Json(e.to_string()))
}

/// A verified credential: the circuit's credential (claims, issuer key,
/// signature) and what else the verifier needs.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The issuer's DID.
    pub issuer: String,
    /// The ZK credential, ready for a witness.
    pub credential: Credential,
    /// The revocation entry, if any.
    pub status: Option<StatusEntry>,
    /// The data model it was issued in.
    pub format: Format,
}

fn text<'a>(vc: &'a Value, field: &'static str) -> Result<&'a str, VcError> {
    vc.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| VcError::field(field, "missing or not a string"))
}

fn typed<T: serde::de::DeserializeOwned>(vc: &Value, field: &'static str) -> Result<T, VcError> {
    let v = vc
        .get(field)
        .ok_or_else(|| VcError::field(field, "missing"))?;
    serde_json::from_value(v.clone()).map_err(|e| VcError::field(field, e.to_string()))
}

/// A DID's document as JSON, through the resolver. A deactivated DID is
/// refused: an issuer's credentials stop verifying when it deactivates,
/// whatever keys its last document still lists.
async fn issuer_document(resolver: &VeilResolver, did: &str) -> Result<Value, VcError> {
    let did_ref = DID::new(did).map_err(|_| VcError::field("issuer", "not a DID"))?;
    let output = resolver
        .resolve_representation(did_ref, Default::default())
        .await
        .map_err(|e| VcError::Issuer(e.to_string()))?;
    if output.document_metadata.deactivated == Some(true) {
        return Err(VcError::Issuer(format!("{did} is deactivated")));
    }
    serde_json::from_slice(&output.document).map_err(|e| VcError::Issuer(e.to_string()))
}

/// Most Data Integrity proofs one credential may carry: each is checked
/// against the issuer's document, so the count bounds a verification's work.
pub const MAX_PROOFS: usize = 4;

/// The credential's Data Integrity proofs (one object or an array of at most
/// [`MAX_PROOFS`]).
fn proofs_of(vc: &Value) -> Result<Vec<&Value>, VcError> {
    let proofs: Vec<&Value> = match vc.get("proof") {
        Some(Value::Array(all)) => all.iter().collect(),
        Some(one) => vec![one],
        None => return Err(VcError::Proof("missing".into())),
    };
    if proofs.is_empty() {
        return Err(VcError::Proof("missing".into()));
    }
    if proofs.len() > MAX_PROOFS {
        return Err(VcError::Proof(format!(
            "{} proofs; at most {MAX_PROOFS} are checked",
            proofs.len()
        )));
    }
    Ok(proofs)
}

/// Whether `doc` lists `method` (an absolute `did#fragment`) under
/// `assertionMethod`, by reference (absolute or `#fragment`) or embedded.
fn lists_assertion_method(doc: &Value, did: &str, method: &str) -> bool {
    let fragment = method.strip_prefix(did).filter(|f| f.starts_with('#'));
    let names = |id: &str| id == method || Some(id) == fragment;
    doc.get("assertionMethod")
        .and_then(Value::as_array)
        .is_some_and(|all| {
            all.iter().any(|m| match m {
                Value::String(id) => names(id),
                embedded => embedded
                    .get("id")
                    .and_then(Value::as_str)
                    .is_some_and(names),
            })
        })
}

/// Binds every proof to the credential's issuer: made for `assertionMethod`,
/// by a verification method of the issuer's own DID that the issuer's
/// document (`doc`) lists as an assertion method. ssi verifies a proof
/// against whatever key it names; without this, anyone's key signs "as" any
/// issuer.
fn check_proofs_are_issuers(vc: &Value, issuer: &str, doc: &Value) -> Result<(), VcError> {
    for (i, proof) in proofs_of(vc)?.into_iter().enumerate() {
        let purpose = proof.get("proofPurpose").and_then(Value::as_str);
        if purpose != Some("assertionMethod") {
            return Err(VcError::Proof(format!(
                "proof {i}: proofPurpose is {}, not assertionMethod",
                purpose.unwrap_or("missing")
            )));
        }
        let method = proof
            .get("verificationMethod")
            .and_then(Value::as_str)
            .ok_or_else(|| VcError::Proof(format!("proof {i}: no verificationMethod")))?;
        if method.split('#').next() != Some(issuer) || !method.contains('#') {
            return Err(VcError::Proof(format!(
                "proof {i}: made by {method}, not by a key of the issuer {issuer}"
            )));
        }
        if !lists_assertion_method(doc, issuer, method) {
            return Err(VcError::Proof(format!(
                "proof {i}: {method} is not an assertion method of the issuer"
            )));
        }
    }
    Ok(())
}

/// The issuer of any credential: `issuer` as a string or `issuer.id`.
fn issuer_of(vc: &Value) -> Result<&str, VcError> {
    let issuer = vc
        .get("issuer")
        .ok_or_else(|| VcError::field("issuer", "missing"))?;
    issuer
        .as_str()
        .or_else(|| issuer.get("id").and_then(Value::as_str))
        .ok_or_else(|| VcError::field("issuer", "neither a DID nor an object with an id"))
}

/// The Baby Jubjub key `method` (a `did#fragment`) of the issuer's document,
/// which must list it as an assertion method.
fn zk_key(doc: &Value, method: &str) -> Result<PointJson, VcError> {
    let listed = doc
        .get("assertionMethod")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|m| m.as_str() == Some(method)));
    let vm = doc
        .get("verificationMethod")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|m| m.get("id").and_then(Value::as_str) == Some(method))
        });
    match vm {
        Some(vm) if listed && vm.get("type").and_then(Value::as_str) == Some(BABY_JUBJUB_KEY) => {
            let point = vm
                .get("publicKeyBabyJubJub")
                .ok_or_else(|| VcError::Issuer(format!("{method} has no publicKeyBabyJubJub")))?;
            serde_json::from_value(point.clone())
                .map_err(|e| VcError::Issuer(format!("{method}: {e}")))
        }
        _ => Err(VcError::Issuer(format!(
            "{method} is not a Baby Jubjub assertion method of the issuer"
        ))),
    }
}

/// Verifies the Data Integrity proof of any credential (VC 1.1 or 2.0,
/// any suite ssi knows) against its issuer's DID: what a classic verifier
/// checks, and the first step of [`verify`]. Every proof must be the
/// issuer's own (an assertion method of the issuer's live DID document).
pub async fn verify_proof(resolver: &VeilResolver, json: &str) -> Result<(), VcError> {
    verify_proof_at(resolver, json, None).await.map(|_| ())
}

/// [`verify_proof`] as of `at` (ssi also checks the credential's validity
/// period at that time; `None` is now). Returns the issuer's DID document,
/// resolved once for the whole verification.
pub async fn verify_proof_at(
    resolver: &VeilResolver,
    json: &str,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Value, VcError> {
    let vc: Value = serde_json::from_str(json).map_err(|e| VcError::Json(e.to_string()))?;
    proofs_of(&vc)?;
    let issuer = issuer_of(&vc)?;
    // A deactivated issuer is refused here, before any key is used.
    let doc = issuer_document(resolver, issuer).await?;
    check_proofs_are_issuers(&vc, issuer, &doc)?;
    let signed = ssi::claims::data_integrity::from_json_str::<AnyJsonCredential, AnySuite>(json)
        .map_err(|e| VcError::Json(e.to_string()))?;
    let mut params = VerificationParameters::from_resolver(crate::resolver::vm_resolver(resolver));
    if let Some(at) = at {
        params = params.with_date_time(at);
    }
    match signed.verify(params).await {
        Ok(Ok(())) => Ok(doc),
        Ok(Err(invalid)) => Err(VcError::Proof(invalid.to_string())),
        Err(e) => Err(VcError::Proof(e.to_string())),
    }
}

/// A `KycCredential` parsed and checked for form, before any signature is
/// checked: what [`verify`] works on, and what the fuzz targets exercise.
#[derive(Debug, Clone)]
pub struct ParsedKyc {
    /// The data model.
    pub format: Format,
    /// The issuer's DID.
    pub issuer: String,
    /// The circuit's claims (validity days included).
    pub claims: Claims,
    /// The ZK signature as carried.
    pub zk: ZkSignature,
    /// The ZK signature, decoded.
    pub signature: Signature,
    /// The revocation entry, if any.
    pub status: Option<StatusEntry>,
}

/// Parses a `KycCredential` (either format); every malformed field is a
/// typed error naming it.
pub fn parse_kyc(json: &str) -> Result<ParsedKyc, VcError> {
    let vc: Value = serde_json::from_str(json).map_err(|e| VcError::Json(e.to_string()))?;
    let contexts = vc.get("@context").and_then(Value::as_array);
    let format = match contexts.and_then(|c| c.first()).and_then(Value::as_str) {
        Some("https://www.w3.org/ns/credentials/v2") => Format::V2,
        Some("https://www.w3.org/2018/credentials/v1") => Format::V1,
        _ => return Err(VcError::field("@context", "not a VC 1.1 or 2.0 context")),
    };
    let issuer = text(&vc, "issuer")?.to_owned();
    let (from, until) = match format {
        Format::V2 => (
            parse_midnight("validFrom", text(&vc, "validFrom")?)?,
            parse_midnight("validUntil", text(&vc, "validUntil")?)?,
        ),
        Format::V1 => (
            parse_midnight("issuanceDate", text(&vc, "issuanceDate")?)?,
            parse_midnight("expirationDate", text(&vc, "expirationDate")?)?,
        ),
    };
    let subject: KycSubject = typed(&vc, "credentialSubject")?;
    let zk: ZkSignature = typed(&vc, "zkSignature")?;
    if zk.kind != ZK_SIGNATURE_TYPE {
        return Err(VcError::field(
            "zkSignature.type",
            format!("not {ZK_SIGNATURE_TYPE}"),
        ));
    }
    if !zk.verification_method.starts_with(&format!("{issuer}#")) {
        return Err(VcError::field(
            "zkSignature.verificationMethod",
            "not a key of the issuer",
        ));
    }
    let claims = subject.to_claims(from, until)?;
    let status: Option<StatusEntry> = match vc.get("credentialStatus") {
        None => None,
        Some(_) => Some(typed(&vc, "credentialStatus")?),
    };
    if let Some(s) = &status {
        s.index()?;
    }
    let signature = Signature::from_decimal(&zk.r8.x, &zk.r8.y, &zk.s)
        .map_err(|e| VcError::field("zkSignature", e.to_string()))?;
    Ok(ParsedKyc {
        format,
        issuer,
        claims,
        zk,
        signature,
        status,
    })
}

/// What [`verify_any`] found a credential to be.
#[derive(Debug, Clone)]
pub enum Checked {
    /// A `KycCredential`, fully checked as [`verify`] does.
    Kyc(Box<Verified>),
    /// Any other credential whose Data Integrity proof verifies against its
    /// (live) issuer: what another issuer's tools (didkit, Digital Bazaar)
    /// sign. Nothing in it is read as KYC claims.
    Other {
        /// The issuer's DID.
        issuer: String,
        /// Its `type`s.
        types: Vec<String>,
    },
}

/// Verifies any credential on `today`: a `KycCredential` as [`verify`]
/// does, anything else by its proof alone (at noon of `today`, so ssi
/// checks its validity period then), reported as such rather than as a
/// broken KycCredential.
pub async fn verify_any(
    resolver: &VeilResolver,
    json: &str,
    today: u32,
) -> Result<Checked, VcError> {
    let vc: Value = serde_json::from_str(json).map_err(|e| VcError::Json(e.to_string()))?;
    let types: Vec<String> = match vc.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => return Err(VcError::field("type", "missing")),
    };
    if types.iter().any(|t| t == "KycCredential") {
        return verify(resolver, json, today)
            .await
            .map(|v| Checked::Kyc(Box::new(v)));
    }
    let noon = chrono::DateTime::from_timestamp(i64::from(today) * 86_400 + 43_200, 0);
    verify_proof_at(resolver, json, noon).await?;
    Ok(Checked::Other {
        issuer: issuer_of(&vc)?.to_owned(),
        types,
    })
}

/// Verifies a `KycCredential` (either format) on `today` (days since
/// 1970-01-01): the Data Integrity proof against the issuer's DID, the
/// validity period, and that the ZK signature verifies under the issuer's
/// Baby Jubjub key over exactly the claims the credential shows. Revocation
/// is checked separately against the issuer's status list ([`check_status`]).
pub async fn verify(resolver: &VeilResolver, json: &str, today: u32) -> Result<Verified, VcError> {
    let parsed = parse_kyc(json)?;
    let (from, until) = (parsed.claims.issued_at, parsed.claims.expires_at);
    if !(from <= today && today < until) {
        return Err(VcError::Validity { today, from, until });
    }
    let noon = chrono::DateTime::from_timestamp(i64::from(today) * 86_400 + 43_200, 0);
    let doc = verify_proof_at(resolver, json, noon).await?;
    let key = zk_key(&doc, &parsed.zk.verification_method)?;
    let credential = Credential {
        claims: parsed.claims,
        issuer: key
            .to_key("publicKeyBabyJubJub")
            .map_err(|e| VcError::Issuer(e.to_string()))?,
        signature: parsed.signature,
    };
    if !credential
        .issuer
        .verify(credential.claims.hash(), &credential.signature)
    {
        return Err(VcError::ZkMismatch);
    }
    Ok(Verified {
        issuer: parsed.issuer,
        credential,
        status: parsed.status,
        format: parsed.format,
    })
}

/// Verifies a `BitstringStatusListCredential` from `issuer` as of now (its
/// proof against the issuer's DID, and its freshness) and returns it for
/// [`crate::status_list::is_set`].
pub async fn verify_status_list(
    resolver: &VeilResolver,
    json: &str,
    issuer: &str,
) -> Result<Value, VcError> {
    verify_status_list_at(resolver, json, issuer, chrono::Utc::now()).await
}

/// [`verify_status_list`] as of `now`. A list must say until when it is
/// valid (`validUntil`) and be valid at `now`: an old list, from before a
/// revocation, is refused once it expires.
pub async fn verify_status_list_at(
    resolver: &VeilResolver,
    json: &str,
    issuer: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Value, VcError> {
    let list: Value = serde_json::from_str(json).map_err(|e| VcError::Json(e.to_string()))?;
    if issuer_of(&list)? != issuer {
        return Err(VcError::field(
            "issuer",
            "the status list is not the credential issuer's",
        ));
    }
    let time = |field: &'static str| -> Result<chrono::DateTime<chrono::Utc>, VcError> {
        let text = text(&list, field)?;
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|e| VcError::field(field, e.to_string()))
    };
    let (from, until) = (time("validFrom")?, time("validUntil")?);
    if now < from || now >= until {
        return Err(VcError::field(
            "validUntil",
            format!("the status list is valid from {from} until {until}, not at {now}: fetch the current one"),
        ));
    }
    verify_proof_at(resolver, json, Some(now)).await?;
    Ok(list)
}

/// Checks a verified credential against its issuer's status list (which
/// must be current).
pub async fn check_status(
    resolver: &VeilResolver,
    verified: &Verified,
    status_list_json: &str,
) -> Result<(), VcError> {
    check_status_at(resolver, verified, status_list_json, chrono::Utc::now()).await
}

/// [`check_status`] as of `now`.
pub async fn check_status_at(
    resolver: &VeilResolver,
    verified: &Verified,
    status_list_json: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), VcError> {
    let Some(entry) = &verified.status else {
        return Ok(());
    };
    let list = verify_status_list_at(resolver, status_list_json, &verified.issuer, now).await?;
    if list.get("id").and_then(Value::as_str) != Some(entry.status_list_credential.as_str()) {
        return Err(VcError::field(
            "credentialStatus.statusListCredential",
            "not the list given",
        ));
    }
    if crate::status_list::is_set(&list, entry)? {
        return Err(VcError::Revoked(entry.index()?));
    }
    Ok(())
}
