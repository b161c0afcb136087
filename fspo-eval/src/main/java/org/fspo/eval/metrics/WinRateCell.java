package org.fspo.eval.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Win rate of one method against the baseline at one shot count: one leaf of report.json's {@code win_rate}.
 *
 * @param winRate            (wins + 0.5 ties) / n over pairs judged consistently in both orders; null (and the
 *                           CI too) when n is 0
 * @param ciLow              lower end of the 95% percentile bootstrap interval over users
 * @param ciHigh             upper end of that interval
 * @param n                  pairs that entered the win rate
 * @param nDropped           pairs dropped because the verdict flipped with the order (inconsistent)
 * @param nMalformed         pairs dropped because a verdict was not a single valid identifier
 * @param nUsers             distinct users among the n pairs
 * @param weightedWinRate    AlpacaEval 2's weighted win rate: mean probability (from logprobs) that the method's
 *                           output is better; null when the judge returned no logprobs
 * @param nWeighted          pairs with usable logprobs in both orders (0 when weightedWinRate is null)
 * @param avgLengthModel     mean length of the method's outputs, characters, over all compared pairs
 * @param avgLengthBaseline  mean length of the baseline's outputs, characters, over the same pairs
 * @param judge              "utility" (procedural users' exact latent utility) or the judge model's name
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record WinRateCell(
    @JsonProperty("win_rate") Double winRate,
    @JsonProperty("ci_low") Double ciLow,
    @JsonProperty("ci_high") Double ciHigh,
    @JsonProperty("n") int n,
    @JsonProperty("n_dropped") int nDropped,
    @JsonProperty("n_malformed") int nMalformed,
    @JsonProperty("n_users") int nUsers,
    @JsonProperty("weighted_win_rate") Double weightedWinRate,
    @JsonProperty("n_weighted") int nWeighted,
    @JsonProperty("avg_length_model") double avgLengthModel,
    @JsonProperty("avg_length_baseline") double avgLengthBaseline,
    @JsonProperty("judge") String judge) {}
