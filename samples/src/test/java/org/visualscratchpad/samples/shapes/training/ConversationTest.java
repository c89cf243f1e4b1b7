package org.visualscratchpad.samples.shapes.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.ChatPrompt;
import org.visualscratchpad.samples.shapes.language.QuestionAnswer;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.language.Task;

class ConversationTest {
  @ParameterizedTest
  @ValueSource(longs = {0, 1, 2, 3, 4, 5, 6, 7})
  void ids_equal_the_tokenized_template_text_and_the_mask_covers_exactly_the_answers(long seed) {
    Scene scene = new SceneGenerator().generate(seed, SceneDistribution.TRAINING);
    Conversation c = Conversation.allTasks(scene, new SplittableRandom(seed));
    assertEquals(Task.values().length, c.turns().stream().map(QuestionAnswer::task).distinct().count(), "every task once");
    assertEquals(Task.DESCRIBE, c.turns().get(c.turns().size() - 1).task(), "no earlier answer names what a later question asks");
    int[][] idsAndMask = c.idsAndAnswerMask(16);
    ShapesVocabulary vocab = ShapesVocabulary.INSTANCE;
    assertArrayEquals(vocab.encode(ChatPrompt.expandImageTokens(c.text(), 16)), idsAndMask[0], "seed " + seed);
    StringBuilder masked = new StringBuilder();
    for (int pos = 0; pos < idsAndMask[0].length; pos++) {
      if (idsAndMask[1][pos] == 1) {
        masked.append(vocab.token(idsAndMask[0][pos])).append(' ');
      }
    }
    String expected = c.turns().stream().map(t -> t.answer() + " </s>").collect(Collectors.joining(" ")) + " ";
    assertEquals(expected, masked.toString());
    assertTrue(c.text().startsWith(c.turns().get(0).prompt()), "the first turn is the single-turn prompt");
    assertEquals(16, Arrays.stream(idsAndMask[0]).filter(id -> id == ShapesVocabulary.IMAGE).count());
  }

  @org.junit.jupiter.api.Test
  void a_fifth_of_training_conversations_are_a_single_description_the_rest_ask_every_task() {
    SceneGenerator gen = new SceneGenerator();
    int single = 0;
    for (long seed = 0; seed < 1000; seed++) {
      Conversation c = Conversation.training(gen.generate(seed, SceneDistribution.TRAINING), new SplittableRandom(seed));
      if (c.turns().size() == 1) {
        assertEquals(Task.DESCRIBE, c.turns().get(0).task());
        single++;
      } else {
        assertEquals(Task.values().length, c.turns().size());
        assertEquals(Task.DESCRIBE, c.turns().get(c.turns().size() - 1).task());
      }
    }
    assertTrue(single > 160 && single < 240, single + " of 1000 conversations were a single description");
  }
}
