#!/usr/bin/python3
"""Independent fidelity computation for medq's tests (Debian's python3-numpy).

Reads two MLX checkpoint directories from the raw bytes -- its own safetensors header parsing,
its own bit unpacking and fp decoding, none of medq's code -- and prints, per tensor present in
both, the sums medq reports: sum w^2, sum w'^2, sum w*w', sum (w-w')^2, max |w-w'|, as JSON.

usage: fidelity_reference.py REFERENCE_DIR VARIANT_DIR
"""
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"BF16": 2, "F16": 2, "F32": 4, "F64": 8, "U32": 4, "U8": 1}


def read_dir(d):
    tensors = {}
    for name in sorted(os.listdir(d)):
        if not name.endswith(".safetensors"):
            continue
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        (n,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8 : 8 + n])
        base = 8 + n
        for tname, info in header.items():
            if tname == "__metadata__":
                continue
            b, e = info["data_offsets"]
            tensors[tname] = (info["dtype"], info["shape"], data[base + b : base + e])
    return tensors


def as_float(dtype, shape, raw):
    if dtype == "BF16":
        u = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return u.view(np.float32).astype(np.float64).reshape(shape)
    if dtype == "F16":
        return np.frombuffer(raw, dtype="<f2").astype(np.float64).reshape(shape)
    if dtype == "F32":
        return np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(shape)
    raise ValueError(dtype)


def unpack(raw, rows, bits, cols):
    """LSB-first bit stream per row: value j = bits [j*bits, (j+1)*bits)."""
    b = np.unpackbits(np.frombuffer(raw, dtype=np.uint8).reshape(rows, -1), axis=1,
                      bitorder="little")
    b = b[:, : cols * bits].reshape(rows, cols, bits).astype(np.uint32)
    return (b << np.arange(bits, dtype=np.uint32)).sum(axis=2)


E2M1 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6])


def e4m3(codes):
    c = codes.astype(np.int64)
    sign = np.where(c & 0x80, -1.0, 1.0)
    exp = (c >> 3) & 0xF
    man = c & 7
    val = np.where(exp == 0, man * 2.0 ** -9, (8 + man) * 2.0 ** (exp - 10.0))
    return sign * val


def dequantize(tensors, module, scheme):
    wd, wshape, wraw = tensors[module + ".weight"]
    sd, sshape, sraw = tensors[module + ".scales"]
    rows = int(np.prod(wshape[:-1]))
    mode, bits, group = scheme
    cols = wshape[-1] * 32 // bits
    q = unpack(wraw, rows, bits, cols)
    groups = cols // group
    if mode == "affine":
        s = as_float(sd, sshape, sraw).reshape(rows, groups)
        bd, bshape, braw = tensors[module + ".biases"]
        z = as_float(bd, bshape, braw).reshape(rows, groups)
        w = np.repeat(s, group, axis=1) * q + np.repeat(z, group, axis=1)
    else:
        sb = np.frombuffer(sraw, dtype=np.uint8).reshape(rows, groups)
        if mode == "nvfp4":
            s = e4m3(sb)
        else:
            s = 2.0 ** (sb.astype(np.float64) - 127)
        vals = E2M1[q] if bits == 4 else e4m3(q)
        w = vals * np.repeat(s, group, axis=1)
    return w.reshape(list(wshape[:-1]) + [cols])


def scheme_of(config, module):
    q = config.get("quantization") or config.get("quantization_config")
    if not q:
        return None
    o = q.get(module)
    if o is False:
        return None
    src = o if isinstance(o, dict) else q
    mode = src.get("mode", q.get("mode", "affine"))
    return (mode, int(src.get("bits", q["bits"])), int(src.get("group_size", q["group_size"])))


def logical(d):
    tensors = read_dir(d)
    with open(os.path.join(d, "config.json")) as f:
        config = json.load(f)
    out = {}
    for name, (dtype, shape, raw) in tensors.items():
        if name.endswith(".scales") or name.endswith(".biases"):
            module = name.rsplit(".", 1)[0]
            if module + ".weight" in tensors and tensors[module + ".weight"][0] == "U32":
                continue
        if dtype == "U32" and name.endswith(".weight"):
            module = name[: -len(".weight")]
            out[name] = dequantize(tensors, module, scheme_of(config, module))
        elif dtype in ("BF16", "F16", "F32"):
            out[name] = as_float(dtype, shape, raw)
    return out


def main():
    ref, var = logical(sys.argv[1]), logical(sys.argv[2])
    result = {}
    for name in sorted(set(ref) & set(var)):
        a, b = ref[name], var[name]
        if a.shape != b.shape:
            continue
        d = a - b
        result[name] = {
            "ref2": float((a * a).sum()),
            "var2": float((b * b).sum()),
            "dot": float((a * b).sum()),
            "err2": float((d * d).sum()),
            "max_abs": float(np.abs(d).max()) if d.size else 0.0,
        }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
