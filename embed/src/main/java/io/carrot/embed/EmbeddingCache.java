package io.carrot.embed;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistent store of the vectors one embedder produced, keyed by the SHA-256 of the text.
 *
 * <p>One append-only file per embedder id, {@code <directory>/<sanitized id>-<id hash>.emb}:
 * <pre>
 *   header:  "CARROTEC" | version int32 | dimension int32 | id length int32 | id UTF-8   (LE ints)
 *   records: sha256[32] | dimension x float32 LE                                         (fixed size)
 * </pre>
 * The file is read into memory when opened. Each {@link #putAll} writes its records with one
 * positional write straight to the OS (no user-space buffer), so a crashed process loses at most
 * the batch it was writing; a torn final record is dropped (and cut off) on the next open rather
 * than failing it. There is no fsync: an OS crash may lose recent batches, never corrupt older ones.
 *
 * <p>Instances are shared per file within a JVM ({@link #open} on an open file returns the same
 * store, reference-counted by {@link #close()}), and every method is thread-safe. Several processes
 * may share one file (say {@code carrot serve} and {@code carrot train}): every write holds an
 * exclusive OS file lock and appends at the file's current end, so their records never overwrite
 * each other's; what another process appended after this one opened the file is read the next
 * time it is opened.
 */
public final class EmbeddingCache implements VectorStore {

  /** Environment variable overriding {@link #defaultDirectory()}. */
  public static final String CACHE_DIR_ENV = "CARROT_CACHE_DIR";
  static final int VERSION = 1;
  static final int HASH_BYTES = 32;

  private static final byte[] MAGIC = "CARROTEC".getBytes(StandardCharsets.US_ASCII);
  private static final int FIXED_HEADER = MAGIC.length + 12;
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingCache.class);
  private static final Map<Path, EmbeddingCache> OPEN = new HashMap<>();

  private final Path file;
  private final String embedderId;
  private final ConcurrentHashMap<Key, float[]> vectors = new ConcurrentHashMap<>();
  // Guarded by this: the append channel, file length, dimension once known, references.
  private FileChannel channel;
  private long length;
  private int headerLength;
  private volatile int dimension;
  private int references = 1;
  private boolean writable = true;

  private EmbeddingCache(Path file, String embedderId) {
    this.file = file;
    this.embedderId = embedderId;
  }

  /** {@code $CARROT_CACHE_DIR}, else {@code ~/.cache/carrot/embeddings}. */
  public static Path defaultDirectory() {
    String env = System.getenv(CACHE_DIR_ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env.strip());
    }
    return Path.of(System.getProperty("user.home"), ".cache", "carrot", "embeddings");
  }

  /** Opens (or joins, if already open in this JVM) the store of {@code embedderId} in {@code directory}. */
  public static EmbeddingCache open(Path directory, String embedderId) {
    if (embedderId == null || embedderId.isBlank()) {
      throw new CarrotException("embedderId: '" + embedderId + "'; expected a non-blank embedder id");
    }
    Path file = directory.resolve(fileName(embedderId)).toAbsolutePath().normalize();
    synchronized (OPEN) {
      EmbeddingCache existing = OPEN.get(file);
      if (existing != null) {
        synchronized (existing) {
          existing.references++;
        }
        return existing;
      }
      EmbeddingCache cache = new EmbeddingCache(file, embedderId);
      cache.load();
      OPEN.put(file, cache);
      return cache;
    }
  }

  /** File name for an id: readable, filesystem-safe, and distinct for distinct ids. */
  static String fileName(String embedderId) {
    StringBuilder sb = new StringBuilder(embedderId.length() + 16);
    for (int i = 0; i < embedderId.length() && sb.length() < 100; i++) {
      char c = embedderId.charAt(i);
      boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.';
      sb.append(safe ? c : '_');
    }
    String hash = HexFormat.of().formatHex(sha256(embedderId), 0, 4);
    return sb.append('-').append(hash).append(".emb").toString();
  }

  /** SHA-256 of the UTF-8 bytes of {@code text}: the cache key. */
  public static byte[] sha256(String text) {
    return digest().digest(text.getBytes(StandardCharsets.UTF_8));
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM must provide SHA-256", e);
    }
  }

  /** The cache file. */
  public Path file() {
    return file;
  }

  /** The embedder whose vectors this cache holds. */
  public String embedderId() {
    return embedderId;
  }

  /** Vector length of the stored records; 0 while the store is empty and new. */
  @Override
  public int dimension() {
    return dimension;
  }

  /** Memory held by the vectors (the whole file is kept in memory). */
  @Override
  public long bytes() {
    int d = dimension;
    return (long) vectors.size() * (4L * d + MemoryVectorCache.ENTRY_OVERHEAD);
  }

  /** Number of distinct texts stored. */
  @Override
  public int size() {
    return vectors.size();
  }

  /** A copy of the vector stored for a text's SHA-256, or null. */
  @Override
  public float[] get(byte[] sha256) {
    if (sha256.length != HASH_BYTES) {
      throw new CarrotException("sha256: " + sha256.length + " bytes; expected 32");
    }
    float[] v = vectors.get(Key.of(sha256, 0));
    return v == null ? null : v.clone();
  }

  /** A copy of the vector stored for {@code text}, or null. */
  public float[] get(String text) {
    return get(sha256(text));
  }

  /**
   * Stores vectors for texts given by their SHA-256s, appending the new ones to the file in one
   * write; hashes already stored are skipped.
   */
  @Override
  public synchronized void putAll(byte[][] hashes, float[][] rows) {
    if (hashes.length != rows.length) {
      throw new CarrotException(
          "putAll: " + hashes.length + " hashes and " + rows.length + " vectors; expected equal counts");
    }
    if (references == 0) {
      throw new CarrotException("embedding cache " + file + ": used after close()");
    }
    if (rows.length == 0) {
      return;
    }
    if (dimension == 0) {
      dimension = rows[0].length;
      writeHeader();
    }
    Map<Key, float[]> fresh = new HashMap<>();
    for (int i = 0; i < rows.length; i++) {
      if (hashes[i].length != HASH_BYTES) {
        throw new CarrotException("hashes[" + i + "]: " + hashes[i].length + " bytes; expected 32 (SHA-256)");
      }
      if (rows[i].length != dimension) {
        throw new CarrotException(
            "vectors[" + i + "]: length " + rows[i].length + "; expected " + dimension
                + " as stored in " + file + " for " + embedderId);
      }
      Key key = Key.of(hashes[i], 0);
      if (!vectors.containsKey(key)) {
        fresh.put(key, rows[i].clone());
      }
    }
    if (fresh.isEmpty()) {
      return;
    }
    append(fresh);
    vectors.putAll(fresh);
  }

  private int recordBytes() {
    return HASH_BYTES + 4 * dimension;
  }

  private void append(Map<Key, float[]> fresh) {
    if (!writable) {
      return;
    }
    ByteBuffer buf = ByteBuffer.allocate(fresh.size() * recordBytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (Map.Entry<Key, float[]> e : fresh.entrySet()) {
      e.getKey().writeTo(buf);
      for (float f : e.getValue()) {
        buf.putFloat(f);
      }
    }
    buf.flip();
    try (FileLock lock = lock()) {
      long at = alignedEnd();
      while (buf.hasRemaining()) {
        at += channel.write(buf, at);
      }
      length = at;
    } catch (IOException e) {
      // Losing persistence must not fail embedding: keep serving from memory.
      writable = false;
      LOG.warn("Embedding cache {}: cannot append ({}); keeping new vectors in memory only", file, e.toString());
    }
  }

  private void writeHeader() {
    if (!writable) {
      return;
    }
    byte[] id = embedderId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(FIXED_HEADER + id.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putInt(VERSION).putInt(dimension).putInt(id.length).put(id).flip();
    try (FileLock lock = lock()) {
      long size = channel.size();
      if (size > 0) { // another process wrote the header since this one opened the file
        length = size;
        int wanted = dimension;
        if (readHeader() < 0) {
          throw new IOException("another process left a torn header");
        }
        if (dimension != wanted) {
          throw new CarrotException("embedding cache " + file + ": another process stores " + dimension
              + "-dimensional vectors of " + embedderId + "; expected " + wanted);
        }
        headerLength = FIXED_HEADER + id.length;
        return;
      }
      long at = 0;
      while (buf.hasRemaining()) {
        at += channel.write(buf, at);
      }
      length = at;
      headerLength = (int) at;
    } catch (IOException e) {
      writable = false;
      LOG.warn("Embedding cache {}: cannot write header ({}); caching in memory only", file, e.toString());
    }
  }

  /**
   * An exclusive lock on the whole file, so that processes sharing it append in turn; null where the
   * file system has no locks (then this process assumes it is alone).
   */
  private FileLock lock() {
    try {
      return channel.lock();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("Embedding cache {}: no file lock ({}); assuming a single writer", file, e.toString());
      return null;
    }
  }

  /**
   * Where the next record goes: the file's current end (other processes may have appended), cut
   * back to a whole record if a crashed writer left part of one. Call with the lock held.
   */
  private long alignedEnd() throws IOException {
    long size = channel.size();
    long whole = headerLength + (size - headerLength) / recordBytes() * recordBytes();
    if (whole != size) {
      channel.truncate(whole);
    }
    return whole;
  }

  private void load() {
    try {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      writable = false;
      LOG.warn("Embedding cache {}: cannot open ({}); caching in memory only", file, e.toString());
      return;
    }
    try (FileLock lock = lock()) { // a writing process must not be mistaken for a torn record
      length = channel.size();
      if (length == 0) {
        return;
      }
      headerLength = readHeader();
      if (headerLength < 0) {
        // A crash while the header was written: nothing else can be in the file.
        LOG.warn("Embedding cache {}: torn header; starting empty", file);
        channel.truncate(0);
        length = 0;
        headerLength = 0;
        return;
      }
      int record = recordBytes();
      long records = (length - headerLength) / record;
      long valid = headerLength + records * record;
      if (valid != length) {
        LOG.warn("Embedding cache {}: dropping a torn final record ({} bytes) left by an interrupted write",
            file, length - valid);
        channel.truncate(valid);
        length = valid;
      }
      readRecords(headerLength, records);
      LOG.debug("Embedding cache {}: loaded {} vectors of {}", file, vectors.size(), embedderId);
    } catch (IOException e) {
      throw new CarrotException("embedding cache " + file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Validates the header; returns its length, or -1 if the file ends inside it. */
  private int readHeader() throws IOException {
    ByteBuffer fixed = ByteBuffer.allocate(FIXED_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    readFully(fixed, 0);
    int got = fixed.position();
    byte[] magic = Arrays.copyOf(fixed.array(), Math.min(got, MAGIC.length));
    if (!Arrays.equals(magic, Arrays.copyOf(MAGIC, magic.length))) {
      throw new CarrotException(
          "embedding cache " + file + ": does not start with the CARROTEC magic; expected a carrot "
              + "embedding cache file (delete it or choose another cache directory)");
    }
    if (got < FIXED_HEADER) {
      return -1;
    }
    fixed.flip().position(MAGIC.length);
    int version = fixed.getInt();
    int dim = fixed.getInt();
    int idLength = fixed.getInt();
    if (version != VERSION) {
      throw new CarrotException(
          "embedding cache " + file + ": format version " + version + "; expected " + VERSION
              + " (delete the file to rebuild it)");
    }
    if (dim <= 0 || idLength <= 0 || idLength > 65_536) {
      throw new CarrotException(
          "embedding cache " + file + ": header has dimension " + dim + " and id length " + idLength
              + "; expected positive values (the file is corrupt: delete it)");
    }
    if (length < FIXED_HEADER + idLength) {
      return -1;
    }
    ByteBuffer idBuf = ByteBuffer.allocate(idLength);
    readFully(idBuf, FIXED_HEADER);
    String id = new String(idBuf.array(), StandardCharsets.UTF_8);
    if (!id.equals(embedderId)) {
      throw new CarrotException(
          "embedding cache " + file + ": holds vectors of '" + id + "'; expected '" + embedderId + "'");
    }
    dimension = dim;
    return FIXED_HEADER + idLength;
  }

  private void readRecords(long offset, long records) throws IOException {
    int record = recordBytes();
    int perChunk = Math.max(1, (1 << 20) / record);
    ByteBuffer buf = ByteBuffer.allocate(perChunk * record).order(ByteOrder.LITTLE_ENDIAN);
    long pos = offset;
    long left = records;
    while (left > 0) {
      int n = (int) Math.min(perChunk, left);
      buf.clear().limit(n * record);
      readFully(buf, pos);
      buf.flip();
      for (int r = 0; r < n; r++) {
        Key key = Key.of(buf.array(), r * record);
        buf.position(r * record + HASH_BYTES);
        float[] v = new float[dimension];
        for (int d = 0; d < dimension; d++) {
          v[d] = buf.getFloat();
        }
        vectors.putIfAbsent(key, v);
      }
      pos += (long) n * record;
      left -= n;
    }
  }

  private void readFully(ByteBuffer buf, long at) throws IOException {
    long pos = at;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) {
        return;
      }
      pos += n;
    }
  }

  /** Releases this reference; the file is closed when the last one is released. */
  @Override
  public void close() {
    synchronized (OPEN) {
      synchronized (this) {
        if (references == 0) {
          return;
        }
        if (--references > 0) {
          return;
        }
        OPEN.remove(file, this);
        if (channel != null) {
          try {
            channel.close();
          } catch (IOException e) {
            LOG.warn("Embedding cache {}: close failed: {}", file, e.toString());
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return "EmbeddingCache[" + embedderId + " @ " + file + ", " + vectors.size() + " vectors]";
  }

  /** The 32 hash bytes as four longs: compact, and equals/hashCode for free. */
  record Key(long a, long b, long c, long d) {
    static Key of(byte[] bytes, int offset) {
      ByteBuffer bb = ByteBuffer.wrap(bytes, offset, HASH_BYTES);
      return new Key(bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong());
    }

    void writeTo(ByteBuffer buf) {
      ByteOrder order = buf.order();
      buf.order(ByteOrder.BIG_ENDIAN).putLong(a).putLong(b).putLong(c).putLong(d).order(order);
    }
  }
}
