/**
 * Edits of SAE latents for one call: {@link org.visualscratchpad.intervention.LatentIntervention}
 * (ablate, set, scale, add a decoder direction), their {@link
 * org.visualscratchpad.intervention.TokenScope}, and the {@link
 * org.visualscratchpad.intervention.InterventionPlan} that groups them with the error-term mode.
 */
package org.visualscratchpad.intervention;
