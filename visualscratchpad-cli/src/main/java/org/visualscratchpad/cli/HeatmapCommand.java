package org.visualscratchpad.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.ranking.ImageTokenRows;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.analysis.scratchpad.ScratchpadAnalysis;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vsp heatmap}: the token-latent heatmap of a recorded run stored as safetensors (SAE
 * activations {@code [1 + patches, d_sae]} of a LLaVA-1.5 crop and text-to-image attention {@code
 * [tokens, patches]}), clustered, written as PNG, SVG and JSON.
 *
 * <pre>
 *   bin/vsp heatmap --file ../shared/fixtures/hf-reference/scratchpad_llava/outputs.safetensors \
 *       --acts case0.sae_acts --attention case0.attn.gen_producing --top-k 10 --clusters 3 --out target/heatmap
 * </pre>
 */
@Command(name = "heatmap", mixinStandardHelpOptions = true,
    description = "Token-latent heatmap (top-k latents per token, clustered) from SAE activations and attention in a safetensors file.")
public final class HeatmapCommand implements Callable<Integer> {
  @Option(names = "--file", required = true, description = "safetensors file holding both tensors")
  Path file;

  @Option(names = "--acts", required = true,
      description = "SAE activations [1 + patches, d_sae] (row 0 = CLS), or [patches, d_sae] with --no-cls")
  String acts;

  @Option(names = "--no-cls", description = "the activations have no CLS row (SigLIP, Qwen2-VL): row k is patch k")
  boolean noCls;

  @Option(names = "--attention", required = true, description = "attention [tokens, patches], not renormalised")
  String attention;

  @Option(names = "--sparsity", description = "optional SAELens sparsity.safetensors (log10 frequency) for the noisy-latent filter")
  Path sparsity;

  @Option(names = "--top-k", defaultValue = "20", description = "latents per token (default ${DEFAULT-VALUE})")
  int topK;

  @Option(names = "--noisy-percent", defaultValue = "2", description = "filter the top p %% by frequency (default ${DEFAULT-VALUE})")
  double noisyPercent;

  @Option(names = "--normalization", defaultValue = "COLUMN", description = "NONE, ROW or COLUMN (default ${DEFAULT-VALUE})")
  HeatmapOptions.Normalization normalization;

  @Option(names = "--linkage", defaultValue = "AVERAGE", description = "SINGLE, COMPLETE, AVERAGE, WARD (default ${DEFAULT-VALUE})")
  ClusterOptions.Method linkage;

  @Option(names = "--kmeans-seed", description = "cluster with k-means (10 restarts) seeded with this value instead")
  Long kmeansSeed;

  @Option(names = "--distance", defaultValue = "CORRELATION", description = "CORRELATION or EUCLIDEAN (default ${DEFAULT-VALUE})")
  ClusterOptions.Distance distance;

  @Option(names = "--clusters", defaultValue = "4", description = "number of clusters (default ${DEFAULT-VALUE})")
  int clusters;

  @Option(names = "--out", defaultValue = "heatmap", description = "output folder (default ${DEFAULT-VALUE})")
  Path out;

  @Override
  public Integer call() throws Exception {
    TokenLatentHeatmap heatmap;
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      SparseActivations crop = SparseActivations.fromDense(f.floatMatrix(acts));
      FloatMatrix attn = f.floatMatrix(attention);
      int patchRows = noCls ? crop.rows() : crop.rows() - 1;
      InvalidInputException.check(attn.cols() == patchRows,
          "%s has %s attention columns but %s in %s has %s patch rows (%s rows%s). Pass the tensors of one case%s.",
          attention, attn.cols(), acts, file, patchRows, crop.rows(), noCls ? ", no CLS row" : ", row 0 CLS",
          noCls ? "" : ", or --no-cls if the tower has no CLS row (SigLIP, Qwen2-VL)");
      PatchActivations patches;
      if (noCls) {
        int[] crops = new int[patchRows];
        int[] rows = new int[patchRows];
        for (int k = 0; k < patchRows; k++) {
          rows[k] = k;
        }
        patches = PatchActivations.of(List.of(crop), ImageTokenRows.of(crops, rows));
      } else {
        patches = PatchActivations.llava15(crop);
      }
      List<String> tokens = new ArrayList<>();
      for (int t = 0; t < attn.rows(); t++) {
        tokens.add("token " + t);
      }
      HeatmapOptions options = HeatmapOptions.defaults().withTopK(topK).withNormalization(normalization);
      if (sparsity != null) {
        try (SafetensorsFile s = SafetensorsFile.open(sparsity)) {
          float[] logFreq = s.floats("sparsity");
          float[] freq = new float[logFreq.length];
          for (int j = 0; j < freq.length; j++) {
            freq[j] = (float) Math.min(1, Math.pow(10, logFreq[j]));
          }
          // SAELens stores no mean activation: filter by frequency only
          heatmap = ScratchpadAnalysis.heatmap(patches, attn, tokens, DatasetStatistics.of(new float[freq.length], freq),
              options.withFilter(HeatmapOptions.NoisyFilter.FREQUENCY, noisyPercent));
        }
      } else {
        heatmap = ScratchpadAnalysis.heatmap(patches, attn, tokens, null, options.withFilter(HeatmapOptions.NoisyFilter.NONE, 0));
      }
    }
    ClusterOptions clustering = kmeansSeed != null
        ? ClusterOptions.defaults().withMethod(ClusterOptions.Method.KMEANS).withSeed(kmeansSeed)
        : ClusterOptions.defaults().withMethod(linkage);
    LatentClusters clustered = heatmap.cluster(clustering.withDistance(distance).withClusters(clusters));
    Files.createDirectories(out);
    Picture picture = clustered.picture();
    picture.save(out.resolve("heatmap.png"));
    if (picture.svg().isPresent()) {
      picture.save(out.resolve("heatmap.svg"));
    }
    // the columns in display (leaf) order, each with its cluster
    List<Integer> order = clustered.leafOrder();
    Map<Integer, Integer> clusterOf = new LinkedHashMap<>();
    for (LatentCluster c : clustered.clusters()) {
      c.latentIds().forEach(id -> clusterOf.put(id, c.index()));
    }
    List<Integer> ids = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int column : order) {
      int id = heatmap.latentIds().get(column);
      ids.add(id);
      labels.add(clusterOf.get(id));
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("tokens", heatmap.tokens());
    json.put("latentIds", ids);
    List<float[]> rows = new ArrayList<>();
    for (int r = 0; r < heatmap.values().rows(); r++) {
      float[] row = new float[order.size()];
      for (int c = 0; c < row.length; c++) {
        row[c] = heatmap.values().get(r, order.get(c));
      }
      rows.add(row);
    }
    json.put("values", rows);
    json.put("columnClusters", labels);
    List<Map<String, Object>> cl = new ArrayList<>();
    for (LatentCluster c : clustered.clusters()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("label", c.index());
      entry.put("latentIds", c.latentIds());
      entry.put("strongestTokens", c.strongestTokens());
      cl.add(entry);
    }
    json.put("clusters", cl);
    new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValue(out.resolve("heatmap.json").toFile(), json);
    System.out.println(heatmap);
    System.out.println(clustered);
    System.out.println("wrote " + out.resolve("heatmap.png") + ", heatmap.json" + (picture.svg().isPresent() ? ", heatmap.svg" : ""));
    return 0;
  }
}
