#!/usr/bin/env node
// snarkjs's exported Solidity verifier for a verification_key.json, compiled
// with veil's pinned solc-js and settings (optimizer 200 runs, cancun), for
// the gas comparison in `cargo bench -p veil-benches --bench gas`.
//
//   node snarkjs_verifier.js verification_key.json > bytecode.hex
//
// This is what `snarkjs zkey export solidityverifier` renders (the same
// template and ejs call), starting from the key instead of a zkey.
'use strict';
const fs = require('fs');
const path = require('path');
const ejs = require('ejs');
const solc = require(path.join(__dirname, '../../contracts/node_modules/solc'));

const vk = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const template = fs.readFileSync(
  path.join(__dirname, 'node_modules/snarkjs/templates/verifier_groth16.sol.ejs'),
  'utf8',
);
const source = ejs.render(template, vk);
const input = {
  language: 'Solidity',
  sources: { 'Groth16Verifier.sol': { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    metadata: { bytecodeHash: 'none', appendCBOR: false },
    outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter((e) => e.severity === 'error');
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
process.stdout.write(out.contracts['Groth16Verifier.sol'].Groth16Verifier.evm.bytecode.object);
