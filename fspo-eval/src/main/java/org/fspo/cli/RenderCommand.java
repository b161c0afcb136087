package org.fspo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.config.ConfigLoader;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.RandomEpisodeSampler;
import org.fspo.core.episode.SampledEpisodes;
import org.fspo.core.episode.ShortUserPolicy;
import org.fspo.core.episode.ShotSpec;
import org.fspo.core.episode.UserRecord;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.train.tokenizer.ChatTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code fspo render}: the episodes of a store, exactly as the model will see them, one JSON object per line on
 * stdout (a summary line goes to stderr):
 *
 * <pre>
 * {"user_id": "u1", "shots": [{"prompt", "chosen", "rejected"}, ...], "query": {"prompt", "chosen", "rejected"},
 *  "rendered": {"prompt", "chosen", "rejected"}}
 * </pre>
 *
 * Shots are drawn by {@link RandomEpisodeSampler} (seed, epoch); the text by {@link FewShotPrompt}. With
 * --with-description, a pair without its own user_description takes the description from users/. With
 * --chat-template MODEL_DIR the rendered text is what a run with train.data.chat_template: auto trains on.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Print episodes of an episode store as JSONL, with the exact rendered prompt and completions.")
final class RenderCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;
  @Mixin SeedMixin seed;
  @Mixin SparkMixin sparkOptions;

  @Option(names = "--episodes", paramLabel = "DIR", required = true, description = "Episode store folder.")
  Path episodes;

  @Option(names = "--split", paramLabel = "train|test", description = "Only this split (default: all users).")
  String split;

  @Option(names = "--shots", paramLabel = "N", required = true, converter = ShotsConverter.class,
      description = "Shots per episode: N, or MIN-MAX drawn per episode.")
  ShotSpec shots;

  @Option(names = "--limit", paramLabel = "K", description = "Print at most K episodes (in user, then pair order).")
  Integer limit;

  @Option(names = "--epoch", paramLabel = "E", defaultValue = "0",
      description = "Sampling pass; each epoch re-draws the shots. Default: ${DEFAULT-VALUE}.")
  int epoch;

  @Option(names = "--short-users", paramLabel = "POLICY", defaultValue = "FEWER_SHOTS",
      description = "Users with too few pairs: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  ShortUserPolicy shortUsers;

  @Option(names = "--no-dispreferred", description = "Show only each shot's preferred response.")
  boolean noDispreferred;

  @Option(names = "--with-description", description = "The COT variant: the completion starts with the user"
      + " description.")
  boolean withDescription;

  @Option(names = "--teacher-forced", description = "With --with-description: put the description in the prompt.")
  boolean teacherForced;

  @Option(names = "--chat-template", paramLabel = "MODEL_DIR", description = "Render as train.data.chat_template:"
      + " auto does with --init MODEL_DIR: the prompt as one user message through MODEL_DIR/tokenizer_config.json's"
      + " chat_template, each completion ending with its end-of-turn token. A run folder works too.")
  Path chatTemplate;

  /** One output line; snake_case through the shared mapper. */
  record Line(String userId, List<Texts> shots, Texts query, Texts rendered) {}

  record Texts(String prompt, String chosen, String rejected) {}

  static final class ShotsConverter implements ITypeConverter<ShotSpec> {
    @Override
    public ShotSpec convert(String value) {
      try {
        return ShotSpec.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    if (teacherForced && !withDescription) {
      throw new FspoUserException("--teacher-forced needs --with-description (it places the user description)",
          FspoUserException.USAGE);
    }
    if (limit != null && limit < 0) {
      throw new FspoUserException("--limit must be at least 0, got " + limit, FspoUserException.USAGE);
    }
    PromptFormat format = new PromptFormat(!noDispreferred, withDescription, teacherForced);
    ChatFormat chat = chatTemplate == null ? ChatFormat.NONE : ChatTemplate.load(chatTemplate);
    chat.prompt("check"); // a template that fails fails now, before Spark reads the store
    List<PreferencePair> pairs;
    try (SparkSession spark = SparkSessions.start("fspo render", sparkOptions.master(), verbosity.verbose())) {
      pairs = EpisodeStore.loadPreferences(spark, episodes.toString(), split);
      if (withDescription) {
        pairs = withUserDescriptions(pairs, EpisodeStore.loadUsers(spark, episodes.toString(), split));
      }
    }
    SampledEpisodes sampled = new RandomEpisodeSampler(shots, shortUsers, seed.seedOr(42)).sample(pairs, epoch);
    List<Episode> chosen = limit == null ? sampled.episodes()
        : sampled.episodes().subList(0, Math.min(limit, sampled.episodes().size()));
    ObjectMapper json = ConfigLoader.json();
    PrintWriter out = spec.commandLine().getOut();
    for (Episode episode : chosen) {
      List<Texts> shotTexts = new ArrayList<>();
      for (PreferencePair shot : episode.shots()) {
        shotTexts.add(texts(shot));
      }
      RenderedPair rendered = FewShotPrompt.render(episode, format, chat);
      out.println(json.writeValueAsString(new Line(episode.userId(), shotTexts, texts(episode.query()),
          new Texts(rendered.prompt(), rendered.chosen(), rendered.rejected()))));
    }
    out.flush();
    spec.commandLine().getErr().println("rendered " + chosen.size() + " of " + sampled.summary());
    spec.commandLine().getErr().flush();
    return 0;
  }

  private static Texts texts(PreferencePair pair) {
    return new Texts(pair.prompt(), pair.chosen(), pair.rejected());
  }

  /** Pairs without a user_description of their own get their user's description from users/. */
  static List<PreferencePair> withUserDescriptions(List<PreferencePair> pairs, List<UserRecord> users) {
    Map<String, UserRecord> byId = users.stream().collect(Collectors.toMap(UserRecord::userId, Function.identity()));
    List<PreferencePair> out = new ArrayList<>(pairs.size());
    for (PreferencePair p : pairs) {
      UserRecord user = byId.get(p.userId());
      String description = p.userDescription() != null || user == null ? p.userDescription() : user.description();
      out.add(new PreferencePair(p.userId(), p.pairId(), p.prompt(), p.chosen(), p.rejected(), description,
          p.domain(), p.split(), p.provenance()));
    }
    return out;
  }
}
