package org.visualscratchpad.server;

/**
 * The working memory the image requests in flight may take together: each reserves its estimate
 * before decoding and releases it when answered. A request that does not fit beside the others is
 * answered 503 at once (the server is busy; the page says to try again), one larger than the whole
 * budget 413 (it never fits): never an {@code OutOfMemoryError} halfway through.
 *
 * <pre>{@code
 * jshell> var budget = new MemoryBudget(512L << 20);
 * jshell> try (var r = budget.reserve(7999L * 7999 * 24, "image (7999 x 7999)")) { ... }   // 413: 1.4 GiB > 512 MiB
 * }</pre>
 *
 * <p>Thread-safe.
 */
final class MemoryBudget {
  private final long limit;
  private long reserved;

  MemoryBudget(long limit) {
    this.limit = limit;
  }

  /** A reservation; closing it gives the bytes back. */
  final class Reservation implements AutoCloseable {
    private final long bytes;
    private boolean open = true;

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void close() {
      synchronized (MemoryBudget.this) {
        if (open) {
          open = false;
          reserved -= bytes;
        }
      }
    }
  }

  /**
   * Reserves {@code bytes} for {@code what}.
   *
   * @throws WebRequestException 413 if {@code bytes} exceeds the whole budget, 503 if it does not fit
   *     beside the reservations in flight
   */
  synchronized Reservation reserve(long bytes, String what) {
    if (bytes > limit) {
      throw new WebRequestException(413, what + " needs about " + ServerOptions.mib(bytes) + " of working memory to "
          + "decode and answer, more than this server gives a request (" + ServerOptions.mib(limit) + "). Send a "
          + "smaller image (fewer pixels), or start the server with more memory (VSP_JAVA_OPTS=-Xmx...).");
    }
    if (reserved + bytes > limit) {
      throw new WebRequestException(503, "the server is busy with other images (" + ServerOptions.mib(reserved)
          + " of its " + ServerOptions.mib(limit) + " working memory in use; " + what + " needs "
          + ServerOptions.mib(bytes) + "). Try again in a moment.");
    }
    reserved += bytes;
    return new Reservation(bytes);
  }

  /** Bytes reserved now. */
  synchronized long reserved() {
    return reserved;
  }

  @Override
  public synchronized String toString() {
    return "MemoryBudget[" + ServerOptions.mib(reserved) + " of " + ServerOptions.mib(limit) + "]";
  }
}
