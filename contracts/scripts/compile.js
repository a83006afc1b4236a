#!/usr/bin/env node
// Compiles contracts/src/**/*.sol with the pinned solc-js into
// contracts/artifacts/<Contract>.json ({ abi, bytecode, deployedBytecode }).
// `--check` recompiles and fails if any committed artifact differs, so the
// artifacts the Rust harness deploys are always those of the sources.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const root = path.resolve(__dirname, '..');
const srcDir = path.join(root, 'src');
const outDir = path.join(root, 'artifacts');
const check = process.argv.includes('--check');

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.sol') ? [p] : [];
  });
}

function findImport(name) {
  for (const base of [path.join(root, 'node_modules'), root]) {
    const p = path.join(base, name);
    if (fs.existsSync(p)) return { contents: fs.readFileSync(p, 'utf8') };
  }
  return { error: `import not found: ${name}` };
}

// snark-verifier's generated halo2 verifier is one large assembly block: the
// optimiser exhausts solc-js's memory on it, and unoptimised it deploys at
// about 18.6 kB (under EIP-170's 24 kB), so it is compiled on its own
// without the optimiser. Everything else is optimised.
const UNOPTIMISED = new Set(['src/Halo2Verifier.sol']);
// Contracts the harness deploys from npm packages, emitted as artifacts like
// veil's own: poseidon-solidity's Poseidon(2) and Poseidon(4), which the gate
// calls to check revocation appends (on Ethereum the gate uses their
// deterministic deployments). They are hand-scheduled assembly compiled
// without the optimiser, as the package publishes its gas figures: the
// optimiser made a hash dearer, 29,336 → about 19,300 gas of execution for
// Poseidon(2) and 116,477 → about 52,900 for Poseidon(4) without it
// (benches/RESULTS.md, "On-chain gas").
const PACKAGED = ['poseidon-solidity/PoseidonT3.sol', 'poseidon-solidity/PoseidonT5.sol'];

function compile(files, optimise) {
  if (files.length === 0) return {};
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries([
      ...files.map((p) => [path.relative(root, p).split(path.sep).join('/'), { content: fs.readFileSync(p, 'utf8') }]),
      ...(optimise ? [] : PACKAGED.map((name) => [name, { content: findImport(name).contents }])),
    ]),
    settings: {
      optimizer: optimise ? { enabled: true, runs: 200 } : { enabled: false },
      evmVersion: 'cancun',
      metadata: { bytecodeHash: 'none', appendCBOR: false },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  for (const e of output.errors || []) console.error(e.formattedMessage);
  if (errors.length) process.exit(1);
  return output.contracts;
}

const all = sources(srcDir).sort();
const relative = (p) => path.relative(root, p).split(path.sep).join('/');
const output = {
  contracts: {
    ...compile(all.filter((p) => !UNOPTIMISED.has(relative(p))), true),
    ...compile(all.filter((p) => UNOPTIMISED.has(relative(p))), false),
  },
};

const artifacts = {};
for (const [file, contracts] of Object.entries(output.contracts)) {
  if (!file.startsWith('src/') && !PACKAGED.includes(file)) continue;
  for (const [name, c] of Object.entries(contracts)) {
    if (!c.evm.bytecode.object) continue; // interfaces
    if (c.abi.length > 0 && c.abi.every((e) => e.type === 'error')) continue; // internal libraries (inlined)
    artifacts[`${name}.json`] = JSON.stringify(
      {
        contract: name,
        source: file,
        compiler: `solc-js ${solc.version()}`,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      },
      null,
      2,
    ) + '\n';
  }
}

if (check) {
  const stale = [];
  const committed = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f.endsWith('.json')) : [];
  for (const [f, text] of Object.entries(artifacts)) {
    const p = path.join(outDir, f);
    if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== text) stale.push(f);
  }
  for (const f of committed) if (!(f in artifacts)) stale.push(`${f} (no source)`);
  if (stale.length) {
    console.error(`artifacts out of date (run \`npm run build\` in contracts/): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log(`artifacts current: ${Object.keys(artifacts).length} contracts, solc ${solc.version()}`);
} else {
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(outDir)) if (f.endsWith('.json')) fs.unlinkSync(path.join(outDir, f));
  for (const [f, text] of Object.entries(artifacts)) fs.writeFileSync(path.join(outDir, f), text);
  console.log(`wrote ${Object.keys(artifacts).length} artifacts to ${path.relative(process.cwd(), outDir) || '.'}`);
}
