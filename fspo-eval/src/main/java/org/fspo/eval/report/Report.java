package org.fspo.eval.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.fspo.eval.metrics.AccuracyCell;
import org.fspo.eval.metrics.PromptFitCell;
import org.fspo.eval.metrics.SampleQualityCell;
import org.fspo.eval.metrics.UtilitySanity;
import org.fspo.eval.generate.SamplingConfig;
import org.fspo.eval.metrics.WinRateCell;

/**
 * report.json, the contract scripts and notebooks build on (documented in docs/report.md). Shape:
 *
 * <pre>
 * {
 *   "schema_version": 1,
 *   "run": "runs/demo/fspo", "episodes": "out/demo/store", "split": "test",
 *   "shots": [0, 1, 2, 4, 8],
 *   "bootstrap": {"resamples": 1000, "level": 0.95, "seed": 1234},
 *   "reward_accuracy": {"fspo": {"0": {"accuracy", "ci_low", "ci_high", "mean_margin", "n_pairs", "n_users",
 *                                      "balanced_accuracy", "n_patterns"}, ...},
 *                       "fspo_cot": ..., "pref_ft": ..., "population": ..., "oracle": ...},
 *   "win_rate":        {"fspo": {"4": {"win_rate", "ci_low", "ci_high", "n", "n_dropped", "n_malformed", "n_users",
 *                                      "weighted_win_rate", "n_weighted", "avg_length_model",
 *                                      "avg_length_baseline", "judge"}}, ...},
 *   "win_rate_baseline": "population",
 *   "win_rate_generate": {"temperature": 0.0, "top_p": 1.0, "max_tokens": 96, "seed": 0, "num_beams": 1,
 *                         "no_repeat_ngram_size": 0, "presence_penalty": 0.0, "frequency_penalty": 0.0},
 *   "utility_sanity": {"accuracy": 1.0, "n_pairs": 480, "n_users": 24},
 *   "sample_quality": {"fspo": {"4": {"well_formed_rate", "mean_utility", "mean_min_utility", "mean_max_utility",
 *                                     "mean_scaled_utility", "n", "n_users"}}, "population": ...},
 *   "samples": [{"user_id", "pair_id", "shots", "user_description", "question", "min_utility", "max_utility",
 *                "responses": [{"method", "text", "utility", "well_formed"}]}],
 *   "prompt_fit": {"fspo": {"8": {"n", "n_lost_shots", "shots_dropped", "n_prompt_cut", "n_responses_cut"}}},
 *   "files": {"report_md": "report.md", "pair_scores": "pair_scores.parquet", "plots": ["accuracy_vs_shots.png"]}
 * }
 * </pre>
 *
 * Methods appear only when they were evaluated; shot counts are strings because JSON keys are strings.
 * No timestamps: the same inputs and seeds give a byte-identical file.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Report(
    @JsonProperty("schema_version") int schemaVersion,
    @JsonProperty("run") String run,
    @JsonProperty("episodes") String episodes,
    @JsonProperty("split") String split,
    @JsonProperty("shots") List<Integer> shots,
    @JsonProperty("bootstrap") Bootstrap bootstrap,
    @JsonProperty("reward_accuracy") Map<String, Map<String, AccuracyCell>> rewardAccuracy,
    @JsonProperty("win_rate") Map<String, Map<String, WinRateCell>> winRate,
    @JsonProperty("win_rate_baseline") String winRateBaseline,
    @JsonProperty("utility_sanity") UtilitySanity utilitySanity,
    @JsonProperty("files") Files files,
    @JsonProperty("sample_quality") Map<String, Map<String, SampleQualityCell>> sampleQuality,
    @JsonProperty("samples") List<ShownSample> samples,
    @JsonProperty("prompt_fit") Map<String, Map<String, PromptFitCell>> promptFit,
    @JsonProperty("win_rate_generate") SamplingConfig winRateGenerate) {

  public static final int SCHEMA_VERSION = 1;

  public Report {
    shots = List.copyOf(shots);
    rewardAccuracy = rewardAccuracy == null ? Map.of() : rewardAccuracy;
    winRate = winRate == null ? Map.of() : winRate;
    sampleQuality = sampleQuality == null ? Map.of() : sampleQuality;
    samples = samples == null ? List.of() : List.copyOf(samples);
    promptFit = promptFit == null ? Map.of() : promptFit;
  }

  /** A report without sample quality, samples or prompt-fit counts. */
  public Report(int schemaVersion, String run, String episodes, String split, List<Integer> shots, Bootstrap bootstrap,
      Map<String, Map<String, AccuracyCell>> rewardAccuracy, Map<String, Map<String, WinRateCell>> winRate,
      String winRateBaseline, UtilitySanity utilitySanity, Files files) {
    this(schemaVersion, run, episodes, split, shots, bootstrap, rewardAccuracy, winRate, winRateBaseline,
        utilitySanity, files, null, null, null, null);
  }

  /** The bootstrap settings behind every ci_low/ci_high. */
  public record Bootstrap(
      @JsonProperty("resamples") int resamples, @JsonProperty("level") double level, @JsonProperty("seed") long seed) {}

  /** Paths relative to the report folder. */
  public record Files(
      @JsonProperty("report_md") String reportMd,
      @JsonProperty("pair_scores") String pairScores,
      @JsonProperty("plots") List<String> plots) {}

  public Report withFiles(Files newFiles) {
    return new Report(schemaVersion, run, episodes, split, shots, bootstrap, rewardAccuracy, winRate, winRateBaseline,
        utilitySanity, newFiles, sampleQuality, samples, promptFit, winRateGenerate);
  }

  public Report withSamples(Map<String, Map<String, SampleQualityCell>> quality, List<ShownSample> shown) {
    return new Report(schemaVersion, run, episodes, split, shots, bootstrap, rewardAccuracy, winRate, winRateBaseline,
        utilitySanity, files, quality, shown, promptFit, winRateGenerate);
  }
}
