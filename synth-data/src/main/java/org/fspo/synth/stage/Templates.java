package org.fspo.synth.stage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;

/** Loads the five prompt templates of a domain and derives their version from their content. */
public final class Templates {
  public static final List<String> NAMES =
      List.of(Prompts.PERSONA, Prompts.QUESTION, Prompts.VIEWS, Prompts.RESPONSE, Prompts.JUDGE);

  private Templates() {}

  /** name to text, read from {@code dir/<name>.txt}. */
  public static Map<String, String> load(Path dir) {
    Map<String, String> templates = new LinkedHashMap<>();
    for (String name : NAMES) {
      Path file = dir.resolve(name + ".txt");
      try {
        templates.put(name, Files.readString(file, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new FspoUserException("cannot read prompt template " + file + "; synth.pipeline.templates must name a"
            + " folder with " + String.join(".txt, ", NAMES) + ".txt", FspoUserException.NO_INPUT);
      }
    }
    return templates;
  }

  /** "v" + the first 8 hex digits of SHA-256 over the templates in {@link #NAMES} order. */
  public static String version(Map<String, String> templates) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String name : NAMES) {
        digest.update((name + "\u0000" + templates.getOrDefault(name, "") + "\u0000")
            .getBytes(StandardCharsets.UTF_8));
      }
      return "v" + HexFormat.of().formatHex(digest.digest()).substring(0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
