package io.carrot.core.data;

/** The three parts of a routing dataset: fit on train, choose on validation, report on test. */
public enum Split {
  /** Prompts estimators are fitted on. */
  TRAIN("train"),
  /** Prompts hyper-parameters and deployment knobs are chosen on. */
  VALIDATION("validation"),
  /** Prompts results are reported on, and nothing else. */
  TEST("test");

  private final String key;

  Split(String key) {
    this.key = key;
  }

  /** The key used in {@code split.json}. */
  public String key() {
    return key;
  }
}
