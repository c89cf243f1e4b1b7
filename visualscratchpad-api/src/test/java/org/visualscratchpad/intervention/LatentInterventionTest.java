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
}
