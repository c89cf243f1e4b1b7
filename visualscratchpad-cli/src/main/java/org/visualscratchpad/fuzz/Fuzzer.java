package org.visualscratchpad.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.visualscratchpad.ScratchpadException;

/**
 * Runs a {@link FuzzTarget} for a number of cases from a seed and counts what each input got:
 * accepted, or which project exception. Other exceptions, errors (OutOfMemoryError included) and
 * cases slower than the time limit are failures; their inputs are saved for replay.
 *
 * <pre>{@code
 * jshell> Fuzzer.run(target, 10_000, 42, Duration.ofSeconds(20), Path.of("target/fuzz-failures"))
 * $1 ==> Report[safetensors, 10000 cases, seed 42: accepted 12, CheckpointFormatException 9988; 0 failures]
 * }</pre>
 */
public final class Fuzzer {
  private Fuzzer() {}

  /** One failing case. */
  public record Failure(long caseIndex, String what, Path input) {}

  /** What {@code cases} inputs got. */
  public record Report(String target, long cases, long seed, Map<String, Long> outcomes, List<Failure> failures,
      long millis) {
    @Override
    public String toString() {
      return "Report[" + target + ", " + cases + " cases, seed " + seed + ", " + millis + " ms: " + outcomes + "; "
          + failures.size() + " failures" + (failures.isEmpty() ? "" : " " + failures.subList(0, Math.min(3, failures.size())))
          + "]";
    }
  }

  /** Runs {@code cases} inputs; stops early after 20 failures. */
  public static Report run(FuzzTarget target, long cases, long seed, java.time.Duration limit, Path failureDir)
      throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, Long> outcomes = new TreeMap<>();
    List<Failure> failures = new ArrayList<>();
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-" + target.name());
      t.setDaemon(true);
      return t;
    });
    long start = System.nanoTime();
    long done = 0;
    boolean keepInFlight = Boolean.getBoolean("vsp.fuzz.keepInFlight");
    Path inFlight = failureDir.resolve(target.name() + "-in-flight.bin");
    if (keepInFlight) {
      Files.createDirectories(failureDir);
    }
    try {
      for (long i = 0; i < cases && failures.size() < 20; i++) {
        byte[] input = target.next(rnd);
        if (keepInFlight) {
          // a crash of the JVM itself (a native library aborting) leaves the input that caused it
          Files.write(inFlight, input);
        }
        Future<?> f = worker.submit(() -> {
          target.run(input);
          return null;
        });
        String outcome;
        String failure = null;
        try {
          f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
          outcome = "accepted";
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof ScratchpadException) {
            // the server target reports the status it got, e.g. "HTTP 400"
            outcome = c.getMessage() != null && c.getMessage().startsWith("HTTP ") ? c.getMessage()
                : c.getClass().getSimpleName();
          } else {
            outcome = "FAILED " + c.getClass().getSimpleName();
            StackTraceElement[] st = c.getStackTrace();
            failure = c + (st.length > 0 ? " at " + st[0] : "");
          }
        } catch (TimeoutException e) {
          f.cancel(true);
          outcome = "FAILED timeout";
          failure = "no answer within " + limit;
          worker.shutdownNow();
          worker = Executors.newSingleThreadExecutor();
        }
        outcomes.merge(outcome, 1L, Long::sum);
        if (failure != null) {
          Files.createDirectories(failureDir);
          Path saved = failureDir.resolve(target.name() + "-" + seed + "-" + i + ".bin");
          Files.write(saved, input);
          failures.add(new Failure(i, failure, saved));
        }
        done++;
      }
    } finally {
      worker.shutdownNow();
    }
    return new Report(target.name(), done, seed, outcomes, failures, (System.nanoTime() - start) / 1_000_000);
  }
}
