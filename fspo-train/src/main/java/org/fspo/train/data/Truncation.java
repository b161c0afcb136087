package org.fspo.train.data;

/**
 * Counts of what the collator had to give up to fit {@code max_seq_len}, per batch (add them up over a run).
 *
 * @param shotsDropped       context shots removed, summed over episodes
 * @param questionsShortened episodes whose query question was cut (after every shot was dropped)
 * @param responsesCut       completions whose tail was cut (never below the minimum kept)
 * @param promptsCut         prompts cut from the left because even the minimum response did not fit after it
 */
public record Truncation(long shotsDropped, long questionsShortened, long responsesCut, long promptsCut) {
  public static final Truncation NONE = new Truncation(0, 0, 0, 0);

  public Truncation plus(Truncation o) {
    return new Truncation(shotsDropped + o.shotsDropped, questionsShortened + o.questionsShortened,
        responsesCut + o.responsesCut, promptsCut + o.promptsCut);
  }

  public boolean any() {
    return shotsDropped + questionsShortened + responsesCut + promptsCut > 0;
  }
}
