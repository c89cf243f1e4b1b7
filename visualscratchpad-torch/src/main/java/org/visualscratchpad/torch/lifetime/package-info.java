/**
 * The lifetime of a loaded model: {@link org.visualscratchpad.torch.lifetime.Lifetime} counts the
 * calls in flight so that {@code close()} never frees weights (native memory on libtorch, a
 * tokenizer's native handle) under a running call, refuses calls after it with a clear error, and
 * frees what an unclosed, unreachable model holds through a {@link java.lang.ref.Cleaner}.
 */
package org.visualscratchpad.torch.lifetime;
