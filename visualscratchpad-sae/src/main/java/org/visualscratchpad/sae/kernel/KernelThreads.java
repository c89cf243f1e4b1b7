package org.visualscratchpad.sae.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/** The daemon worker threads the fast kernels split their work over (one per available core). */
final class KernelThreads {
  private static final int COUNT = Math.max(1, Runtime.getRuntime().availableProcessors());
  private static volatile ExecutorService pool;

  private KernelThreads() {}

  /** The number of workers a call may use. */
  static int count() {
    return COUNT;
  }

  private static ExecutorService pool() {
    ExecutorService p = pool;
    if (p == null) {
      synchronized (KernelThreads.class) {
        p = pool;
        if (p == null) {
          p = Executors.newFixedThreadPool(COUNT, r -> {
            Thread t = new Thread(r, "vsp-sae-kernel");
            t.setDaemon(true);
            return t;
          });
          pool = p;
        }
      }
    }
    return p;
  }

  /** Runs {@code part.accept(0..parts-1)}, part 0 in the calling thread, and waits for all. */
  static void run(int parts, IntConsumer part) {
    if (parts <= 1) {
      part.accept(0);
      return;
    }
    List<Future<?>> futures = new ArrayList<>(parts - 1);
    for (int p = 1; p < parts; p++) {
      int index = p;
      futures.add(pool().submit(() -> part.accept(index)));
    }
    RuntimeException failure = null;
    try {
      part.accept(0);
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for SAE kernel workers", e);
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
