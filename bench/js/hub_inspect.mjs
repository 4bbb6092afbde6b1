// Parses a local safetensors file's header with the Hugging Face JS hub library
// (@huggingface/hub parseSafetensorsMetadata), the parser the Hub's model pages use. The library
// reads over HTTP range requests; `localFetch` answers them from the local file instead, so the
// library's own parsing and validation run unchanged and nothing touches the network.
//
//   node bench/js/hub_inspect.mjs DIR FILE   (FILE relative to DIR, e.g. model.safetensors)
//
// Prints the tensor count and the parse time inside Node (scripts/bench.sh times the process).
import { parseSafetensorsMetadata } from "@huggingface/hub";
import { openSync, readSync, fstatSync, closeSync, existsSync } from "node:fs";
import { join } from "node:path";

const [dir, file] = process.argv.slice(2);
if (!dir || !file) {
  console.error("usage: node hub_inspect.mjs DIR FILE");
  process.exit(2);
}

function localFetch(url, init = {}) {
  const path = decodeURIComponent(new URL(url).pathname.replace(/^.*?\/(resolve|raw)\/[^/]+\//, ""));
  const full = join(dir, path);
  if (!existsSync(full)) {
    return Promise.resolve(
      new Response("not found", { status: 404, headers: { "X-Error-Code": "EntryNotFound" } }));
  }
  const fd = openSync(full, "r");
  try {
    const size = fstatSync(fd).size;
    const headers = { ETag: `"${size}"` };
    if ((init.method ?? "GET") === "HEAD") {
      return Promise.resolve(new Response(null, { status: 200, headers: { ...headers, "Content-Length": String(size) } }));
    }
    const range = /bytes=(\d+)-(\d+)/.exec(init.headers?.Range ?? "");
    const begin = range ? Number(range[1]) : 0;
    const end = range ? Math.min(Number(range[2]), size - 1) : size - 1;
    const buf = Buffer.alloc(Math.max(0, end - begin + 1));
    readSync(fd, buf, 0, buf.length, begin);
    return Promise.resolve(new Response(buf, {
      status: range ? 206 : 200,
      headers: { ...headers, "Content-Range": `bytes ${begin}-${end}/${size}` },
    }));
  } finally {
    closeSync(fd);
  }
}

const t0 = performance.now();
const info = await parseSafetensorsMetadata({
  repo: { type: "model", name: "local/model" },
  path: file,
  hubUrl: "http://localhost.invalid",
  fetch: localFetch,
});
const ms = performance.now() - t0;
const header = info.sharded ? Object.assign({}, ...Object.values(info.headers)) : info.header;
const tensors = Object.keys(header).filter((k) => k !== "__metadata__").length;
console.log(`${tensors} tensors, parsed in ${ms.toFixed(1)} ms inside node`);
