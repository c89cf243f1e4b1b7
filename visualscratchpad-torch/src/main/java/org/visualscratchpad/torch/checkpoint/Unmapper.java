package org.visualscratchpad.torch.checkpoint;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases a memory-mapped buffer at once (instead of at some later garbage collection), so that a
 * widened F16/BF16 tensor's source pages stop counting towards the process's resident memory.
 * Best effort: when the JDK refuses (no {@code sun.misc.Unsafe.invokeCleaner}, or a buffer that is a
 * slice or duplicate of a mapping), the mapping is left to the garbage collector and the first such
 * failure is logged once at DEBUG with its cause.
 */
final class Unmapper {
  private static final Logger LOG = LoggerFactory.getLogger(Unmapper.class);
  private static final AtomicBoolean REPORTED = new AtomicBoolean();
  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method m = null;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      unsafe = f.get(null);
      m = c.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unsafe = null;
      m = null;
      report("sun.misc.Unsafe.invokeCleaner is not available", e);
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = m;
  }

  private Unmapper() {}

  /**
   * Unmaps {@code buffer} if it is a mapped buffer the JDK lets us release; the caller must not use it
   * afterwards.
   *
   * @return whether it was unmapped now (false: left to the garbage collector)
   */
  static boolean release(ByteBuffer buffer) {
    if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) {
      return false;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, buffer);
      return true;
    } catch (InvocationTargetException e) {
      report("the JDK refused to unmap a " + buffer.capacity() + "-byte buffer", e.getCause());
      return false;
    } catch (ReflectiveOperationException | RuntimeException e) {
      report("unmapping a " + buffer.capacity() + "-byte buffer failed", e);
      return false;
    }
  }

  /** Whether a failure has been reported (logged once). */
  static boolean failureReported() {
    return REPORTED.get();
  }

  private static void report(String what, Throwable cause) {
    if (REPORTED.compareAndSet(false, true)) {
      LOG.debug("{} ({}); mapped checkpoint pages are released by the garbage collector instead. "
          + "Further failures are not logged.", what, String.valueOf(cause));
    }
  }
}
