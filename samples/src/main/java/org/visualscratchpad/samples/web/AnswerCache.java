package org.visualscratchpad.samples.web;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.visualscratchpad.scratchpad.Answer;

/**
 * The answers a server keeps so that later requests (heatmap, regenerate, a reloaded URL) can
 * refer to them by id: bounded, least recently used dropped first. Ids carry a random prefix of
 * the server run, so an id from an earlier run is reported as gone rather than mistaken for a new
 * answer.
 *
 * <pre>{@code
 * jshell> var cache = new AnswerCache(8); String id = cache.put(answer); cache.get(id)
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class AnswerCache {
  private final int capacity;
  private final String runPrefix;
  private final AtomicLong counter = new AtomicLong();
  private final LinkedHashMap<String, Answer> answers;

  /** A cache holding at most {@code capacity} answers. */
  public AnswerCache(int capacity) {
    this.capacity = capacity;
    this.runPrefix = Long.toString(new SecureRandom().nextInt(36 * 36 * 36 * 36), 36);
    this.answers = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
        return size() > AnswerCache.this.capacity;
      }
    };
  }

  /** Stores an answer and returns its new id. */
  public synchronized String put(Answer answer) {
    String id = runPrefix + "-" + Long.toString(counter.incrementAndGet(), 36);
    answers.put(id, answer);
    return id;
  }

  /**
   * The answer with {@code id}.
   *
   * @throws WebRequestException (404) if it is unknown or was dropped
   */
  public synchronized Answer get(String id) {
    Answer a = id == null ? null : answers.get(id);
    if (a == null) {
      throw new WebRequestException(404, "answer '" + (id == null ? "" : id.length() > 40 ? id.substring(0, 40) + "..." : id)
          + "' is not held by this server (it keeps the last " + capacity
          + " answers, and none from an earlier run). Ask again.");
    }
    return a;
  }

  /** The number of answers held. */
  public synchronized int size() {
    return answers.size();
  }

  @Override
  public synchronized String toString() {
    return String.format(Locale.ROOT, "AnswerCache[%d of %d, ids %s-*]", answers.size(), capacity, runPrefix);
  }
}
