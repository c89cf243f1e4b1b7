/**
 * Model families, written once: one package per family, registered by {@code config.json}'s {@code
 * model_type} in {@link org.visualscratchpad.torch.family.VlmFamilies}. {@code LlavaModel.load}, {@code
 * Scratchpad.load}, the memory pre-flight, {@code vsp parity}, {@code vsp inputs} and {@code vsp stats} go
 * through the registry; an unknown {@code model_type} is refused with the list of supported ones.
 *
 * <table>
 *   <caption>What a family provides ({@link org.visualscratchpad.torch.family.VlmFamily})</caption>
 *   <tr><th>part</th><th>type</th></tr>
 *   <tr><td>configuration with the Hugging Face defaults omitted from {@code config.json}</td>
 *       <td>{@link org.visualscratchpad.torch.family.VlmConfig} (vision tower: {@link
 *       org.visualscratchpad.torch.family.VisionTowerConfig}, which says whether crops start with CLS)</td></tr>
 *   <tr><td>image preprocessing</td><td>an {@code ImagePreprocessor}</td></tr>
 *   <tr><td>the one image-token layout (token count, feature each token carries, token to crop, patch and pixel
 *       box), shared by the input pipeline and the model</td><td>an {@code ImageFeatureLayout}</td></tr>
 *   <tr><td>the model on the CPU engine: vision tower (run to the hook and after it), feature selection,
 *       projector and packing, language model, position numbering</td>
 *       <td>{@link org.visualscratchpad.torch.family.CpuFamilyModel}</td></tr>
 *   <tr><td>the most one image costs, for the pre-flight</td>
 *       <td>{@link org.visualscratchpad.torch.family.ImageBudget}</td></tr>
 * </table>
 *
 * <p>Generation, KV caching, attention capture, SAE taps and interventions, reuse on regeneration and reference
 * traces are the engine's, the same for every family ({@code LlavaModel} on device {@code cpu}). Families are
 * written against the CPU engine's operations ({@code cpu.CpuOps}, {@code PackedWeight}, {@code CpuWeights},
 * {@code CpuLlama}); libtorch ({@code --device torch:cpu|gpu}) runs only the families whose {@link
 * org.visualscratchpad.torch.family.VlmFamily#runsOnLibtorch()} says so (LLaVA-1.5 and LLaVA-NeXT), and loading
 * another family there fails with a message saying it is CPU-engine only.
 *
 * <table>
 *   <caption>Registered families</caption>
 *   <tr><th>{@code model_type}</th><th>package</th><th>Hub checkpoints</th><th>engines</th></tr>
 *   <tr><td>{@code llava}, {@code llava_next}</td><td>{@link org.visualscratchpad.torch.family.llava}</td>
 *       <td>llava-hf/llava-1.5-7b-hf, llava-hf/llava-v1.6-mistral-7b-hf, llava-hf/llama3-llava-next-8b-hf</td>
 *       <td>cpu, torch:cpu, gpu</td></tr>
 *   <tr><td>{@code llava_onevision}</td><td>{@link org.visualscratchpad.torch.family.onevision}</td>
 *       <td>llava-hf/llava-onevision-qwen2-7b-ov-hf, llava-hf/llava-onevision-qwen2-0.5b-ov-hf</td>
 *       <td>cpu only</td></tr>
 *   <tr><td>{@code qwen2_vl}</td><td>{@link org.visualscratchpad.torch.family.qwen2vl}</td>
 *       <td>Qwen/Qwen2-VL-7B-Instruct, Qwen/Qwen2-VL-2B-Instruct</td><td>cpu only</td></tr>
 * </table>
 *
 * <p>{@link org.visualscratchpad.torch.family.VisionEncoders} opens the vision encoder of any supported folder for
 * dataset statistics and SAE training ({@code vsp stats}, {@code vsp sae train --images}, the Spark job): only the
 * layers up to the hook ({@link org.visualscratchpad.torch.family.HookedFamilyTower} for a family's own tower, through
 * {@link org.visualscratchpad.torch.family.VlmFamily#loadCpuVision}), the whole model only for a family that cannot.
 *
 * <p>Adding a family: a package with its {@code VlmFamily}, configuration, processor, layout and {@code
 * CpuFamilyModel}, and one {@code register(...)} line in {@link org.visualscratchpad.torch.family.VlmFamilies}
 * (LLaVA-OneVision: its package, 9 files, and that line). A family whose language model numbers positions its own
 * way (Qwen2-VL's M-RoPE) overrides {@link org.visualscratchpad.torch.family.CpuFamilyModel#positions} and gives
 * its {@code CpuLlama} a {@code RotaryEmbedding}; one whose processor flattens patches passes them in {@code
 * ImageInput} with its grid, and its tower's crops may have any number of rows ({@code VisionStream}).
 */
package org.visualscratchpad.torch.family;
