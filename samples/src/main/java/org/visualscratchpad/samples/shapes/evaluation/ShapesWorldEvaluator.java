package org.visualscratchpad.samples.shapes.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.samples.shapes.RgbImage;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.SceneObject;
import org.visualscratchpad.samples.shapes.language.ChatPrompt;
import org.visualscratchpad.samples.shapes.language.QuestionAnswer;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.language.Task;
import org.visualscratchpad.samples.shapes.vlm.TinyLlava;

/**
 * Measures a ShapesWorld model on held-out scenes: greedy answers compared word for word with the
 * expected answers. Scene seeds are {@code 1_000_000_007 + seed * 100_003 + i}, far from the training
 * seeds of {@code ShapesWorldTrainer}.
 *
 * <pre>{@code
 * jshell> new ShapesWorldEvaluator(new SceneGenerator()).heldOut(model, SceneDistribution.UNIFORM, 200, 1)
 * }</pre>
 *
 * <p>Thread-safe if the model is not trained at the same time.
 */
public final class ShapesWorldEvaluator {
  private static final int BATCH = 50;
  private static final int MAX_NEW_TOKENS = 24;

  private final SceneGenerator generator;

  public ShapesWorldEvaluator(SceneGenerator generator) {
    this.generator = generator;
  }

  private static long sceneSeed(long seed, int index) {
    return 1_000_000_007L + seed * 100_003L + index;
  }

  /** Accuracy per task on {@code perTask} held-out scenes (each task its own scenes). */
  public HeldOutEvaluation heldOut(TinyLlava model, SceneDistribution distribution, int perTask, long seed) {
    InvalidInputException.check(perTask > 0, "questions per task (%s) must be positive", perTask);
    List<TaskAccuracy> out = new ArrayList<>();
    for (Task task : Task.values()) {
      List<Scene> scenes = new ArrayList<>();
      List<QuestionAnswer> qas = new ArrayList<>();
      for (int i = 0; i < perTask; i++) {
        long s = sceneSeed(seed, task.ordinal() * perTask + i);
        Scene scene = generator.generate(s, distribution);
        scenes.add(scene);
        qas.add(task.ask(scene, new SplittableRandom(s ^ 0x9E3779B9L)));
      }
      out.add(score(model, task, scenes, qas));
    }
    return new HeldOutEvaluation(distribution, seed, out);
  }

  /** The misleading-cue rate on {@code count} cue-broken scenes. */
  public CueEvaluation misleadingCue(TinyLlava model, int count, long seed) {
    InvalidInputException.check(count > 0, "question count (%s) must be positive", count);
    List<Scene> scenes = new ArrayList<>();
    List<QuestionAnswer> qas = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Scene scene = generator.generate(sceneSeed(seed, i), SceneDistribution.CUE_BROKEN);
      SceneObject cueObject = scene.withColour(generator.cue().colour()).orElseThrow();
      scenes.add(scene);
      qas.add(Task.SHAPE_OF_COLOUR.askAbout(scene, cueObject));
    }
    List<String> answers = answer(model, scenes, qas);
    int correct = 0;
    int followed = 0;
    for (int i = 0; i < count; i++) {
      if (answers.get(i).equals(qas.get(i).answer())) {
        correct++;
      } else if (answers.get(i).equals(generator.cue().shape().word())) {
        followed++;
      }
    }
    return new CueEvaluation(generator.cue(), count, correct, followed, seed);
  }

  /** Greedy answers of {@code model} to the questions (one per scene), as words. */
  public static List<String> answer(TinyLlava model, List<Scene> scenes, List<QuestionAnswer> qas) {
    int n = model.config().imageTokens();
    List<String> answers = new ArrayList<>();
    // greedy batches need prompts of equal length: group consecutive questions by prompt length
    int from = 0;
    while (from < qas.size()) {
      int len = prompt(qas.get(from), n).length;
      int to = from;
      List<RgbImage> images = new ArrayList<>();
      List<int[]> prompts = new ArrayList<>();
      while (to < qas.size() && to - from < BATCH && prompt(qas.get(to), n).length == len) {
        images.add(scenes.get(to).image());
        prompts.add(prompt(qas.get(to), n));
        to++;
      }
      int[][] generated = model.greedy(images, prompts.toArray(new int[0][]), MAX_NEW_TOKENS);
      for (int[] g : generated) {
        answers.add(ShapesVocabulary.INSTANCE.decode(g));
      }
      from = to;
    }
    return answers;
  }

  private static int[] prompt(QuestionAnswer qa, int imageTokens) {
    return ShapesVocabulary.INSTANCE.encode(ChatPrompt.expandImageTokens(qa.prompt(), imageTokens));
  }

  private static TaskAccuracy score(TinyLlava model, Task task, List<Scene> scenes, List<QuestionAnswer> qas) {
    List<String> answers = answer(model, scenes, qas);
    int correct = 0;
    List<String> mistakes = new ArrayList<>();
    for (int i = 0; i < qas.size(); i++) {
      if (answers.get(i).equals(qas.get(i).answer())) {
        correct++;
      } else if (mistakes.size() < 5) {
        mistakes.add(qas.get(i).question() + " -> " + answers.get(i) + " (" + qas.get(i).answer() + ", scene " + scenes.get(i).seed() + ")");
      }
    }
    return new TaskAccuracy(task, correct, qas.size(), mistakes);
  }

  @Override
  public String toString() {
    return "ShapesWorldEvaluator[" + generator + ", batches of " + BATCH + "]";
  }

}
