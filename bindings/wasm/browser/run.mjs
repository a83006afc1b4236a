// The browser end-to-end test: serve the wallet page, veil's wasm package and
// a `veil demo --keep` directory on localhost, open the page in headless
// Chromium (Debian's, driven by playwright-core) twice: cross-origin isolated
// (COOP/COEP: the threaded module, a Web Worker per core) and without the
// headers (the single-threaded fallback). Each must prove, verify and refuse
// an expired credential; proof.json / public.json (threaded) and
// proof-single.json / public-single.json are written for native verification.
//
// Usage: node run.mjs DEMO_DIR OUT_DIR   (PKG_DIR defaults to ../pkg-web,
// PKG_THREADS_DIR to ../pkg-web-threads)
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFile, mkdir, writeFile } from "node:fs/promises";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [demoDir, outDir] = process.argv.slice(2);
if (!demoDir || !outDir) {
  console.error("usage: node run.mjs DEMO_DIR OUT_DIR");
  process.exit(2);
}
const roots = {
  "/pkg/": resolve(process.env.PKG_DIR ?? join(here, "..", "pkg-web")),
  "/pkg-threads/": resolve(process.env.PKG_THREADS_DIR ?? join(here, "..", "pkg-web-threads")),
  "/fixtures/": resolve(demoDir),
  "/": resolve(here, "..", "www"),
};
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
// What makes a page cross-origin isolated (SharedArrayBuffer, wasm threads).
const isolation = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

/// A server of the page, the packages and the fixtures; with `isolated`,
/// every response carries the COOP/COEP headers.
async function serve(isolated) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    const prefix = Object.keys(roots).find((p) => path.startsWith(p));
    const rel = normalize(path.slice(prefix.length) || "index.html");
    if (rel.startsWith("..")) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(join(roots[prefix], rel));
      const headers = { "content-type": types[extname(rel)] ?? "application/octet-stream", ...(isolated ? isolation : {}) };
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return server;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

/// Opens the page on a fresh server and returns what it proved.
async function prove(isolated) {
  const server = await serve(isolated);
  try {
    const page = await browser.newPage();
    const label = isolated ? "isolated" : "plain";
    page.on("console", (m) => console.log(`[page ${label}] ${m.text()}`));
    page.on("pageerror", (e) => console.log(`[page ${label} error] ${e.message}`));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await page.waitForFunction(() => window.veilResult !== undefined, null, { timeout: 180_000 });
    const result = await page.evaluate(() => window.veilResult);
    await page.close();
    if (result.error) throw new Error(`the ${label} page failed: ${result.error} (${result.code})`);
    if (!result.verified) throw new Error(`the proof made in the ${label} page did not verify in the browser`);
    if (result.refused?.code !== "WITNESS_REFUSED" || result.refused?.name !== "VeilError") {
      throw new Error(`an expired credential was not refused as WITNESS_REFUSED: ${JSON.stringify(result.refused)}`);
    }
    const t = result.timingsMs;
    console.log(
      `in-browser, ${label} (${result.threads} thread${result.threads > 1 ? "s" : ""}${result.fallback ? `; ${result.fallback}` : ""}): ` +
        `instantiate wasm ${t.instantiateWasm.toFixed(0)} ms, load proving key ${t.loadProvingKey.toFixed(0)} ms` +
        ` (${(result.provingKeyBytes / 1e6).toFixed(1)} MB), prove ${t.prove.toFixed(0)} ms, verify ${t.verify.toFixed(0)} ms`,
    );
    return result;
  } finally {
    server.close();
  }
}

let failed = false;
try {
  // Cross-origin isolated: the threaded module, a pool of every core.
  const threaded = await prove(true);
  if (!(threaded.threads > 1)) {
    throw new Error(`the isolated page proved on ${threaded.threads} thread (${threaded.fallback})`);
  }
  // Without the headers: SharedArrayBuffer is absent, the page falls back.
  const single = await prove(false);
  if (single.threads !== 1 || single.fallback !== "not cross-origin isolated") {
    throw new Error(`the plain page did not fall back: ${JSON.stringify({ threads: single.threads, fallback: single.fallback })}`);
  }
  console.log(`Chromium ${browser.version()}, veil ${threaded.version}; expired credential refused: ${single.refused.message}`);
  await mkdir(outDir, { recursive: true });
  for (const [suffix, result] of [["", threaded], ["-single", single]]) {
    await writeFile(join(outDir, `proof${suffix}.json`), JSON.stringify(result.proof, null, 1));
    await writeFile(join(outDir, `public${suffix}.json`), JSON.stringify(result.publicSignals, null, 1));
  }
  const summary = (r) => ({ threads: r.threads, fallback: r.fallback, timingsMs: r.timingsMs });
  await writeFile(
    join(outDir, "browser.json"),
    JSON.stringify({ chromium: browser.version(), threaded: summary(threaded), single: summary(single), refused: single.refused }, null, 2),
  );
} catch (e) {
  console.error(String(e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
