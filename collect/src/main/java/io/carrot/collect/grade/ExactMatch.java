package io.carrot.collect.grade;

import io.carrot.core.CarrotException;
import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exact-match grading against a reference answer: 1.0 when the answer's final answer equals the
 * reference, else 0.0.
 *
 * <p>The final answer is taken, in this order, from {@code \boxed{...}}, a JSON {@code "answer"}
 * field, a {@code ####} line (GSM8K style), the last "answer is ..." / "Answer: ..." phrase, and
 * else the whole text. Then per kind:
 *
 * <ul>
 *   <li>{@link Kind#NUMBER}: the last number in that final answer (commas, {@code $} and {@code %}
 *       ignored) equals the reference numerically (relative tolerance 1e-6);
 *   <li>{@link Kind#CHOICE}: the option letter (A-J, in forms such as {@code B}, {@code (B)},
 *       {@code B.}, {@code B) text}) equals the reference letter;
 *   <li>{@link Kind#TEXT}: the normalized final answer equals the normalized reference
 *       (lower case, Unicode NFKC, punctuation and the articles a/an/the removed, spaces collapsed).
 * </ul>
 */
public final class ExactMatch {
  /** What kind of reference a prompt carries. */
  public enum Kind {
    NUMBER,
    CHOICE,
    TEXT;

    public static Kind parse(String s, String where) {
      try {
        return valueOf(s.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CarrotException(where + ": answer_type '" + s + "', expected number, choice or text");
      }
    }
  }

  private static final Pattern CHOICE_REF = Pattern.compile("^\\(?([A-Ja-j])\\)?[.:]?$");
  private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|-?\\.\\d+");
  private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*(?:\\{[^{}]*\\}[^{}]*)*)\\}");
  private static final Pattern JSON_ANSWER = Pattern.compile("\"answer\"\\s*:\\s*\"?([^\"\\n}]*)\"?");
  private static final Pattern HASHES = Pattern.compile("(?m)^\\s*####\\s*(.+)$");
  private static final Pattern ANSWER_IS =
      Pattern.compile("(?i)(?:final answer|answer)\\s*(?:is|:)\\s*[:]?\\s*(.+)");
  private static final Pattern CHOICE_LEAD = Pattern.compile("^\\(?([A-J])[.:)]\\s");
  private static final Pattern PAREN_LETTER = Pattern.compile("\\(([A-J])\\)");

  private ExactMatch() {}

  /** The kind a reference looks like: a lone letter A-J, a number, else text. */
  public static Kind detect(String reference) {
    String r = reference.strip();
    if (CHOICE_REF.matcher(r).matches()) {
      return Kind.CHOICE;
    }
    if (number(r).isPresent() && stripNumber(r).matches(NUMBER.pattern())) {
      return Kind.NUMBER;
    }
    return Kind.TEXT;
  }

  /** 1.0 if {@code answer} matches {@code reference} under {@code kind}, else 0.0. */
  public static double score(String reference, Kind kind, String answer) {
    String fin = finalAnswer(answer);
    return switch (kind) {
      case NUMBER -> {
        Optional<BigDecimal> want = number(reference);
        Optional<BigDecimal> got = lastNumber(fin);
        yield want.isPresent() && got.isPresent() && close(want.get(), got.get()) ? 1.0 : 0.0;
      }
      case CHOICE -> {
        Matcher m = CHOICE_REF.matcher(reference.strip());
        String want = m.matches() ? m.group(1).toUpperCase(Locale.ROOT) : reference.strip().toUpperCase(Locale.ROOT);
        yield choice(fin).map(want::equals).orElse(false) ? 1.0 : 0.0;
      }
      case TEXT -> normalize(fin).equals(normalize(reference)) ? 1.0 : 0.0;
    };
  }

  /** The part of a model's answer that states its final answer. */
  static String finalAnswer(String answer) {
    String a = answer == null ? "" : answer.strip();
    String last = null;
    for (Matcher m = BOXED.matcher(a); m.find(); ) {
      last = m.group(1);
    }
    if (last != null) {
      return last.strip();
    }
    for (Matcher m = JSON_ANSWER.matcher(a); m.find(); ) {
      last = m.group(1);
    }
    if (last != null) {
      return last.strip();
    }
    for (Matcher m = HASHES.matcher(a); m.find(); ) {
      last = m.group(1);
    }
    if (last != null) {
      return last.strip();
    }
    for (Matcher m = ANSWER_IS.matcher(a); m.find(); ) {
      last = m.group(1);
    }
    if (last != null) {
      return trimSentence(last);
    }
    return a;
  }

  private static String trimSentence(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    if (nl >= 0) {
      t = t.substring(0, nl).strip();
    }
    return t.replaceAll("[.\\s]+$", "");
  }

  private static Optional<String> choice(String fin) {
    Matcher whole = CHOICE_REF.matcher(fin.strip());
    if (whole.matches()) {
      return Optional.of(whole.group(1).toUpperCase(Locale.ROOT));
    }
    Matcher lead = CHOICE_LEAD.matcher(fin.strip());
    if (lead.find()) {
      return Optional.of(lead.group(1));
    }
    String last = null;
    for (Matcher p = PAREN_LETTER.matcher(fin); p.find(); ) {
      last = p.group(1);
    }
    return Optional.ofNullable(last);
  }

  private static Optional<BigDecimal> lastNumber(String s) {
    String last = null;
    for (Matcher m = NUMBER.matcher(s.replace("$", "")); m.find(); ) {
      last = m.group();
    }
    return last == null ? Optional.empty() : number(last);
  }

  private static String stripNumber(String s) {
    return s.replace(",", "").replace("$", "").replace("%", "").strip();
  }

  private static Optional<BigDecimal> number(String s) {
    try {
      return Optional.of(new BigDecimal(stripNumber(s)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean close(BigDecimal a, BigDecimal b) {
    if (a.compareTo(b) == 0) {
      return true;
    }
    double x = a.doubleValue();
    double y = b.doubleValue();
    return Math.abs(x - y) <= 1e-6 * Math.max(Math.abs(x), Math.abs(y));
  }

  /** Lower case, NFKC, no punctuation, no articles, single spaces. */
  public static String normalize(String s) {
    String t = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    t = t.replaceAll("[\\p{P}\\p{S}]", " ");
    t = t.replaceAll("\\b(a|an|the)\\b", " ");
    return t.replaceAll("\\s+", " ").strip();
  }
}
