// Checks EdDSA-Poseidon signatures with circomlibjs's verifyPoseidon, the
// reference the circuit follows. Input: a JSON file holding an array of
// {message, publicKey: {x, y}, r8: {x, y}, s} (decimal strings).
// Output: one line of JSON, an array of booleans.
const fs = require("fs");
const { buildEddsa } = require("circomlibjs");

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const eddsa = await buildEddsa();
  const F = eddsa.babyJub.F;
  const point = (p) => [F.e(BigInt(p.x)), F.e(BigInt(p.y))];
  const results = cases.map((c) =>
    eddsa.verifyPoseidon(
      F.e(BigInt(c.message)),
      { R8: point(c.r8), S: BigInt(c.s) },
      point(c.publicKey),
    ),
  );
  console.log(JSON.stringify(results));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
