package org.visualscratchpad.torch.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The CPU engine's worker threads: one pool for the process, {@code vsp.threads} threads (default: the
 * available processors). {@link #parallelFor} splits work into tasks taken from a shared counter; the
 * calling thread works too.
 */
public final class CpuThreads {
  private static final int THREADS = Math.max(1, Integer.getInteger("vsp.threads",
      Runtime.getRuntime().availableProcessors()));
  private static final ForkJoinPool POOL = THREADS == 1 ? null : new ForkJoinPool(THREADS - 1,
      pool -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setDaemon(true);
        t.setName("vsp-cpu-" + t.getPoolIndex());
        return t;
      }, null, false);

  private CpuThreads() {}

  /** Number of threads that run a {@link #parallelFor}. */
  public static int threads() {
    return THREADS;
  }

  /**
   * Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}, on all threads; returns when
   * all are done. An exception in any task is rethrown here. Nested calls run sequentially on the
   * calling thread.
   */
  public static void parallelFor(int tasks, IntConsumer body) {
    if (tasks <= 0) {
      return;
    }
    if (POOL == null || tasks == 1 || Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread
        || NESTED.get()) {
      for (int i = 0; i < tasks; i++) {
        body.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    int helpers = Math.min(THREADS - 1, tasks - 1);
    java.util.List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>(helpers);
    Runnable worker = () -> {
      for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
        body.accept(i);
      }
    };
    for (int h = 0; h < helpers; h++) {
      futures.add(POOL.submit(worker));
    }
    RuntimeException failure = null;
    NESTED.set(true);
    try {
      worker.run();
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      NESTED.set(false);
    }
    for (var f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for CPU workers", e);
      } catch (java.util.concurrent.ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static final ThreadLocal<Boolean> NESTED = ThreadLocal.withInitial(() -> false);
}
