package org.visualscratchpad.server;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClassPrompts;
import org.visualscratchpad.scratchpad.ClassScore;
import org.visualscratchpad.scratchpad.Classification;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.Token;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/**
 * TEST ONLY: a deterministic stand-in for a vision-language model, for what the shipped demo cannot
 * give the web tests: the paper's SAE size (d_sae 32,768, for the drawing-speed test), latents
 * whose ablation is certain to change the answer, and CLIP scores from the same object (for the
 * API tests in {@link ScratchpadServerTest}). Flows on a real model are in {@link DemoPageTest}
 * and {@link DemoServerTest}. It looks at the colours of a 6 x 6
 * patch grid, answers "The shape is {colour}." from colour latents (red 101-103, blue 201-202,
 * green 301-302) after applying the plan's edits, and attends to the coloured patches for the
 * colour word. Latent 5 fires everywhere (noisy). Never shipped.
 */
final class FakeScratchpad implements Scratchpad {
  static final int D_SAE = 32768;
  static final int GRID = 6;
  static final int[] RED = {101, 102, 103};
  static final int[] BLUE = {201, 202};
  static final int[] GREEN = {301, 302};
  static final int NOISY = 5;
  static final int BACKGROUND = 400;

  private final SparseAutoencoder sae = new FakeSae();
  /** When set, asks wait here until it opens (to hold a request in flight in a test). */
  volatile java.util.concurrent.CountDownLatch holdAsks;
  /** Counts down once an ask has started (and reached the hold). */
  volatile java.util.concurrent.CountDownLatch askStarted;

  /** What this fake says it can do (both by default; a test narrows it to play a LLaVA or a CLIP model). */
  volatile java.util.Set<Capability> capabilities = java.util.EnumSet.allOf(Capability.class);

  @Override
  public java.util.Set<Capability> capabilities() {
    return capabilities;
  }
  private final DatasetStatistics stats = new FakeStatistics();
  private volatile boolean closed;

  @Override
  public SparseAutoencoder sae() {
    return sae;
  }

  @Override
  public Optional<DatasetStatistics> statistics() {
    return Optional.of(stats);
  }

  @Override
  public Answer ask(BufferedImage image, String prompt, AskOptions options) {
    if (closed) {
      throw new ScratchpadException("the fake scratchpad is closed");
    }
    if (askStarted != null) {
      askStarted.countDown();
    }
    if (holdAsks != null) {
      try {
        holdAsks.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    InvalidInputException.check(prompt.length() <= 500, "prompt (%s characters) must fit the fake model's context of 500 characters", prompt.length());
    for (LatentIntervention e : options.plan().edits()) {
      e.latentIds().forEach(sae::checkLatent);
    }
    int w = image.getWidth();
    int h = image.getHeight();
    List<ImageTokenLocation> locs = new ArrayList<>();
    float[][] rgb = new float[GRID * GRID][];
    for (int r = 0; r < GRID; r++) {
      for (int c = 0; c < GRID; c++) {
        int x0 = c * w / GRID;
        int y0 = r * h / GRID;
        int x1 = (c + 1) * w / GRID;
        int y1 = (r + 1) * h / GRID;
        int p = r * GRID + c;
        locs.add(new ImageTokenLocation(p, 0, r, c, p, new PixelBox(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0))));
        rgb[p] = meanColour(image, x0, y0, Math.max(x0 + 1, x1), Math.max(y0 + 1, y1));
      }
    }
    // activations: row 0 CLS, row p+1 patch p
    SparseActivations.Builder b = SparseActivations.builder(D_SAE);
    float[] colourness = new float[GRID * GRID];
    List<TreeMap<Integer, Float>> rows = new ArrayList<>();
    TreeMap<Integer, Float> cls = new TreeMap<>();
    cls.put(NOISY, 1f);
    rows.add(cls);
    for (int p = 0; p < GRID * GRID; p++) {
      TreeMap<Integer, Float> row = new TreeMap<>();
      float[] col = rgb[p];
      row.put(NOISY, 0.5f);
      put(row, RED, col[0] - Math.max(col[1], col[2]));
      put(row, GREEN, col[1] - Math.max(col[0], col[2]));
      put(row, BLUE, col[2] - Math.max(col[0], col[1]));
      if (col[0] + col[1] + col[2] > 2.5f) {
        row.put(BACKGROUND, 1f);
      }
      row.put(1000 + p, 0.3f);
      rows.add(row);
    }
    for (TreeMap<Integer, Float> row : rows) {
      int[] ids = row.keySet().stream().mapToInt(Integer::intValue).toArray();
      float[] vals = new float[ids.length];
      for (int i = 0; i < ids.length; i++) {
        vals[i] = row.get(ids[i]);
      }
      b.addRow(ids, vals, ids.length);
    }
    SparseActivations acts = b.build();
    // the answer reads the edited activations
    double[] rbg = colours(rows, options.plan());
    double red = rbg[0];
    double blue = rbg[1];
    double green = rbg[2];
    for (int p = 0; p < GRID * GRID; p++) {
      colourness[p] = (float) (sum(rows.get(p + 1), RED) + sum(rows.get(p + 1), BLUE) + sum(rows.get(p + 1), GREEN));
    }
    String colour = red >= blue && red >= green ? "red" : blue >= green ? "blue" : "green";
    if (Math.max(red, Math.max(blue, green)) < 0.5) {
      colour = "unclear";
    }
    List<Token> promptTokens = new ArrayList<>();
    promptTokens.add(new Token(32000, "<image>", 0));
    for (String word : prompt.strip().split("\\s+")) {
      promptTokens.add(new Token(Math.floorMod(word.hashCode(), 30000), word, promptTokens.size()));
    }
    String[] words = {"The", " shape", " is", " " + colour, "."};
    int n = Math.min(words.length, options.maxNewTokens());
    List<Token> generated = new ArrayList<>();
    float[] attn = new float[n * GRID * GRID];
    for (int t = 0; t < n; t++) {
      generated.add(new Token(Math.floorMod(words[t].hashCode(), 30000), words[t], promptTokens.size() + t));
      float[] row = new float[GRID * GRID];
      double total = 0;
      for (int p = 0; p < GRID * GRID; p++) {
        if (t == 3) {
          row[p] = colourness[p] + 0.01f;
        } else {
          int focus = (t * 7 + 3) % (GRID * GRID);
          int dr = p / GRID - focus / GRID;
          int dc = p % GRID - focus % GRID;
          row[p] = (float) Math.exp(-(dr * dr + dc * dc) / 2.0);
        }
        total += row[p];
      }
      for (int p = 0; p < GRID * GRID; p++) {
        attn[t * GRID * GRID + p] = (float) (0.6 * row[p] / total);
      }
    }
    TextImageAttention attention = new TextImageAttention(AttentionConvention.PRODUCING_STEP,
        generated.stream().map(Token::text).toList(), generated.stream().map(Token::position).toList(),
        FloatMatrix.of(n, GRID * GRID, attn));
    return new Answer(this, image, prompt, options, promptTokens, generated, List.of(acts), attention, locs);
  }

  /** Red, blue and green evidence summed over the patches after the plan's edits. */
  private static double[] colours(List<TreeMap<Integer, Float>> rows, InterventionPlan plan) {
    double[] out = new double[3];
    for (int p = 0; p < GRID * GRID; p++) {
      TreeMap<Integer, Float> row = new TreeMap<>(rows.get(p + 1));
      for (LatentIntervention e : plan.edits()) {
        if (e.scope().includes(0, p + 1)) {
          for (int id : e.latentIds()) {
            row.put(id, e.edit(row.getOrDefault(id, 0f)));
          }
        }
      }
      out[0] += sum(row, RED);
      out[1] += sum(row, BLUE);
      out[2] += sum(row, GREEN);
    }
    return out;
  }

  /** Zero-shot "CLIP": a class's logit is the evidence for the colour its name mentions (after the plan's edits). */
  @Override
  public Classification classify(BufferedImage image, ClassPrompts prompts, InterventionPlan plan) {
    for (LatentIntervention e : plan.edits()) {
      e.latentIds().forEach(sae::checkLatent);
    }
    Answer a = ask(image, "classify", AskOptions.defaults().withMaxNewTokens(1));
    List<TreeMap<Integer, Float>> rows = new ArrayList<>();
    SparseActivations acts = a.activations().get(0);
    for (int r = 0; r < acts.rows(); r++) {
      TreeMap<Integer, Float> row = new TreeMap<>();
      for (int i = acts.rowStart(r); i < acts.rowEnd(r); i++) {
        row.put(acts.latentAt(i), acts.valueAt(i));
      }
      rows.add(row);
    }
    double[] rbg = colours(rows, plan);
    double total = rbg[0] + rbg[1] + rbg[2] + 1e-9;
    List<String> names = prompts.classNames();
    double[] logits = new double[names.size()];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < logits.length; c++) {
      String n = names.get(c).toLowerCase(java.util.Locale.ROOT);
      logits[c] = n.contains("red") ? 10 * rbg[0] / total : n.contains("blue") ? 10 * rbg[1] / total
          : n.contains("green") ? 10 * rbg[2] / total : 0;
      max = Math.max(max, logits[c]);
    }
    double z = 0;
    for (double l : logits) {
      z += Math.exp(l - max);
    }
    List<ClassScore> scores = new ArrayList<>();
    for (int c = 0; c < logits.length; c++) {
      scores.add(new ClassScore(names.get(c), (float) logits[c], (float) (Math.exp(logits[c] - max) / z)));
    }
    return new Classification(this, image, prompts, plan, scores, acts);
  }

  private static void put(TreeMap<Integer, Float> row, int[] ids, float strength) {
    if (strength > 0.2f) {
      for (int i = 0; i < ids.length; i++) {
        row.put(ids[i], strength * (4 - i));
      }
    }
  }

  private static double sum(TreeMap<Integer, Float> row, int[] ids) {
    double s = 0;
    for (int id : ids) {
      s += row.getOrDefault(id, 0f);
    }
    return s;
  }

  private static float[] meanColour(BufferedImage img, int x0, int y0, int x1, int y1) {
    double r = 0;
    double g = 0;
    double b = 0;
    int n = 0;
    for (int y = y0; y < y1; y += 2) {
      for (int x = x0; x < x1; x += 2) {
        int c = img.getRGB(x, y);
        r += (c >> 16) & 0xff;
        g += (c >> 8) & 0xff;
        b += c & 0xff;
        n++;
      }
    }
    return new float[] {(float) (r / n / 255), (float) (g / n / 255), (float) (b / n / 255)};
  }

  @Override
  public void close() {
    closed = true;
  }

  /** TEST ONLY: the SAE's configuration and decoder directions; the encoder is not needed by the web layer. */
  static final class FakeSae implements SparseAutoencoder {
    private final SaeConfig config = new SaeConfig(SaeArchitecture.STANDARD, 16, D_SAE, HookPoint.visionResidPost(22),
        true, 0, "float32", "fake-shapes (test only)");

    @Override
    public SaeConfig config() {
      return config;
    }

    @Override
    public SparseActivations encode(FloatMatrix input) {
      throw new UnsupportedOperationException("the fake SAE does not encode; the web layer never calls it");
    }

    @Override
    public FloatMatrix preActivations(FloatMatrix input) {
      throw new UnsupportedOperationException("the fake SAE does not encode; the web layer never calls it");
    }

    @Override
    public FloatMatrix decode(SparseActivations codes) {
      throw new UnsupportedOperationException("the fake SAE does not decode; the web layer never calls it");
    }

    @Override
    public FloatMatrix intervene(FloatMatrix input, SparseActivations codes, int crop, InterventionPlan plan) {
      throw new UnsupportedOperationException("the fake SAE does not intervene; the web layer never calls it");
    }

    @Override
    public float[] decoderDirection(int latentId) {
      checkLatent(latentId);
      Random r = new Random(latentId);
      float[] d = new float[16];
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) r.nextGaussian();
      }
      return d;
    }
  }

  /** TEST ONLY: seeded statistics over 32,768 latents; latent 5 is the most frequent and strongest. */
  static final class FakeStatistics implements DatasetStatistics {
    private final float[] mean = new float[D_SAE];
    private final float[] freq = new float[D_SAE];

    FakeStatistics() {
      Random r = new Random(7);
      for (int l = 0; l < D_SAE; l++) {
        double u = r.nextDouble();
        freq[l] = (float) (u * u * u * 0.3);
        mean[l] = (float) (freq[l] * (0.5 + r.nextDouble()));
      }
      freq[NOISY] = 0.95f;
      mean[NOISY] = 3f;
      for (int[] group : new int[][] {RED, BLUE, GREEN}) {
        for (int id : group) {
          freq[id] = 0.02f;
          mean[id] = 0.01f;
        }
      }
    }

    @Override
    public int dSae() {
      return D_SAE;
    }

    @Override
    public float meanActivation(int latentId) {
      return mean[latentId];
    }

    @Override
    public float frequency(int latentId) {
      return freq[latentId];
    }
  }
}
