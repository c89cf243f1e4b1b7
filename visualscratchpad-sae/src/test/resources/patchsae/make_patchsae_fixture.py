#!/usr/bin/env python3
"""Writes tiny PatchSAE-style torch.save checkpoints WITHOUT PyTorch, for the restricted-unpickler tests.

There is no torch on the build machines, so this script installs a stub `torch` module in
sys.modules whose classes and functions carry torch's module and qualified names
(torch.FloatStorage, torch._utils._rebuild_tensor_v2, torch.float32, torch.device), and pickles
with protocol 2 and a persistent_id for storages, as torch.serialization._save does. The zip
layout follows torch.save (archive/data.pkl, archive/byteorder, archive/data/N, archive/version).
These files were NOT written by real torch.

Outputs (next to this script):
  tiny_patchsae.pt              {"cfg": Config(...), "state_dict": OrderedDict(W_enc, b_enc, W_dec, b_dec)}
                                W_enc is a transposed (non-contiguous) view; b_enc and b_dec share one
                                storage (b_dec at offset 48)
  tiny_patchsae_expected.safetensors   the same weights, an input x [5, 16] and
                                expected_pre = (x - b_dec) @ W_enc + b_enc computed in float64 by NumPy
  unsafe_patchsae.pt            the same state_dict, but cfg is a call of posix.system (must never run)
"""
import collections
import io
import json
import pickle
import struct
import sys
import types
import zipfile

import numpy as np

D_IN, D_SAE = 16, 48
HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."

# ---- stub torch, with torch's names ------------------------------------------------------------
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
torch._utils = torch_utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils


class FloatStorage:
    def __init__(self, key, data):
        self.key, self.data = key, np.ascontiguousarray(data, dtype="<f4")


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage


def _rebuild_tensor_v2(*args):
    raise RuntimeError("never called here")


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class dtype:
    def __init__(self, name):
        self.name = name

    def __reduce__(self):
        return self.name  # pickled as the global torch.<name>


dtype.__module__ = "torch"
torch.float32 = dtype("float32")


class device:
    def __init__(self, kind):
        self.type = kind

    def __reduce__(self):
        return (device, (self.type,))


device.__module__ = "torch"
torch.device = device


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2,
                (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))


patchsae_config = types.ModuleType("patchsae.config")
sys.modules["patchsae"] = types.ModuleType("patchsae")
sys.modules["patchsae.config"] = patchsae_config


class Config:
    pass


Config.__module__ = "patchsae.config"
patchsae_config.Config = Config


class Unsafe:
    def __reduce__(self):
        import os
        return (os.system, ("touch /tmp/vsp-unpickler-executed-this",))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, FloatStorage):
            return ("storage", FloatStorage, obj.key, "cpu", obj.data.size)
        return None


def save(obj, storages, path):
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(obj)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", "little")
        for s in storages:
            z.writestr("archive/data/" + s.key, s.data.tobytes())
        z.writestr("archive/version", "3\n")


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        b = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    rng = np.random.default_rng(7)
    w_enc = rng.normal(0, 1 / np.sqrt(D_IN), (D_IN, D_SAE)).astype(np.float32)
    w_dec = rng.normal(0, 1 / np.sqrt(D_IN), (D_SAE, D_IN)).astype(np.float32)
    b_enc = rng.normal(-0.3, 0.1, D_SAE).astype(np.float32)
    b_dec = rng.normal(0, 0.1, D_IN).astype(np.float32)

    s_enc_t = FloatStorage("0", w_enc.T.copy())  # W_enc^T contiguous; W_enc is its transposed view
    s_bias = FloatStorage("1", np.concatenate([b_enc, b_dec]))
    s_dec = FloatStorage("2", w_dec)
    state = collections.OrderedDict()
    state["W_enc"] = Tensor(s_enc_t, 0, (D_IN, D_SAE), (1, D_IN))
    state["b_enc"] = Tensor(s_bias, 0, (D_SAE,), (1,))
    state["W_dec"] = Tensor(s_dec, 0, (D_SAE, D_IN), (D_IN, 1))
    state["b_dec"] = Tensor(s_bias, D_SAE, (D_IN,), (1,))

    cfg = Config()
    cfg.__dict__.update({
        "model_name": "openai/clip-vit-base-patch16", "block_layer": 10,
        "hook_point": "blocks.10.hook_resid_post", "d_in": D_IN, "expansion_factor": 3, "d_sae": D_SAE,
        "class_token": True, "dtype": torch.float32, "device": torch.device("cpu"), "l1_coefficient": 8e-5,
        "b_dec_init_method": "geometric_median",
    })
    save({"cfg": cfg, "state_dict": state}, [s_enc_t, s_bias, s_dec], HERE + "/tiny_patchsae.pt")
    save({"cfg": Unsafe(), "state_dict": state}, [s_enc_t, s_bias, s_dec], HERE + "/unsafe_patchsae.pt")

    x = rng.normal(0, 1, (5, D_IN)).astype(np.float32)
    pre = (x.astype(np.float64) - b_dec) @ w_enc.astype(np.float64) + b_enc
    write_safetensors(HERE + "/tiny_patchsae_expected.safetensors", {
        "W_enc": w_enc, "b_enc": b_enc, "W_dec": w_dec, "b_dec": b_dec, "input": x,
        "expected_pre": pre.astype(np.float32)})


if __name__ == "__main__":
    main()
