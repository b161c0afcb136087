package org.fspo.synth.stage;

/**
 * The JSON schemas of the structured LLM stages, and the names of their prompt templates (files
 * {@code <templates>/<name>.txt}, placeholders {@code {{name}}}). The templates are the user's to edit; the schemas
 * are the contract the stage code reads.
 */
public final class Prompts {
  public static final String PERSONA = "persona", QUESTION = "question", VIEWS = "views", RESPONSE = "response",
      JUDGE = "judge";

  /** persona.txt fills {{traits}}; answer {"description": "..."}. */
  public static final String PERSONA_SCHEMA =
      "{\"type\":\"object\",\"required\":[\"description\"],"
          + "\"properties\":{\"description\":{\"type\":\"string\",\"minLength\":10}}}";

  /** question.txt fills {{audience}}, {{seed_questions}}, {{index}}; answer {"question": "..."}. */
  public static final String QUESTION_SCHEMA =
      "{\"type\":\"object\",\"required\":[\"question\"],"
          + "\"properties\":{\"question\":{\"type\":\"string\",\"minLength\":5}}}";

  /** views.txt fills {{question}}, {{k}}; answer {"views": ["...", ...]} with at least k items. */
  public static String viewsSchema(int k) {
    return "{\"type\":\"object\",\"required\":[\"views\"],\"properties\":{\"views\":{\"type\":\"array\","
        + "\"minItems\":" + k + ",\"items\":{\"type\":\"string\",\"minLength\":3}}}}";
  }

  /**
   * judge.txt fills {{description}}, {{question}}, {{response_a}}, {{response_b}}; answer {"preferred": "A"|"B",
   * "enough_information": bool, "missing": "..."} (missing: what would decide it, used by persona refinement).
   */
  public static final String JUDGE_SCHEMA =
      "{\"type\":\"object\",\"required\":[\"preferred\",\"enough_information\",\"missing\"],\"properties\":{"
          + "\"preferred\":{\"type\":\"string\",\"enum\":[\"A\",\"B\"]},"
          + "\"enough_information\":{\"type\":\"boolean\"},\"missing\":{\"type\":\"string\"}}}";

  private Prompts() {}
}
