package org.visualscratchpad.server;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.Token;

/**
 * The answers a server keeps so that later requests (heatmap, regenerate, a reloaded URL) can refer
 * to them by id, bounded by count and by estimated bytes, least recently used dropped first. It keeps
 * what the page needs: the tokens, SAE codes and attention, the image scaled to at most {@value
 * #PREVIEW_SIDE} px a side for display, and the image's source ({@link ImageSource}: the upload's
 * file bytes or a built-in picture's name) to decode it again at full resolution for a regeneration;
 * never the full-resolution pixels. Ids carry a random prefix of the server run, so an id from an
 * earlier run is reported as gone rather than mistaken for a new answer.
 *
 * <pre>{@code
 * jshell> var cache = new AnswerCache(8, 64L << 20); String id = cache.put(answer, ImageSource.png(image)); cache.get(id)
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class AnswerCache {
  /** The longest side of the image kept for display. */
  public static final int PREVIEW_SIDE = 768;

  private final int capacity;
  private final long maxBytes;
  private final String runPrefix;
  private final AtomicLong counter = new AtomicLong();
  private final LinkedHashMap<String, Held> answers = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  /**
   * A held answer.
   *
   * @param answer the answer with its image scaled for display (tokens, codes and attention whole)
   * @param source where its full-resolution image comes from
   * @param width the full image's width in pixels (the image-token boxes are in its coordinates)
   * @param height the full image's height
   * @param bytes the estimated bytes it keeps
   */
  public record Held(Answer answer, ImageSource source, int width, int height, long bytes) {}

  /** A cache of at most {@code capacity} answers taking at most {@code maxBytes} (estimated). */
  public AnswerCache(int capacity, long maxBytes) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.runPrefix = Long.toString(new SecureRandom().nextInt(36 * 36 * 36 * 36), 36);
  }

  /**
   * Stores {@code answer} (its image scaled for display) with the source of its full image, and
   * returns its new id; drops the least recently used answers until it fits.
   *
   * @param image the full image, if the caller has it (else the answer's own copy is taken)
   * @throws WebRequestException (413) if the answer alone is larger than the whole cache
   */
  public String put(Answer answer, ImageSource source, BufferedImage image) {
    BufferedImage full = image != null ? image : answer.image();
    BufferedImage preview = preview(full);
    Answer slim = new Answer(answer.source().orElse(null), preview, answer.prompt(), answer.options(),
        answer.promptTokens(), answer.generated(), answer.activations(), answer.reencodedActivations(),
        answer.attention(), answer.imageTokens(), answer.timings());
    long size = estimate(slim, preview) + source.bytes();
    if (size > maxBytes) {
      throw new WebRequestException(413, "the answer (about " + ServerOptions.mib(size) + " to keep: its SAE codes, "
          + "attention and a " + preview.getWidth() + " x " + preview.getHeight() + " preview) is larger than this "
          + "server keeps for all answers (" + ServerOptions.mib(maxBytes) + "). Ask with fewer new tokens, or start "
          + "the server with a larger answer store.");
    }
    Held held = new Held(slim, source, full.getWidth(), full.getHeight(), size);
    synchronized (this) {
      String id = runPrefix + "-" + Long.toString(counter.incrementAndGet(), 36);
      answers.put(id, held);
      bytes += size;
      Iterator<Map.Entry<String, Held>> it = answers.entrySet().iterator();
      while ((bytes > maxBytes || answers.size() > capacity) && it.hasNext()) {
        Map.Entry<String, Held> eldest = it.next();
        if (eldest.getKey().equals(id)) {
          break;
        }
        bytes -= eldest.getValue().bytes();
        it.remove();
      }
      return id;
    }
  }

  /** {@link #put(Answer, ImageSource, BufferedImage)} taking the answer's own image. */
  public String put(Answer answer, ImageSource source) {
    return put(answer, source, null);
  }

  /**
   * The answer with {@code id}.
   *
   * @throws WebRequestException (404) if it is unknown or was dropped
   */
  public synchronized Held get(String id) {
    Held a = id == null ? null : answers.get(id);
    if (a == null) {
      throw new WebRequestException(404, "answer '" + (id == null ? "" : id.length() > 40 ? id.substring(0, 40) + "..." : id)
          + "' is not held by this server (it keeps the last " + capacity + " answers within "
          + ServerOptions.mib(maxBytes) + ", and none from an earlier run). Ask again.");
    }
    return a;
  }

  /** The number of answers held. */
  public synchronized int size() {
    return answers.size();
  }

  /** The estimated bytes the held answers take (at most the bound). */
  public synchronized long bytes() {
    return bytes;
  }

  /** {@code image} scaled down (bilinear) so that its longer side is at most {@link #PREVIEW_SIDE}; a copy. */
  static BufferedImage preview(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double scale = Math.min(1.0, (double) PREVIEW_SIDE / Math.max(w, h));
    int pw = Math.max(1, (int) Math.round(w * scale));
    int ph = Math.max(1, (int) Math.round(h * scale));
    BufferedImage out = new BufferedImage(pw, ph, BufferedImage.TYPE_INT_RGB);
    var g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, pw, ph, null);
    g.dispose();
    return out;
  }

  /**
   * The bytes an answer keeps on the heap, estimated from its parts: the preview (4 bytes a pixel), the
   * SAE codes (8 bytes an entry, 4 a
   * row; the re-encoding too when it differs), the attention (4 bytes a cell), tokens and image-token
   * locations at about 96 bytes each, and 4 KiB of objects around them.
   */
  static long estimate(Answer a, BufferedImage image) {
    long total = 4096 + 4L * image.getWidth() * image.getHeight();
    total += codes(a.activations());
    if (a.reencodedActivations() != a.activations()) {
      total += codes(a.reencodedActivations());
    }
    total += 4L * a.attention().weights().rows() * a.attention().weights().cols();
    for (List<Token> tokens : List.of(a.promptTokens(), a.generated())) {
      for (Token t : tokens) {
        total += 96 + 2L * t.text().length();
      }
    }
    total += 96L * a.imageTokens().size() + 2L * a.prompt().length();
    return total;
  }

  private static long codes(List<SparseActivations> crops) {
    long b = 0;
    for (SparseActivations s : crops) {
      b += 8L * s.nnz() + 4L * (s.rows() + 1) + 64;
    }
    return b;
  }

  @Override
  public synchronized String toString() {
    return String.format(Locale.ROOT, "AnswerCache[%d of %d, %s of %s, ids %s-*]", answers.size(), capacity,
        ServerOptions.mib(bytes), ServerOptions.mib(maxBytes), runPrefix);
  }
}
