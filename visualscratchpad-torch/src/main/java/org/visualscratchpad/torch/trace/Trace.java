package org.visualscratchpad.torch.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One recorded run: tensors under Hugging Face's output names ({@code hidden_states.3}, {@code
 * attentions.0}, {@code logits}, {@code image_features}, ...), in the order they were recorded.
 * Used for parity checks against the reference fixtures and for inspection in JShell.
 *
 * <pre>{@code
 * jshell> trace.get("pooler_output")
 * $1 ==> Optional[DenseTensor[2, 64] [...]]
 * }</pre>
 *
 * <p>Not thread-safe while being recorded; treat it as read-only once returned.
 */
public final class Trace {
  private final Map<String, DenseTensor> tensors = new LinkedHashMap<>();

  /** Records {@code tensor} under {@code name} (replacing an earlier one). */
  public Trace put(String name, DenseTensor tensor) {
    tensors.put(name, tensor);
    return this;
  }

  /** Records every tensor of {@code other}, each name prefixed with {@code prefix}. */
  public Trace putAll(String prefix, Trace other) {
    other.tensors.forEach((k, v) -> tensors.put(prefix + k, v));
    return this;
  }

  /** The tensor named {@code name}, if recorded. */
  public Optional<DenseTensor> get(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  /** The recorded names, in order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Trace[");
    int i = 0;
    for (Map.Entry<String, DenseTensor> e : tensors.entrySet()) {
      if (i++ > 0) {
        sb.append(", ");
      }
      if (i > 12) {
        sb.append("... ").append(tensors.size() - 12).append(" more");
        break;
      }
      sb.append(e.getKey()).append(java.util.Arrays.toString(e.getValue().shape()));
    }
    return sb.append(']').toString();
  }
}
