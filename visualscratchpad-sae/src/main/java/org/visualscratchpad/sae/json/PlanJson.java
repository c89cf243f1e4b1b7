package org.visualscratchpad.sae.json;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;

/**
 * The one JSON codec of {@link InterventionPlan}s: saved sessions ({@code options.plan}), {@code
 * report.json} ({@code plan}) and the web server's requests ({@code regenerate}, {@code classify})
 * read and write plans through it.
 *
 * <pre>{@code
 * {"errorTerm": "KEEP",
 *  "edits": [{"kind": "ablate", "latentIds": [3, 7], "scope": {"kind": "all"}},
 *            {"kind": "set", "latentIds": [9], "value": 1000.0, "scope": {"kind": "patches"}},
 *            {"kind": "scale", "latentIds": [4], "value": 2.0, "scope": {"kind": "chosen", "patches": [[0, 12]]}},
 *            {"kind": "add", "latentIds": [5], "value": -1.5, "scope": "patches"}]}
 * }</pre>
 *
 * <p>{@code kind} is {@code ablate} (no {@code value}), {@code set}, {@code scale} or {@code add} (one
 * latent); {@code value} is the applied float, written exactly; {@code scope} is {@code {"kind": "all"
 * | "patches"}}, {@code {"kind": "chosen", "patches": [[crop, patchIndex], ...]}}, or the short form
 * {@code "all"} / {@code "patches"}; {@code scope} and {@code errorTerm} may be left out ({@code all},
 * {@code KEEP}). Anything else (an unknown field, a value on an ablation, a string for a number) is
 * refused with a {@link JsonFieldException} naming the field, e.g. {@code edits[1].value}.
 *
 * <pre>{@code
 * jshell> PlanJson.write(InterventionPlan.of(LatentIntervention.ablate(List.of(3))))
 * $1 ==> {"errorTerm":"KEEP","edits":[{"kind":"ablate","latentIds":[3],"scope":{"kind":"all"}}]}
 * jshell> PlanJson.read("{\"edits\": [{\"kind\": \"ablate\", \"latentIds\": [3]}]}")
 * $2 ==> InterventionPlan[ablate [3] on all; error term KEEP]
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class PlanJson {
  private PlanJson() {}

  /** A plan as bound from JSON. @param errorTerm KEEP when absent @param edits the edits in order */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Plan(ErrorTerm errorTerm, List<Edit> edits) {}

  /**
   * One edit as bound from JSON.
   *
   * @param kind ablate, set, scale or add
   * @param latentIds the latents
   * @param value the new value, factor or coefficient; absent for ablate
   * @param scope the rows; all when absent
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Edit(String kind, List<Integer> latentIds, Float value, Scope scope) {}

  /**
   * The rows of an edit. @param kind all, patches or chosen @param patches {@code [[crop, patchIndex],
   * ...]} for chosen only
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Scope(String kind, List<List<Integer>> patches) {
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public Scope {}

    /** The short form {@code "all"} or {@code "patches"}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Scope of(String kind) {
      return new Scope(kind, null);
    }
  }

  private static final Set<String> KINDS = Set.of("ablate", "set", "scale", "add");

  // ---------------------------------------------------------------- write

  /** {@code plan} as JSON, in the form above (object scopes, {@code errorTerm} always written). */
  public static ObjectNode toJson(InterventionPlan plan) {
    InvalidInputException.check(plan != null, "plan must not be null");
    return StrictJson.mapper().valueToTree(toRecord(plan));
  }

  /** {@link #toJson(InterventionPlan)} as compact text. */
  public static String write(InterventionPlan plan) {
    return toJson(plan).toString();
  }

  /** {@code plan} as the bound records. */
  public static Plan toRecord(InterventionPlan plan) {
    List<Edit> edits = new ArrayList<>();
    for (LatentIntervention e : plan.edits()) {
      String kind;
      Float value;
      if (e instanceof LatentIntervention.SetValue v) {
        kind = "set";
        value = v.value();
      } else if (e instanceof LatentIntervention.Scale v) {
        kind = "scale";
        value = v.factor();
      } else if (e instanceof LatentIntervention.AddDirection v) {
        kind = "add";
        value = v.coefficient();
      } else {
        kind = "ablate";
        value = null;
      }
      Scope scope;
      if (e.scope() instanceof TokenScope.ChosenPatches c) {
        List<List<Integer>> patches = new ArrayList<>();
        for (TokenScope.PatchRef p : c.patches()) {
          patches.add(List.of(p.crop(), p.patchIndex()));
        }
        scope = new Scope("chosen", patches);
      } else {
        scope = new Scope(e.scope() == TokenScope.patchesOnly() ? "patches" : "all", null);
      }
      edits.add(new Edit(kind, e.latentIds(), value, scope));
    }
    return new Plan(plan.errorTerm(), edits);
  }

  // ---------------------------------------------------------------- read

  /**
   * The plan of a JSON document.
   *
   * @throws JsonFieldException naming the field at fault ({@code edits[0].kind}, ...)
   */
  public static InterventionPlan read(String json) {
    return fromRecord(StrictJson.read(json, Plan.class), -1);
  }

  /** The plan of a parsed JSON value (e.g. {@code options.plan} of a session); see {@link #read(String)}. */
  public static InterventionPlan read(JsonNode json) {
    return read(json, -1);
  }

  /**
   * The plan of a parsed JSON value whose latent ids must also lie below {@code dSae} ({@code -1}: not
   * checked).
   *
   * @throws JsonFieldException naming the field at fault
   */
  public static InterventionPlan read(JsonNode json, int dSae) {
    if (json == null || json.isNull() || json.isMissingNode()) {
      throw new JsonFieldException("", "must be a plan object ({\"edits\": [...], \"errorTerm\": \"KEEP\"})");
    }
    if (json.isTextual()) {
      throw new JsonFieldException("", "(" + JsonFieldException.quote(json.asText()) + ") is a plan written as text "
          + "(a report.json of an earlier vsp); a plan cannot be read back from its text. Run the command again "
          + "to write the plan as JSON");
    }
    return fromRecord(StrictJson.read(json, Plan.class), dSae);
  }

  /**
   * The plan of bound records, checked: kinds, values where a kind needs one and nowhere else, one
   * latent for {@code add}, ids distinct and non-negative (and below {@code dSae} unless it is {@code
   * -1}), scopes.
   *
   * @throws JsonFieldException naming the field at fault
   */
  public static InterventionPlan fromRecord(Plan plan, int dSae) {
    if (plan == null) {
      throw new JsonFieldException("", "must be a plan object ({\"edits\": [...], \"errorTerm\": \"KEEP\"})");
    }
    List<LatentIntervention> edits = new ArrayList<>();
    List<Edit> list = plan.edits() == null ? List.of() : plan.edits();
    for (int i = 0; i < list.size(); i++) {
      edits.add(edit(list.get(i), "edits[" + i + "]", dSae));
    }
    return new InterventionPlan(edits, plan.errorTerm() == null ? ErrorTerm.KEEP : plan.errorTerm());
  }

  /** One edit, checked; {@code where} names it in errors. */
  public static LatentIntervention edit(Edit e, String where, int dSae) {
    if (e == null) {
      throw new JsonFieldException(where, "must be an edit object ({\"kind\": \"ablate\", \"latentIds\": [412]})");
    }
    String kind = e.kind();
    if (kind == null || !KINDS.contains(kind)) {
      throw new JsonFieldException(where + ".kind", "(" + JsonFieldException.quote(kind)
          + ") must be \"ablate\", \"set\", \"scale\" or \"add\"");
    }
    List<Integer> ids = e.latentIds();
    if (ids == null || ids.isEmpty()) {
      throw new JsonFieldException(where + ".latentIds", "must be a non-empty list of latent ids");
    }
    for (int k = 0; k < ids.size(); k++) {
      Integer id = ids.get(k);
      if (id == null || id < 0 || (dSae >= 0 && id >= dSae)) {
        throw new JsonFieldException(where + ".latentIds[" + k + "]", "(" + id + ") must be a latent id in [0, "
            + (dSae >= 0 ? "d_sae = " + dSae : "d_sae") + ")");
      }
      if (ids.subList(0, k).contains(id)) {
        throw new JsonFieldException(where + ".latentIds[" + k + "]", "(" + id + ") is listed twice; name each latent once");
      }
    }
    Float value = e.value();
    if (kind.equals("ablate")) {
      if (value != null) {
        throw new JsonFieldException(where + ".value", "(" + value + ") must be left out for kind 'ablate' (it sets "
            + "the latents to 0); use kind 'set' for another value");
      }
    } else if (value == null || !Float.isFinite(value)) {
      throw new JsonFieldException(where + ".value", "(" + value + ") must be a finite number for kind '" + kind + "'");
    }
    if (kind.equals("add") && ids.size() != 1) {
      throw new JsonFieldException(where + ".latentIds", "of an 'add' edit must name exactly one latent (got "
          + ids.size() + "); add one edit per latent");
    }
    TokenScope scope = scope(e.scope(), where + ".scope");
    try {
      return switch (kind) {
        case "ablate" -> LatentIntervention.ablate(ids, scope);
        case "set" -> LatentIntervention.setValue(ids, value, scope);
        case "scale" -> LatentIntervention.scale(ids, value, scope);
        default -> LatentIntervention.addDirection(ids.get(0), value, scope);
      };
    } catch (JsonFieldException x) {
      throw x;
    } catch (InvalidInputException x) {
      throw new JsonFieldException(where, "is invalid: " + x.getMessage());
    }
  }

  private static TokenScope scope(Scope s, String where) {
    if (s == null) {
      return TokenScope.allTokens();
    }
    String kind = s.kind();
    if ("chosen".equals(kind)) {
      List<List<Integer>> patches = s.patches();
      if (patches == null || patches.isEmpty()) {
        throw new JsonFieldException(where + ".patches", "must list at least one [crop, patchIndex] for kind 'chosen'");
      }
      List<TokenScope.PatchRef> refs = new ArrayList<>();
      for (int k = 0; k < patches.size(); k++) {
        List<Integer> p = patches.get(k);
        if (p == null || p.size() != 2 || p.get(0) == null || p.get(1) == null || p.get(0) < 0 || p.get(1) < 0) {
          throw new JsonFieldException(where + ".patches[" + k + "]", "(" + JsonFieldException.quote(p)
              + ") must be [crop, patchIndex], two non-negative integers");
        }
        refs.add(new TokenScope.PatchRef(p.get(0), p.get(1)));
      }
      return TokenScope.patches(refs);
    }
    if (s.patches() != null) {
      throw new JsonFieldException(where + ".patches", "is only for kind 'chosen' (the scope's kind is '" + kind + "')");
    }
    if ("all".equals(kind)) {
      return TokenScope.allTokens();
    }
    if ("patches".equals(kind)) {
      return TokenScope.patchesOnly();
    }
    throw new JsonFieldException(where + (s.patches() == null && kind != null ? "" : ".kind"), "("
        + JsonFieldException.quote(kind) + ") must be \"all\", \"patches\" or {\"kind\": \"chosen\", \"patches\": "
        + "[[crop, patchIndex], ...]}");
  }
}
