#!/usr/bin/env python3
"""Writes MNIST test digits as the pad of `trainer serve` would send them: 280x280 8-bit gray PNGs,
dark ink on white paper, enlarged 10x with bilinear interpolation (smooth anti-aliased strokes,
as a canvas draws them, not blocks). Standard library only.

usage: scripts/mnist-drawing.py MNIST_FOLDER OUT_FOLDER [COUNT]
Prints one line per file: its path and the digit's true label."""
import gzip, os, struct, sys, zlib

def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]

def find(folder, stem):
    for name in (stem + "-ubyte.gz", stem + ".gz", stem + "-ubyte", stem.replace("-idx", ".idx") + "-ubyte.gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    sys.exit(f"{folder}: no {stem}-ubyte.gz")

def png(width, height, rows):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    folder, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    (n, h, w), pixels = read_idx(find(folder, "t10k-images-idx3"))
    _, labels = read_idx(find(folder, "t10k-labels-idx1"))
    os.makedirs(out, exist_ok=True)
    for i in range(min(count, n)):
        image = pixels[i * h * w:(i + 1) * h * w]
        def at(x, y):
            return image[min(max(y, 0), h - 1) * w + min(max(x, 0), w - 1)]
        rows = []
        for Y in range(h * 10):
            fy = (Y + 0.5) / 10 - 0.5
            y0 = int(fy // 1); ty = fy - y0
            row = []
            for X in range(w * 10):
                fx = (X + 0.5) / 10 - 0.5
                x0 = int(fx // 1); tx = fx - x0
                v = ((at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty)
                     + (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty)
                row.append(255 - int(v + 0.5))
            rows.append(row)
        path = os.path.join(out, f"digit-{i:04d}.png")
        with open(path, "wb") as f:
            f.write(png(w * 10, h * 10, rows))
        print(path, labels[i])

main()
