package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.stream.Stream;
import org.fspo.train.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.opentest4j.AssertionFailedError;

/**
 * The conformance check can fail: a copy of a fixture folder passes unchanged, and fails once one expected number is
 * moved just beyond the tolerance's reach (one logit, one sequence log-prob, one loss, one gradient tensor).
 */
class HfConformancePerturbationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /** A copy of the first model folder of the first root (policy/ ref/ batch.json expected.json grads.safetensors). */
  private Path copy() throws IOException {
    Path src = HfConformanceTest.modelFolders(FixtureRoots.first()).get(0);
    Path dst = tmp.resolve(src.getFileName());
    try (Stream<Path> files = Files.walk(src)) {
      for (Path f : files.toList()) {
        Path to = dst.resolve(src.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    return dst;
  }

  @Test
  void anUnchangedCopyPasses() throws IOException {
    HfConformanceTest.check(copy(), false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"logit", "policy_seq_logps", "ipo_loss_mean_logps_mean", "gradient"})
  void onePerturbedNumberFails(String what) throws IOException {
    Path dir = copy();
    if (what.equals("gradient")) {
      Path file = dir.resolve("grads.safetensors");
      LinkedHashMap<String, INDArray> grads = SafeTensors.readArrays(file);
      String last = grads.keySet().stream().reduce((a, b) -> b).orElseThrow();
      grads.get(last).muli(1.01); // 1e-2 relative: ten times the gradient tolerance, on one tensor
      SafeTensors.write(file, grads);
    } else {
      Path file = dir.resolve("expected.json");
      ObjectNode exp = (ObjectNode) JSON.readTree(file.toFile());
      switch (what) {
        case "logit" -> bump((ArrayNode) exp.get("logits").get(0).get(1), 5, 1.0); // ~5e-3 of the logits' norm
        case "policy_seq_logps" -> bump((ArrayNode) exp.get("policy_seq_logps"), 1, 0.1); // ~1e-3 of the norm
        default -> exp.put(what, exp.get(what).asDouble() * (1 + 1e-3)); // ten times the loss tolerance
      }
      JSON.writeValue(file.toFile(), exp);
    }
    for (boolean share : new boolean[] {false, true}) {
      assertThrows(AssertionFailedError.class, () -> HfConformanceTest.check(dir, share), what + " perturbed");
    }
  }

  private static void bump(ArrayNode a, int i, double by) {
    JsonNode v = a.get(i);
    a.set(i, v.asDouble() + by);
  }
}
