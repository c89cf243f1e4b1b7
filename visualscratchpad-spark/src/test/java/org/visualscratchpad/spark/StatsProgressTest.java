package org.visualscratchpad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/** The progress listener counts what Spark's tasks report, finished and running. */
class StatsProgressTest {

  @Test
  void finished_tasks_report_every_image_and_the_line_shows_rate_and_eta() throws Exception {
    SparkSessions.quiet();
    SparkSession spark = SparkSessions.create("local[2]", "StatsProgressTest");
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      LongAccumulator done = jsc.sc().longAccumulator("images");
      StatsProgress progress = new StatsProgress(done, 200);
      spark.sparkContext().addSparkListener(progress);
      List<Integer> items = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        items.add(i);
      }
      jsc.parallelize(items, 7).foreach(i -> {
        Thread.sleep(15);   // long enough for a heartbeat (1 s in local mode) to see running tasks
        done.add(1);
      });
      // the listener bus is asynchronous: wait for the task-end events
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (progress.finished() < 100 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(100, progress.finished());
      assertEquals(100, progress.done());
      String line = progress.line();
      assertTrue(line.startsWith("stats 100/200 images, "), line);
      assertTrue(line.contains("images/s, ETA "), line);
      assertEquals("1h01m", StatsProgress.duration(3690));
      assertEquals("2m05s", StatsProgress.duration(125));
    } finally {
      spark.stop();
    }
  }
}
