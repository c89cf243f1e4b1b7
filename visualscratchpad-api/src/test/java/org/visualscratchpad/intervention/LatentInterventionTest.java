package org.visualscratchpad.intervention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;

class LatentInterventionTest {

  @Test
  void each_kind_maps_an_activation_as_documented() {
    assertEquals(0f, LatentIntervention.ablate(List.of(1)).edit(3f));
    assertEquals(7f, LatentIntervention.setValue(List.of(1), 7f, null).edit(3f));
    assertEquals(6f, LatentIntervention.scale(List.of(1), 2f, null).edit(3f));
    assertEquals(4.5f, LatentIntervention.addDirection(1, 1.5f, null).edit(3f));
  }

  @Test
  void scopes_distinguish_cls_patches_and_chosen_patches() {
    assertTrue(TokenScope.allTokens().includes(0, 0));
    assertFalse(TokenScope.patchesOnly().includes(2, 0));
    assertTrue(TokenScope.patchesOnly().includes(2, 1));
    TokenScope chosen = TokenScope.patches(List.of(new TokenScope.PatchRef(1, 4)));
    assertTrue(chosen.includes(1, 5));
    assertFalse(chosen.includes(0, 5));
    assertFalse(chosen.includes(1, 4));
  }

  @Test
  void rejects_duplicates_negative_ids_and_non_finite_values() {
    InvalidInputException dup = assertThrows(InvalidInputException.class,
        () -> LatentIntervention.ablate(List.of(3, 3)));
    assertTrue(dup.getMessage().contains("listed twice"), dup.getMessage());
    assertThrows(InvalidInputException.class, () -> LatentIntervention.ablate(List.of(-1)));
    assertThrows(InvalidInputException.class, () -> LatentIntervention.ablate(List.of()));
    InvalidInputException nan = assertThrows(InvalidInputException.class,
        () -> LatentIntervention.setValue(List.of(1), Float.NaN, null));
    assertTrue(nan.getMessage().contains("steering value"), nan.getMessage());
    assertThrows(InvalidInputException.class,
        () -> LatentIntervention.scale(List.of(1), Float.POSITIVE_INFINITY, null));
  }

  @Test
  void plans_print_their_edits_and_know_when_they_change_nothing() {
    assertTrue(InterventionPlan.none().isIdentity());
    InterventionPlan plan = InterventionPlan.of(LatentIntervention.ablate(List.of(3, 7)))
        .with(LatentIntervention.setValue(List.of(9), 2.5f, TokenScope.patchesOnly()));
    assertEquals("InterventionPlan[ablate [3, 7] on all; set [9] = 2.5 on patches; error term KEEP]", plan.toString());
    assertFalse(plan.withErrorTerm(ErrorTerm.DROP).edits().isEmpty());
    assertFalse(InterventionPlan.none().withErrorTerm(ErrorTerm.DROP).isIdentity());
  }

  @Test
  void plans_print_values_exactly_so_that_they_read_back_as_the_applied_value() {
    assertEquals("set [1] = 1000 on all", LatentIntervention.setValue(List.of(1), 1000f, null).toString());
    assertEquals("scale [1] x 5000 on all", LatentIntervention.scale(List.of(1), 5000f, null).toString());
    assertEquals("add -2000 x W_dec[1] on all", LatentIntervention.addDirection(1, -2000f, null).toString());
    assertEquals("set [1] = 6.8 on all", LatentIntervention.setValue(List.of(1), 6.8f, null).toString());
    for (float v : new float[] {1000f, 5000f, -2000f, 1e30f, -1e-30f, 123456.7f, 0.1f, 1.2345678f, 16777216f,
        Float.MAX_VALUE, Float.MIN_VALUE, 0f, -0f, 3e7f}) {
      String printed = LatentIntervention.setValue(List.of(1), v, null).toString();
      String number = printed.substring("set [1] = ".length(), printed.length() - " on all".length());
      assertEquals(v, Float.parseFloat(number), printed);
    }
  }
}
