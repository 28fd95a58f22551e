package io.carrot.embed;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.carrot.core.cost.TokenCounter;

/**
 * Counts tokens with OpenAI's cl100k_base BPE (via jtokkit), the tokenizer the shipped datasets'
 * token counts use. Text that looks like a special token (e.g. {@code <|endoftext|>}) is counted as
 * the plain text it is in a prompt, never as one special token. Thread-safe.
 */
public final class Cl100kTokenCounter implements TokenCounter {

  /** Lazy-holder: the BPE ranks (about 100k entries) load once, on first use. */
  private static final class Holder {
    static final Encoding CL100K =
        Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  }

  @Override
  public String id() {
    return "cl100k_base";
  }

  @Override
  public int count(String text) {
    return text.isEmpty() ? 0 : Holder.CL100K.countTokensOrdinary(text);
  }

  @Override
  public String toString() {
    return "Cl100kTokenCounter";
  }
}
