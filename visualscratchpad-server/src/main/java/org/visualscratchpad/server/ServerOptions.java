package org.visualscratchpad.server;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.image.ImageDecoder;

/**
 * How the scratchpad web server listens and what it accepts.
 *
 * <pre>{@code
 * jshell> ServerOptions.defaults().withPort(8080)
 * $1 ==> ServerOptions[http://127.0.0.1:8080, image <= 16 MiB and 64.0 Mpx, JSON <= 256 KiB, 64 answers kept in <= 256 MiB, 2048 MiB working memory]
 * }</pre>
 *
 * @param host the address to bind; loopback ({@code 127.0.0.1}) unless you mean to expose the model
 * @param port the TCP port, or 0 for any free port
 * @param maxImageBytes the largest encoded image (PNG, JPEG, GIF, BMP) accepted by {@code /api/ask}
 * @param maxImagePixels the largest {@code width x height} decoded; checked from the header before decoding
 * @param maxJsonBytes the largest JSON body of every other request
 * @param cachedAnswers how many answers the server keeps for later requests (least recently used dropped)
 * @param barsTopK latents per token in the activation bars
 * @param maxCachedBytes the most the kept answers may take, by their estimated size (least recently used
 *     dropped first; an answer larger than this on its own is refused with 413)
 * @param maxWorkingBytes the most the requests in flight may reserve for decoding and answering images
 *     (about {@value #WORKING_BYTES_PER_PIXEL} bytes per pixel); a request that would pass it waits for no
 *     one: it is answered 503 (busy, try again) or, larger than all of it, 413
 */
public record ServerOptions(String host, int port, long maxImageBytes, long maxImagePixels, int maxJsonBytes,
    int cachedAnswers, int barsTopK, long maxCachedBytes, long maxWorkingBytes) {

  /**
   * The working memory an image request reserves per pixel: the decoded upload (bytes, packed ints and
   * the image), the model's RGB copy and the answer's copy, with room for the preprocessing.
   */
  public static final int WORKING_BYTES_PER_PIXEL = 24;

  public ServerOptions {
    InvalidInputException.check(host != null && !host.isBlank(), "server host must be set (e.g. 127.0.0.1)");
    InvalidInputException.check(port >= 0 && port <= 65535, "server port (%s) must lie in [0, 65535] (0 = any free port)", port);
    InvalidInputException.check(maxImageBytes >= 1024 && maxImageBytes <= 256L << 20,
        "maxImageBytes (%s) must lie in [1 KiB, 256 MiB]", maxImageBytes);
    InvalidInputException.check(maxImagePixels >= 1, "maxImagePixels (%s) must be >= 1", maxImagePixels);
    InvalidInputException.check(maxJsonBytes >= 1024, "maxJsonBytes (%s) must be >= 1024", maxJsonBytes);
    InvalidInputException.check(cachedAnswers >= 1, "cachedAnswers (%s) must be >= 1", cachedAnswers);
    InvalidInputException.check(barsTopK >= 1 && barsTopK <= 1000, "barsTopK (%s) must lie in [1, 1000]", barsTopK);
    InvalidInputException.check(maxCachedBytes >= 1 << 20, "maxCachedBytes (%s) must be >= 1 MiB", maxCachedBytes);
    InvalidInputException.check(maxWorkingBytes >= 1 << 20, "maxWorkingBytes (%s) must be >= 1 MiB", maxWorkingBytes);
  }

  /** Options without memory bounds given: those of {@link #defaults()}. */
  public ServerOptions(String host, int port, long maxImageBytes, long maxImagePixels, int maxJsonBytes,
      int cachedAnswers, int barsTopK) {
    this(host, port, maxImageBytes, maxImagePixels, maxJsonBytes, cachedAnswers, barsTopK, defaultCachedBytes(),
        defaultWorkingBytes());
  }

  /** A quarter of the heap the JVM may grow to, at most 256 MiB, at least 1 MiB. */
  static long defaultCachedBytes() {
    return Math.max(1L << 20, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4));
  }

  /** Half of the heap the JVM may grow to, at least 1 MiB. */
  static long defaultWorkingBytes() {
    return Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 2);
  }

  /**
   * Loopback, port 8077, images up to 16 MiB and the runtime's pixel limit ({@link
   * ImageDecoder#DEFAULT_MAX_PIXELS}, 64 megapixels), JSON up to 256 KiB, 64 answers kept in at most a
   * quarter of the heap (at most 256 MiB), half the heap for the images being answered, 16 bars.
   */
  public static ServerOptions defaults() {
    return new ServerOptions("127.0.0.1", 8077, 16L << 20, ImageDecoder.DEFAULT_MAX_PIXELS, 256 << 10, 64, 16,
        defaultCachedBytes(), defaultWorkingBytes());
  }

  public ServerOptions withPort(int p) {
    return new ServerOptions(host, p, maxImageBytes, maxImagePixels, maxJsonBytes, cachedAnswers, barsTopK, maxCachedBytes,
        maxWorkingBytes);
  }

  public ServerOptions withHost(String h) {
    return new ServerOptions(h, port, maxImageBytes, maxImagePixels, maxJsonBytes, cachedAnswers, barsTopK, maxCachedBytes,
        maxWorkingBytes);
  }

  public ServerOptions withImageLimits(long bytes, long pixels) {
    return new ServerOptions(host, port, bytes, pixels, maxJsonBytes, cachedAnswers, barsTopK, maxCachedBytes,
        maxWorkingBytes);
  }

  public ServerOptions withMaxJsonBytes(int bytes) {
    return new ServerOptions(host, port, maxImageBytes, maxImagePixels, bytes, cachedAnswers, barsTopK, maxCachedBytes,
        maxWorkingBytes);
  }

  public ServerOptions withCachedAnswers(int n) {
    return new ServerOptions(host, port, maxImageBytes, maxImagePixels, maxJsonBytes, n, barsTopK, maxCachedBytes,
        maxWorkingBytes);
  }

  /** These options with the kept answers bounded to {@code bytes} (estimated). */
  public ServerOptions withMaxCachedBytes(long bytes) {
    return new ServerOptions(host, port, maxImageBytes, maxImagePixels, maxJsonBytes, cachedAnswers, barsTopK, bytes,
        maxWorkingBytes);
  }

  /** These options with the images in flight bounded to {@code bytes} of working memory. */
  public ServerOptions withMaxWorkingBytes(long bytes) {
    return new ServerOptions(host, port, maxImageBytes, maxImagePixels, maxJsonBytes, cachedAnswers, barsTopK,
        maxCachedBytes, bytes);
  }

  /** The largest body of {@code /api/ask}: the image in base64 (4/3 of its bytes) plus room for the other fields. */
  long maxAskBytes() {
    return maxImageBytes / 3 * 4 + 8 + maxJsonBytes;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "ServerOptions[http://%s:%d, image <= %s and %.1f Mpx, JSON <= %s, %d answers kept "
        + "in <= %s, %s working memory]", host, port, size(maxImageBytes), maxImagePixels / 1e6, size(maxJsonBytes),
        cachedAnswers, mib(maxCachedBytes), mib(maxWorkingBytes));
  }

  /** Bytes in whole MiB, rounded up. */
  static String mib(long bytes) {
    return ((bytes + (1L << 20) - 1) >> 20) + " MiB";
  }

  static String size(long bytes) {
    if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " bytes";
  }
}
