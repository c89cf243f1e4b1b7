/**
 * Training the ShapesWorld VLM: {@link org.visualscratchpad.samples.shapes.training.ShapesWorldTrainer}
 * (DJL autograd, hand-written Adam) over {@link org.visualscratchpad.samples.shapes.training.Conversation}s,
 * configured by {@link org.visualscratchpad.samples.shapes.training.TrainingOptions}, reported by
 * {@link org.visualscratchpad.samples.shapes.training.TrainingReport}.
 */
package org.visualscratchpad.samples.shapes.training;
