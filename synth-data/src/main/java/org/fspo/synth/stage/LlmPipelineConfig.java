package org.fspo.synth.stage;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.config.ConfigPath;

/**
 * The {@code synth.pipeline} config section of the LLM generator: traits, counts, models and templates. Documented
 * key by key in conf/reviews.yaml, conf/elix.yaml and conf/roleplay.yaml.
 *
 * @param traits                 trait name to its values (required for the llm generator); personas are dealt
 *                               round-robin over the shuffled cartesian product, so every combination gets floor or
 *                               ceil of num_users / combinations users. Default {} (a file's traits replace it whole).
 * @param globalQuestions        questions anyone might ask. Default 4.
 * @param questionsPerTraitValue trait-specific questions per trait value. Default 1.
 * @param seedQuestions          example questions shown to the question prompt. Default [].
 * @param questionsPerUser       questions each user answers (global and their traits' ones, chosen by hash).
 *                               Default 4.
 * @param viewsPerQuestion       K viewpoints per question, one response each; C(K, 2) pairs per (user, question).
 *                               Default 3.
 * @param generators             response models, used round-robin over the views (the paper's ensemble).
 * @param judge                  the judge model.
 * @param personaModel           model that writes persona descriptions, questions and views.
 * @param refinePersonas         iterative persona refinement: when the judge says the description is not enough,
 *                               append what it asked for and re-judge that user's pairs. Default false.
 * @param templates              folder of the prompt templates (persona.txt, question.txt, views.txt, response.txt,
 *                               judge.txt); relative in a config file: to the file's folder ({@link ConfigPath}).
 *                               Default conf/templates/reviews (relative to the working directory).
 * @param maxTokens              completion token limit of every call. Default 512.
 * @param cacheDir               folder of the durable LLM answer cache; null puts it beside the store as
 *                               {@code <out>.llm_cache} (not inside: the store folder is swapped in atomically).
 *                               Default null.
 */
public record LlmPipelineConfig(
    @JsonProperty("traits") Map<String, List<String>> traits,
    @JsonProperty("global_questions") int globalQuestions,
    @JsonProperty("questions_per_trait_value") int questionsPerTraitValue,
    @JsonProperty("seed_questions") List<String> seedQuestions,
    @JsonProperty("questions_per_user") int questionsPerUser,
    @JsonProperty("views_per_question") int viewsPerQuestion,
    @JsonProperty("generators") List<ModelSpec> generators,
    @JsonProperty("judge") ModelSpec judge,
    @JsonProperty("persona_model") ModelSpec personaModel,
    @JsonProperty("refine_personas") boolean refinePersonas,
    @JsonProperty("templates") @ConfigPath String templates,
    @JsonProperty("max_tokens") int maxTokens,
    @JsonProperty("cache_dir") @ConfigPath String cacheDir)
    implements Serializable {

  /** A model and its sampling temperature. */
  public record ModelSpec(@JsonProperty("model") String model, @JsonProperty("temperature") double temperature)
      implements Serializable {
    public ModelSpec {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("a synth.pipeline model entry has no 'model' name");
      }
    }
  }

  public LlmPipelineConfig {
    traits = traits == null ? Map.of() : new TreeMap<>(traits); // sorted: Map.of order is per-JVM
    if (traits.values().stream().anyMatch(v -> v == null || v.isEmpty())) {
      throw new IllegalArgumentException("synth.pipeline.traits has a trait without values; give each at least one");
    }
    traits.replaceAll((key, values) -> List.copyOf(values));
    seedQuestions = seedQuestions == null ? List.of() : List.copyOf(seedQuestions);
    generators = generators == null || generators.isEmpty() ? defaults().generators() : List.copyOf(generators);
    judge = judge == null ? defaults().judge() : judge;
    personaModel = personaModel == null ? defaults().personaModel() : personaModel;
    templates = templates == null ? defaults().templates() : templates;
    if (globalQuestions < 0 || questionsPerTraitValue < 0 || globalQuestions + questionsPerTraitValue == 0) {
      throw new IllegalArgumentException("synth.pipeline needs global_questions + questions_per_trait_value > 0");
    }
    if (questionsPerUser < 1 || viewsPerQuestion < 2 || maxTokens < 1) {
      throw new IllegalArgumentException("synth.pipeline needs questions_per_user >= 1, views_per_question >= 2 and"
          + " max_tokens >= 1");
    }
  }

  public static LlmPipelineConfig defaults() {
    return new LlmPipelineConfig(
        Map.of(), 4, 1, List.of(), 4, 3,
        List.of(new ModelSpec("qwen2.5:0.5b-instruct", 0.8)), new ModelSpec("qwen2.5:0.5b-instruct", 0.0),
        new ModelSpec("qwen2.5:0.5b-instruct", 0.9), false, "conf/templates/reviews", 512, null);
  }
}
