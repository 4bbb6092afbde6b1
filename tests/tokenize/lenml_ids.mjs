// Reference ids for tests/tokenize/corpus.json from @lenml/tokenizers (a JavaScript port of
// transformers.js's tokenizers), for the Gemma 3, Llama 3 and Qwen 3 tokenizers as the
// @lenml/tokenizer-* packages ship them. Written to stdout as the fixture lenml_ids.json:
//   node tests/tokenize/lenml_ids.mjs > tests/tokenize/lenml_ids.json
// Needs `scripts/setup.sh` (the tokenizers under .deps/, @lenml/tokenizers under .deps/lenml-js).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(root, ".deps/lenml-js/package.json"));
const { TokenizerLoader } = require("@lenml/tokenizers");
const libVersion = JSON.parse(
  fs.readFileSync(path.join(root, ".deps/lenml-js/node_modules/@lenml/tokenizers/package.json"), "utf8"),
).version;

const corpus = JSON.parse(fs.readFileSync(path.join(root, "tests/tokenize/corpus.json"), "utf8"));
const out = { generator: "tests/tokenize/lenml_ids.mjs", "@lenml/tokenizers": libVersion, tokenizers: {} };
for (const name of ["gemma3", "llama3", "qwen3"]) {
  const version = "3.7.2";  // pinned in scripts/setup.sh
  const pkg = path.join(root, `.deps/tokenizer-${name}-${version}/package`);
  const tok = TokenizerLoader.fromPreTrained({
    tokenizerJSON: JSON.parse(fs.readFileSync(path.join(pkg, "models/tokenizer.json"), "utf8")),
    tokenizerConfig: JSON.parse(fs.readFileSync(path.join(pkg, "models/tokenizer_config.json"), "utf8")),
  });
  const cases = corpus.cases.map((c) => ({
    name: c.name,
    ids: Array.from(tok.encode(c.text)),
    ids_no_special: Array.from(tok.encode(c.text, { add_special_tokens: false })),
  }));
  out.tokenizers[name] = { package: `@lenml/tokenizer-${name}@${version}`, cases };
}
process.stdout.write(JSON.stringify(out) + "\n");
