// A wallet page: load veil's wasm and the proving key, prove the request
// built from the wallet's documents, verify the proof, and show the timings.
// The documents are served from /fixtures/ (a `veil demo --keep` directory);
// a real wallet would hold them in its own storage.
//
// Threads: where the page is cross-origin isolated (served with
// Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
// require-corp, so SharedArrayBuffer exists) it proves in a Worker
// (worker.js) with the threaded module (/pkg-threads/) and its pool of Web
// Workers, one per core; anywhere else, or if the pool does not start within
// POOL_TIMEOUT_MS, it proves on the page with the single-threaded module
// (/pkg/). `?threads=0` forces the latter.
import { proveWith } from "./wallet.js";

const $ = (id) => document.getElementById(id);
const fetchJson = async (name) => (await fetch(`/fixtures/${name}`)).json();
const POOL_TIMEOUT_MS = 20_000;

/// The next message of `type` (or of `failure`) from `worker`.
function reply(worker, types) {
  return new Promise((ok) => {
    worker.addEventListener("message", function on({ data }) {
      if (!types.includes(data.type)) return;
      worker.removeEventListener("message", on);
      ok(data);
    });
  });
}

/// A Worker with the threaded module's pool started, or why to fall back.
async function threadedWorker() {
  if (new URLSearchParams(location.search).get("threads") === "0") return { why: "threads=0" };
  if (!self.crossOriginIsolated || typeof SharedArrayBuffer !== "function") {
    return { why: "not cross-origin isolated" };
  }
  const worker = new Worker("/worker.js", { type: "module" });
  const ready = reply(worker, ["ready", "failed"]);
  worker.postMessage({ type: "init", threads: navigator.hardwareConcurrency });
  const timeout = new Promise((ok) =>
    setTimeout(() => ok({ type: "failed", message: `no thread pool after ${POOL_TIMEOUT_MS} ms` }), POOL_TIMEOUT_MS),
  );
  const answer = await Promise.race([ready, timeout]);
  if (answer.type === "ready") return { worker };
  worker.terminate();
  return { why: `the thread pool did not start: ${answer.message}` };
}

/// Proves in `worker`; a refusal is rethrown as the module would throw it.
async function proveInWorker(worker, provingKey, request, verificationKey) {
  const answer = reply(worker, ["proved", "error"]);
  worker.postMessage({ type: "prove", provingKey, request, verificationKey }, [provingKey]);
  const { type, result, error } = await answer;
  if (type === "proved") return result;
  throw Object.assign(new Error(error.message), { name: error.name, code: error.code });
}

async function run() {
  const t0 = performance.now();
  const { worker, why } = await threadedWorker();
  let pkg = null;
  if (!worker) {
    pkg = await import("/pkg/veil_wasm.js");
    await pkg.default();
  }
  const t1 = performance.now();
  const provingKey = await (await fetch("/fixtures/compliance.pk")).arrayBuffer();
  const provingKeyBytes = provingKey.byteLength;
  const request = {
    credential: await fetchJson("credential.json"),
    holder: await fetchJson("holder.json"),
    policy: await fetchJson("policy.json"),
    context: await fetchJson("context.json"),
    issuers: await fetchJson("issuers.json"),
    revoked: await fetchJson("revoked.json"),
  };
  const verificationKey = await fetchJson("verification_key.json");
  const t2 = performance.now();
  const proved = worker
    ? await proveInWorker(worker, provingKey, request, verificationKey)
    : proveWith(pkg, provingKey, request, verificationKey);
  return {
    ...proved,
    fallback: why ?? null,
    provingKeyBytes,
    timingsMs: { instantiateWasm: t1 - t0, fetchKeyAndDocuments: t2 - t1, ...proved.timingsMs },
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
