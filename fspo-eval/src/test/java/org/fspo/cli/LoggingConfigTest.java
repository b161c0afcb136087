package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The CLI's log4j2.properties (main resources; the tests have none of their own) as the loggers see it. */
class LoggingConfigTest {
  @Test
  void djlsCudaProbeIsSilentAndSparkWarningsStillShow() {
    // DJL's CudaUtils logs through slf4j, which Spark binds to log4j2
    assertFalse(LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils").isWarnEnabled(),
        "'Failed to detect GPU count' would be printed on every CPU run");
    assertTrue(LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils").isErrorEnabled());
    assertTrue(LoggerFactory.getLogger("org.apache.spark.SparkContext").isWarnEnabled());
    assertFalse(LoggerFactory.getLogger("org.apache.spark.SparkContext").isInfoEnabled());
  }
}
