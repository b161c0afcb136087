package org.fspo.synth.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every file under a folder, by relative path, with its bytes' SHA-256: what "survives byte-for-byte" compares. */
public final class FolderSnapshot {
  private FolderSnapshot() {}

  public static Map<String, String> of(Path root) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(file).toString(), org.fspo.core.episode.StableHash.sha256Hex(
            java.util.HexFormat.of().formatHex(Files.readAllBytes(file))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** A folder of the user's own files: notes.txt and sub/x. */
  public static Path userFolder(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("notes.txt"), "my notes\n");
    Files.writeString(dir.resolve("sub").resolve("x"), "x");
    return dir;
  }
}
