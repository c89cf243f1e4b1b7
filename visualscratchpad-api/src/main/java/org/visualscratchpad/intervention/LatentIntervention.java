package org.visualscratchpad.intervention;

import java.util.LinkedHashSet;
import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * An edit of SAE latents at the SAE's hook point, for one call. Each kind maps a latent's
 * activation {@code h} to a new value {@code h'} on the rows its {@link TokenScope} includes; the
 * residual stream then becomes {@code z' = z + (h' - h) W_dec} (error term kept) or {@code
 * decode(h')} (error term dropped), see {@link InterventionPlan}.
 *
 * <table>
 *   <caption>The kinds</caption>
 *   <tr><th>kind</th><th>h'</th></tr>
 *   <tr><td>{@link Ablate}</td><td>0</td></tr>
 *   <tr><td>{@link SetValue}</td><td>value (on every row in scope, active or not)</td></tr>
 *   <tr><td>{@link Scale}</td><td>h * factor</td></tr>
 *   <tr><td>{@link AddDirection}</td><td>h + coefficient, i.e. {@code coefficient * W_dec[latent]} added to z</td></tr>
 * </table>
 *
 * <pre>{@code
 * jshell> var edit = LatentIntervention.ablate(List.of(196, 96, 173))
 * edit ==> ablate [196, 96, 173] on all
 * jshell> LatentIntervention.setValue(List.of(140), 6.8f, TokenScope.patchesOnly())
 * $2 ==> set [140] = 6.8 on patches
 * }</pre>
 *
 * <p>Immutable and thread-safe. Latent ids are checked against {@code d_sae} when the plan is
 * applied to an SAE.
 */
public sealed interface LatentIntervention
    permits LatentIntervention.Ablate, LatentIntervention.SetValue, LatentIntervention.Scale,
        LatentIntervention.AddDirection {

  /** The edited latents, distinct, in the order given. */
  List<Integer> latentIds();

  /** The rows edited. */
  TokenScope scope();

  /** The new activation of an edited latent whose current activation is {@code h}. */
  float edit(float h);

  /** Ablates (sets to 0) the latents on every row, CLS included. */
  static Ablate ablate(List<Integer> latentIds) {
    return new Ablate(latentIds, TokenScope.allTokens());
  }

  /** Ablates the latents on the rows of {@code scope}. */
  static Ablate ablate(List<Integer> latentIds, TokenScope scope) {
    return new Ablate(latentIds, scope);
  }

  /** Sets the latents to {@code value} on the rows of {@code scope}. */
  static SetValue setValue(List<Integer> latentIds, float value, TokenScope scope) {
    return new SetValue(latentIds, value, scope);
  }

  /** Multiplies the latents by {@code factor} on the rows of {@code scope}. */
  static Scale scale(List<Integer> latentIds, float factor, TokenScope scope) {
    return new Scale(latentIds, factor, scope);
  }

  /** Adds {@code coefficient} times the latent's decoder direction on the rows of {@code scope}. */
  static AddDirection addDirection(int latentId, float coefficient, TokenScope scope) {
    return new AddDirection(List.of(latentId), coefficient, scope);
  }

  /** Sets edited latents to zero. @param latentIds edited latents @param scope rows */
  record Ablate(List<Integer> latentIds, TokenScope scope) implements LatentIntervention {
    public Ablate {
      latentIds = Checks.latents(latentIds);
      scope = Checks.scope(scope);
    }

    @Override
    public float edit(float h) {
      return 0f;
    }

    @Override
    public String toString() {
      return "ablate " + latentIds + " on " + scope.describe();
    }
  }

  /** Sets edited latents to a value. @param latentIds edited latents @param value new activation @param scope rows */
  record SetValue(List<Integer> latentIds, float value, TokenScope scope) implements LatentIntervention {
    public SetValue {
      latentIds = Checks.latents(latentIds);
      Checks.finite("steering value", value);
      scope = Checks.scope(scope);
    }

    @Override
    public float edit(float h) {
      return value;
    }

    @Override
    public String toString() {
      return "set " + latentIds + " = " + Checks.fmt(value) + " on " + scope.describe();
    }
  }

  /** Scales edited latents. @param latentIds edited latents @param factor multiplier @param scope rows */
  record Scale(List<Integer> latentIds, float factor, TokenScope scope) implements LatentIntervention {
    public Scale {
      latentIds = Checks.latents(latentIds);
      Checks.finite("scale factor", factor);
      scope = Checks.scope(scope);
    }

    @Override
    public float edit(float h) {
      return h * factor;
    }

    @Override
    public String toString() {
      return "scale " + latentIds + " x " + Checks.fmt(factor) + " on " + scope.describe();
    }
  }

  /**
   * Adds a multiple of each latent's decoder direction. @param latentIds edited latents
   * @param coefficient multiple of {@code W_dec[latent]} @param scope rows
   */
  record AddDirection(List<Integer> latentIds, float coefficient, TokenScope scope) implements LatentIntervention {
    public AddDirection {
      latentIds = Checks.latents(latentIds);
      Checks.finite("direction coefficient", coefficient);
      scope = Checks.scope(scope);
    }

    @Override
    public float edit(float h) {
      return h + coefficient;
    }

    @Override
    public String toString() {
      return "add " + Checks.fmt(coefficient) + " x W_dec" + latentIds + " on " + scope.describe();
    }
  }

  /** Validation shared by the records. */
  final class Checks {
    private Checks() {}

    static List<Integer> latents(List<Integer> ids) {
      InvalidInputException.check(ids != null && !ids.isEmpty(),
          "an intervention must name at least one latent id");
      LinkedHashSet<Integer> seen = new LinkedHashSet<>();
      for (Integer id : ids) {
        InvalidInputException.check(id != null && id >= 0, "latent id (%s) must be >= 0", id);
        InvalidInputException.check(seen.add(id),
            "latent id (%s) is listed twice in %s; name each latent once", id, ids);
      }
      return List.copyOf(ids);
    }

    static TokenScope scope(TokenScope scope) {
      return scope == null ? TokenScope.allTokens() : scope;
    }

    static void finite(String what, float value) {
      InvalidInputException.check(Float.isFinite(value), "%s (%s) must be finite", what, value);
    }

    /**
     * The value as Java's shortest round-trip decimal ({@link Float#toString}), without a trailing
     * {@code .0}: {@code 1000}, {@code 6.8}, {@code 1E30}. {@code Float.parseFloat} of it gives
     * {@code v} back exactly.
     */
    static String fmt(float v) {
      return Float.toString(v).replace(".0E", "E").replaceAll("\\.0$", "");
    }
  }
}
