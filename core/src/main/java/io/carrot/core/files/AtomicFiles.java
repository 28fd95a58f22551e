package io.carrot.core.files;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files so that readers see the old content or the new, never a partial file. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code body} to a temporary file beside {@code target}, then moves it into place. */
  public static void write(Path target, FloatArrays.Body body) {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
      try {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp))) {
          body.write(out);
        }
        makeWorldReadable(tmp);
        try {
          Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new CarrotException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  private static void makeWorldReadable(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: keep its default permissions
    }
  }

  /** Writes {@code content} as UTF-8, atomically. */
  public static void writeString(Path target, String content) {
    write(target, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
