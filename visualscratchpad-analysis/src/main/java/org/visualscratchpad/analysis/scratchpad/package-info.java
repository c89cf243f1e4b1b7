/**
 * The bridge from the fluent API ({@code Answer.rankLatents()}, {@code heatmap()}, {@code cluster()},
 * {@code picture()}) to this module: {@link org.visualscratchpad.analysis.scratchpad.ScratchpadAnalysis}.
 */
package org.visualscratchpad.analysis.scratchpad;
