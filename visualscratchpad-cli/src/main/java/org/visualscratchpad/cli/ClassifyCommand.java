package org.visualscratchpad.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.scratchpad.ClassPrompts;
import org.visualscratchpad.scratchpad.ClassScore;
import org.visualscratchpad.scratchpad.Classification;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vsp classify}: CLIP zero-shot classification of one image with an SAE on the vision tower:
 * the probabilities per class, the latents that drive each class (their ablation lowers it most),
 * and, with {@code --ablate} / {@code --steer}, the probabilities before and after the edits.
 *
 * <pre>
 *   bin/vsp classify --model clip-vit-large-patch14 --sae sae-l22 --image cat.jpg --classes cat,dog,bird
 *   bin/vsp classify ... --templates imagenet --ablate 412,97 --steer 13=8.5
 * </pre>
 */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"CLIP zero-shot classification of an image: probabilities per class, the latents that drive",
        "each class, and the probabilities after ablating or steering latents."})
public final class ClassifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "CLIPModel checkpoint folder (config.json, safetensors, tokenizer.json, preprocessor_config.json).")
  Path model;

  @Option(names = "--sae", required = true, paramLabel = "PATH", description = "SAE folder (SAELens) or PatchSAE file.")
  Path sae;

  @Option(names = "--stats", paramLabel = "DIR", description = "Latent statistics of the SAE (optional).")
  Path stats;

  @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image.")
  Path image;

  @Option(names = "--classes", required = true, split = ",", paramLabel = "A,B,...",
      description = "Class names (at least 2), comma-separated.")
  List<String> classes;

  @Option(names = "--templates", defaultValue = "photo", paramLabel = "imagenet|photo|FILE",
      description = "Prompt templates: imagenet (CLIP's 80), photo (\"a photo of a {}.\") or a file with one "
          + "template per line, {} marking the class. Default: ${DEFAULT-VALUE}.")
  String templates;

  @Option(names = "--ablate", split = ",", paramLabel = "IDS", description = "Latent ids to ablate, comma-separated.")
  List<Integer> ablate;

  @Option(names = "--steer", paramLabel = "ID=VALUE", description = "Set a latent to VALUE on every patch (repeatable).")
  Map<Integer, Float> steer = new LinkedHashMap<>();

  @Option(names = "--drivers", defaultValue = "3", description = "Drivers shown per class. Default: ${DEFAULT-VALUE}.")
  int drivers;

  @Option(names = "--candidates", defaultValue = "16",
      description = "Most active latents tried as drivers. Default: ${DEFAULT-VALUE}.")
  int candidates;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu. Default: ${DEFAULT-VALUE}.")
  String device;

  @Override
  public Integer call() throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    InvalidInputException.check(drivers >= 1, "--drivers (%s) must be at least 1", drivers);
    ClassPrompts prompts = new ClassPrompts(classes.stream().map(String::strip).toList(), templates(templates));
    InterventionPlan plan = plan();
    BufferedImage img = ImageDecoder.defaults().decode(image).toBufferedImage();
    Arguments.atLeastOne("--candidates", candidates);
    try (Scratchpad pad = Scratchpad.load(new LoadSpec(model, sae, stats, device))) {
      if (ablate != null) {
        Arguments.latentsWithin("--ablate", ablate, pad.sae().dSae());
      }
      Arguments.latentsWithin("--steer", List.copyOf(steer.keySet()), pad.sae().dSae());
      Classification c = pad.classify(img, prompts);
      o.println("probabilities (" + prompts.templates().size() + " template"
          + (prompts.templates().size() == 1 ? "" : "s") + "):");
      for (ClassScore s : c.scores()) {
        o.println(String.format(Locale.ROOT, "  %-20s %6.2f%%  logit %.4f", s.className(), 100 * s.probability(),
            s.logit()));
      }
      o.println("top drivers per class (latent=drop in probability when ablated, of the " + candidates
          + " most active latents):");
      for (String name : prompts.classNames()) {
        List<RankedLatent> top = c.drivers(name, candidates);
        o.println(String.format(Locale.ROOT, "  %-20s %s", name, top.subList(0, Math.min(drivers, top.size()))));
      }
      if (!plan.edits().isEmpty()) {
        Classification edited = c.under(plan);
        o.println("under " + plan + ":");
        edited.compareTo(c).lines().forEach(l -> o.println("  " + l));
      }
    }
    o.flush();
    return 0;
  }

  private InterventionPlan plan() {
    InterventionPlan plan = InterventionPlan.none();
    if (ablate != null && !ablate.isEmpty()) {
      plan = plan.with(Arguments.ablation("--ablate", ablate));
    }
    for (Map.Entry<Integer, Float> e : steer.entrySet()) {
      try {
        plan = plan.with(LatentIntervention.setValue(List.of(e.getKey()), e.getValue(), TokenScope.patchesOnly()));
      } catch (InvalidInputException ex) {
        throw new InvalidInputException("--steer " + e.getKey() + "=" + e.getValue() + ": " + ex.getMessage(), ex);
      }
    }
    return plan;
  }

  /** The templates a {@code --templates} value names. */
  static List<String> templates(String value) {
    switch (value) {
      case "imagenet":
        return ClassPrompts.imagenetTemplates();
      case "photo":
        return List.of("a photo of a {}.");
      default:
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
          throw new InvalidInputException("--templates (" + value + ") must be imagenet, photo, or an existing file "
              + "with one template per line");
        }
        try {
          List<String> out = new ArrayList<>();
          for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
              out.add(line.strip());
            }
          }
          return out;
        } catch (IOException e) {
          throw new CheckpointFormatException(file, "cannot be read: " + e.getMessage(), e);
        }
    }
  }
}
