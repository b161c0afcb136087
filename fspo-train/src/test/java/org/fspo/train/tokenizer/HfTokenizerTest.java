package org.fspo.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.fspo.core.FspoUserException;
import org.fspo.train.FixtureRoots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture's byte-level BPE tokenizer.json (tokenizer/ of the first root of -Dfspo.hf.fixtures that has one)
 * against the ids and texts Hugging Face produced; the vocabulary and the special ids are read from the same file.
 */
class HfTokenizerTest {
  static Path tokenizerDir() {
    return FixtureRoots.firstWith("tokenizer");
  }

  @Test
  void matchesHuggingFaceEncodings() throws Exception {
    Path dir = tokenizerDir();
    JsonNode probes = new ObjectMapper().readTree(dir.resolve("encodings.json").toFile());
    assertFalse(probes.isEmpty(), "encodings.json has probes");
    try (HfTokenizer tok = HfTokenizer.load(dir)) {
      for (JsonNode probe : probes) {
        String text = probe.get("text").asText();
        int[] expected = new ObjectMapper().convertValue(probe.get("ids"), int[].class);
        int[] ids = tok.encode(text);
        assertArrayEquals(expected, ids, "ids of " + text);
        assertEquals(probe.get("decoded").asText(), tok.decode(ids), "decode of " + text);
      }
      JsonNode json = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
      TreeSet<Integer> ids = new TreeSet<>();
      json.get("model").get("vocab").fields().forEachRemaining(e -> ids.add(e.getValue().asInt()));
      Map<String, Integer> added = new HashMap<>();
      for (JsonNode t : json.get("added_tokens")) {
        ids.add(t.get("id").asInt());
        added.put(t.get("content").asText(), t.get("id").asInt());
      }
      assertEquals(ids.size(), tok.vocabSize(), "one id per distinct token of the vocab and the added tokens");
      assertEquals(ids.size() - 1, ids.last(), "ids are 0..V-1");
      assertEquals(added.get("<|endoftext|>"), tok.eosId(), "<|endoftext|> is the end-of-sequence token");
      assertEquals(added.getOrDefault("<|pad|>", tok.eosId()), tok.padId(), "<|pad|> pads, else the eos token");
    }
  }

  @Test
  void savesTheSameBytes(@TempDir Path tmp) throws Exception {
    Path src = tokenizerDir().resolve("tokenizer.json");
    try (HfTokenizer tok = HfTokenizer.load(src)) {
      tok.save(tmp.resolve("out/tokenizer.json"));
    }
    assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(tmp.resolve("out/tokenizer.json")));
  }

  @Test
  void badFileIsAUserError(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("tokenizer.json"), "{not json");
    FspoUserException e = assertThrows(FspoUserException.class, () -> HfTokenizer.load(tmp));
    assertEquals(FspoUserException.CONFIG, e.exitCode());
    assertThrows(FspoUserException.class, () -> HfTokenizer.load(tmp.resolve("missing")));
  }
}
