package org.visualscratchpad.samples.shapes;

/**
 * Which population a scene is drawn from.
 *
 * <pre>{@code
 * jshell> new SceneGenerator().generate(3, SceneDistribution.CUE_BROKEN).objects()
 * }</pre>
 */
public enum SceneDistribution {
  /** The training population: shapes and colours distinct per scene, the spurious cue planted. */
  TRAINING,
  /** Held-out population without the cue: every colour/shape pairing equally likely. */
  UNIFORM,
  /** Held-out scenes that break the cue: each holds an object of the cue colour with another shape. */
  CUE_BROKEN
}
