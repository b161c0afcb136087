package org.fspo.synth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.StableHash;
import org.fspo.core.episode.UserRecord;
import org.fspo.synth.procedural.Attribute;
import org.fspo.synth.procedural.ProceduralUser;
import org.fspo.synth.procedural.ResponseRenderer;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.synth.store.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The procedural job end to end through the episode store, on local[2]. */
class SynthJobTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static final SynthConfig CONFIG = SynthConfig.defaults().withUsers(32, 8);
  private static Manifest manifest;
  private static List<PreferencePair> pairs;
  private static List<UserRecord> users;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("SynthJobTest").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").config("spark.sql.adaptive.enabled", "false").getOrCreate();
    manifest = SynthJob.run(spark, CONFIG, dir.resolve("a"), false, new PrintWriter(new StringWriter()));
    pairs = EpisodeStore.loadPreferences(spark, dir.resolve("a").toString(), null);
    users = EpisodeStore.loadUsers(spark, dir.resolve("a").toString(), null);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void countsAddUpAndLabelsAgreeWithTheStoredUtility() {
    assertEquals(32 * 8, pairs.size());
    assertEquals(32, users.size());
    assertEquals(Map.of("preferences", 256L, "users", 32L, "quarantine", 0L), manifest.counts());
    Map<String, ProceduralUser> oracle = new HashMap<>();
    users.forEach(user -> oracle.put(user.userId(), ProceduralUser.fromStore(user.userId(), user.utilityWeights())));
    for (PreferencePair pair : pairs) {
      ProceduralUser user = oracle.get(pair.userId());
      assertTrue(user.utility(pair.chosen()) > user.utility(pair.rejected()), pair.toString());
      assertEquals(StableHash.pairId(pair.userId(), pair.prompt(), pair.chosen(), pair.rejected()), pair.pairId());
      assertEquals(users.stream().filter(u -> u.userId().equals(pair.userId())).findFirst().orElseThrow().split(),
          pair.split());
      assertEquals("utility", pair.provenance().judge());
      assertEquals(ProceduralSynth.TEMPLATE_VERSION, pair.provenance().templateVersion());
    }
  }

  @Test
  void preferencesAreBalancedSoZeroShotsRevealNothing() {
    for (Attribute attribute : Attribute.values()) {
      long positive = users.stream().filter(user -> user.utilityWeights().get(attribute.key()) > 0).count();
      assertEquals(16, positive, attribute.key() + ": users preferring " + attribute.value(1));
      int differing = 0, chosenPositive = 0;
      for (PreferencePair pair : pairs) {
        int chosen = ResponseRenderer.parse(pair.chosen()).get(attribute);
        if (chosen != ResponseRenderer.parse(pair.rejected()).get(attribute)) {
          differing++;
          chosenPositive += chosen > 0 ? 1 : 0;
        }
      }
      double share = (double) chosenPositive / differing;
      assertTrue(share > 0.3 && share < 0.7, attribute.key() + ": chosen has " + attribute.value(1) + " in "
          + share + " of " + differing + " pairs");
    }
  }

  @Test
  void sameSeedSameStoreAndTheSameFolderIsANoOp() {
    SynthJob.run(spark, CONFIG, dir.resolve("b"), false, new PrintWriter(new StringWriter()));
    assertEquals(pairs.stream().map(PreferencePair::pairId).toList(),
        EpisodeStore.loadPreferences(spark, dir.resolve("b").toString(), null).stream()
            .map(PreferencePair::pairId).toList());
    assertEquals(users, EpisodeStore.loadUsers(spark, dir.resolve("b").toString(), null));
    StringWriter log = new StringWriter();
    Manifest again = SynthJob.run(spark, CONFIG, dir.resolve("a"), false, new PrintWriter(log));
    assertEquals(manifest.fingerprint(), again.fingerprint());
    assertEquals(manifest.createdAt(), again.createdAt(), "the store was not rewritten");
    assertTrue(log.toString().contains("nothing to do"), log.toString());
  }

  @Test
  void aDifferentJobAimedAtTheSameFolderIsRefused() {
    SynthConfig other = new SynthConfig(CONFIG.generator(), CONFIG.domain(), 43, CONFIG.numUsers(),
        CONFIG.pairsPerUser(), CONFIG.testFraction(), CONFIG.partitions(), CONFIG.procedural(), CONFIG.llm(),
        CONFIG.pipeline());
    FspoUserException refused = assertThrows(FspoUserException.class,
        () -> SynthJob.run(spark, other, dir.resolve("a"), false, new PrintWriter(new StringWriter())));
    assertTrue(refused.getMessage().contains("holds a different store"), refused.getMessage());
    assertEquals(manifest.fingerprint(), EpisodeStore.manifest(spark, dir.resolve("a").toString()).fingerprint());
  }
}
