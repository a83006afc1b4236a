// The threaded module in a Worker. Its pool's workers share the module's
// memory; waiting for them here blocks this thread (Atomics.wait), where the
// page's own thread, which may not block, would spin on a core the pool needs.
import { proveWith } from "./wallet.js";

let pkg;
self.onmessage = async ({ data }) => {
  if (data.type === "init") {
    try {
      pkg = await import("/pkg-threads/veil_wasm.js");
      await pkg.default();
      await pkg.initThreadPool(data.threads);
      postMessage({ type: "ready" });
    } catch (e) {
      postMessage({ type: "failed", message: e.message });
    }
  } else if (data.type === "prove") {
    try {
      // Each step is announced before it blocks this thread: the page shows it.
      const stage = async (name) => postMessage({ type: "stage", name });
      const result = await proveWith(pkg, data.provingKey, data.request, data.verificationKey, stage);
      postMessage({ type: "proved", result });
    } catch (e) {
      postMessage({ type: "error", error: { name: e.name, message: e.message, code: e.code ?? null } });
    }
  }
};
