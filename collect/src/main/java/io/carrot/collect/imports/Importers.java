package io.carrot.collect.imports;

import io.carrot.core.CarrotException;
import java.util.List;

/** The importers by name. */
public final class Importers {
  private static final List<Importer> ALL =
      List.of(new SproutImporter(), new RouterBenchImporter(), new RouterDcImporter(), new LlmRouterImporter());

  private Importers() {}

  public static List<Importer> all() {
    return ALL;
  }

  public static Importer named(String name) {
    for (Importer i : ALL) {
      if (i.name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    throw new CarrotException("unknown import format '" + name + "'; expected one of "
        + ALL.stream().map(Importer::name).toList());
  }
}
