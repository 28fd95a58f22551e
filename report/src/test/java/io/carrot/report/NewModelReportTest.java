package io.carrot.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.eval.NewModelStudy;
import java.util.List;
import org.junit.jupiter.api.Test;

class NewModelReportTest {
  @Test
  void aModelNameWithACommaAndAQuoteStaysInItsColumn() {
    NewModelStudy.Result r = new NewModelStudy.Result("d", "acme, \"large\"", "knn", 40,
        List.of(new NewModelStudy.Trial(-1, 7, 0.5, 0.75, 0.25, Double.NaN, 0.125)));
    assertThat(NewModelReport.csv(r).split("\n"))
        .containsExactly(
            "dataset,model,estimator,labels,seed,aiq,accuracy_mu0,share_mu0,quality_mse,quality_correlation",
            "d,\"acme, \"\"large\"\"\",knn,all,7,0.500000,0.750000,0.250000,,0.1250");
  }
}
