package io.carrot.collect.imports;

import java.nio.file.Path;
import java.util.List;

/** Reads one foreign routing-data layout into carrot's format. Stateless. */
public interface Importer {
  /** The name used on the command line ({@code carrot import NAME}). */
  String name();

  /** One line: the files this importer accepts. */
  String accepts();

  /**
   * Reads {@code inputs} (one or more files of the same layout, e.g. a train and a test file).
   *
   * @throws io.carrot.core.CarrotException naming the file, row and field of any problem
   */
  ImportResult read(List<Path> inputs, ImportOptions options);
}
