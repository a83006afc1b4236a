// The browser end-to-end test: serve the wallet page, veil's wasm package and
// a `veil demo --keep` directory on localhost, open the page in headless
// Chromium (Debian's, driven by playwright-core), wait for the proof, and
// write proof.json / public.json / browser.json for native verification.
//
// Usage: node run.mjs DEMO_DIR OUT_DIR   (PKG_DIR defaults to ../pkg-web)
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
  "/fixtures/": resolve(demoDir),
  "/": resolve(here, "..", "www"),
};
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

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
    res.writeHead(200, { "content-type": types[extname(rel)] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const url = `http://127.0.0.1:${server.address().port}/index.html`;

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
let failed = false;
try {
  const page = await browser.newPage();
  page.on("console", (m) => console.log(`[page] ${m.text()}`));
  page.on("pageerror", (e) => console.log(`[page error] ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.veilResult !== undefined, null, { timeout: 180_000 });
  const result = await page.evaluate(() => window.veilResult);
  if (result.error) throw new Error(`the page failed: ${result.error} (${result.code})`);
  const browserVersion = browser.version();
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, "proof.json"), JSON.stringify(result.proof, null, 1));
  await writeFile(join(outDir, "public.json"), JSON.stringify(result.publicSignals, null, 1));
  await writeFile(
    join(outDir, "browser.json"),
    JSON.stringify({ chromium: browserVersion, timingsMs: result.timingsMs, refused: result.refused }, null, 2),
  );
  const t = result.timingsMs;
  console.log(`Chromium ${browserVersion}, veil ${result.version}`);
  console.log(
    `in-browser: instantiate wasm ${t.instantiateWasm.toFixed(0)} ms, load proving key ${t.loadProvingKey.toFixed(0)} ms` +
      ` (${(result.provingKeyBytes / 1e6).toFixed(1)} MB), prove ${t.prove.toFixed(0)} ms, verify ${t.verify.toFixed(0)} ms`,
  );
  if (!result.verified) throw new Error("the proof made in the browser did not verify in the browser");
  if (result.refused?.code !== "WITNESS_REFUSED" || result.refused?.name !== "VeilError") {
    throw new Error(`an expired credential was not refused as WITNESS_REFUSED: ${JSON.stringify(result.refused)}`);
  }
  console.log(`expired credential refused: ${result.refused.code}: ${result.refused.message}`);
} catch (e) {
  console.error(String(e));
  failed = true;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
