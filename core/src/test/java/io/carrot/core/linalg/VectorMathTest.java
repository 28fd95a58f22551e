package io.carrot.core.linalg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorMathTest {
  @Test
  void handComputedValues() {
    assertThat(VectorMath.normalized(new float[] {3, 4})).containsExactly(0.6f, 0.8f);
    assertThat(VectorMath.normalized(new double[] {3, 4})).containsExactly(0.6f, 0.8f);
    assertThat(VectorMath.dot(new float[] {1, 2, 3}, new float[] {4, -5, 6})).isEqualTo(12f);
    assertThat(VectorMath.squaredNorm(new float[] {1, 2, 2})).isEqualTo(9.0);
    float[] rows = {3, 4, 0, 0, 0, 5};
    VectorMath.normalizeRows(rows, 2);
    assertThat(rows).containsExactly(0.6f, 0.8f, 0f, 0f, 0f, 1f);
  }

  @Test
  void zeroStaysZeroAndTheInputIsNotTouchedByTheCopy() {
    float[] z = {0, 0, 0};
    assertThat(VectorMath.normalized(z)).containsExactly(0f, 0f, 0f);
    float[] v = {1, 1};
    VectorMath.normalized(v);
    assertThat(v).containsExactly(1f, 1f);
    assertThat(VectorMath.normalized(new double[] {0, 1e-13})).containsExactly(0f, 0f);
  }

  @Test
  void everyWayOfNormalisingGivesTheSameBits() {
    Random r = new Random(11);
    for (int t = 0; t < 200; t++) {
      int d = 1 + r.nextInt(400);
      float[] v = new float[d];
      for (int i = 0; i < d; i++) {
        v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
      }
      float[] copy = VectorMath.normalized(v);
      float[] inPlace = v.clone();
      VectorMath.normalizeInPlace(inPlace);
      float[] asRow = v.clone();
      VectorMath.normalizeRows(asRow, d);
      assertThat(inPlace).containsExactly(copy);
      assertThat(asRow).containsExactly(copy);
      assertThat(VectorMath.squaredNorm(copy)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
  }
}
