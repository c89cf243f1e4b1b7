#!/usr/bin/env python3
"""The GEMMs a Java program could reach on this CPU without writing kernels, beside the CPU engine's.

libtorch (DJL's pytorch-native-cpu, extracted under ~/.djl.ai/pytorch/<version>/) links Intel MKL statically and
exports its BLAS entry points; this script calls them through ctypes on the shapes of CpuLinearBenchmark
(y = x W^T, W stored (out, in) as in a checkpoint) and prints GFLOP/s beside NumPy's float32 BLAS:

  - cblas_gemm_bf16bf16f32: bf16 inputs, float32 accumulation (what PyTorch's bf16 path needs from a GEMM)
  - cblas_gemm_f16f16f32: f16 inputs
  - sgemm_ (Fortran interface): float32

Usage: OMP_NUM_THREADS=2 python3 gemm_probe.py [LIBTORCH_DIR] [MxKxN ...]
Needs only NumPy. Each result is checked against a float64 product of the same rounded inputs.
"""
import ctypes
import glob
import os
import sys
import time

import numpy as np

args = sys.argv[1:]
libdir = args.pop(0) if args and os.path.isdir(args[0]) else (sorted(glob.glob(os.path.expanduser(
    "~/.djl.ai/pytorch/*-cpu-linux-x86_64/")) or [None])[-1])
if libdir is None:
    sys.exit("no libtorch folder: run any vsp command with --device torch:cpu once, or pass the folder")
shapes = [tuple(int(v) for v in s.split("x")) for s in (args or ["577x1024x4096", "600x2048x5632"])]
for lib in sorted(glob.glob(os.path.join(libdir, "libgomp*"))) + [os.path.join(libdir, "libc10.so")]:
    ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
torch_cpu = ctypes.CDLL(os.path.join(libdir, "libtorch_cpu.so"), mode=ctypes.RTLD_GLOBAL)
ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112
I = ctypes.c_int
half_gemm = {}
for name in ("cblas_gemm_bf16bf16f32", "cblas_gemm_f16f16f32"):
    f = getattr(torch_cpu, name)
    f.restype = None
    f.argtypes = [I, I, I, I, I, I, ctypes.c_float, ctypes.c_void_p, I, ctypes.c_void_p, I, ctypes.c_float,
                  ctypes.c_void_p, I]
    half_gemm[name] = f
sgemm = torch_cpu.sgemm_
sgemm.restype = None


def bf16(x):
    u = x.astype(np.float32).view(np.uint32)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def from_bf16(u):
    return (u.astype(np.uint32) << 16).view(np.float32)


def best_of(fn, n=5):
    fn()
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


print(f"libtorch: {libdir}  OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}  "
      f"loadavg {open('/proc/loadavg').read().split()[:3]}")
for m, k, n in shapes:
    rng = np.random.default_rng(0)
    x32 = rng.standard_normal((m, k)).astype(np.float32)
    w32 = (rng.standard_normal((n, k)) * 0.02).astype(np.float32)
    flop = 2.0 * m * n * k
    c = np.zeros((m, n), np.float32)
    rows = []
    xb, wb = bf16(x32), bf16(w32)
    xh, wh = x32.astype(np.float16), w32.astype(np.float16)
    for name, xa, wa, xr, wr in (("cblas_gemm_bf16bf16f32", xb, wb, from_bf16(xb), from_bf16(wb)),
                                 ("cblas_gemm_f16f16f32", xh, wh, xh.astype(np.float32), wh.astype(np.float32))):
        f = half_gemm[name]
        run = lambda: f(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1.0, xa.ctypes.data, k, wa.ctypes.data, k, 0.0,
                        c.ctypes.data, n)
        t = best_of(run)
        err = np.abs(c - xr.astype(np.float64) @ wr.T.astype(np.float64)).max()
        rows.append((f"MKL {name}", t, err))
    # column-major Fortran sgemm: C^T (n x m) = W (n x k) . X^T (k x m), i.e. op(A) = W^T stored... use
    # A = w32 viewed column-major as (k, n) -> transa 'T'; B = x32 viewed column-major as (k, m) -> 'N'
    ta, tb = ctypes.c_char(b"T"), ctypes.c_char(b"N")
    mm, nn, kk = ctypes.c_int(n), ctypes.c_int(m), ctypes.c_int(k)
    alpha, beta = ctypes.c_float(1.0), ctypes.c_float(0.0)
    lda, ldb, ldc = ctypes.c_int(k), ctypes.c_int(k), ctypes.c_int(n)
    run = lambda: sgemm(ctypes.byref(ta), ctypes.byref(tb), ctypes.byref(mm), ctypes.byref(nn), ctypes.byref(kk),
                        ctypes.byref(alpha), ctypes.c_void_p(w32.ctypes.data), ctypes.byref(lda),
                        ctypes.c_void_p(x32.ctypes.data), ctypes.byref(ldb), ctypes.byref(beta),
                        ctypes.c_void_p(c.ctypes.data), ctypes.byref(ldc))
    t = best_of(run)
    rows.append(("MKL sgemm_ (float32)", t, np.abs(c - x32.astype(np.float64) @ w32.T.astype(np.float64)).max()))
    t = best_of(lambda: x32 @ w32.T)
    rows.append(("NumPy float32 (its BLAS)", t, 0.0))
    for name, t, err in rows:
        print(f"{m}x{k}x{n}  {name:28s} {t * 1e3:8.1f} ms  {flop / t / 1e9:7.1f} GFLOP/s  max err {err:.2e}")
