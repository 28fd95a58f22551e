package io.carrot.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project version, recorded in every router file. */
public final class Version {
  public static final String CURRENT = load();

  private Version() {}

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
