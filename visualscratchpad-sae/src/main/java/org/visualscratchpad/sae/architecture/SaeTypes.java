package org.visualscratchpad.sae.architecture;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.kernel.SaeWeights;

/**
 * The registry of SAE architectures, keyed by SAELens' names ({@code cfg.json}'s {@code
 * architecture}): the one place that lists them. The checkpoint readers, the kernels and the
 * command line find an architecture's behaviour here; adding one is its {@link SaeType} in this
 * package and one line below.
 *
 * <pre>{@code
 * jshell> SaeTypes.names()
 * $1 ==> "standard, topk, jumprelu, gated"
 * jshell> SaeTypes.parse("relu").architecture()
 * $2 ==> standard
 * }</pre>
 *
 * <p>Immutable after class initialisation and thread-safe.
 */
public final class SaeTypes {
  private static final Map<String, SaeType> BY_NAME = new LinkedHashMap<>();
  private static final List<SaeType> ALL = new ArrayList<>();

  // ---- the registered architectures: one line each ----
  public static final SaeType STANDARD = register(new StandardSae());
  public static final SaeType TOPK = register(new TopKSae());
  public static final SaeType JUMPRELU = register(new JumpReluSae());
  public static final SaeType GATED = register(new GatedSae());

  private SaeTypes() {}

  private static SaeType register(SaeType type) {
    List<String> names = new ArrayList<>();
    names.add(type.architecture().cfgName());
    names.addAll(type.aliases());
    for (String name : names) {
      if (BY_NAME.putIfAbsent(name, type) != null) {
        throw new IllegalStateException("SAE architecture name " + name + " is registered twice");
      }
    }
    ALL.add(type);
    return type;
  }

  /** Every registered type, in registration order. */
  public static List<SaeType> all() {
    return Collections.unmodifiableList(ALL);
  }

  /** The registered names (aliases left out), e.g. {@code standard, topk, jumprelu}. */
  public static String names() {
    return String.join(", ", ALL.stream().map(t -> t.architecture().cfgName()).toList());
  }

  /**
   * The type of a SAELens name or alias (case-insensitive).
   *
   * @throws InvalidInputException if no architecture of that name is registered (the message lists them)
   */
  public static SaeType parse(String name) {
    SaeType type = name == null ? null : BY_NAME.get(name.toLowerCase(Locale.ROOT));
    if (type == null) {
      throw new InvalidInputException("SAE architecture (" + name + ") must be one of " + names()
          + ". Convert the checkpoint to one of these.");
    }
    return type;
  }

  /**
   * The type of {@code architecture} (by its name).
   *
   * @throws InvalidInputException if no architecture of that name is registered
   */
  public static SaeType of(SaeArchitecture architecture) {
    InvalidInputException.check(architecture != null, "SAE architecture must not be null");
    return parse(architecture.cfgName());
  }

  /**
   * An SAE's weights: the shared matrices and decoder bias, and the per-latent rest read by its
   * architecture's type from {@code parameters}.
   *
   * @throws InvalidInputException if a shape disagrees with {@code config}, or as the parameters' source reports
   */
  public static SaeWeights weights(SaeConfig config, float[] wEnc, float[] wDec, float[] bDec, SaeParameters parameters) {
    return SaeWeights.of(config, wEnc, wDec, bDec, of(config.architecture()).activation(config, parameters));
  }
}
