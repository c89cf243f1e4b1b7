package org.visualscratchpad.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.scratchpad.AnalysisProvider;
import org.visualscratchpad.scratchpad.DecoderMap;

/**
 * The server's map of its SAE's decoder directions: computed once, on first request, on one
 * background thread (UMAP takes seconds for the demo's 512 latents and far longer for 32,768), so
 * that no request waits for it; clustered variants are cached (up to 16 cluster counts).
 *
 * <pre>{@code
 * jshell> var maps = new DecoderMaps(pad.sae(), 0L); maps.get(8)   // State[map=null, elapsedMs=3] at first
 * }</pre>
 *
 * <p>Thread-safe.
 */
final class DecoderMaps implements AutoCloseable {
  /** A map, or null while it is computed, and the milliseconds since the computation started (or its duration). */
  record State(DecoderMap map, long elapsedMs) {}

  private final SparseAutoencoder sae;
  private final long seed;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "vsp-serve-decoder-map");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    return t;
  });
  private final Map<Integer, DecoderMap> clustered = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, DecoderMap> eldest) {
      return size() > 16;
    }
  };
  private CompletableFuture<DecoderMap> base;
  private long startedNanos;
  private long tookMs = -1;

  DecoderMaps(SparseAutoencoder sae, long seed) {
    this.sae = sae;
    this.seed = seed;
  }

  /**
   * The map with {@code clusters} clusters, or a state without map while the layout is computed
   * (the first call starts it).
   *
   * @throws ScratchpadException if the layout failed (every later call reports the same failure)
   */
  synchronized State get(int clusters) {
    if (base == null) {
      startedNanos = System.nanoTime();
      base = CompletableFuture.supplyAsync(() -> AnalysisProvider.get().mapDecoder(sae, seed), worker)
          .whenComplete((m, e) -> finished());
    }
    if (!base.isDone()) {
      return new State(null, (System.nanoTime() - startedNanos) / 1_000_000);
    }
    DecoderMap layout;
    try {
      layout = base.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new ScratchpadException("the map of decoder directions could not be computed: "
          + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScratchpadException("interrupted while reading the map of decoder directions", e);
    }
    DecoderMap map = clustered.computeIfAbsent(clusters, k -> AnalysisProvider.get().clusterMap(layout, k));
    return new State(map, tookMs);
  }

  private synchronized void finished() {
    tookMs = (System.nanoTime() - startedNanos) / 1_000_000;
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
