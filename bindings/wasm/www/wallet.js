// What a wallet does with a loaded veil module, on the page or in a Worker:
// load the proving key, prove the request, verify the proof, and check that a
// credential past its expiry is refused by name, with a code.

/// Proves with `pkg` (an initialised veil module) and times each step.
/// `stage(name)` is awaited before each step, so a page can show progress
/// (and repaint) before the step blocks its thread.
export async function proveWith(pkg, provingKey, request, verificationKey, stage = async () => {}) {
  await stage("key");
  const t0 = performance.now();
  const prover = new pkg.Prover(provingKey);
  const t1 = performance.now();
  await stage("prove");
  const t1b = performance.now();
  const { proof, publicSignals, calldata } = prover.prove(request);
  const t2 = performance.now();
  await stage("verify");
  const t2b = performance.now();
  const verified = pkg.verify(verificationKey, proof, publicSignals);
  const t3 = performance.now();

  let refused = null;
  try {
    prover.prove({ ...request, context: { ...request.context, today: request.credential.claims.expires_at } });
  } catch (e) {
    refused = { name: e.name, code: e.code, message: e.message };
  }
  return {
    version: pkg.version(),
    threads: pkg.hasThreads() ? navigator.hardwareConcurrency : 1,
    verified,
    proof,
    publicSignals,
    calldata,
    refused,
    timingsMs: { loadProvingKey: t1 - t0, prove: t2 - t1b, verify: t3 - t2b },
  };
}
