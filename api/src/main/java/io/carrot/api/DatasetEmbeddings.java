package io.carrot.api;

import io.carrot.core.CarrotException;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.embed.Embedder;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.linalg.VectorMath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/** Embeds the prompts of a dataset, or looks them up in a precomputed {@code .f32} file. */
public final class DatasetEmbeddings {
  private static final int BATCH = 32;

  private DatasetEmbeddings() {}

  /** Embeds {@code rows} in batches; {@code progress} receives the count done so far. */
  public static float[][] embed(Embedder embedder, List<PromptRecord> rows, IntConsumer progress) {
    float[][] out = new float[rows.size()][];
    for (int start = 0; start < rows.size(); start += BATCH) {
      int end = Math.min(rows.size(), start + BATCH);
      List<String> texts = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        texts.add(rows.get(i).prompt());
      }
      float[][] v = embedder.embed(texts);
      System.arraycopy(v, 0, out, start, v.length);
      progress.accept(end);
    }
    return out;
  }

  /** Rows of a precomputed embeddings file, in the order of {@code rows} (matched by id). */
  public static float[][] lookup(Path f32, List<PromptRecord> rows) {
    FloatArrays.Matrix m = FloatArrays.readMatrix(f32);
    Map<String, Integer> idx = new HashMap<>();
    for (int i = 0; i < m.ids().size(); i++) {
      idx.put(m.ids().get(i), i);
    }
    float[][] out = new float[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      Integer j = idx.get(rows.get(i).id());
      if (j == null) {
        throw new CarrotException(
            f32 + " has no embedding for prompt id '" + rows.get(i).id() + "' (ids come from " + f32 + ".ids)");
      }
      out[i] = VectorMath.normalized(m.rows()[j]);
    }
    return out;
  }

}
