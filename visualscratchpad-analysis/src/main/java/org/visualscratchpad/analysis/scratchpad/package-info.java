/**
 * The bridge from the fluent API ({@code Answer.rankLatents()}, {@code heatmap()}, {@code cluster()},
 * {@code picture()}, decoder maps) to this module: {@link
 * org.visualscratchpad.analysis.scratchpad.ScratchpadAnalysis}, the {@code AnalysisProvider} that
 * returns the API's records, and {@code ScratchpadAnalysis.heatmap(...)} for stored activations
 * without an answer ({@code vsp heatmap}).
 */
package org.visualscratchpad.analysis.scratchpad;
