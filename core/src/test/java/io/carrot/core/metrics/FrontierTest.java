package io.carrot.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrontierTest {
  static Point p(double cost, double quality) {
    return new Point(Double.NaN, cost, quality);
  }

  // Hull by hand: (1.5, .3) is under the chord (1, .2)-(2, .5); (2, .3) shares a cost with (2, .5);
  // (4, .55) is after the top (3, .6), so the non-decreasing hull ends at (3, .6).
  static final List<Point> POINTS = List.of(p(1, 0.2), p(2, 0.5), p(3, 0.6), p(4, 0.55), p(2, 0.3), p(1.5, 0.3));

  @Test
  void verticesByHand() {
    assertThat(Frontier.vertices(POINTS)).extracting(Point::cost).containsExactly(1.0, 2.0, 3.0);
    assertThat(Frontier.vertices(POINTS)).extracting(Point::quality).containsExactly(0.2, 0.5, 0.6);
  }

  @Test
  void collinearMiddlePointIsNotAVertex() {
    assertThat(Frontier.vertices(List.of(p(0, 0), p(1, 1), p(2, 2)))).extracting(Point::cost).containsExactly(0.0, 2.0);
  }

  @Test
  void qualityAtIsZeroBelowLinearBetweenFlatAbove() {
    Frontier f = Frontier.of(POINTS);
    assertThat(f.qualityAt(0.5)).isEqualTo(0.0);
    assertThat(f.qualityAt(1)).isEqualTo(0.2);
    assertThat(f.qualityAt(1.5)).isCloseTo(0.35, offset(1e-12));
    assertThat(f.qualityAt(2.5)).isCloseTo(0.55, offset(1e-12));
    assertThat(f.qualityAt(10)).isEqualTo(0.6);
  }

  @Test
  void theCheapestPointIsReachedDespiteRoundingOfItsCost() {
    Frontier f = Frontier.of(POINTS); // cheapest vertex (1, 0.2), dearest 3
    // the same choices summed in another order: a few ulps below the vertex
    assertThat(f.qualityAt(Math.nextDown(1.0))).isEqualTo(0.2);
    assertThat(f.qualityAt(1 - 2e-9)).isEqualTo(0.2);
    assertThat(f.reaches(1 - 2e-9)).isTrue();
    // clearly below: the router cannot operate there
    assertThat(f.qualityAt(1 - 4e-9)).isEqualTo(0.0);
    assertThat(f.reaches(0.99)).isFalse();
    // a free cheapest vertex: a mean cost below 0 can only be rounding of 0
    Frontier free = Frontier.of(List.of(p(0, 0.4), p(1e-5, 0.7)));
    assertThat(free.qualityAt(-2.71e-21)).isEqualTo(0.4);
    assertThat(free.qualityAt(0)).isEqualTo(0.4);
    // every point at one cost, and that cost 0
    Frontier flat = Frontier.of(List.of(p(0, 0.3), p(0, 0.5)));
    assertThat(flat.qualityAt(-1e-30)).isEqualTo(0.5);
    assertThat(flat.qualityAt(1)).isEqualTo(0.5);
  }

  @Test
  void integralByHand() {
    Frontier f = Frontier.of(POINTS);
    // [0,1]: 0; [1,2]: (.2+.5)/2 = .35; [2,3]: .55; [3,4]: .6
    assertThat(f.integral(0, 4)).isCloseTo(1.5, offset(1e-12));
    assertThat(f.integral(1.5, 2.5)).isCloseTo(0.5 * (0.35 + 0.5) / 2 + 0.5 * (0.5 + 0.55) / 2, offset(1e-12));
    assertThat(f.integral(5, 7)).isCloseTo(1.2, offset(1e-12));
  }

  @Test
  void costToReachByHand() {
    Frontier f = Frontier.of(POINTS);
    assertThat(f.costToReach(0.5)).isEqualTo(2.0);
    assertThat(f.costToReach(0.35)).isCloseTo(1.5, offset(1e-12));
    assertThat(f.costToReach(0.1)).isEqualTo(1.0);
    assertThat(f.costToReach(0)).isEqualTo(0.0);
    assertThat(f.costToReach(0.7)).isNaN();
    // within the tolerance of a vertex: that vertex's cost exactly
    assertThat(f.costToReach(0.5 + 1e-13)).isEqualTo(2.0);
    assertThat(f.costToReach(0.6 + 1e-13)).isEqualTo(3.0);
  }

  @Test
  void badPointsAreRejected() {
    assertThatThrownBy(() -> Frontier.of(List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> Frontier.of(List.of(p(Double.NaN, 1)))).hasMessageContaining("finite");
  }

  @Test
  void hullIsAtOrAboveEveryPointAndNonDecreasing() {
    Random r = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      List<Point> pts = new ArrayList<>();
      int n = 1 + r.nextInt(30);
      for (int i = 0; i < n; i++) {
        pts.add(p(r.nextInt(10) * 0.1 + r.nextDouble() * 0.01, r.nextDouble()));
      }
      Frontier f = Frontier.of(pts);
      for (Point q : pts) {
        assertThat(f.qualityAt(q.cost())).isGreaterThanOrEqualTo(q.quality() - 1e-12);
      }
      double prev = 0;
      for (double c = 0; c < 1.2; c += 0.01) {
        double v = f.qualityAt(c);
        assertThat(v).isGreaterThanOrEqualTo(prev - 1e-12);
        prev = v;
      }
      assertThat(f.maxQuality()).isEqualTo(pts.stream().mapToDouble(Point::quality).max().orElseThrow());
    }
  }
}
