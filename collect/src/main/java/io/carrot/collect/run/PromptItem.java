package io.carrot.collect.run;

import io.carrot.collect.grade.ExactMatch;
import io.carrot.core.CarrotException;

/**
 * One prompt to collect answers for.
 *
 * @param id unique id (becomes the dataset id)
 * @param prompt the text sent to every model
 * @param source the benchmark or task it came from (may be empty); the split is stratified by it
 * @param reference the reference answer for exact-match grading, or null (then the judge grades)
 * @param kind how to compare with the reference (null when there is no reference)
 */
public record PromptItem(String id, String prompt, String source, String reference, ExactMatch.Kind kind) {
  public PromptItem {
    if (id == null || id.isBlank()) {
      throw new CarrotException("a prompt has an empty id");
    }
    if (prompt == null || prompt.isEmpty()) {
      throw new CarrotException("prompt '" + id + "' is empty");
    }
    source = source == null ? "" : source;
    if (reference != null && kind == null) {
      kind = ExactMatch.detect(reference);
    }
    if (reference == null) {
      kind = null;
    }
  }

  public boolean hasReference() {
    return reference != null;
  }
}
