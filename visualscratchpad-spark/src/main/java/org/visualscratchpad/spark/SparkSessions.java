package org.visualscratchpad.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The session {@code vsp stats --spark} runs in. */
final class SparkSessions {
  private SparkSessions() {}

  /**
   * A session on {@code master} (null: the one spark-submit set). Local masters stay on the loopback
   * interface, without the web UI, with heartbeats every second (progress inside partitions).
   */
  static SparkSession create(String master, String app) {
    SparkConf conf = new SparkConf(true).setAppName(app);
    if (master != null) {
      conf.setMaster(master);
    }
    String m = conf.get("spark.master", "");
    if (m.startsWith("local")) {
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.executor.heartbeatInterval", "1s");
      conf.setIfMissing("spark.sql.shuffle.partitions", "4");
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /** Spark's own log lines at WARN (vsp prints its results and warnings only). */
  static void quiet() {
    try {
      org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
      org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark", org.apache.logging.log4j.Level.WARN);
      org.apache.logging.log4j.core.config.Configurator.setLevel("org.sparkproject", org.apache.logging.log4j.Level.WARN);
      // notices about this machine, not about the job
      org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.hadoop.util.NativeCodeLoader",
          org.apache.logging.log4j.Level.ERROR);
      org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark.util.Utils",
          org.apache.logging.log4j.Level.ERROR);
    } catch (NoClassDefFoundError | RuntimeException e) {
      // another logging backend: leave it as configured
    }
  }
}
