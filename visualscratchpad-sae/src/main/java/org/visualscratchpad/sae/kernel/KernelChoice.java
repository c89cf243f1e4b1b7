package org.visualscratchpad.sae.kernel;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.visualscratchpad.InvalidInputException;

/**
 * Which {@link SaeKernel} computes an SAE.
 *
 * <p>{@link #AUTO} takes the Vector API kernel when the module {@code jdk.incubator.vector} is in
 * the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}) and the
 * scalar reference otherwise, logging once (SLF4J, WARN) how to enable SIMD. The Vector API
 * classes are only loaded when the module is present.
 *
 * <pre>{@code
 * jshell> KernelChoice.vectorAvailable()
 * $1 ==> true
 * jshell> KernelChoice.AUTO.create(weights).name()
 * $2 ==> "vector[256-bit, 6x16 tiles, 96-row blocks, 2 threads]"
 * }</pre>
 */
public enum KernelChoice {
  /** The Vector API kernel if available, else the scalar reference (logged once). */
  AUTO,
  /** The plain-loop reference kernel. */
  SCALAR,
  /** The Vector API kernel; fails if {@code jdk.incubator.vector} is missing. */
  VECTOR;

  private static final Logger LOG = LoggerFactory.getLogger(KernelChoice.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  static final String HOW_TO_ENABLE = "the SAE kernels run without SIMD (scalar reference, much slower) because the "
      + "module jdk.incubator.vector is not loaded. Start the JVM with --add-modules jdk.incubator.vector "
      + "(java, Surefire argLine, JMH jvmArgsAppend, jshell -R--add-modules -Rjdk.incubator.vector).";

  /** Whether the module {@code jdk.incubator.vector} is in the boot layer. */
  public static boolean vectorAvailable() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /** The choice that {@link #create} makes for this value, given whether the Vector API is present. */
  KernelChoice resolve(boolean vectorPresent) {
    if (this == AUTO) {
      return vectorPresent ? VECTOR : SCALAR;
    }
    return this;
  }

  /**
   * A kernel over {@code weights}.
   *
   * @throws InvalidInputException for {@link #VECTOR} when {@code jdk.incubator.vector} is missing
   */
  public SaeKernel create(SaeWeights weights) {
    boolean present = vectorAvailable();
    KernelChoice resolved = resolve(present);
    if (resolved == SCALAR) {
      if (this == AUTO && WARNED.compareAndSet(false, true)) {
        LOG.warn(HOW_TO_ENABLE);
      }
      return new ScalarSaeKernel(weights);
    }
    InvalidInputException.check(present,
        "kernel choice (VECTOR) needs the module jdk.incubator.vector, which this JVM did not load. "
            + "Start it with --add-modules jdk.incubator.vector, or use KernelChoice.AUTO.");
    return newVectorKernel(weights);
  }

  /** Loads the Vector API kernel reflectively, so that this class links without the module. */
  private static SaeKernel newVectorKernel(SaeWeights weights) {
    try {
      Class<?> c = Class.forName("org.visualscratchpad.sae.kernel.VectorSaeKernel");
      var ctor = c.getDeclaredConstructor(SaeWeights.class);
      return (SaeKernel) ctor.newInstance(weights);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("could not create the Vector API SAE kernel", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("could not create the Vector API SAE kernel", e);
    }
  }
}
