package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.fspo.core.prompt.PromptFormat;

/**
 * train.data: how episodes are drawn and rendered.
 *
 * @param shotsMin            fewest context shots per episode (default 4)
 * @param shotsMax            most context shots; equal to shots_min for a fixed count, else drawn uniformly per
 *                            episode (default 4)
 * @param includeDispreferred show each shot's dispreferred response (default true, as the paper)
 * @param withDescription     the COT variant: completions start with the user description (default false)
 * @param teacherForced       with with_description: put the description in the prompt instead (default false)
 * @param shortUserPolicy     a user with fewer than shots_min + 1 pairs: fewer_shots (use what there is) or skip
 *                            (leave the user out of the epoch, counted) (default fewer_shots)
 */
public record DataConfig(
    @JsonProperty("shots_min") int shotsMin,
    @JsonProperty("shots_max") int shotsMax,
    @JsonProperty("include_dispreferred") boolean includeDispreferred,
    @JsonProperty("with_description") boolean withDescription,
    @JsonProperty("teacher_forced") boolean teacherForced,
    @JsonProperty("short_user_policy") String shortUserPolicy) {

  public DataConfig {
    TrainConfig.require(shotsMin >= 0 && shotsMax >= shotsMin, "data.shots_max", ">= data.shots_min >= 0", shotsMax);
    TrainConfig.require(!teacherForced || withDescription, "data.teacher_forced", "false unless with_description",
        teacherForced);
    TrainConfig.require(shortUserPolicy.equals("fewer_shots") || shortUserPolicy.equals("skip"),
        "data.short_user_policy", "fewer_shots or skip", shortUserPolicy);
  }

  public static DataConfig defaults() {
    return new DataConfig(4, 4, true, false, false, "fewer_shots");
  }

  public PromptFormat format() {
    return new PromptFormat(includeDispreferred, withDescription, teacherForced);
  }
}
