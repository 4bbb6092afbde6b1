#!/usr/bin/env python3
"""What one client sent to the loopback Hub (tests/remote/nginx.conf.in), from its two access
logs, against what it strictly needed: for scripts/bench_remote.sh.

    remote_requests.py HUB_LOG CDN_LOG FILES_DIR medq|js

The log lines are nginx's `medq` format: PORT "REQUEST" STATUS BODY_BYTES range="..." auth="...".
On the first origin a request is the revision lookup (/api/models/ORG/NAME/revision/REV), a page
of the listing (/api/models/ORG/NAME/tree/COMMIT) or a `resolve` of a file (answered with a
redirect to the second origin); on the second it is a read of a file's bytes (the body counted).

Strictly needed, for `medq validate` (medq): each safetensors file's 8 + header-length bytes and
every other file whole (config, index, tokenizer files, other JSON, chat template), except the
model card (*.md) and .gitattributes, which validation does not read; for parseSafetensorsMetadata
(js): the index, config.json and the headers. The request target: the revision lookup, the listing's
pages, one read per small file and at most two per safetensors file, each read behind one redirect.

Prints the account, then one line of JSON with its figures (requests, file reads, bytes, ratios).
"""
import json
import os
import re
import sys

LINE = re.compile(r'^(\d+) "(\S+) (\S+) [^"]*" (\d+) (\d+) range="([^"]*)" auth="[^"]*"$')


def parse(path):
    out = []
    for line in open(path).read().splitlines():
        m = LINE.match(line)
        if not m:
            sys.exit("remote_requests: an access-log line not in the medq format: " + line)
        out.append({"method": m.group(2), "path": m.group(3), "status": int(m.group(4)),
                    "bytes": int(m.group(5)), "range": m.group(6)})
    return out


def header_bytes(path):
    with open(path, "rb") as f:
        return 8 + int.from_bytes(f.read(8), "little")


def main() -> None:
    hub_log, cdn_log, files, who = sys.argv[1:5]
    hub, cdn = parse(hub_log), parse(cdn_log)
    revision = [r for r in hub if "/revision/" in r["path"]]
    pages = [r for r in hub if "/tree/" in r["path"]]
    redirects = [r for r in hub if "/resolve/" in r["path"]]
    other_hub = [r for r in hub if r not in revision and r not in pages and r not in redirects]
    api_bytes = sum(r["bytes"] for r in hub)

    names = sorted(os.listdir(files))
    shards = [n for n in names if n.endswith(".safetensors")]
    if who == "medq":
        small = [n for n in names if n not in shards and not n.endswith(".md") and n != ".gitattributes"]
    else:
        small = [n for n in ("model.safetensors.index.json", "config.json") if n in names]
    needed = sum(header_bytes(os.path.join(files, n)) for n in shards)
    needed += sum(os.path.getsize(os.path.join(files, n)) for n in small)

    reads = {}
    for r in cdn:
        name = r["path"].rsplit("/", 1)[-1]
        reads.setdefault(name, []).append(r)
    file_bytes = sum(r["bytes"] for r in cdn)
    target_reads = len(small) + 2 * len(shards)
    target_requests = 1 + len(pages) + 2 * target_reads
    print("    first origin:  %d revision lookup, %d listing pages, %d redirects (resolve)%s; %s of API answers and redirect bodies"
          % (len(revision), len(pages), len(redirects),
             ", %d other" % len(other_hub) if other_hub else "", "{:,} B".format(api_bytes)))
    for name in sorted(reads):
        rs = reads[name]
        need = header_bytes(os.path.join(files, name)) if name in shards else (
            os.path.getsize(os.path.join(files, name)) if name in small else 0)
        print("    second origin: %-42s %d read%s, %12s B (needed %12s B) ranges %s"
              % (name, len(rs), "" if len(rs) == 1 else "s", "{:,}".format(sum(r["bytes"] for r in rs)),
                 "{:,}".format(need), " ".join(r["range"] or "-" for r in rs)))
    unread = [n for n in small + shards if n not in reads]
    if unread:
        print("    not read: " + ", ".join(unread))
    total = len(hub) + len(cdn)
    print("    %d requests in all (%d + %d); %d file reads of %d small files and %d safetensors files"
          % (total, len(hub), len(cdn), len(cdn), len(small), len(shards)))
    print("    target: at most 1 revision lookup + %d listing pages + %d reads (%d small files x 1 + %d shards x 2), each behind one redirect = %d"
          % (len(pages), target_reads, len(small), len(shards), target_requests))
    print("    bytes: %s B of file reads, %s B with the API answers; strictly needed %s B"
          % ("{:,}".format(file_bytes), "{:,}".format(file_bytes + api_bytes), "{:,}".format(needed)))
    print(json.dumps({"requests": total, "target_requests": target_requests, "reads": len(cdn),
                      "target_reads": target_reads, "file_bytes": file_bytes,
                      "all_bytes": file_bytes + api_bytes, "needed": needed,
                      "file_ratio": round(file_bytes / needed, 4),
                      "all_ratio": round((file_bytes + api_bytes) / needed, 4)}))


if __name__ == "__main__":
    main()
