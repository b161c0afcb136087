package org.fspo.eval.scoring;

import java.io.Serializable;

/**
 * Loads a method's models where the scoring runs: in the driver for single-process scoring, or once per partition on
 * a Spark executor. Serializable, so it must hold only paths and settings, never loaded weights.
 */
@FunctionalInterface
public interface MethodModelsLoader extends Serializable {
  MethodModels load();
}
