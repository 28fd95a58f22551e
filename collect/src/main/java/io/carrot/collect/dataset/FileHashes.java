package io.carrot.collect.dataset;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of input files, for the provenance a README records. */
public final class FileHashes {
  private FileHashes() {}

  public static String sha256(Path file) {
    try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new CarrotException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code `name` (sha256 `...`)}, as README bullets cite a file. */
  public static String cite(Path file) {
    return "`" + file.getFileName() + "` (sha256 `" + sha256(file) + "`)";
  }
}
