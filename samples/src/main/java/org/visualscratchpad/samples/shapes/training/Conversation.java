package org.visualscratchpad.samples.shapes.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.language.ChatPrompt;
import org.visualscratchpad.samples.shapes.language.QuestionAnswer;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.language.Task;

/**
 * A multi-turn chat about one scene, rendered exactly as the chat template renders it:
 * {@code USER: <image>\nq1 ASSISTANT: a1</s>USER: q2 ASSISTANT: a2</s>...}. Its first turn is the
 * single-turn prompt the model is asked at inference; later turns reuse the same image features, so one
 * sequence teaches several answers.
 *
 * @param scene the scene
 * @param turns the questions and answers, in order
 *     <pre>{@code
 * jshell> Conversation.allTasks(scene, new SplittableRandom(1)).text()
 * $1 ==> "USER: <image>\nhow many objects are there ? ASSISTANT: two</s>USER: ..."
 * }</pre>
 */
public record Conversation(Scene scene, List<QuestionAnswer> turns) {
  public Conversation {
    Objects.requireNonNull(scene, "scene");
    turns = List.copyOf(turns);
    InvalidInputException.check(!turns.isEmpty(), "a conversation needs at least one turn");
  }

  /** The share of training conversations that are a single description turn. */
  public static final double DESCRIPTION_ONLY = 0.2;

  /**
   * A training conversation about {@code scene}: with probability {@link #DESCRIPTION_ONLY} the description
   * alone (so that the description is also learnt as a first turn, as it is asked at inference); otherwise one
   * turn per task, each about a randomly chosen object, the questions about single attributes in a random
   * order and the description last, so that no earlier answer in the text names the colours and shapes a
   * later question asks for (the model has to read them from the image, as in a single-turn question).
   */
  public static Conversation training(Scene scene, SplittableRandom rng) {
    if (rng.nextDouble() < DESCRIPTION_ONLY) {
      return new Conversation(scene, List.of(Task.DESCRIBE.ask(scene, rng)));
    }
    return allTasks(scene, rng);
  }

  /**
   * One turn per task, each about a randomly chosen object: the questions about single attributes in a random
   * order, the description last.
   */
  public static Conversation allTasks(Scene scene, SplittableRandom rng) {
    List<Task> tasks = new ArrayList<>(Arrays.asList(Task.values()));
    tasks.remove(Task.DESCRIBE);
    for (int i = tasks.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      Task t = tasks.get(i);
      tasks.set(i, tasks.get(j));
      tasks.set(j, t);
    }
    tasks.add(Task.DESCRIBE);
    List<QuestionAnswer> turns = new ArrayList<>();
    for (Task t : tasks) {
      turns.add(t.ask(scene, rng));
    }
    return new Conversation(scene, turns);
  }

  /** The conversation text with one {@code <image>} placeholder, as the chat template renders it. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < turns.size(); i++) {
      sb.append("USER: ");
      if (i == 0) {
        sb.append(ChatPrompt.IMAGE_TOKEN).append('\n');
      }
      sb.append(turns.get(i).question()).append(" ASSISTANT: ").append(turns.get(i).answer()).append("</s>");
    }
    return sb.toString();
  }

  /**
   * Token ids of the whole conversation ({@code <s>} first, placeholder expanded to {@code imageTokens})
   * and, in {@code answerMask}, which positions hold answer tokens or their {@code </s>} (the positions
   * that carry the loss, as targets).
   *
   * @return {@code [2][length]}: ids, then the mask as 0/1
   */
  public int[][] idsAndAnswerMask(int imageTokens) {
    ShapesVocabulary vocab = ShapesVocabulary.INSTANCE;
    List<Integer> ids = new ArrayList<>();
    List<Integer> mask = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      String prompt = i == 0 ? ChatPrompt.expandImageTokens(turns.get(i).prompt(), imageTokens)
          : "USER: " + turns.get(i).question() + " ASSISTANT:";
      int[] p = i == 0 ? vocab.encode(prompt) : vocab.encodeWords(prompt);
      for (int id : p) {
        ids.add(id);
        mask.add(0);
      }
      for (int id : vocab.encodeWords(turns.get(i).answer())) {
        ids.add(id);
        mask.add(1);
      }
      ids.add(ShapesVocabulary.EOS);
      mask.add(1);
    }
    return new int[][] {
        ids.stream().mapToInt(Integer::intValue).toArray(), mask.stream().mapToInt(Integer::intValue).toArray()};
  }
}
