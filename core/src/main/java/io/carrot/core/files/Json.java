package io.carrot.core.files;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The project's one configured Jackson mapper. */
public final class Json {
  /** Indented output, for files people read. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Compact single-line output, for JSON Lines. */
  public static final ObjectMapper COMPACT = new ObjectMapper();

  private Json() {}
}
