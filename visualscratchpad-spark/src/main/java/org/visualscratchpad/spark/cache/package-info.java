/**
 * SAE codes per image cached as sharded safetensors files ({@code vsp stats --spark ...
 * --cache-activations DIR}) and read back without Spark: {@link
 * org.visualscratchpad.spark.cache.ActivationCache}.
 */
package org.visualscratchpad.spark.cache;
