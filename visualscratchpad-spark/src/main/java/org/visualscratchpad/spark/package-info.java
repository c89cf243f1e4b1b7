/**
 * Dataset statistics ({@code vsp stats}) as an Apache Spark job, with the single-machine run's output
 * bit for bit.
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.spark.SparkStats}</td><td>the job: sources to records, one accumulator per partition, exact merges, the statistics folder</td></tr>
 *   <tr><td>{@link org.visualscratchpad.spark.SparkStatsMain}</td><td>{@code vsp stats --spark} and the {@code spark-submit} main class</td></tr>
 *   <tr><td>{@link org.visualscratchpad.spark.DatasetSource}</td><td>image folders, CSV lists, WebDataset tar shards, Hugging Face Parquet</td></tr>
 *   <tr><td>{@code EncoderLoader}, {@code EncodePartition}</td><td>the model once per executor (transient field, JVM-wide cache); a partition's work</td></tr>
 *   <tr><td>{@code WebDatasetShard}, {@code ParquetImages}</td><td>the readers of the two archive formats</td></tr>
 *   <tr><td>{@link org.visualscratchpad.spark.StatsProgress}</td><td>images done, images/s and ETA from Spark's listener bus</td></tr>
 * </table>
 *
 * <p>Nothing else in the project depends on this module; Spark's dependencies never reach the core
 * modules.
 */
package org.visualscratchpad.spark;
