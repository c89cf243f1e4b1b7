package org.visualscratchpad.samples.shapes.language;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.hubspot.jinjava.Jinjava;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.training.Conversation;

/** The written tokenizer.json is read by DJL's binding of Hugging Face tokenizers exactly as the Java encoder reads it. */
class HuggingFaceTokenizerCompatibilityTest {
  @TempDir Path folder;

  @Test
  void djl_reads_the_tokenizer_and_agrees_with_the_java_encoder_on_every_task_text() throws Exception {
    ShapesVocabulary vocab = ShapesVocabulary.INSTANCE;
    vocab.writeTokenizerFiles(folder);
    SceneGenerator generator = new SceneGenerator();
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(folder.resolve("tokenizer.json"))) {
      for (long seed = 0; seed < 40; seed++) {
        Scene scene = generator.generate(seed, SceneDistribution.TRAINING);
        for (Task task : Task.values()) {
          QuestionAnswer qa = task.ask(scene, new SplittableRandom(seed));
          String prompt = ChatPrompt.expandImageTokens(qa.prompt(), 16);
          Encoding encoding = tokenizer.encode(prompt);
          int[] djl = Arrays.stream(encoding.getIds()).mapToInt(id -> (int) id).toArray();
          assertArrayEquals(vocab.encode(prompt), djl, "seed " + seed + ": " + prompt);
          // answers round-trip: ids -> text -> ids
          long[] answerIds = tokenizer.encode(qa.answer(), false, false).getIds();
          assertEquals(qa.answer(), tokenizer.decode(answerIds, true), "seed " + seed);
          assertArrayEquals(vocab.encodeWords(qa.answer()), Arrays.stream(answerIds).mapToInt(id -> (int) id).toArray());
        }
        String conversation = ChatPrompt.expandImageTokens(Conversation.allTasks(scene, new SplittableRandom(seed)).text(), 16);
        assertArrayEquals(vocab.encode(conversation),
            Arrays.stream(tokenizer.encode(conversation).getIds()).mapToInt(id -> (int) id).toArray(), conversation);
      }
    }
  }

  @Test
  void the_chat_template_renders_the_prompt_the_model_was_trained_on() {
    Map<String, Object> image = Map.of("type", "image");
    Map<String, Object> text = Map.of("type", "text", "text", "what colour is the circle ?");
    Map<String, Object> user = Map.of("role", "user", "content", List.of(image, text));
    String rendered = new Jinjava().render(ChatPrompt.TEMPLATE, Map.of("messages", List.of(user), "add_generation_prompt", true));
    assertEquals(ChatPrompt.render("what colour is the circle ?"), rendered);

    Map<String, Object> answer = Map.of("role", "assistant", "content", List.of(Map.of("type", "text", "text", "red")));
    Map<String, Object> next = Map.of("role", "user", "content", List.of(Map.of("type", "text", "text", "how many objects are there ?")));
    Scene dummy = new SceneGenerator().generate(0, SceneDistribution.TRAINING);
    String twoTurns = new Jinjava().render(ChatPrompt.TEMPLATE,
        Map.of("messages", List.of(user, answer, next), "add_generation_prompt", false));
    String expected = new Conversation(dummy, List.of(
        new QuestionAnswer(Task.COLOUR_OF_SHAPE, "what colour is the circle ?", "red"),
        new QuestionAnswer(Task.COUNT, "how many objects are there ?", "one"))).text();
    // the conversation text ends with the second answer; the template stops after the second question
    assertEquals(expected.substring(0, expected.indexOf("ASSISTANT: one")), twoTurns);
  }
}
