// Reads a sharded repository's safetensors headers over HTTP with the Hugging Face JS hub library
// (@huggingface/hub parseSafetensorsMetadata, the parser behind the Hub's model pages), against
// a Hub at another URL (the library's `hubUrl` option, its HF_ENDPOINT) with Node's own fetch:
// for scripts/bench_remote.sh, side by side with `medq validate hf://`.
//
//   node bench/js/hub_remote.mjs HUB_URL ORG/NAME REVISION   (token from HF_TOKEN)
//
// The path is given (the index), as the library otherwise probes model.safetensors with HEAD on
// `raw/`, which the loopback Hub does not serve; computeParametersCount reads config.json too,
// as the model pages do. Prints the tensor and parameter counts and the time inside Node.
import { parseSafetensorsMetadata } from "@huggingface/hub";

const [hubUrl, name, revision] = process.argv.slice(2);
if (!hubUrl || !name || !revision) {
  console.error("usage: node hub_remote.mjs HUB_URL ORG/NAME REVISION");
  process.exit(2);
}

const t0 = performance.now();
const info = await parseSafetensorsMetadata({
  repo: { type: "model", name },
  path: "model.safetensors.index.json",
  revision,
  hubUrl,
  accessToken: process.env.HF_TOKEN || undefined,
  computeParametersCount: true,
});
const ms = performance.now() - t0;
const header = info.sharded ? Object.assign({}, ...Object.values(info.headers)) : info.header;
const tensors = Object.keys(header).filter((k) => k !== "__metadata__").length;
const parameters = Object.values(info.parameterCount ?? {}).reduce((a, b) => a + b, 0);
console.log(`${tensors} tensors, ${parameters} parameters, read in ${ms.toFixed(1)} ms inside node`);
