// The example wallet page: it shows the credential and the verifier's policy
// in words (what the proof shows, what stays hidden), proves with a progress
// indicator, verifies, and lets the holder copy the proof. The documents are
// served from /fixtures/ (a `veil demo --keep` directory); a real wallet
// would hold them in its own storage. The holder may load another
// credential and secret from files.
//
// Threads: where the page is cross-origin isolated (served with
// Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
// require-corp, so SharedArrayBuffer exists) it proves in a Worker
// (worker.js) with the threaded module (/pkg-threads/) and its pool of Web
// Workers, one per core; anywhere else, or if the pool does not start within
// POOL_TIMEOUT_MS, it proves on the page with the single-threaded module
// (/pkg/). `?threads=0` forces the latter.
//
// `window.veilResult` holds the outcome for the browser test
// (bindings/wasm/browser/run.mjs).
import { proveWith } from "./wallet.js";
import { credentialLines, disclosure, plainError, policyRules } from "./present.js";

const $ = (id) => document.getElementById(id);
const fetchJson = async (name) => {
  const response = await fetch(`/fixtures/${name}`);
  if (!response.ok) throw new Error(`${name}: not found (${response.status})`);
  return response.json();
};
const POOL_TIMEOUT_MS = 20_000;
const STAGES = {
  fetch: [1, "Fetching the proving key…"],
  key: [2, "Loading the proving key…"],
  prove: [3, "Proving… (a few seconds; nothing leaves this device)"],
  verify: [4, "Checking the proof…"],
};

/// The next message of one of `types` from `worker`; `stage` messages on
/// the way are passed to `onStage`.
function reply(worker, types, onStage = () => {}) {
  return new Promise((ok) => {
    worker.addEventListener("message", function on({ data }) {
      if (data.type === "stage") onStage(data.name);
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

/// The prover: a threaded Worker, or the single-threaded module on the page.
async function startEngine() {
  const t0 = performance.now();
  const { worker, why } = await threadedWorker();
  let pkg = null;
  if (!worker) {
    pkg = await import("/pkg/veil_wasm.js");
    await pkg.default();
  }
  return { worker, pkg, fallback: why ?? null, instantiateMs: performance.now() - t0 };
}

/// Shows a stage and lets the page repaint before the next step blocks it.
async function showStage(name) {
  const [value, text] = STAGES[name];
  $("progress").value = value;
  $("stage").textContent = text;
  await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
}

/// Proves `request` with `engine`; a refusal is rethrown as the module throws it.
async function prove(engine, provingKey, request, verificationKey) {
  if (!engine.worker) return proveWith(engine.pkg, provingKey, request, verificationKey, showStage);
  const answer = reply(engine.worker, ["proved", "error"], showStage);
  engine.worker.postMessage({ type: "prove", provingKey, request, verificationKey }, [provingKey]);
  const { type, result, error } = await answer;
  if (type === "proved") return result;
  throw Object.assign(new Error(error.message), { name: error.name, code: error.code });
}

/// Fills a list element with one item per entry.
function list(id, items) {
  $(id).replaceChildren(...items.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
}

function showCredential(credential) {
  $("credential-lines").replaceChildren(
    ...credentialLines(credential.claims).flatMap(([term, value]) => [
      Object.assign(document.createElement("dt"), { textContent: term }),
      Object.assign(document.createElement("dd"), { textContent: value }),
    ]),
  );
}

function showPolicy(policy) {
  list("policy-rules", policyRules(policy));
  const { disclosed, hidden } = disclosure();
  list("disclosed", disclosed);
  list("hidden", hidden);
}

/// A wallet document is a few kilobytes; a bigger file is refused unread.
const MAX_DOCUMENT_BYTES = 64 * 1024;

/// A JSON document the holder picked, or a plain-words error.
async function readFile(input, what) {
  const file = input.files[0];
  if (file.size > MAX_DOCUMENT_BYTES) {
    throw new Error(`the ${what} file is ${file.size} bytes; a wallet document is at most ${MAX_DOCUMENT_BYTES}`);
  }
  try {
    return JSON.parse(await file.text());
  } catch (e) {
    throw new Error(`the ${what} file is not a JSON document (${e.message})`);
  }
}

function fail(error) {
  $("outcome").className = "failed";
  $("outcome").textContent = plainError(error);
}

async function main() {
  const engine = startEngine();
  const request = {
    credential: await fetchJson("credential.json"),
    holder: await fetchJson("holder.json"),
    policy: await fetchJson("policy.json"),
    context: await fetchJson("context.json"),
    issuers: await fetchJson("issuers.json"),
    revoked: await fetchJson("revoked.json"),
  };
  showCredential(request.credential);
  showPolicy(request.policy);
  for (const [id, key, what] of [["credential-file", "credential", "credential"], ["holder-file", "holder", "holder secret"]]) {
    $(id).addEventListener("change", async (event) => {
      try {
        request[key] = await readFile(event.target, what);
        if (key === "credential") showCredential(request.credential);
        $("outcome").textContent = "";
      } catch (e) {
        fail(e);
      }
    });
  }

  const { worker, pkg, fallback, instantiateMs } = await engine;
  const ready = { worker, pkg };
  $("prove").disabled = false;
  $("prove").addEventListener("click", async () => {
    $("prove").disabled = true;
    $("progress").hidden = false;
    $("outcome").textContent = "";
    $("proof-box").hidden = true;
    try {
      const t0 = performance.now();
      await showStage("fetch");
      const provingKey = await (await fetch("/fixtures/compliance.pk")).arrayBuffer();
      const provingKeyBytes = provingKey.byteLength;
      const verificationKey = await fetchJson("verification_key.json");
      const t1 = performance.now();
      const proved = await prove(ready, provingKey, request, verificationKey);
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      window.veilResult = {
        ...proved,
        fallback,
        provingKeyBytes,
        timingsMs: { instantiateWasm: instantiateMs, fetchKeyAndDocuments: t1 - t0, ...proved.timingsMs },
      };
      $("progress").value = $("progress").max;
      $("stage").textContent = "";
      if (proved.verified) {
        $("outcome").className = "ok";
        $("outcome").textContent = `Proved and checked in ${seconds} s. The verifier learns that every rule holds, and nothing else about you.`;
        $("proof-text").value = JSON.stringify({ proof: proved.proof, publicSignals: proved.publicSignals }, null, 1);
        $("proof-box").hidden = false;
      } else {
        fail(new Error("the proof was made but did not check out; do not send it"));
      }
      $("engine").textContent = `Proved with ${proved.threads} thread${proved.threads > 1 ? "s" : ""}${fallback ? ` (${fallback})` : ""}, veil ${proved.version}.`;
    } catch (error) {
      window.veilResult = { error: `${error.name}: ${error.message}`, code: error.code ?? null };
      $("progress").hidden = true;
      $("stage").textContent = "";
      fail(error);
    } finally {
      $("prove").disabled = false;
    }
  });
  $("copy").addEventListener("click", async () => {
    const text = $("proof-text").value;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without clipboard permission: select it, so the holder can copy by hand.
      $("proof-text").select();
      $("copy-status").textContent = "Selected: copy it with your keyboard.";
      return;
    }
    $("copy-status").textContent = "Copied.";
  });
}

main().catch((error) => {
  window.veilResult = { error: `${error.name}: ${error.message}`, code: error.code ?? null };
  fail(error);
});
