package io.carrot.collect.imports;

import io.carrot.core.data.Split;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an input file's name says: its split ({@code train-00000-of-00001.parquet},
 * {@code default/test/0000.parquet}, {@code arc_challenge_test.csv}, {@code gsm8k-train.json},
 * {@code default_routing_test_data.jsonl}) and the task it holds ({@code arc_challenge}).
 */
final class FileNames {
  private static final Pattern SPLIT_TOKEN =
      Pattern.compile("(?i)(?:^|[-_.])(train|test|validation|valid|val|dev)(?=$|[-_.])");

  private FileNames() {}

  /** The split a file's name or its folder's name states, if any. */
  static Optional<Split> split(Path file) {
    Optional<Split> s = splitOf(stem(file));
    if (s.isEmpty() && file.getParent() != null && file.getParent().getFileName() != null) {
      s = splitOf(file.getParent().getFileName().toString());
    }
    return s;
  }

  private static Optional<Split> splitOf(String name) {
    Matcher m = SPLIT_TOKEN.matcher(name);
    Split found = null;
    while (m.find()) {
      found = switch (m.group(1).toLowerCase(Locale.ROOT)) {
        case "train" -> Split.TRAIN;
        case "test" -> Split.TEST;
        default -> Split.VALIDATION;
      };
    }
    return Optional.ofNullable(found);
  }

  /** The file name without extensions ({@code .csv}, {@code .jsonl.gz}, ...). */
  static String stem(Path file) {
    String n = file.getFileName().toString();
    for (String ext : new String[] {".gz", ".jsonl", ".json", ".csv", ".parquet", ".pq"}) {
      if (n.toLowerCase(Locale.ROOT).endsWith(ext)) {
        n = n.substring(0, n.length() - ext.length());
      }
    }
    return n;
  }

  /** The stem without its split word: {@code arc_challenge_test} -> {@code arc_challenge}. */
  static String task(Path file) {
    String t = SPLIT_TOKEN.matcher(stem(file)).replaceAll("");
    return t.isEmpty() ? stem(file) : t;
  }
}
