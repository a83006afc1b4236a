// A wallet page: load veil's wasm and the proving key, prove the request
// built from the wallet's documents, verify the proof, and show the timings.
// The documents are served from /fixtures/ (a `veil demo --keep` directory);
// a real wallet would hold them in its own storage.
import init, { Prover, verify, version } from "/pkg/veil_wasm.js";

const $ = (id) => document.getElementById(id);
const fetchJson = async (name) => (await fetch(`/fixtures/${name}`)).json();

async function run() {
  const t0 = performance.now();
  await init();
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
