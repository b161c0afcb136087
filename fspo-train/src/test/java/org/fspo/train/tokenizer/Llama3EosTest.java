package org.fspo.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.fspo.train.model.FixtureRoots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Llama 3's tokenizer names its end of sequence {@code <|end_of_text|>}: the fixture tokenizer with that name. */
class Llama3EosTest {
  @Test
  void endOfTextIsTheEndOfSequenceToken(@TempDir Path tmp) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode t = (ObjectNode) json.readTree(FixtureRoots.first().resolve("tokenizer/tokenizer.json").toFile());
    t.get("added_tokens").forEach(a -> {
      if (a.get("content").asText().equals("<|endoftext|>")) ((ObjectNode) a).put("content", "<|end_of_text|>");
    });
    json.writeValue(tmp.resolve("tokenizer.json").toFile(), t);
    try (HfTokenizer tok = HfTokenizer.load(tmp)) {
      assertEquals(1, tok.eosId());
    }
  }
}
