package io.carrot.collect.imports;

import io.carrot.core.CarrotException;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.data.PriceTable;

/**
 * Settings shared by the importers.
 *
 * @param name the dataset name (the output folder's name)
 * @param prices prices to use (override the format's own), or null
 * @param assumedOutputTokens output tokens to record for formats that carry none (RouterDC), or
 *     null when not given
 * @param tokens counts prompt (and response) tokens where a format records none
 */
public record ImportOptions(String name, PriceTable prices, Integer assumedOutputTokens, TokenCounter tokens) {
  public ImportOptions {
    if (assumedOutputTokens != null && assumedOutputTokens < 0) {
      throw new CarrotException("--output-tokens must be >= 0, got " + assumedOutputTokens);
    }
  }
}
