package org.fspo.eval.scoring;

/**
 * Writes the user description a COT model infers from the shots: given the COT prompt (which ends with the task line
 * asking for a description, then the question), returns the generated description text, without the
 * {@code ## User Description} header. FSPO-COT is then scored on its responses conditioned on its own description.
 */
@FunctionalInterface
public interface DescriptionWriter {
  String describe(String cotPrompt);
}
