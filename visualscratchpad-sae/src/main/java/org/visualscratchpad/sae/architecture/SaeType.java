package org.visualscratchpad.sae.architecture;

import java.util.List;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.kernel.LatentActivation;

/**
 * One SAE architecture with its behaviour, as SAELens has one class per architecture: its name, the
 * per-latent parameters it reads and the encoder they make. Every architecture shares {@code W_enc
 * [d_in, d_sae]}, {@code W_dec [d_sae, d_in]} and {@code b_dec [d_in]}; a type reads the rest and
 * turns it into a {@link LatentActivation}, which both SAE kernels compute. Types are found by name
 * in {@link SaeTypes}; adding an architecture is a class here and a line there.
 *
 * <pre>{@code
 * jshell> SaeTypes.parse("jumprelu").parameterNames()
 * $1 ==> [b_enc, threshold]
 * }</pre>
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface SaeType {

  /** Its SAELens name (and whether {@link SaeConfig#k()} applies). */
  SaeArchitecture architecture();

  /** Other names checkpoints use for it (e.g. {@code relu} for {@code standard}); empty by default. */
  default List<String> aliases() {
    return List.of();
  }

  /** The per-latent tensors it reads besides {@code W_enc}, {@code W_dec} and {@code b_dec}, as SAELens names them. */
  List<String> parameterNames();

  /**
   * The encoder's per-latent part, from this architecture's tensors ({@code [d_sae]} each).
   *
   * @throws org.visualscratchpad.ScratchpadException (the source's kind, naming it) if a tensor is
   *     missing or has the wrong shape
   */
  LatentActivation activation(SaeConfig config, SaeParameters parameters);
}
