package org.visualscratchpad.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Progress of a statistics job from Spark's listener bus: images handled (encoded or skipped) by
 * finished tasks, plus what running tasks reported in their executors' heartbeats
 * ({@code spark.executor.heartbeatInterval}), so that progress moves within long partitions too.
 * Tasks that fail are not counted (their images are redone). {@link #line} formats images done,
 * images/s and the ETA; the job prints it on a terminal only.
 */
public final class StatsProgress extends SparkListener {
  private final long accumulatorId;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final AtomicLong finished = new AtomicLong();
  private final Map<Long, Long> running = new ConcurrentHashMap<>();

  /**
   * @param images the accumulator every task adds one to per image handled
   * @param total images in the dataset, or -1 if unknown
   */
  public StatsProgress(LongAccumulator images, long total) {
    this.accumulatorId = images.id();
    this.total = total;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    long taskId = end.taskInfo().taskId();
    running.remove(taskId);
    if (!end.taskInfo().successful()) {
      return;
    }
    for (AccumulableInfo a : CollectionConverters.asJava(end.taskInfo().accumulables())) {
      if (a.id() == accumulatorId && a.update().isDefined()) {
        finished.addAndGet(((Number) a.update().get()).longValue());
      }
    }
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t
        : CollectionConverters.asJava(update.accumUpdates())) {
      for (AccumulableInfo a : CollectionConverters.asJava(t._4())) {
        if (a.id() == accumulatorId && a.update().isDefined()) {
          running.put((Long) t._1(), ((Number) a.update().get()).longValue());
        }
      }
    }
  }

  /** Images handled so far: finished tasks exactly, running tasks as of their last heartbeat. */
  public long done() {
    long d = finished.get();
    for (long v : running.values()) {
      d += v;
    }
    return total >= 0 ? Math.min(d, total) : d;
  }

  /** Images handled by finished tasks. */
  public long finished() {
    return finished.get();
  }

  /** E.g. {@code "stats 1200/50000 images, 3.4 images/s, ETA 3h59m"}. */
  public String line() {
    long d = done();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = seconds > 0 ? d / seconds : 0;
    StringBuilder sb = new StringBuilder("stats ").append(d);
    if (total >= 0) {
      sb.append('/').append(total);
    }
    sb.append(String.format(Locale.ROOT, " images, %.2f images/s", rate));
    if (total >= 0 && rate > 0) {
      sb.append(", ETA ").append(duration((total - d) / rate));
    }
    return sb.toString();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }

  /** Redraws {@link #line} on {@code out} every {@code millis} on a daemon thread until the returned handle closes. */
  AutoCloseable printEvery(PrintStream out, long millis) {
    Thread t = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          out.print("\r" + line() + "   ");
          out.flush();
          Thread.sleep(millis);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "vsp-stats-progress");
    t.setDaemon(true);
    t.start();
    return () -> {
      t.interrupt();
      t.join(1000);
      out.println("\r" + line() + "   ");
    };
  }
}
