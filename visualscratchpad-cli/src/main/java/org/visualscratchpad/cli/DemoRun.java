package org.visualscratchpad.cli;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.visualscratchpad.analysis.render.AttentionPicture;
import org.visualscratchpad.samples.demo.DemoEvaluation;
import org.visualscratchpad.samples.demo.ShippedDemo;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.SceneObject;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AnswerDiff;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.scratchpad.LatentRanking;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;

/**
 * The main job: the whole VisualScratchpad story on the shipped ShapesWorld model. Generates a
 * two-object scene, asks the colour of one object, prints the answer, the concepts per token and
 * the heatmap clusters, ablates the cluster tied to the answer, prints the new answer and the diff,
 * and writes pictures and {@code report.json}.
 */
public final class DemoRun {
  private DemoRun() {}

  /** What the run produced. */
  public record Result(String question, Answer answer, LatentClusters clusters, LatentCluster ablated,
      Answer afterAblation, Path out) {}

  public static Result run(ShippedDemo.Folders files, long seed, Path out, PrintWriter o) {
    Scene scene = twoObjectScene(seed);
    String question = "describe the image .";
    BufferedImage image = scene.image().toBufferedImage();
    try (Scratchpad pad = Scratchpad.load(new LoadSpec(files.model(), files.sae(), files.stats(), "cpu"))) {
      o.println("scene " + seed + ": " + scene.description());
      o.println("question: " + question);
      Answer answer = pad.ask(image, question, AskOptions.defaults().withMaxNewTokens(16));
      o.println("answer:   " + answer.text() + "   (truth: " + scene.description() + ")");
      LatentRanking ranking = answer.rankLatents();
      o.println(ranking);
      // the heatmap, clustering and ablation settings of `vsp demo eval`'s selectivity measurement
      DemoEvaluation.Options settings = DemoEvaluation.Options.full();
      TokenLatentHeatmap heatmap = answer.heatmap(settings.heatmap());
      int k = Math.max(1, Math.min(settings.clusters(), heatmap.latentIds().size()));
      LatentClusters clusters = heatmap.cluster(ClusterOptions.defaults().withClusters(k));
      o.println(clusters);
      // the cluster tied to the answer: the one strongest on the first colour word of the description
      int colourToken = colourToken(answer);
      String word = answer.generated().get(colourToken).text().strip();
      LatentCluster target = DemoEvaluation.strongestOn(heatmap, clusters, DemoEvaluation.rowOf(heatmap, word));
      o.println("ablating " + target + " (the cluster strongest on \"" + word + "\"), error term "
          + settings.errorTerm());
      Answer after = answer.ablate(target).withErrorTerm(settings.errorTerm()).regenerate();
      AnswerDiff diff = answer.diff(after);
      o.println("new answer: " + after.text());
      o.println(diff);
      Files.createDirectories(out);
      scene.image().writePng(out.resolve("scene.png"));
      Picture picture = clusters.picture();
      picture.save(out.resolve("heatmap.png"));
      picture.svg().ifPresent(s -> picture.save(out.resolve("heatmap.svg")));
      float[] attn = answer.attention().weights().row(0);
      AttentionPicture.render(image, attn, answer.imageTokens(), "attention of \"" + answer.generated().get(0).text()
          + "\"").save(out.resolve("attention.png"));
      AskCommand.writeReport(out.resolve("report.json"), answer, ranking, clusters, after);
      o.println("wrote scene.png, attention.png, heatmap.png, report.json to " + out.toAbsolutePath());
      o.flush();
      return new Result(question, answer, clusters, target, after, out);
    } catch (java.io.IOException e) {
      throw new org.visualscratchpad.ScratchpadException("cannot write to " + out + ": " + e.getMessage(), e);
    }
  }

  /** The index of the first generated token that is a colour word (0 if none). */
  static int colourToken(Answer answer) {
    for (int t = 0; t < answer.generated().size(); t++) {
      String w = answer.generated().get(t).text().strip();
      for (org.visualscratchpad.samples.shapes.Colour c : org.visualscratchpad.samples.shapes.Colour.values()) {
        if (c.word().equals(w)) {
          return t;
        }
      }
    }
    return 0;
  }

  /** The first scene from {@code seed} on with exactly two objects (uniform distribution). */
  static Scene twoObjectScene(long seed) {
    SceneGenerator gen = new SceneGenerator();
    for (long s = seed; ; s++) {
      Scene scene = gen.generate(s, SceneDistribution.UNIFORM);
      if (scene.objects().size() == 2) {
        return scene;
      }
    }
  }
}
