#!/usr/bin/env python3
"""A benchmark dataset for `vsp stats`: N scenes of shapes (../shared/tools/realsize/gen_images.py's generator) in
varied sizes, as an image folder (4 label sub-folders, PNG and JPEG-free: PNG only, pure numpy + zlib) and the same
images as WebDataset tar shards of 16 samples (key = label/name, .png + .cls).
  python3 gen_dataset.py OUT N
"""
import io
import os
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "tools", "realsize"))
from gen_images import png, scene  # noqa: E402

out, n = sys.argv[1], int(sys.argv[2])
labels = ["circle", "square", "mixed", "busy"]
folder = os.path.join(out, "images")
shards = os.path.join(out, "shards")
os.makedirs(shards, exist_ok=True)
items = []
for i in range(n):
    label = labels[i % 4]
    size = (336, 400, 480, 640)[i % 4]
    os.makedirs(os.path.join(folder, label), exist_ok=True)
    path = os.path.join(folder, label, "img%05d.png" % i)
    png(path, scene(size, 1000 + i))
    items.append((label, "img%05d" % i, path))
for s in range(0, n, 16):
    with tarfile.open(os.path.join(shards, "train-%06d.tar" % (s // 16)), "w") as t:
        for label, key, path in items[s:s + 16]:
            for name, data in ((f"{label}/{key}.png", open(path, "rb").read()), (f"{label}/{key}.cls", label.encode())):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
print("wrote", n, "images to", folder, "and", (n + 15) // 16, "shards to", shards)
