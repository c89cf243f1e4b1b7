/**
 * Measuring the ShapesWorld VLM on held-out scenes:
 * {@link org.visualscratchpad.samples.shapes.evaluation.ShapesWorldEvaluator} gives per-task exact-match
 * accuracy ({@link org.visualscratchpad.samples.shapes.evaluation.HeldOutEvaluation}) and the
 * misleading-cue failure rate ({@link org.visualscratchpad.samples.shapes.evaluation.CueEvaluation}).
 */
package org.visualscratchpad.samples.shapes.evaluation;
