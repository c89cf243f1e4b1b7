package org.visualscratchpad.sae.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;

/** The one plan codec and the strict reader behind it (issue 13 item 14, issue 14 item 2). */
class PlanJsonTest {

  static final InterventionPlan EVERY_KIND = new InterventionPlan(List.of(
      LatentIntervention.ablate(List.of(3, 7)),
      LatentIntervention.setValue(List.of(9), 1000f, TokenScope.patchesOnly()),
      LatentIntervention.scale(List.of(4), 0.1f, TokenScope.patches(List.of(new TokenScope.PatchRef(0, 12),
          new TokenScope.PatchRef(2, 5)))),
      LatentIntervention.addDirection(5, -1e30f, TokenScope.allTokens())), ErrorTerm.DROP);

  static JsonFieldException refused(String json) {
    JsonFieldException e = assertThrows(JsonFieldException.class, () -> PlanJson.read(json));
    System.out.println(e.getMessage());
    assertFalse(e.getMessage().contains("com.fasterxml") || e.getMessage().contains("`")
        || e.getMessage().contains("reference chain") || e.getMessage().contains("Source:"), e.getMessage());
    return e;
  }

  @Test
  void every_kind_and_scope_round_trips_with_its_exact_values() {
    String json = PlanJson.write(EVERY_KIND);
    assertEquals(EVERY_KIND, PlanJson.read(json));
    assertTrue(json.contains("\"value\":1000.0"), json);
    assertEquals(InterventionPlan.none(), PlanJson.read(PlanJson.write(InterventionPlan.none())));
  }

  /** What Session.planJson wrote into session.json and report.json before this codec (same shape). */
  @Test
  void plans_written_by_the_previous_version_still_load() throws Exception {
    String old = "{\"errorTerm\":\"KEEP\",\"edits\":[{\"kind\":\"set\",\"value\":1000.0,\"latentIds\":[3],"
        + "\"scope\":{\"kind\":\"all\"}},{\"kind\":\"ablate\",\"latentIds\":[1,2],\"scope\":{\"kind\":\"patches\"}},"
        + "{\"kind\":\"scale\",\"value\":2.5,\"latentIds\":[4],\"scope\":{\"kind\":\"chosen\",\"patches\":[[0,4],[1,2]]}}]}";
    InterventionPlan p = PlanJson.read(new ObjectMapper().readTree(old));
    assertEquals(3, p.edits().size());
    assertEquals(LatentIntervention.setValue(List.of(3), 1000f, TokenScope.allTokens()), p.edits().get(0));
    assertEquals(LatentIntervention.ablate(List.of(1, 2), TokenScope.patchesOnly()), p.edits().get(1));
    assertEquals(TokenScope.patches(List.of(new TokenScope.PatchRef(0, 4), new TokenScope.PatchRef(1, 2))),
        p.edits().get(2).scope());
    JsonFieldException text = assertThrows(JsonFieldException.class,
        () -> PlanJson.read(new ObjectMapper().readTree("\"InterventionPlan[ablate [3] on all; error term KEEP]\"")));
    assertTrue(text.getMessage().contains("written as text") && text.getMessage().contains("Run the command again"),
        text.getMessage());
  }

  @Test
  void the_short_scope_form_and_left_out_fields_take_their_defaults() {
    InterventionPlan p = PlanJson.read("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1],\"scope\":\"patches\"},"
        + "{\"kind\":\"set\",\"latentIds\":[2],\"value\":5}]}");
    assertEquals(ErrorTerm.KEEP, p.errorTerm());
    assertEquals(TokenScope.patchesOnly(), p.edits().get(0).scope());
    assertEquals(TokenScope.allTokens(), p.edits().get(1).scope());
    assertEquals(ErrorTerm.DROP, PlanJson.read("{\"errorTerm\":\"drop\",\"edits\":[]}").errorTerm());
  }

  @Test
  void an_unknown_field_is_refused_naming_it_and_the_known_ones() {
    JsonFieldException e = refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1],\"maxNewToken\":3}]}");
    assertEquals("edits[0].maxNewToken", e.field());
    assertTrue(e.getMessage().contains("[kind, latentIds, scope, value]"), e.getMessage());
    assertEquals("errorTerms", refused("{\"errorTerms\":\"KEEP\",\"edits\":[]}").field());
    assertEquals("edits[0].scope.patchs",
        refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1],\"scope\":{\"kind\":\"chosen\",\"patchs\":[]}}]}").field());
  }

  @Test
  void trailing_data_duplicate_keys_and_broken_json_are_refused() {
    assertTrue(refused("{\"edits\":[]} xyz").getMessage().contains("'xyz'"));
    assertTrue(refused("{\"edits\":[]} 5").getMessage().contains("goes on after"));
    assertTrue(refused("{\"edits\":[]}{}").getMessage().contains("goes on after"));
    assertTrue(refused("{\"edits\":[], \"edits\":[]}").getMessage().contains("twice"));
    assertTrue(refused("{\"edits\":[").getMessage().contains("not valid JSON"));
    assertTrue(refused("[1, 2]").getMessage().contains("must be a JSON object"));
  }

  @Test
  void wrong_types_are_refused_not_coerced() {
    assertEquals("edits[0].value", refused("{\"edits\":[{\"kind\":\"set\",\"latentIds\":[1],\"value\":\"5\"}]}").field());
    assertEquals("edits[0].latentIds[0]", refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1.5]}]}").field());
    assertEquals("edits[0].latentIds[0]", refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[\"1\"]}]}").field());
    assertEquals("edits[0].kind", refused("{\"edits\":[{\"kind\":7,\"latentIds\":[1]}]}").field());
    assertEquals("edits[0].latentIds", refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":3}]}").field());
    assertTrue(refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[99999999999999]}]}").getMessage()
        .contains("edits[0].latentIds[0]' holds a number out of range (99999999999999)"));
    assertEquals("errorTerm", refused("{\"errorTerm\":\"MAYBE\",\"edits\":[]}").field());
  }

  @Test
  void meaning_is_checked_with_the_field_named() {
    assertEquals("edits[0].value", refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1],\"value\":0}]}").field());
    assertEquals("edits[0].value", refused("{\"edits\":[{\"kind\":\"scale\",\"latentIds\":[1]}]}").field());
    assertEquals("edits[0].kind", refused("{\"edits\":[{\"kind\":\"zap\",\"latentIds\":[1]}]}").field());
    assertEquals("edits[0].latentIds[1]", refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1,1]}]}").field());
    assertEquals("edits[0].latentIds[0]", refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[-1]}]}").field());
    assertEquals("edits[0].latentIds", refused("{\"edits\":[{\"kind\":\"add\",\"latentIds\":[1,2],\"value\":1}]}").field());
    assertEquals("edits[1].scope", refused("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1]},"
        + "{\"kind\":\"ablate\",\"latentIds\":[2],\"scope\":\"cls\"}]}").field());
    JsonFieldException big = assertThrows(JsonFieldException.class, () -> PlanJson.read(
        new ObjectMapper().readTree("{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[512]}]}"), 512));
    assertTrue(big.getMessage().contains("d_sae = 512"), big.getMessage());
  }

  record Ask(String prompt, Integer maxNewTokens, Boolean cluster) {}

  @Test
  void strict_json_binds_records_and_names_the_bad_field() {
    assertEquals(new Ask("hi", 3, null), StrictJson.read("{\"prompt\":\"hi\",\"maxNewTokens\":3}", Ask.class));
    JsonFieldException e = assertThrows(JsonFieldException.class,
        () -> StrictJson.read("{\"prompt\":\"hi\",\"maxNewToken\":3}", Ask.class));
    assertEquals("maxNewToken", e.field());
    assertTrue(e.getMessage().contains("[cluster, maxNewTokens, prompt]"), e.getMessage());
    assertEquals("prompt", assertThrows(JsonFieldException.class,
        () -> StrictJson.read("{\"prompt\":5}", Ask.class)).field());
    assertEquals("cluster", assertThrows(JsonFieldException.class,
        () -> StrictJson.read("{\"cluster\":1}", Ask.class)).field());
    assertEquals("maxNewTokens", assertThrows(JsonFieldException.class,
        () -> StrictJson.read("{\"maxNewTokens\":\"5\"}", Ask.class)).field());
  }
}
