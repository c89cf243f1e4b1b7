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
}
