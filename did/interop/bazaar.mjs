#!/usr/bin/env node
// Digital Bazaar's side of veil's VC 2.0 interop tests (driven by
// cli/tests/cli/web.rs): @digitalbazaar/vc with DataIntegrityProof and the
// eddsa-rdfc-2022 cryptosuite; contexts from @digitalbazaar/security-document-loader
// (offline: nothing but did:web documents is fetched, and those over HTTPS).
//
//   node bazaar.mjs verify <vc.json>                -> {"verified": bool, "error": "..."}
//   node bazaar.mjs keygen <did> <key.json>         -> a key for <did> (did:key: generated, "did:key")
//                                                      written to key.json; its DID document on stdout
//   node bazaar.mjs issue <key.json> <credential.json>  -> the credential signed by that key
//   node bazaar.mjs forge <key.json> <credential.json>  -> signed by that key, keeping the
//                                                      credential's own issuer (a forgery veil
//                                                      and Digital Bazaar must both refuse)
//
// did:web documents are fetched from https://host[:port]/... (Node's fetch;
// NODE_EXTRA_CA_CERTS adds a test CA) and must name the DID asked.
import fs from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalbazaar/security-document-loader';
import multikeyContext from '@digitalbazaar/multikey-context';

const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

function webUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const authority = decodeURIComponent(host);
  const where = path.length ? path.map(decodeURIComponent).join('/') : '.well-known';
  return `https://${authority}/${where}/did.json`;
}

// A did-io driver for did:web: the document from its host, checked.
const didWeb = {
  method: 'web',
  async get({did, url}) {
    // did-io passes the DID URL asked (with its fragment) as `did` or `url`.
    const asked = url || did;
    const id = asked.split('#')[0];
    const response = await fetch(webUrl(id), {redirect: 'error'});
    if (!response.ok) {
      throw new Error(`${id}: HTTP ${response.status}`);
    }
    const doc = await response.json();
    if (doc.id !== id) {
      throw new Error(`${webUrl(id)} holds ${doc.id}, not ${id}`);
    }
    if (!asked.includes('#')) {
      return doc;
    }
    const method = (doc.verificationMethod || []).find((m) => m.id === asked);
    if (!method) {
      throw new Error(`${asked} is not in ${id}'s document`);
    }
    return {'@context': doc['@context'], ...method};
  },
};

function documentLoader() {
  const loader = securityLoader();
  loader.addStatic(multikeyContext.CONTEXT_URL, multikeyContext.CONTEXT);
  loader.protocolHandlers.get('did').use(didWeb);
  return loader.build();
}

async function verify(path) {
  const credential = JSON.parse(fs.readFileSync(path, 'utf8'));
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader: documentLoader(),
    // Revocation is veil's to check (its status list); this checks the proof.
    checkStatus: async () => ({verified: true}),
  });
  const error = result.verified ? undefined : String(
    (result.error && (result.error.errors || [result.error]).map((e) => e.message).join('; ')) ||
    JSON.stringify(result.results));
  process.stdout.write(JSON.stringify({verified: result.verified, error}));
}

async function keygen(did, out) {
  const key = await Ed25519Multikey.generate();
  const controller = did === 'did:key' ? `did:key:${key.publicKeyMultibase}` : did;
  const fragment = did === 'did:key' ? key.publicKeyMultibase : 'key-1';
  key.controller = controller;
  key.id = `${controller}#${fragment}`;
  const exported = await key.export({publicKey: true, secretKey: true, includeContext: true});
  fs.writeFileSync(out, JSON.stringify(exported));
  const publicKey = await key.export({publicKey: true});
  process.stdout.write(JSON.stringify({
    '@context': [DID_CONTEXT, multikeyContext.CONTEXT_URL],
    id: controller,
    verificationMethod: [publicKey],
    authentication: [key.id],
    assertionMethod: [key.id],
  }, null, 2));
}

async function issue(keyPath, credentialPath, {keepIssuer = false} = {}) {
  const key = await Ed25519Multikey.from(JSON.parse(fs.readFileSync(keyPath, 'utf8')));
  const credential = JSON.parse(fs.readFileSync(credentialPath, 'utf8'));
  if (!keepIssuer) {
    credential.issuer = key.controller;
  }
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  const signed = await vc.issue({credential, suite, documentLoader: documentLoader()});
  process.stdout.write(JSON.stringify(signed, null, 2));
}

const [cmd, a, b] = process.argv.slice(2);
const commands = {
  verify: () => verify(a),
  keygen: () => keygen(a, b),
  issue: () => issue(a, b),
  forge: () => issue(a, b, {keepIssuer: true}),
};
if (!commands[cmd]) {
  console.error('usage: bazaar.mjs verify|keygen|issue|forge ...');
  process.exit(2);
}
commands[cmd]().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
