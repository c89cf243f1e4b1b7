package org.visualscratchpad.scratchpad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;

class ClassPromptsTest {
  @Test
  void ships_the_80_distinct_imagenet_templates() {
    List<String> t = ClassPrompts.imagenetTemplates();
    assertEquals(80, t.size());
    assertEquals(80, new HashSet<>(t).size());
    assertTrue(t.stream().allMatch(s -> s.contains("{}")));
    assertEquals(List.of("a bad photo of a cat.", "a photo of many cat."),
        ClassPrompts.of(List.of("cat", "dog")).withTemplates(t).textsFor("cat").subList(0, 2));
  }

  @Test
  void rejects_templates_without_a_slot_and_duplicate_classes() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ClassPrompts.of(List.of("cat", "dog")).withTemplates(List.of("a photo")));
    assertTrue(e.getMessage().contains("must contain {}"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> ClassPrompts.of(List.of("cat", "cat")));
    assertThrows(InvalidInputException.class, () -> ClassPrompts.of(List.of("cat")));
  }
}
