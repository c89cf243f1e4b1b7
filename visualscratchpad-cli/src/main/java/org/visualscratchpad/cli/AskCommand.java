package org.visualscratchpad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.sae.json.PlanJson;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AnswerDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.PhaseTiming;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.LatentRanking;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.image.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vsp ask}: one question about one image, with the concepts the answer used, the heatmap
 * clusters and, with {@code --ablate}, the answer again without the given latents.
 *
 * <pre>
 *   bin/vsp ask --model llava-1.5-7b-hf --sae sae-l22 --image cat.jpg --prompt "What is this?" --out out
 *   bin/vsp ask ... --ablate 412,97
 * </pre>
 */
@Command(name = "ask", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Ask a VLM about an image; print the answer, the top latents per token and the heatmap",
        "clusters; optionally ablate latents and show the new answer; write pictures and report.json."})
public final class AskCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "LLaVA checkpoint folder.")
  Path model;

  @Option(names = "--sae", required = true, paramLabel = "PATH", description = "SAE folder (SAELens) or PatchSAE file.")
  Path sae;

  @Option(names = "--stats", paramLabel = "DIR", description = "Latent statistics (for the noisy-latent filter).")
  Path stats;

  @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image.")
  Path image;

  @Option(names = "--prompt", required = true, description = "The question.")
  String prompt;

  @Option(names = "--ablate", split = ",", paramLabel = "IDS", description = "Latent ids to ablate, comma-separated.")
  List<Integer> ablate;

  @Option(names = "--max-new-tokens", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
  int maxNewTokens;

  @Option(names = "--clusters", defaultValue = "5", description = "Heatmap clusters. Default: ${DEFAULT-VALUE}.")
  int clusters;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu (the project's CPU engine), torch:cpu "
      + "(libtorch) or gpu / gpu:N (libtorch with DJL's CUDA natives on the class path). Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--dtype", defaultValue = "auto", description = "How the cpu engine holds the weights: auto (as "
      + "stored), bf16, f16 or f32. Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Option(names = "--timings", description = "Print load, vision, SAE, prefill, decode and analysis times with their rates.")
  boolean timings;

  @Option(names = "--out", paramLabel = "DIR", description = "Write heatmap.png/.svg and report.json here.")
  Path out;

  @Override
  public Integer call() throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // every argument is checked before the model answers
    Arguments.atLeastOne("--max-new-tokens", maxNewTokens);
    Arguments.atLeastOne("--clusters", clusters);
    Arguments.outputFolder("--out", out);
    if (ablate != null && !ablate.isEmpty()) {
      Arguments.ablation("--ablate", ablate);
    }
    RgbImage rgb = ImageDecoder.defaults().decode(image);
    BufferedImage img = rgb.toBufferedImage();
    LoadSpec load = new LoadSpec(model, sae, stats, device, dtype);
    List<PhaseTiming> phases = new ArrayList<>();
    long t0 = System.nanoTime();
    try (Scratchpad pad = LoadBar.load(model.getFileName().toString(), () -> Scratchpad.load(load))) {
      phases.add(new PhaseTiming("load", (System.nanoTime() - t0) / 1e6, "model, SAE, tokenizer, statistics"));
      if (ablate != null) {
        Arguments.latentsWithin("--ablate", ablate, pad.sae().dSae());
      }
      Answer answer = pad.ask(img, prompt, AskOptions.defaults().withMaxNewTokens(maxNewTokens));
      phases.addAll(answer.timings());
      o.println("answer: " + answer.text());
      long a0 = System.nanoTime();
      LatentRanking ranking = answer.rankLatents();
      o.println(ranking);
      TokenLatentHeatmap heatmap = answer.heatmap();
      int k = Math.min(clusters, heatmap.latentIds().size());
      if (k < clusters && k > 0) {
        err.println("warning: --clusters (" + clusters + ") is more than the heatmap's " + k + " latents; making " + k
            + " clusters");
        err.flush();
      }
      LatentClusters found = heatmap.latentIds().isEmpty() ? null : heatmap.cluster(ClusterOptions.defaults().withClusters(k));
      o.println(found == null ? "heatmap: no latent left after filtering" : found.toString());
      phases.add(new PhaseTiming("analysis", (System.nanoTime() - a0) / 1e6, "ranking, heatmap, clustering"));
      Answer ablated = null;
      if (ablate != null && !ablate.isEmpty()) {
        long r0 = System.nanoTime();
        ablated = answer.ablate(ablate).regenerate();
        for (PhaseTiming p : ablated.timings()) {
          phases.add(new PhaseTiming("regenerate/" + p.phase(), p.millis(), p.detail()));
        }
        phases.add(new PhaseTiming("regenerate", (System.nanoTime() - r0) / 1e6, "ablate and answer again"));
        AnswerDiff diff = answer.diff(ablated);
        o.println(diff);
      }
      phases.add(new PhaseTiming("total", (System.nanoTime() - t0) / 1e6, "load to last result, JVM start excluded"));
      if (timings) {
        o.println("timings:");
        for (PhaseTiming p : phases) {
          o.printf(Locale.ROOT, "  %-22s %9.0f ms  %s%n", p.phase(), p.millis(), p.detail());
        }
      }
      if (out != null) {
        Files.createDirectories(out);
        if (found != null) {
          Picture picture = found.picture();
          picture.save(out.resolve("heatmap.png"));
          picture.svg().ifPresent(s -> picture.save(out.resolve("heatmap.svg")));
        }
        writeReport(out.resolve("report.json"), answer, ranking, found, ablated, phases);
        o.println("wrote " + out.toAbsolutePath());
      }
    }
    o.flush();
    return 0;
  }

  /** Writes question, answer, ranked latents per token and overall, clusters, ablated latents and the new answer as JSON. */
  public static void writeReport(Path file, Answer answer, LatentRanking ranking, LatentClusters clusters, Answer ablated) {
    writeReport(file, answer, ranking, clusters, ablated, answer.timings());
  }

  /** {@link #writeReport(Path, Answer, LatentRanking, LatentClusters, Answer)} with the phases' timings. */
  public static void writeReport(Path file, Answer answer, LatentRanking ranking, LatentClusters clusters, Answer ablated,
      List<PhaseTiming> phases) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("question", answer.prompt());
    root.put("answer", answer.text());
    ArrayNode tokens = root.putArray("tokens");
    for (int t = 0; t < answer.generated().size(); t++) {
      ObjectNode n = tokens.addObject();
      n.put("text", answer.generated().get(t).text());
      n.put("id", answer.generated().get(t).id());
      ArrayNode top = n.putArray("topLatents");
      for (RankedLatent r : ranking.forToken(t)) {
        top.addObject().put("latent", r.latentId()).put("score", r.score());
      }
    }
    ArrayNode overall = root.putArray("rankedLatents");
    for (RankedLatent r : ranking.overall()) {
      overall.addObject().put("latent", r.latentId()).put("score", r.score());
    }
    ArrayNode cs = root.putArray("clusters");
    if (clusters != null) {
      for (LatentCluster c : clusters.clusters()) {
        ObjectNode n = cs.addObject();
        n.put("index", c.index());
        c.latentIds().forEach(n.putArray("latents")::add);
        c.strongestTokens().forEach(n.putArray("strongestTokens")::add);
      }
    }
    if (ablated != null) {
      root.set("plan", PlanJson.toJson(ablated.plan()));
      root.put("planText", ablated.plan().toString());
      ArrayNode ids = root.putArray("ablatedLatents");
      ablated.plan().edits().forEach(e -> e.latentIds().forEach(ids::add));
      root.put("newAnswer", ablated.text());
      root.put("changed", answer.diff(ablated).changed());
    }
    ArrayNode times = root.putArray("timings");
    for (PhaseTiming p : phases) {
      times.addObject().put("phase", p.phase()).put("millis", p.millis()).put("detail", p.detail());
    }
    try {
      json.writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot write report: " + e.getMessage(), e);
    }
  }
}
