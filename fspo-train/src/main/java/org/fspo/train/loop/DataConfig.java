package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.RandomEpisodeSampler;
import org.fspo.core.episode.ShortUserPolicy;
import org.fspo.core.episode.ShotSpec;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.train.data.ShuffledEpisodes;
import org.fspo.train.tokenizer.ChatTemplate;

/**
 * train.data: how episodes are drawn and rendered.
 *
 * @param shots               context shots per episode: N, or a range "MIN-MAX" drawn uniformly per episode and
 *                            epoch (default 4)
 * @param includeDispreferred show each shot's dispreferred response (default true, as the paper)
 * @param withDescription     the COT variant: completions start with the user description (default false)
 * @param teacherForced       with with_description: put the description in the prompt instead (default false)
 * @param shortUserPolicy     an episode whose user has fewer other pairs than the shots drawn: fewer_shots (use
 *                            what there is) or skip (drop the episode, counted) (default fewer_shots)
 * @param chatTemplate        none (the paper's raw prompt) or auto: the prompt as one user message through the
 *                            checkpoint's own chat_template (tokenizer_config.json of --init), replies closed by the
 *                            template's end-of-turn token; training, scoring, sampling and render alike (default none)
 */
public record DataConfig(
    @JsonProperty("shots") ShotSpec shots,
    @JsonProperty("include_dispreferred") boolean includeDispreferred,
    @JsonProperty("with_description") boolean withDescription,
    @JsonProperty("teacher_forced") boolean teacherForced,
    @JsonProperty("short_user_policy") ShortUserPolicy shortUserPolicy,
    @JsonProperty("chat_template") ChatTemplateMode chatTemplate) {

  public DataConfig {
    TrainConfig.require(shots != null, "data.shots", "N or MIN-MAX", null);
    TrainConfig.require(!teacherForced || withDescription, "data.teacher_forced", "false unless with_description",
        teacherForced);
    TrainConfig.require(shortUserPolicy != null, "data.short_user_policy", "fewer_shots or skip", null);
    TrainConfig.require(chatTemplate != null, "data.chat_template", "none or auto", null);
  }

  public static DataConfig defaults() {
    return new DataConfig(ShotSpec.fixed(4), true, false, false, ShortUserPolicy.FEWER_SHOTS, ChatTemplateMode.NONE);
  }

  /** This config's training episodes over {@code pairs}: fspo-core's sampler, shuffled per epoch. */
  public ShuffledEpisodes episodes(List<PreferencePair> pairs, long seed) {
    return new ShuffledEpisodes(pairs, new RandomEpisodeSampler(shots, shortUserPolicy, seed), seed);
  }

  public PromptFormat format() {
    return new PromptFormat(includeDispreferred, withDescription, teacherForced);
  }

  /**
   * How prompts are wrapped for the tokenizer whose files are in {@code dir} (a run folder or a Hugging Face model
   * folder): {@link ChatFormat#NONE}, or with {@code auto} the chat_template of {@code dir/tokenizer_config.json}
   * (a one-line error when the file or its chat_template is missing).
   */
  public ChatFormat chat(Path dir) {
    return chatTemplate == ChatTemplateMode.AUTO ? ChatTemplate.load(dir) : ChatFormat.NONE;
  }
}
