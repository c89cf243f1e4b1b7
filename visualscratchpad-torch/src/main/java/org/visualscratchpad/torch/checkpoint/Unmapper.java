package org.visualscratchpad.torch.checkpoint;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Releases a memory-mapped buffer at once (instead of at some later garbage collection), so that a
 * widened F16/BF16 tensor's source pages stop counting towards the process's resident memory.
 * Best effort: when the JDK refuses, the mapping is left to the garbage collector.
 */
final class Unmapper {
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
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = m;
  }

  private Unmapper() {}

  /** Unmaps {@code buffer} if it is a mapped buffer the JDK lets us release; the caller must not use it afterwards. */
  static void release(ByteBuffer buffer) {
    if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, buffer);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // a slice or duplicate: leave it to the garbage collector
    }
  }
}
