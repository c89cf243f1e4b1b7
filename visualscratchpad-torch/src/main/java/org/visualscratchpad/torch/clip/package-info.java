/**
 * CLIP in Hugging Face layout on DJL: {@link org.visualscratchpad.torch.clip.ClipModel} (CLIPModel
 * and CLIPVisionModel checkpoints), {@link org.visualscratchpad.torch.clip.ClipVisionTower} (run
 * layer by layer; reused by LLaVA), {@link org.visualscratchpad.torch.clip.ClipTowerConfig}, and {@link
 * org.visualscratchpad.torch.clip.HookedVisionTower} (the vision tower of a CLIP or LLaVA folder loaded and
 * run only up to an SAE's hook point: what dataset statistics and SAE training over images need).
 * {@code hidden_states[0]} is the output of {@code pre_layrnorm}; {@code hidden_states[l + 1]} the
 * residual stream after encoder layer {@code l} (hook point {@code vision.blocks.l.hook_resid_post}).
 */
package org.visualscratchpad.torch.clip;
