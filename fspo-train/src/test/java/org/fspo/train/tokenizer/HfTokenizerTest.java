package org.fspo.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared fixture's byte-level BPE tokenizer.json against the ids and texts Hugging Face produced. */
class HfTokenizerTest {
  static Path fixtures() {
    return Path.of(System.getProperty("fspo.hf.fixtures", "../../shared/fixtures/hf").split(",")[0].trim());
  }

  @Test
  void matchesHuggingFaceEncodings() throws Exception {
    Path dir = fixtures().resolve("tokenizer");
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
      assertEquals(320, tok.vocabSize());
      assertEquals(1, tok.eosId(), "<|endoftext|> is the end-of-sequence token");
      assertEquals(0, tok.padId(), "<|pad|> pads");
    }
  }

  @Test
  void savesTheSameBytes(@TempDir Path tmp) throws Exception {
    Path src = fixtures().resolve("tokenizer/tokenizer.json");
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
