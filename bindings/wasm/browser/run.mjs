// The browser end-to-end test: serve the wallet page, veil's wasm package and
// a `veil demo --keep` directory on localhost, open the page in headless
// Chromium (Debian's, driven by playwright-core) twice: cross-origin isolated
// (COOP/COEP: the threaded module, a Web Worker per core) and without the
// headers (the single-threaded fallback). Each time the page must show the
// credential (dates as dates) and the policy in words, prove when its button
// is clicked, verify, refuse an expired credential, and copy the proof, with
// no console error; a screenshot before and after proving is written and
// checked (page-isolated*.png, page-plain*.png). proof.json / public.json
// (threaded) and proof-single.json / public-single.json are written for
// native verification.
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

/// A screenshot's width and height, from the PNG's header; refuses a file
/// that is not a PNG or is implausibly small for the page.
async function checkScreenshot(path) {
  const png = await readFile(path);
  const signature = "89504e470d0a1a0a";
  if (png.subarray(0, 8).toString("hex") !== signature || png.subarray(12, 16).toString() !== "IHDR") {
    throw new Error(`${path} is not a PNG`);
  }
  const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  if (width < 600 || height < 600 || png.length < 20_000) {
    throw new Error(`${path}: ${width}×${height}, ${png.length} bytes: not the page`);
  }
  return { width, height };
}

/// What must be on the page before proving: the credential in words, the
/// policy's rules, what is shown and what is hidden, the button.
async function checkPageBeforeProving(page, label) {
  const counts = await page.evaluate(() => ({
    credential: document.querySelectorAll("#credential-lines dt").length,
    rules: document.querySelectorAll("#policy-rules li").length,
    disclosed: document.querySelectorAll("#disclosed li").length,
    hidden: document.querySelectorAll("#hidden li").length,
    credentialText: document.getElementById("credential-lines").textContent,
    button: document.getElementById("prove").textContent,
  }));
  if (counts.credential < 6 || counts.rules < 5 || counts.disclosed < 1 || counts.hidden < 1 || !counts.button) {
    throw new Error(`the ${label} page is missing parts: ${JSON.stringify(counts)}`);
  }
  // Dates as dates: no raw day number (five digits) in the credential.
  if (/\b\d{5}\b/.test(counts.credentialText)) {
    throw new Error(`the ${label} page shows a day number: ${counts.credentialText}`);
  }
}

/// Opens the page on a fresh server, proves through its button and returns
/// what it proved.
async function prove(isolated) {
  const server = await serve(isolated);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const label = isolated ? "isolated" : "plain";
  const context = await browser.newContext({ viewport: { width: 900, height: 1100 } });
  try {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const page = await context.newPage();
    const errors = [];
    page.on("console", (m) => {
      console.log(`[page ${label}] ${m.text()}`);
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => {
      console.log(`[page ${label} error] ${e.message}`);
      errors.push(e.message);
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForSelector("#prove:not([disabled])", { timeout: 180_000 });
    await checkPageBeforeProving(page, label);
    await page.screenshot({ path: join(outDir, `page-${label}-before.png`), fullPage: true });
    await page.click("#prove");
    await page.waitForFunction(() => window.veilResult !== undefined, null, { timeout: 180_000 });
    const result = await page.evaluate(() => window.veilResult);
    if (result.error) throw new Error(`the ${label} page failed: ${result.error} (${result.code})`);
    const shown = await page.evaluate(() => ({
      outcome: document.getElementById("outcome").className,
      proofBox: !document.getElementById("proof-box").hidden,
      proofText: document.getElementById("proof-text").value,
    }));
    if (shown.outcome !== "ok" || !shown.proofBox || !JSON.parse(shown.proofText).proof) {
      throw new Error(`the ${label} page did not show the proof: ${JSON.stringify({ ...shown, proofText: shown.proofText.length })}`);
    }
    await page.click("#copy");
    await page.waitForFunction(() => document.getElementById("copy-status").textContent !== "", null, { timeout: 10_000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    if (copied !== shown.proofText) throw new Error(`the ${label} page's Copy did not copy the proof`);
    await page.screenshot({ path: join(outDir, `page-${label}.png`), fullPage: true });
    for (const name of [`page-${label}-before.png`, `page-${label}.png`]) await checkScreenshot(join(outDir, name));
    // A file that is not a credential: refused in words, on the page.
    await page.setInputFiles("#credential-file", { name: "credential.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
    await page.waitForFunction(() => document.getElementById("outcome").className === "failed", null, { timeout: 10_000 });
    const refusal = await page.evaluate(() => document.getElementById("outcome").textContent);
    if (!refusal.includes("credential file is not a JSON document")) {
      throw new Error(`the ${label} page did not refuse a bad credential file in words: ${refusal}`);
    }
    // A file far past a wallet document's size: refused before it is read.
    await page.setInputFiles("#holder-file", { name: "holder.json", mimeType: "application/json", buffer: Buffer.alloc(1 << 20, 32) });
    await page.waitForFunction(() => document.getElementById("outcome").textContent.includes("holder secret file is"), null, { timeout: 10_000 });
    if (errors.length) throw new Error(`the ${label} page logged errors: ${errors.join(" | ")}`);
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
    await context.close();
    server.close();
  }
}

let failed = false;
await mkdir(outDir, { recursive: true });
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
