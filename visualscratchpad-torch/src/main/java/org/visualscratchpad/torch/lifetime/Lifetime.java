package org.visualscratchpad.torch.lifetime;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.visualscratchpad.ScratchpadException;

/**
 * Reference counting for a loaded model and the {@link Cleaner} safety net behind its {@code close()}:
 * every public call runs inside a {@link Call} (counted), {@link #close()} refuses new calls at once,
 * waits for the calls in flight, and only then frees the resources; a model dropped without
 * {@code close()} has them freed when it becomes unreachable.
 *
 * <pre>{@code
 * // in a model class:
 * private final Lifetime lifetime = Lifetime.of(this, "LlavaModel " + folder, weightsManager);
 * public Generation generate(GenerationRequest r) {
 *   try (Lifetime.Call call = lifetime.enter()) {   // throws once closed
 *     ...                                          // the weights stay allocated until the call returns
 *   }
 * }
 * public void close() { lifetime.close(); }          // waits for the calls in flight, then frees
 * }</pre>
 *
 * <p>A thread that closes the model from inside one of its own calls (a callback, an SAE's edit) does
 * not wait for itself: the resources are then freed when the last call in flight returns. An
 * interrupted {@code close()} stops waiting, keeps the interrupt flag, and leaves the freeing to the
 * last call. Thread-safe.
 */
public final class Lifetime {
  private static final Cleaner CLEANER = Cleaner.create(r -> {
    Thread t = new Thread(r, "vsp-model-cleaner");
    t.setDaemon(true);
    return t;
  });

  private final String name;
  private final Cleaner.Cleanable cleanable;
  private final Object lock = new Object();
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
  private int inFlight;
  private boolean closed;

  private Lifetime(String name, Cleaner.Cleanable cleanable) {
    this.name = name;
    this.cleanable = cleanable;
  }

  /**
   * The lifetime of {@code owner}: {@code resources} are closed (in order, each at most once, errors
   * swallowed) by {@link #close()} after the calls in flight, or by the {@link Cleaner} once {@code owner}
   * is unreachable. The resources must not refer to {@code owner}, or it never becomes unreachable.
   *
   * @param owner the model object whose reachability the safety net watches
   * @param name how error messages name the model, e.g. {@code "LlavaModel /models/llava"}
   * @param resources what to free; null entries are skipped
   */
  public static Lifetime of(Object owner, String name, AutoCloseable... resources) {
    List<AutoCloseable> list = new ArrayList<>();
    for (AutoCloseable r : resources) {
      if (r != null) {
        list.add(r);
      }
    }
    return new Lifetime(name, CLEANER.register(owner, new Free(List.copyOf(list))));
  }

  /**
   * Starts a call; close the returned {@link Call} when the call ends (try-with-resources).
   *
   * @throws ScratchpadException if the model is closed: {@code "<name> is closed; load it again"}
   */
  public Call enter() {
    synchronized (lock) {
      if (closed) {
        throw closedError(name);
      }
      inFlight++;
    }
    depth.get()[0]++;
    return new Call();
  }

  /** Throws the closed error if the model is closed (for calls that touch nothing that close frees). */
  public void checkOpen() {
    synchronized (lock) {
      if (closed) {
        throw closedError(name);
      }
    }
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** The number of calls in flight. */
  public int callsInFlight() {
    synchronized (lock) {
      return inFlight;
    }
  }

  /**
   * Refuses new calls, waits for the calls in flight on other threads, then frees the resources (or
   * leaves that to the last call in flight: when closing from inside a call, or when interrupted).
   * Idempotent; never throws.
   */
  public void close() {
    int own = depth.get()[0];
    boolean freeNow;
    synchronized (lock) {
      closed = true;
      boolean interrupted = false;
      while (inFlight > own) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
          break;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      freeNow = inFlight == 0;
    }
    if (freeNow) {
      cleanable.clean();
    }
  }

  /** The error of a call on a closed model. */
  public static ScratchpadException closedError(String name) {
    return new ScratchpadException(name + " is closed; load it again (close() frees its weights, and later "
        + "calls are refused)");
  }

  private void exit() {
    depth.get()[0]--;
    boolean freeNow;
    synchronized (lock) {
      inFlight--;
      freeNow = closed && inFlight == 0;
      lock.notifyAll();
    }
    if (freeNow) {
      cleanable.clean();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "Lifetime[" + name + (closed ? ", closed" : ", open") + ", " + inFlight + " call(s) in flight]";
    }
  }

  /** One call in flight; {@link #close()} ends it (once). */
  public final class Call implements AutoCloseable {
    private final AtomicBoolean done = new AtomicBoolean();

    private Call() {}

    @Override
    public void close() {
      if (done.compareAndSet(false, true)) {
        exit();
      }
    }
  }

  /** The freeing action: holds the resources, never the owner. Runs at most once (Cleanable's contract). */
  private record Free(List<AutoCloseable> resources) implements Runnable {
    @Override
    public void run() {
      for (AutoCloseable r : resources) {
        try {
          r.close();
        } catch (Exception ignored) {
          // freeing never throws: a model's close() throws nothing
        }
      }
    }
  }
}
