package org.visualscratchpad.samples.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.samples.shapes.Colour;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneObject;
import org.visualscratchpad.samples.shapes.ShapeKind;

/**
 * Reference patches of every SAE latent over labelled ShapesWorld scenes, and what they share: for each
 * latent the {@code topK} scenes where it fires most strongly (one patch per scene, its strongest), and
 * for each of those the object that covers most of that patch. A latent's purity for an attribute value
 * (a colour or a shape) is the share of its reference patches that lie on an object with that value;
 * its concept is the value it is purest for, when that share reaches {@link #CONCEPT_PURITY}.
 *
 * <p>Not thread-safe while scenes are added; read-only afterwards.
 */
public final class ConceptReferences {
  /** The share of reference patches a latent needs on one colour (or shape) to be called its concept. */
  public static final double CONCEPT_PURITY = 0.6;
  /** The share of a patch's pixels an object must cover for the patch to lie "on" it. */
  public static final double MIN_COVER = 0.15;

  /** One reference: the scene, the patch (row-major index) and the object on it (empty: background). */
  public record Reference(Scene scene, int patch, float activation, Optional<SceneObject> object) {}

  /** The purest latent for one attribute value. */
  public record Purest(String value, int latentId, double purity, int references) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "%s: latent %d, %.0f %% of %d", value, latentId, 100 * purity, references);
    }
  }

  private final int dSae;
  private final int topK;
  private final int gridSide;
  private final int patchSize;
  private final List<PriorityQueue<Reference>> top;
  private final long[] firing;
  private int scenes;
  /** Sorted references per latent, made on first read after the last {@link #add}; null when stale. */
  private volatile List<List<Reference>> sorted;

  /**
   * @param dSae latents
   * @param topK reference patches kept per latent
   * @param gridSide patches per image side
   * @param patchSize pixels per patch side
   */
  public ConceptReferences(int dSae, int topK, int gridSide, int patchSize) {
    InvalidInputException.check(dSae > 0 && topK > 0 && gridSide > 0 && patchSize > 0,
        "d_sae (%s), top-k (%s), grid side (%s) and patch size (%s) must be positive", dSae, topK, gridSide, patchSize);
    this.dSae = dSae;
    this.topK = topK;
    this.gridSide = gridSide;
    this.patchSize = patchSize;
    this.top = new ArrayList<>(dSae);
    for (int j = 0; j < dSae; j++) {
      top.add(new PriorityQueue<>((a, b) -> Float.compare(a.activation(), b.activation())));
    }
    this.firing = new long[dSae];
  }

  /**
   * Adds one scene's codes: row 0 is CLS (ignored), row {@code p + 1} patch {@code p} in row-major order.
   *
   * @throws InvalidInputException if the codes have another width or number of rows
   */
  public void add(Scene scene, SparseActivations codes) {
    InvalidInputException.check(codes.dSae() == dSae, "codes have d_sae %s but the references were made for %s", codes.dSae(), dSae);
    InvalidInputException.check(codes.rows() == gridSide * gridSide + 1,
        "codes have %s rows but a scene has %s patches + CLS", codes.rows(), gridSide * gridSide);
    float[] best = new float[dSae];
    int[] bestPatch = new int[dSae];
    Arrays.fill(bestPatch, -1);
    for (int p = 0; p < gridSide * gridSide; p++) {
      int row = p + 1;
      for (int i = codes.rowStart(row); i < codes.rowEnd(row); i++) {
        int j = codes.latentAt(i);
        float v = codes.valueAt(i);
        if (v > best[j]) {
          best[j] = v;
          bestPatch[j] = p;
        }
      }
    }
    for (int j = 0; j < dSae; j++) {
      if (bestPatch[j] < 0) {
        continue;
      }
      firing[j]++;
      PriorityQueue<Reference> q = top.get(j);
      if (q.size() < topK || best[j] > q.peek().activation()) {
        q.add(new Reference(scene, bestPatch[j], best[j], objectOn(scene, bestPatch[j], gridSide, patchSize)));
        if (q.size() > topK) {
          q.poll();
        }
      }
    }
    scenes++;
    sorted = null;
  }

  /** The object covering most of patch {@code patch} (row-major) if it covers at least {@link #MIN_COVER} of it. */
  public static Optional<SceneObject> objectOn(Scene scene, int patch, int gridSide, int patchSize) {
    return scene.objectOn((patch % gridSide) * patchSize, (patch / gridSide) * patchSize, patchSize, MIN_COVER);
  }

  public int dSae() {
    return dSae;
  }

  public int scenes() {
    return scenes;
  }

  /** Latents that fired on no patch of any added scene. */
  public int deadLatents() {
    int dead = 0;
    for (long f : firing) {
      dead += f == 0 ? 1 : 0;
    }
    return dead;
  }

  /** The reference patches of latent {@code j}, strongest first. */
  public List<Reference> references(int j) {
    if (sorted == null) {
      List<List<Reference>> all = new ArrayList<>(dSae);
      for (PriorityQueue<Reference> q : top) {
        List<Reference> r = new ArrayList<>(q);
        r.sort((a, b) -> Float.compare(b.activation(), a.activation()));
        all.add(List.copyOf(r));
      }
      sorted = all;
    }
    return sorted.get(j);
  }

  /** Share of latent {@code j}'s references lying on an object of colour {@code c}. */
  public double colourPurity(int j, Colour c) {
    List<Reference> refs = references(j);
    return refs.isEmpty() ? 0 : refs.stream().filter(r -> r.object().map(o -> o.colour() == c).orElse(false)).count() / (double) refs.size();
  }

  /** Share of latent {@code j}'s references lying on an object of shape {@code s}. */
  public double shapePurity(int j, ShapeKind s) {
    List<Reference> refs = references(j);
    return refs.isEmpty() ? 0 : refs.stream().filter(r -> r.object().map(o -> o.shape() == s).orElse(false)).count() / (double) refs.size();
  }

  /** The colour latent {@code j} stands for, if at least {@link #CONCEPT_PURITY} of a full set of references share it. */
  public Optional<Colour> colourConcept(int j) {
    if (references(j).size() < topK) {
      return Optional.empty();
    }
    for (Colour c : Colour.values()) {
      if (colourPurity(j, c) >= CONCEPT_PURITY) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** The shape latent {@code j} stands for, if at least {@link #CONCEPT_PURITY} of a full set of references share it. */
  public Optional<ShapeKind> shapeConcept(int j) {
    if (references(j).size() < topK) {
      return Optional.empty();
    }
    for (ShapeKind s : ShapeKind.values()) {
      if (shapePurity(j, s) >= CONCEPT_PURITY) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** For every colour, the latent with a full set of references that is purest for it. */
  public Map<Colour, Purest> purestColourLatents() {
    Map<Colour, Purest> out = new EnumMap<>(Colour.class);
    for (Colour c : Colour.values()) {
      out.put(c, purest(c.word(), j -> colourPurity(j, c)));
    }
    return out;
  }

  /** For every shape, the latent with a full set of references that is purest for it. */
  public Map<ShapeKind, Purest> purestShapeLatents() {
    Map<ShapeKind, Purest> out = new EnumMap<>(ShapeKind.class);
    for (ShapeKind s : ShapeKind.values()) {
      out.put(s, purest(s.word(), j -> shapePurity(j, s)));
    }
    return out;
  }

  private Purest purest(String value, java.util.function.IntToDoubleFunction purity) {
    int bestJ = -1;
    double best = -1;
    for (int j = 0; j < dSae; j++) {
      if (references(j).size() < topK) {
        continue;
      }
      double p = purity.applyAsDouble(j);
      if (p > best) {
        best = p;
        bestJ = j;
      }
    }
    return new Purest(value, bestJ, Math.max(0, best), bestJ < 0 ? 0 : references(bestJ).size());
  }
}
