"""The c backend's OTA weights blob (`--weights-blob`): every constant array of the model in one
binary file, NAME.weights, that the generated code reads through a pointer set at run time.

With the option, the constant arrays (weights, biases, per-channel requantisation words, folded
biases, lookup tables: everything `CModule.const_array` makes) leave NAME_weights.c; each array's
symbol becomes a macro for a pointer into the blob's payload, and NAME_weights.c holds the loader:
`NAME_set_weights(blob, len)` checks the header and the payload before the code uses it, and
`NAME_invoke` returns NAME_ERROR_WEIGHTS_MISSING until a blob was accepted. A refused blob leaves
the previously accepted one in use, so a device keeps running the weights it had.

The blob (all integers little-endian):

    offset size field
    0      4    magic "TCWB"
    4      2    format version (FORMAT_VERSION)
    6      2    header bytes (HEADER_BYTES = 32; the payload starts here)
    8      8    layout hash (below), the first 8 bytes of a SHA-256
    16     4    payload bytes
    20     4    CRC-32 of the payload (IEEE 802.3 / zlib: reflected polynomial 0xEDB88320,
                initial value and final XOR 0xFFFFFFFF)
    24     4    number of constants
    28     4    reserved, 0

The payload holds the constants in the code's order, each at an offset (from the payload's start)
that is a multiple of ALIGN (16 bytes: the widest any kernel loads; the blob itself must start at a
16-byte boundary), values in little-endian byte order, zero bytes between them.

The layout hash covers the layout (every constant's symbol, offset, byte count, dtype and shape)
and the code that reads it (kernels, shape and parameter structs, the calls), never the values
of the constants: a model retrained with the same architecture and the same activation
quantisation gives another blob with the same hash, which the same code accepts. Values tinycc
keeps in the code (scalar zero points and multipliers of per-tensor quantisation, clamp bounds,
kernel variant choices) are part of the hash, so a blob whose model needs different code is
refused (NAME_ERROR_WEIGHTS_LAYOUT) rather than run wrongly.
"""
from __future__ import annotations

import hashlib
import json
import struct
import zlib

import numpy as np

MAGIC = b"TCWB"
FORMAT_VERSION = 1
HEADER_BYTES = 32
ALIGN = 16

# NAME_set_weights / NAME_invoke status codes (NAME_ERROR_WEIGHTS_<key>), beside status.py's
ERRORS = {
    "MISSING": 10,     # NAME_invoke: no blob accepted yet
    "MAGIC": 11,       # not a tinycc weights blob
    "VERSION": 12,     # another format version or header size
    "LAYOUT": 13,      # built for other code: another model, layout or code-resident parameters
    "LENGTH": 14,      # NULL, shorter than its header says, or a payload size other than the code's
    "ALIGNMENT": 15,   # the blob does not start at a 16-byte boundary
    "CRC": 16,         # the payload's CRC-32 differs from the header's: damaged
    "ENDIAN": 17,      # a big-endian target (the blob is little-endian)
}
ERROR_HELP = {
    "MISSING": "NAME_invoke before any blob was accepted",
    "MAGIC": "not a tinycc weights blob",
    "VERSION": "another blob format version",
    "LAYOUT": "the layout hash differs: a blob for other code",
    "LENGTH": "NULL, or the length does not match the code's payload",
    "ALIGNMENT": "the blob does not start at a 16-byte boundary",
    "CRC": "the payload's CRC-32 does not match: damaged blob",
    "ENDIAN": "the target is big-endian; blobs are little-endian",
}


def _aligned(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


def place(weights: list[dict]) -> int:
    """Give every constant (CModule.weights entries) its payload `offset`; returns the payload size."""
    at = 0
    for w in weights:
        w["offset"] = at
        at = _aligned(at + w["nbytes"])
    return at


def layout_hash(weights: list[dict], code: str) -> bytes:
    """8 bytes: the layout (symbol, offset, bytes, dtype, shape of each constant) and the code reading it."""
    layout = [[w["symbol"], w["offset"], w["nbytes"], w["dtype"], list(np.shape(w["array"]))] for w in weights]
    text = json.dumps({"format": FORMAT_VERSION, "constants": layout,
                       "code": hashlib.sha256(code.encode()).hexdigest()}, sort_keys=True)
    return hashlib.sha256(text.encode()).digest()[:8]


def payload(weights: list[dict], size: int) -> bytes:
    out = bytearray(size)
    for w in weights:
        arr = np.asarray(w["array"])
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        out[w["offset"]:w["offset"] + len(raw)] = raw
    return bytes(out)


def header(lhash: bytes, body: bytes, count: int) -> bytes:
    return MAGIC + struct.pack("<HH8sIIII", FORMAT_VERSION, HEADER_BYTES, lhash, len(body),
                               zlib.crc32(body) & 0xFFFFFFFF, count, 0)


def blob(weights: list[dict], code: str) -> tuple[bytes, bytes]:
    """(NAME.weights bytes, layout hash) for the module's constants and the code that reads them."""
    size = place(weights)
    lhash = layout_hash(weights, code)
    body = payload(weights, size)
    return header(lhash, body, len(weights)) + body, lhash


def parse_header(data: bytes) -> dict:
    """The header's fields (for tests and tools)."""
    magic = data[:4]
    version, hbytes, lhash, size, crc, count, _ = struct.unpack("<HH8sIIII", data[4:HEADER_BYTES])
    return {"magic": magic, "version": version, "header_bytes": hbytes, "layout_hash": lhash,
            "payload_bytes": size, "crc32": crc, "count": count}


def context(weights: list[dict], lhash: bytes, size: int, name: str) -> dict:
    """The templates' `blob` entry."""
    return {"magic": list(MAGIC), "version": FORMAT_VERSION, "header_bytes": HEADER_BYTES, "align": ALIGN,
            "hash_bytes": list(lhash), "hash_hex": lhash[::-1].hex(), "payload_bytes": size, "count": len(weights),
            "errors": [{"key": k, "value": v, "help": ERROR_HELP[k].replace("NAME", name)} for k, v in ERRORS.items()]}


def public_symbols(prefix: str) -> set[str]:
    """The identifiers blob mode adds to the model's (reserved from the namer)."""
    return {f"{prefix}_set_weights", f"{prefix}_weights_payload", f"{prefix}_crc32"}
