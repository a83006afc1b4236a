// A wallet page: load veil's wasm and the proving key, prove the request
// built from the wallet's documents, verify the proof, and show the timings.
// The documents are served from /fixtures/ (a `veil demo --keep` directory);
// a real wallet would hold them in its own storage.
//
// Threads: where the page is cross-origin isolated (served with
// Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
// require-corp, so SharedArrayBuffer exists) it loads the threaded module
// (/pkg-threads/) and starts a pool of Web Workers, one per core; anywhere
// else, or if the pool does not start within POOL_TIMEOUT_MS, it proves with
// the single-threaded module (/pkg/). `?threads=0` forces the latter.

const $ = (id) => document.getElementById(id);
const fetchJson = async (name) => (await fetch(`/fixtures/${name}`)).json();
const POOL_TIMEOUT_MS = 20_000;

/// The threaded module with its pool started, or null (and why) to fall back.
async function threadedModule() {
  if (new URLSearchParams(location.search).get("threads") === "0") return { why: "threads=0" };
  if (!self.crossOriginIsolated || typeof SharedArrayBuffer !== "function") {
    return { why: "not cross-origin isolated" };
  }
  try {
    const pkg = await import("/pkg-threads/veil_wasm.js");
    await pkg.default();
    const timeout = new Promise((_, fail) =>
      setTimeout(() => fail(new Error(`no thread pool after ${POOL_TIMEOUT_MS} ms`)), POOL_TIMEOUT_MS),
    );
    await Promise.race([pkg.initThreadPool(navigator.hardwareConcurrency), timeout]);
    return { pkg };
  } catch (e) {
    return { why: `the thread pool did not start: ${e.message}` };
  }
}

async function run() {
  const t0 = performance.now();
  let { pkg, why } = await threadedModule();
  if (!pkg) {
    pkg = await import("/pkg/veil_wasm.js");
    await pkg.default();
  }
  const { Prover, verify, version, hasThreads } = pkg;
  const t1 = performance.now();
  const provingKey = await (await fetch("/fixtures/compliance.pk")).arrayBuffer();
  const request = {
    credential: await fetchJson("credential.json"),
    holder: await fetchJson("holder.json"),
    policy: await fetchJson("policy.json"),
    context: await fetchJson("context.json"),
    issuers: await fetchJson("issuers.json"),
    revoked: await fetchJson("revoked.json"),
  };
  const t2 = performance.now();
  const prover = new Prover(provingKey);
  const t3 = performance.now();
  const { proof, publicSignals, calldata } = prover.prove(request);
  const t4 = performance.now();
  const verificationKey = await fetchJson("verification_key.json");
  const verified = verify(verificationKey, proof, publicSignals);
  const t5 = performance.now();

  // A credential past its expiry is refused by name, with a code.
  let refused = null;
  try {
    prover.prove({ ...request, context: { ...request.context, today: request.credential.claims.expires_at } });
  } catch (e) {
    refused = { name: e.name, code: e.code, message: e.message };
  }

  return {
    version: version(),
    threads: hasThreads() ? navigator.hardwareConcurrency : 1,
    fallback: why ?? null,
    verified,
    proof,
    publicSignals,
    calldata,
    refused,
    provingKeyBytes: provingKey.byteLength,
    timingsMs: {
      instantiateWasm: t1 - t0,
      fetchKeyAndDocuments: t2 - t1,
      loadProvingKey: t3 - t2,
      prove: t4 - t3,
      verify: t5 - t4,
    },
  };
}

run().then(
  (result) => {
    window.veilResult = result;
    $("result").textContent = JSON.stringify({ verified: result.verified, timingsMs: result.timingsMs, refused: result.refused }, null, 2);
    $("status").textContent = result.verified ? "proved and verified" : "proof did not verify";
  },
  (error) => {
    window.veilResult = { error: `${error.name}: ${error.message}`, code: error.code ?? null };
    $("status").textContent = "failed";
    $("result").textContent = String(error);
  },
);
