package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingEmbedderTest {

  @TempDir Path dir;

  /** Deterministic 3-d unit vectors derived from the text; records every batch it receives. */
  static final class FakeEmbedder implements Embedder {
    final String id;
    final List<List<String>> calls = new CopyOnWriteArrayList<>();

    FakeEmbedder(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public int dimension() {
      return 3;
    }

    @Override
    public float[][] embed(List<String> texts) {
      calls.add(List.copyOf(texts));
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) {
        out[i] = vector(id, texts.get(i));
      }
      return out;
    }

    static float[] vector(String id, String text) {
      double a = text.length() + 1;
      double b = (text + id).hashCode() % 7;
      double c = 1;
      double n = Math.sqrt(a * a + b * b + c * c);
      return new float[] {(float) (a / n), (float) (b / n), (float) (c / n)};
    }
  }

  private static int headerBytes(String id) {
    return 8 + 12 + id.getBytes(StandardCharsets.UTF_8).length;
  }

  private static final int RECORD = 32 + 3 * 4;

  @Test
  void hitsDoNotCallTheDelegateAndMissesGoInOneDeduplicatedBatch() {
    FakeEmbedder fake = new FakeEmbedder("fake/v1");
    try (CachingEmbedder c = new CachingEmbedder(fake, dir)) {
      assertThat(c.id()).isEqualTo("fake/v1");
      float[][] first = c.embed(List.of("a", "b", "a"));
      assertThat(fake.calls).containsExactly(List.of("a", "b"));
      assertThat(first[0]).containsExactly(FakeEmbedder.vector("fake/v1", "a"));
      assertThat(first[2]).containsExactly(first[0]);

      float[][] second = c.embed(List.of("b", "a"));
      assertThat(fake.calls).hasSize(1);
      assertThat(second[0]).containsExactly(first[1]);

      c.embed(List.of("a", "c", "b", "d"));
      assertThat(fake.calls).containsExactly(List.of("a", "b"), List.of("c", "d"));
      assertThat(c.hits()).isEqualTo(4);
      assertThat(c.misses()).isEqualTo(4);
    }
  }

  @Test
  void callersCannotCorruptCachedVectors() {
    try (CachingEmbedder c = new CachingEmbedder(new FakeEmbedder("fake/v1"), dir)) {
      c.embed("a")[0] = 42f;
      float[] hit = c.embed("a");
      hit[1] = 42f;
      assertThat(c.embed("a")).containsExactly(FakeEmbedder.vector("fake/v1", "a"));
    }
  }

  @Test
  void persistsAcrossReopenWithTheDocumentedLayout() throws IOException {
    try (CachingEmbedder c = new CachingEmbedder(new FakeEmbedder("fake/v1"), dir)) {
      c.embed(List.of("x", "y"));
      c.embed(List.of("z"));
    }
    Path file = dir.resolve(EmbeddingCache.fileName("fake/v1"));
    assertThat(file.getFileName().toString()).startsWith("fake_v1-").endsWith(".emb");
    assertThat(Files.size(file)).isEqualTo(headerBytes("fake/v1") + 3L * RECORD);
    ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[8];
    header.get(magic);
    assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("CARROTEC");
    assertThat(header.getInt()).isEqualTo(1);
    assertThat(header.getInt()).isEqualTo(3);
    assertThat(header.getInt()).isEqualTo(7);

    FakeEmbedder fresh = new FakeEmbedder("fake/v1");
    try (CachingEmbedder c = new CachingEmbedder(fresh, dir)) {
      assertThat(c.cache().size()).isEqualTo(3);
      float[][] v = c.embed(List.of("z", "x", "y"));
      assertThat(fresh.calls).isEmpty();
      assertThat(v[0]).containsExactly(FakeEmbedder.vector("fake/v1", "z"));
      assertThat(v[1]).containsExactly(FakeEmbedder.vector("fake/v1", "x"));
    }
  }

  /** What another process sharing the file appends: one record for {@code text}. */
  private static void appendAsAnotherProcess(Path file, String id, String text, boolean withHeader) throws IOException {
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate((withHeader ? headerBytes(id) : 0) + RECORD).order(ByteOrder.LITTLE_ENDIAN);
    if (withHeader) {
      buf.put("CARROTEC".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(3).putInt(idBytes.length).put(idBytes);
    }
    buf.put(EmbeddingCache.sha256(text));
    for (float f : FakeEmbedder.vector(id, text)) {
      buf.putFloat(f);
    }
    buf.flip();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  @Test
  void anotherProcessesRecordsAreNeverOverwritten() throws IOException {
    Path file = dir.resolve(EmbeddingCache.fileName("fake/v1"));
    try (CachingEmbedder c = new CachingEmbedder(new FakeEmbedder("fake/v1"), dir)) {
      c.embed(List.of("mine"));
      appendAsAnotherProcess(file, "fake/v1", "theirs", false); // e.g. carrot serve next to carrot train
      c.embed(List.of("mine too"));
    }
    assertThat(Files.size(file)).isEqualTo(headerBytes("fake/v1") + 3L * RECORD);
    try (EmbeddingCache cache = EmbeddingCache.open(dir, "fake/v1")) {
      assertThat(cache.size()).isEqualTo(3);
      assertThat(cache.get("theirs")).containsExactly(FakeEmbedder.vector("fake/v1", "theirs"));
      assertThat(cache.get("mine too")).containsExactly(FakeEmbedder.vector("fake/v1", "mine too"));
    }
  }

  @Test
  void aHeaderAnotherProcessWroteFirstIsKept() throws IOException {
    Path file = dir.resolve(EmbeddingCache.fileName("fake/v1"));
    try (CachingEmbedder c = new CachingEmbedder(new FakeEmbedder("fake/v1"), dir)) {
      assertThat(Files.size(file)).isZero(); // opened while empty
      appendAsAnotherProcess(file, "fake/v1", "theirs", true);
      c.embed(List.of("mine"));
    }
    try (EmbeddingCache cache = EmbeddingCache.open(dir, "fake/v1")) {
      assertThat(cache.size()).isEqualTo(2);
      assertThat(cache.get("theirs")).isNotNull();
      assertThat(cache.get("mine")).isNotNull();
    }
  }

  @Test
  void truncatedFinalRecordIsDroppedNotFatal() throws IOException {
    try (CachingEmbedder c = new CachingEmbedder(new FakeEmbedder("fake/v1"), dir)) {
      c.embed(List.of("keep"));
      c.embed(List.of("torn"));
    }
    Path file = dir.resolve(EmbeddingCache.fileName("fake/v1"));
    long full = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(full - 5); // a crash in the middle of writing the second record
    }

    FakeEmbedder fake = new FakeEmbedder("fake/v1");
    try (CachingEmbedder c = new CachingEmbedder(fake, dir)) {
      assertThat(c.cache().size()).isEqualTo(1);
      assertThat(Files.size(file)).isEqualTo(headerBytes("fake/v1") + RECORD);
      float[][] v = c.embed(List.of("keep", "torn"));
      assertThat(fake.calls).containsExactly(List.of("torn"));
      assertThat(v[1]).containsExactly(FakeEmbedder.vector("fake/v1", "torn"));
    }
    assertThat(Files.size(file)).isEqualTo(full);
    try (EmbeddingCache cache = EmbeddingCache.open(dir, "fake/v1")) {
      assertThat(cache.size()).isEqualTo(2);
      assertThat(cache.get("torn")).containsExactly(FakeEmbedder.vector("fake/v1", "torn"));
    }
  }

  @Test
  void tornHeaderStartsEmpty() throws IOException {
    Path file = dir.resolve(EmbeddingCache.fileName("fake/v1"));
    Files.write(file, "CARRO".getBytes(StandardCharsets.US_ASCII));
    try (CachingEmbedder c = new CachingEmbedder(new FakeEmbedder("fake/v1"), dir)) {
      assertThat(c.cache().size()).isZero();
      c.embed("a");
    }
    try (EmbeddingCache cache = EmbeddingCache.open(dir, "fake/v1")) {
      assertThat(cache.size()).isEqualTo(1);
    }
  }

  @Test
  void differentEmbedderIdsDoNotMix() {
    FakeEmbedder x = new FakeEmbedder("model-x/head-256");
    FakeEmbedder y = new FakeEmbedder("model-y/head-256");
    try (CachingEmbedder cx = new CachingEmbedder(x, dir); CachingEmbedder cy = new CachingEmbedder(y, dir)) {
      float[] vx = cx.embed("same text");
      float[] vy = cy.embed("same text");
      assertThat(x.calls).hasSize(1);
      assertThat(y.calls).hasSize(1);
      assertThat(vx).isNotEqualTo(vy);
      assertThat(((EmbeddingCache) cx.cache()).file()).isNotEqualTo(((EmbeddingCache) cy.cache()).file());
    }
  }

  @Test
  void foreignFilesAreRejectedNotOverwritten() throws IOException {
    Path file = dir.resolve(EmbeddingCache.fileName("fake/v1"));
    Files.writeString(file, "this is not a cache file at all");
    assertThatThrownBy(() -> new CachingEmbedder(new FakeEmbedder("fake/v1"), dir))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining(file.getFileName().toString())
        .hasMessageContaining("magic");
    assertThat(Files.readString(file)).isEqualTo("this is not a cache file at all");
  }

  @Test
  void concurrentUseWithinOneJvm() throws Exception {
    FakeEmbedder fake = new FakeEmbedder("fake/v1");
    // Two wrappers over one id share one store, as two routers in one process would.
    try (CachingEmbedder a = new CachingEmbedder(fake, dir); CachingEmbedder b = new CachingEmbedder(fake, dir)) {
      assertThat(a.cache()).isSameAs(b.cache());
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          CachingEmbedder c = t % 2 == 0 ? a : b;
          int offset = t;
          futures.add(pool.submit(() -> {
            for (int round = 0; round < 50; round++) {
              List<String> texts = new ArrayList<>();
              for (int k = 0; k < 5; k++) {
                texts.add("text-" + ((round * 5 + k + offset) % 100));
              }
              float[][] v = c.embed(texts);
              for (int k = 0; k < texts.size(); k++) {
                assertThat(v[k]).containsExactly(FakeEmbedder.vector("fake/v1", texts.get(k)));
              }
            }
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(a.cache().size()).isEqualTo(100);
    }
    try (EmbeddingCache cache = EmbeddingCache.open(dir, "fake/v1")) {
      assertThat(cache.size()).isEqualTo(100);
      assertThat(Files.size(cache.file())).isEqualTo(headerBytes("fake/v1") + 100L * RECORD);
    }
  }

  @Test
  void defaultDirectory() {
    String env = System.getenv(EmbeddingCache.CACHE_DIR_ENV);
    Path expected = env == null || env.isBlank()
        ? Path.of(System.getProperty("user.home"), ".cache", "carrot", "embeddings")
        : Path.of(env.strip());
    assertThat(EmbeddingCache.defaultDirectory()).isEqualTo(expected);
  }
}
