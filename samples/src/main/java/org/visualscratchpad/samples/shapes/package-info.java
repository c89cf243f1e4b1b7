/**
 * ShapesWorld, the project's model organism: seeded scenes of 1-3 coloured shapes on a textured
 * background, with exact labels.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.samples.shapes.SceneGenerator}: draws a {@link org.visualscratchpad.samples.shapes.Scene}
 *       (64 x 64 {@link org.visualscratchpad.samples.shapes.RgbImage} + {@link org.visualscratchpad.samples.shapes.SceneObject}
 *       labels) for a seed and a {@link org.visualscratchpad.samples.shapes.SceneDistribution};</li>
 *   <li>{@link org.visualscratchpad.samples.shapes.SpuriousCue}: the correlation planted in training scenes
 *       (yellow objects are nearly always triangles);</li>
 *   <li>{@link org.visualscratchpad.samples.shapes.ShapeKind}, {@link org.visualscratchpad.samples.shapes.Colour},
 *       {@link org.visualscratchpad.samples.shapes.ObjectSize}, {@link org.visualscratchpad.samples.shapes.Quadrant}: the attributes.</li>
 * </ul>
 *
 * <p>Subpackages: {@code language} (vocabulary, tokenizer files, chat prompt, tasks), {@code vlm} (the tiny
 * LLaVA-layout model and its Hugging Face folder), {@code training}, {@code evaluation}.
 */
package org.visualscratchpad.samples.shapes;
