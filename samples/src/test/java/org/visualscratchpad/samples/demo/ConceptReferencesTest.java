package org.visualscratchpad.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.samples.shapes.Colour;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.SceneObject;
import org.visualscratchpad.samples.shapes.ShapeKind;

/** Reference patches and purity, on generated scenes with codes planted by the objects' true attributes. */
class ConceptReferencesTest {
  private static final int GRID = 8;
  private static final int PATCH = 8;

  /** Latent 0 fires on red objects' patches, latent 1 on circles', latent 2 on every patch. */
  private static SparseActivations planted(Scene s) {
    SparseActivations.Builder b = SparseActivations.builder(3);
    b.addRow(new int[0], new float[0], 0); // CLS
    for (int p = 0; p < GRID * GRID; p++) {
      Optional<SceneObject> o = ConceptReferences.objectOn(s, p, GRID, PATCH);
      int[] ids = new int[3];
      float[] vals = new float[3];
      int n = 0;
      if (o.isPresent() && o.get().colour() == Colour.RED) {
        ids[n] = 0;
        vals[n++] = 1f + o.get().radius();
      }
      if (o.isPresent() && o.get().shape() == ShapeKind.CIRCLE) {
        ids[n] = 1;
        vals[n++] = 2f;
      }
      ids[n] = 2;
      vals[n++] = 0.5f + (p % 3);
      b.addRow(ids, vals, n);
    }
    return b.build();
  }

  @Test
  void planted_latents_get_the_attribute_they_fire_on_and_the_background_latent_gets_none() {
    SceneGenerator gen = new SceneGenerator();
    ConceptReferences refs = new ConceptReferences(3, 20, GRID, PATCH);
    for (int i = 0; i < 200; i++) {
      Scene s = gen.generate(900 + i, SceneDistribution.UNIFORM);
      refs.add(s, planted(s));
    }
    assertEquals(200, refs.scenes());
    assertEquals(0, refs.deadLatents());
    assertEquals(20, refs.references(0).size());
    assertEquals(1.0, refs.colourPurity(0, Colour.RED), 1e-9);
    assertEquals(Optional.of(Colour.RED), refs.colourConcept(0));
    assertEquals(Optional.of(ShapeKind.CIRCLE), refs.shapeConcept(1));
    assertEquals(Optional.empty(), refs.shapeConcept(0), "red objects come in every shape");
    assertEquals(Optional.empty(), refs.colourConcept(2), "latent 2 fires on background patches as strongly");
    assertEquals(0, refs.purestColourLatents().get(Colour.RED).latentId());
    assertEquals(1, refs.purestShapeLatents().get(ShapeKind.CIRCLE).latentId());
    // strongest first, and the strongest red patches lie on the biggest red objects
    List<ConceptReferences.Reference> r = refs.references(0);
    for (int i = 1; i < r.size(); i++) {
      assertTrue(r.get(i - 1).activation() >= r.get(i).activation());
    }
    assertTrue(r.get(0).object().orElseThrow().radius() >= 11, r.get(0).toString());
  }

  @Test
  void the_object_on_a_patch_is_the_one_covering_it() {
    Scene s = new SceneGenerator().generate(4, SceneDistribution.UNIFORM);
    for (SceneObject o : s.objects()) {
      int patch = (o.centerY() / PATCH) * GRID + o.centerX() / PATCH;
      assertEquals(Optional.of(o), ConceptReferences.objectOn(s, patch, GRID, PATCH), o.toString());
    }
  }

  @Test
  void codes_of_another_shape_are_refused_with_the_sizes() {
    ConceptReferences refs = new ConceptReferences(3, 20, GRID, PATCH);
    Scene s = new SceneGenerator().generate(1, SceneDistribution.UNIFORM);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> refs.add(s, SparseActivations.empty(17, 3)));
    assertTrue(e.getMessage().contains("17 rows") && e.getMessage().contains("64 patches"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> refs.add(s, SparseActivations.empty(65, 4)));
  }
}
