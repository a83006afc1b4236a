#!/usr/bin/env node
// didkit's side of veil's interop tests (driven by did/tests/didkit.rs).
//
//   node didkit.js sign <unsigned-credential.json> <key.jwk> [vm] -> signed VC on stdout
//                                                               (vm: default the key's did:key method)
//   node didkit.js verify <vc.json>                             -> didkit's result JSON
//   node didkit.js did <key.jwk>                                -> did:key and its verification method
//
// didkit-wasm-node 0.2.1 speaks VC Data Model 1.1 with Ed25519Signature2020
// for did:key issuers, and did:web ones on port 443 (it ignores a port).
'use strict';
const fs = require('fs');
const didkit = require('@spruceid/didkit-wasm-node');

async function main() {
  const [cmd, a, b, c] = process.argv.slice(2);
  if (cmd === 'did') {
    const key = fs.readFileSync(a, 'utf8');
    const did = didkit.keyToDID('key', key);
    const vm = await didkit.keyToVerificationMethod('key', key);
    process.stdout.write(JSON.stringify({ did, verificationMethod: vm }));
  } else if (cmd === 'sign') {
    const credential = fs.readFileSync(a, 'utf8');
    const key = fs.readFileSync(b, 'utf8');
    // The key's did:key method, or the one given (a did:web key, say).
    const vm = c || await didkit.keyToVerificationMethod('key', key);
    const options = JSON.stringify({
      type: 'Ed25519Signature2020',
      proofPurpose: 'assertionMethod',
      verificationMethod: vm,
    });
    process.stdout.write(await didkit.issueCredential(credential, options, key));
  } else if (cmd === 'verify') {
    const vc = fs.readFileSync(a, 'utf8');
    const options = JSON.stringify({ proofPurpose: 'assertionMethod' });
    process.stdout.write(await didkit.verifyCredential(vc, options));
  } else {
    console.error('usage: didkit.js sign|verify|did ...');
    process.exit(2);
  }
}

main().catch((e) => {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
});
