// Encoding speed of @lenml/tokenizers on one text, for docs/benchmarks.md's comparison with
// `medq tokenize`: node bench/js/lenml_encode_bench.mjs TOKENIZER_DIR TEXT_FILE
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(root, ".deps/lenml-js/package.json"));
const { TokenizerLoader } = require("@lenml/tokenizers");
const [dir, file] = process.argv.slice(2);
let t0 = process.hrtime.bigint();
const tok = TokenizerLoader.fromPreTrained({
  tokenizerJSON: JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8")),
  tokenizerConfig: JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")),
});
const load = Number(process.hrtime.bigint() - t0) / 1e9;
const text = fs.readFileSync(file, "utf8");
t0 = process.hrtime.bigint();
const ids = tok.encode(text);
const enc = Number(process.hrtime.bigint() - t0) / 1e9;
const mb = Buffer.byteLength(text) / 1e6;
console.log(`load ${load.toFixed(2)} s; ${ids.length} tokens from ${mb.toFixed(1)} MB in ${enc.toFixed(2)} s: ${(mb / enc).toFixed(2)} MB/s`);
