package io.carrot.core.metrics;

import static io.carrot.core.metrics.FrontierTest.p;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import io.carrot.core.metrics.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every metric on hand-made frontiers, values computed by hand in the comments. */
class MetricFormulasTest {
  // single models: W cheapest (1, .2), S best (3, .6), X dearest (4, .55)
  static final List<Point> SINGLES = List.of(p(1, 0.2), p(3, 0.6), p(4, 0.55));
  static final Anchors A = Anchors.of(SINGLES);

  @Test
  void anchorsByHand() {
    assertThat(A).isEqualTo(new Anchors(3, 0.6, 1, 0.2, 1, 4));
    // ties: equal quality -> cheaper is best; equal cost -> better is weak
    Anchors t = Anchors.of(List.of(p(2, 0.5), p(1, 0.5), p(1, 0.7)));
    assertThat(t.bestCost()).isEqualTo(1.0);
    assertThat(t.bestQuality()).isEqualTo(0.7);
    assertThat(t.weakQuality()).isEqualTo(0.7);
  }

  @Test
  void normalizedAucOnRawPoints() {
    // distinct costs at their best quality: (1,.2) (1.5,.3) (2,.5) (3,.6) (4,.55)
    // areas .125 + .2 + .55 + .575 = 1.45 over width 3
    assertThat(MetricFormulas.normalizedAuc(FrontierTest.POINTS)).isCloseTo(1.45 / 3, offset(1e-12));
    assertThat(MetricFormulas.normalizedAuc(List.of(p(2, 0.4), p(2, 0.7)))).isEqualTo(0.7);
  }

  @Test
  void aiqOverTheCommonRange() {
    Frontier f = Frontier.of(FrontierTest.POINTS);
    // integral over [1, 4] = .35 + .55 + .6 = 1.5, width 3
    assertThat(MetricFormulas.aiq(f, A)).isCloseTo(0.5, offset(1e-12));
    // over [0, 4] the router scores 0 below its cheapest point: 1.5 / 4
    assertThat(MetricFormulas.aiq(f, 0, 4)).isCloseTo(0.375, offset(1e-12));
    assertThat(MetricFormulas.aiq(f, 2.5, 2.5)).isCloseTo(0.55, offset(1e-12));
  }

  @Test
  void pgrApgrAndCpt() {
    Frontier f = Frontier.of(FrontierTest.POINTS);
    assertThat(MetricFormulas.pgr(0.4, A)).isCloseTo(0.5, offset(1e-12));
    // AIQ over [1, 3] = (.35 + .55) / 2 = .45 -> PGR (.45 - .2) / .4
    assertThat(MetricFormulas.apgr(f, A)).isCloseTo(0.625, offset(1e-12));
    // PGR 50%: quality .4 reached at cost 1 + (.2/.3) -> share (5/3 - 1) / 2 = 1/3
    assertThat(MetricFormulas.cpt(f, A, 0.5)).isCloseTo(1.0 / 3, offset(1e-12));
    // PGR 80%: quality .52 at cost 2.2 -> share .6
    assertThat(MetricFormulas.cpt(f, A, 0.8)).isCloseTo(0.6, offset(1e-12));
    // PGR 120% (quality .68) is never reached
    assertThat(MetricFormulas.cpt(f, A, 1.2)).isNaN();
    // a strong-call share is the weak/strong mix with that cost
    assertThat(MetricFormulas.strongShare(2, A)).isCloseTo(0.5, offset(1e-12));
  }

  @Test
  void pgrIsUndefinedWhenTheBestModelIsTheCheapest() {
    Anchors same = Anchors.of(List.of(p(1, 0.9), p(2, 0.5)));
    Frontier f = Frontier.of(List.of(p(1, 0.9)));
    assertThat(MetricFormulas.pgr(0.5, same)).isNaN();
    assertThat(MetricFormulas.apgr(f, same)).isNaN();
    assertThat(MetricFormulas.cpt(f, same, 0.5)).isNaN();
  }

  @Test
  void costToMatchAndQualityAtCostFraction() {
    // a router that matches S (.6 at cost 3) at cost 1.2: 40% of its cost
    List<Point> r = List.of(p(0.5, 0.4), p(1.2, 0.6), p(2, 0.65));
    Frontier f = Frontier.of(r);
    assertThat(MetricFormulas.costFractionToMatchBest(f, A)).isCloseTo(0.4, offset(1e-12));
    // budget 10% = .3 < its cheapest point .5: cannot operate (unreachable, not 0)
    assertThat(MetricFormulas.qualityAtCostFraction(f, A, 0.1)).isNaN();
    // budget 30% = .9: .4 + .2 * (.4 / .7), over .6
    assertThat(MetricFormulas.qualityAtCostFraction(f, A, 0.3)).isCloseTo((0.4 + 0.2 * 4 / 7) / 0.6, offset(1e-12));
    // the first frontier reaches .6 only at S's own cost
    assertThat(MetricFormulas.costFractionToMatchBest(Frontier.of(FrontierTest.POINTS), A)).isCloseTo(1.0, offset(1e-12));
    assertThat(MetricFormulas.costFractionToMatchBest(Frontier.of(List.of(p(1, 0.5))), A)).isNaN();
  }

  @Test
  void routerArenaByHand() {
    // 80% accuracy at $1 per 1000 queries: C = log2 200 / (log2 200 - log2 .0044) = .494040
    assertThat(MetricFormulas.routerArena(0.8, 0.001)).isCloseTo(0.7573604854781816, offset(1e-12));
    assertThat(MetricFormulas.routerArena(0.5, 0.0001)).isCloseTo(0.5137558914808659, offset(1e-12));
    // beyond $200 per 1000 queries the cost score is 0; free is 1
    assertThat(MetricFormulas.routerArena(0.9, 1.0)).isEqualTo(0.0);
    assertThat(MetricFormulas.routerArena(0.5, 0)).isCloseTo(1.1 * 0.5 / 1.05, offset(1e-12));
    assertThat(MetricFormulas.routerArena(List.of(p(0.001, 0.8), p(0.0001, 0.5)))).isCloseTo(0.7573604854781816, offset(1e-12));
  }

  @Test
  void maeAndSelectionShare() {
    assertThat(MetricFormulas.meanAbsoluteError(new double[][] {{1, 2}, {3, 4}}, new double[][] {{2, 2}, {0, 4}})).isEqualTo(1.0);
    assertThat(MetricFormulas.selectionShare(new int[] {0, 2, 2, 1}, 3)).containsExactly(0.25, 0.25, 0.5);
  }

  @Test
  void routerMetricsBundle() {
    RouterMetrics m = RouterMetrics.of(FrontierTest.POINTS, A, 0.6);
    assertThat(m.aiq()).isCloseTo(0.5, offset(1e-12));
    assertThat(m.apgr()).isCloseTo(0.625, offset(1e-12));
    assertThat(m.cpt50()).isCloseTo(1.0 / 3, offset(1e-12));
    assertThat(m.cpt80()).isCloseTo(0.6, offset(1e-12));
    assertThat(m.costFractionToMatchBest()).isCloseTo(1.0, offset(1e-12));
    // budgets .3, .6, .9 are all below the cheapest point (1): unreachable
    assertThat(m.qualityAtCostFraction()).containsExactly(Double.NaN, Double.NaN, Double.NaN);
    assertThat(m.asMap()).containsKeys(RouterMetrics.NAMES.toArray(String[]::new)).hasSize(RouterMetrics.NAMES.size());
    assertThat(RouterMetrics.NAMES).startsWith("auc", "aiq", "apgr", "cpt50", "cpt80", "cost_fraction_to_match_best");
  }
}
