package io.carrot.collect.imports;

import io.carrot.collect.dataset.DatasetReport;
import io.carrot.core.data.Dataset;
import java.util.List;

/**
 * An imported dataset and what its README says about it.
 *
 * @param dataset the dataset, split included
 * @param summary one paragraph: what the data is
 * @param provenance input files (with hashes), format, prices and their source
 * @param derivation how each field was computed; rows dropped and why
 */
public record ImportResult(Dataset dataset, String summary, List<String> provenance, List<String> derivation) {
  public ImportResult {
    provenance = List.copyOf(provenance);
    derivation = List.copyOf(derivation);
  }

  public String readme() {
    return DatasetReport.readme(dataset, summary, provenance, derivation);
  }
}
