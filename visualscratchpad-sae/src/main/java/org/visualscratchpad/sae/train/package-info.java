/**
 * SAE training on the CPU with a hand-written backward pass.
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.sae.train.TrainingConfig}</td><td>hyper-parameters; {@code paperDefaults} is the paper's recipe</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.train.SaeTrainer}</td><td>one Adam step at a time (ReLU or TopK)</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.train.TrainingRun}</td><td>a whole run: log, checkpoints, resume, SAELens output</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.train.ActivationSource}</td><td>where batches come from; {@link org.visualscratchpad.sae.train.SafetensorsActivationSource} reads stored activations</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.train.TrainedSae}</td><td>the weights, saved in the SAELens layout</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.train.TrainingCheckpoint}</td><td>resumable checkpoints (SAELens folder + optimiser state)</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.train.StepMetrics}</td><td>loss, MSE, L1, L0, explained variance, dead latents of a step</td></tr>
 * </table>
 */
package org.visualscratchpad.sae.train;
