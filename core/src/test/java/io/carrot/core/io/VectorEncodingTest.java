package io.carrot.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.files.Json;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorEncodingTest {
  @TempDir Path tmp;

  @Test
  void halfPrecisionAndInt8CodesOfKnownValues() {
    // 1, -2 and 0.5 are exact in float16; 1/3 rounds to 0x3555 = 0.333251953125
    float[] back = VectorEncoding.fromF16(VectorEncoding.toF16(new float[] {1f, -2f, 0.5f, 1f / 3}), "t");
    assertThat(back).containsExactly(1f, -2f, 0.5f, 0.333251953125f);
    float[] scales = new float[2];
    byte[] codes = VectorEncoding.toI8(new float[] {0.5f, -0.25f, 0f, 0f}, 2, scales);
    // row 0: scale 0.5 / 127, codes 127 and round(-63.5) = -63; an all-zero row keeps scale 1
    assertThat(scales).containsExactly(0.5f / 127, 1f);
    assertThat(codes).containsExactly(127, -63, 0, 0);
    float[] decoded = VectorEncoding.fromI8(codes, scales, 2);
    assertThat(decoded[0]).isEqualTo(0.5f);
    assertThat(decoded[1]).isCloseTo(-0.248f, offset(1e-3f));
    assertThatThrownBy(() -> VectorEncoding.parse("bf16")).hasMessage("embedding encoding must be one of f32, f16, i8, got 'bf16'");
  }

  @Test
  void compactFilesAreVersionTwoSmallerAndDecideLikeFloat32() throws IOException {
    Router r = RouterFileTest.tinyRouter();
    Path f32 = tmp.resolve("f32.carrot");
    RouterFile.save(r, f32);
    int agreeF16 = 0;
    int agreeI8 = 0;
    int total = 0;
    for (VectorEncoding enc : new VectorEncoding[] {VectorEncoding.F16, VectorEncoding.I8}) {
      Path f = tmp.resolve(enc.id() + ".carrot");
      RouterFile.save(r, f, enc);
      JsonNode meta = routerJson(f);
      assertThat(meta.path("format_version").asInt()).isEqualTo(2);
      assertThat(meta.path("estimator").path("embeddings_encoding").asText()).isEqualTo(enc.id());
      assertThat(entrySize(f, "knn/embeddings." + enc.id())).isEqualTo(60L * 8 * (enc == VectorEncoding.F16 ? 2 : 1));
      Router back = RouterFile.load(f);
      KnnPredictor a = (KnnPredictor) r.predictor();
      KnnPredictor b = (KnnPredictor) back.predictor();
      for (int j = 0; j < 60; j++) {
        float[] x = a.index().row(j);
        float[] y = b.index().row(j);
        double norm = 0;
        for (int i = 0; i < 8; i++) {
          // int8 keeps 1/254 of the row's largest entry, float16 11 significant bits
          assertThat(y[i]).isCloseTo(x[i], offset(enc == VectorEncoding.F16 ? 1e-3f : 8e-3f));
          norm += y[i] * y[i];
        }
        assertThat(norm).isCloseTo(1, offset(1e-5));
      }
      for (float[] q : RouterFileTest.queries()) {
        for (double mu : new double[] {0, 0.05, 0.5}) {
          boolean same = back.route(q, 100, RouteOptions.mu(mu)).model().equals(r.route(q, 100, RouteOptions.mu(mu)).model());
          if (enc == VectorEncoding.F16) {
            agreeF16 += same ? 1 : 0;
            total++;
          } else {
            agreeI8 += same ? 1 : 0;
          }
        }
      }
    }
    assertThat(total).isEqualTo(75);
    assertThat(agreeF16).isEqualTo(75);
    assertThat(agreeI8).isGreaterThanOrEqualTo(72);
    assertThat(routerJson(f32).path("format_version").asInt()).isEqualTo(1);
  }

  @Test
  void truncatedInt8EntriesAreReportedWithTheirSizes() throws IOException {
    Path f = tmp.resolve("i8.carrot");
    RouterFile.save(RouterFileTest.tinyRouter(), f, VectorEncoding.I8);
    Path broken = tmp.resolve("broken.carrot");
    try (ZipFile in = new ZipFile(f.toFile());
        var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(broken))) {
      for (var e : java.util.Collections.list(in.entries())) {
        out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        byte[] b = in.getInputStream(e).readAllBytes();
        out.write(e.getName().equals("knn/embeddings.i8") ? java.util.Arrays.copyOf(b, 100) : b);
      }
    }
    assertThatThrownBy(() -> RouterFile.load(broken))
        .hasMessageContaining("knn/embeddings.i8 has 100 codes and 60 scales, expected 60 x 8 and 60");
  }

  private static JsonNode routerJson(Path f) throws IOException {
    try (ZipFile z = new ZipFile(f.toFile()); InputStream in = z.getInputStream(z.getEntry("router.json"))) {
      return Json.MAPPER.readTree(in);
    }
  }

  private static long entrySize(Path f, String name) throws IOException {
    try (ZipFile z = new ZipFile(f.toFile())) {
      return z.getEntry(name).getSize();
    }
  }
}
