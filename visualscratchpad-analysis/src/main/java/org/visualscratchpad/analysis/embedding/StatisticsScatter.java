package org.visualscratchpad.analysis.embedding;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.heatmap.FilteredLatents;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.analysis.render.ScatterPlot;

/**
 * The statistics scatter of paper Fig. 6: every latent at (firing frequency, mean activation), the
 * noisy-latent filter's thresholds as lines, excluded latents labelled 1 and kept ones 0.
 *
 * <pre>{@code
 * jshell> var s = StatisticsScatter.of(stats, FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.BOTH, 2.0));
 * jshell> ScatterPicture.render(s.plot()).save(Path.of("stats.png"))
 * }</pre>
 *
 * @param statistics the per-latent statistics
 * @param filtered the filter outcome drawn on top
 */
public record StatisticsScatter(DatasetStatistics statistics, FilteredLatents filtered) {
  public StatisticsScatter {
    InvalidInputException.check(statistics.dSae() == filtered.dSae(),
        "statistics (%s latents) and filter (%s latents) must describe the same SAE", statistics.dSae(), filtered.dSae());
  }

  public static StatisticsScatter of(DatasetStatistics statistics, FilteredLatents filtered) {
    return new StatisticsScatter(statistics, filtered);
  }

  /** Frequency (log x) against mean activation, with the thresholds. */
  public ScatterPlot plot() {
    int[] labels = new int[statistics.dSae()];
    for (int j = 0; j < labels.length; j++) {
      labels[j] = filtered.isExcluded(j) ? 3 : 0;
    }
    ScatterPlot plot = ScatterPlot.of(String.format(Locale.ROOT, "Latent statistics (%d latents; %d filtered as noisy: %s)",
            statistics.dSae(), filtered.excludedCount(), filtered.describe()), "firing frequency", "mean activation",
            statistics.frequencies(), statistics.meanActivations())
        .withLogX(true).withLabels(labels).withLabelNames(java.util.Map.of(0, "kept", 3, "noisy (filtered)"));
    if (filtered.frequencyThreshold().isPresent()) {
      plot = plot.withVerticalLine(filtered.frequencyThreshold().getAsDouble(), "frequency cut");
    }
    if (filtered.meanActivationThreshold().isPresent()) {
      plot = plot.withHorizontalLine(filtered.meanActivationThreshold().getAsDouble(), "mean activation cut");
    }
    return plot;
  }

  @Override
  public String toString() {
    return "StatisticsScatter[" + statistics + ", " + filtered + "]";
  }
}
