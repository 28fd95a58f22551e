package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.predict.Predictor;
import java.io.IOException;

/** Writes and reads one estimator family inside a router file. */
public interface PredictorCodec {
  /** The {@link Predictor#kind()} this codec handles. */
  String kind();

  /** Writes {@code p}: scalars into {@code meta}, arrays as entries through {@code out}. */
  void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException;

  /**
   * Writes {@code p} with any stored vectors in {@code encoding} and returns the router format
   * version its entries need. Estimators that store no vectors ignore the encoding: the default
   * writes as {@link #write(Predictor, ObjectNode, EntryWriter)} does, which is version 1.
   */
  default int write(Predictor p, ObjectNode meta, EntryWriter out, VectorEncoding encoding) throws IOException {
    write(p, meta, out);
    return 1;
  }

  /** Reads back what {@link #write} wrote. */
  Predictor read(JsonNode meta, EntryReader in) throws IOException;

  /** Adds a named binary entry to the router file. */
  interface EntryWriter {
    void put(String name, byte[] bytes) throws IOException;
  }

  /** Reads a named binary entry of the router file; fails clearly when it is missing. */
  interface EntryReader {
    byte[] get(String name) throws IOException;
  }
}
