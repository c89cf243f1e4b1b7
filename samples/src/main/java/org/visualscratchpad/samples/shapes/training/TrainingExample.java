package org.visualscratchpad.samples.shapes.training;

import java.util.Objects;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.language.ChatPrompt;
import org.visualscratchpad.samples.shapes.language.QuestionAnswer;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;

/**
 * A scene with one question and its answer, and the token ids the model sees for it:
 * {@code <s> USER : <image> x N ... ASSISTANT :} then the answer words and {@code </s>}.
 *
 * @param scene the scene
 * @param qa the question and answer
 *     <pre>{@code
 * jshell> new TrainingExample(scene, Task.COUNT.ask(scene, new SplittableRandom(1))).promptIds(64).length
 * }</pre>
 */
public record TrainingExample(Scene scene, QuestionAnswer qa) {
  public TrainingExample {
    Objects.requireNonNull(scene, "scene");
    Objects.requireNonNull(qa, "qa");
  }

  /** Ids of the prompt with the image placeholder expanded to {@code imageTokens}, BOS first. */
  public int[] promptIds(int imageTokens) {
    return ShapesVocabulary.INSTANCE.encode(ChatPrompt.expandImageTokens(qa.prompt(), imageTokens));
  }

  /** Ids of the answer followed by {@code </s>}. */
  public int[] answerIds() {
    int[] words = ShapesVocabulary.INSTANCE.encodeWords(qa.answer());
    int[] out = java.util.Arrays.copyOf(words, words.length + 1);
    out[words.length] = ShapesVocabulary.EOS;
    return out;
  }
}
