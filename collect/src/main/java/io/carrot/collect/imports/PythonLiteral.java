package io.carrot.collect.imports;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the Python list-of-strings literals RouterBench stores in its CSV cells, e.g.
 * {@code ['Question: ...\nAnswer:']} or {@code ["it's"]}: single- or double-quoted strings with
 * Python's escapes ({@code \n \t \r \\ \' \" \xhh \\uXXXX \\UXXXXXXXX}, octal, line continuation).
 * A cell that is not a list literal is returned as one string, verbatim.
 */
final class PythonLiteral {
  private PythonLiteral() {}

  /** The strings of a list literal, or the cell itself as the only element. */
  static List<String> strings(String cell, String where) {
    String s = cell.strip();
    if (!(s.startsWith("[") && s.endsWith("]"))) {
      return List.of(cell);
    }
    List<String> out = new ArrayList<>();
    int i = 1;
    int end = s.length() - 1;
    while (true) {
      i = skipSpace(s, i, end);
      if (i >= end) {
        break;
      }
      char q = s.charAt(i);
      if (q != '\'' && q != '"') {
        // Not a list of strings (e.g. a list of numbers): keep the cell as it is.
        return List.of(cell);
      }
      StringBuilder b = new StringBuilder();
      i = string(s, i + 1, q, b, where);
      out.add(b.toString());
      i = skipSpace(s, i, end);
      if (i < end && s.charAt(i) == ',') {
        i++;
      } else if (i < end) {
        throw new CarrotException(where + ": malformed Python list literal near position " + i + "; expected ',' or ']'");
      }
    }
    return out;
  }

  private static int skipSpace(String s, int i, int end) {
    while (i < end && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Reads a string body after its opening quote; returns the index after the closing quote. */
  private static int string(String s, int i, char quote, StringBuilder b, String where) {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == quote) {
        return i + 1;
      }
      if (c != '\\') {
        b.append(c);
        i++;
        continue;
      }
      if (i + 1 >= s.length()) {
        break;
      }
      char e = s.charAt(i + 1);
      i += 2;
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'a' -> b.append('\u0007');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'v' -> b.append('\u000b');
        case '\\', '\'', '"' -> b.append(e);
        case '\n' -> { }
        case 'x' -> {
          b.append((char) hex(s, i, 2, where));
          i += 2;
        }
        case 'u' -> {
          b.append((char) hex(s, i, 4, where));
          i += 4;
        }
        case 'U' -> {
          b.appendCodePoint(hex(s, i, 8, where));
          i += 8;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            int k = 0;
            while (k < 2 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7') {
              v = v * 8 + (s.charAt(i++) - '0');
              k++;
            }
            b.append((char) v);
          } else {
            // Python keeps unknown escapes as written.
            b.append('\\').append(e);
          }
        }
      }
    }
    throw new CarrotException(where + ": unterminated string in a Python list literal");
  }

  private static int hex(String s, int i, int n, String where) {
    if (i + n > s.length()) {
      throw new CarrotException(where + ": truncated \\x/\\u escape in a Python list literal");
    }
    try {
      return Integer.parseInt(s.substring(i, i + n), 16);
    } catch (NumberFormatException e) {
      throw new CarrotException(where + ": bad escape '" + s.substring(i, i + n) + "' in a Python list literal");
    }
  }
}
