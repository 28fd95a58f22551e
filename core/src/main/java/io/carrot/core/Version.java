package io.carrot.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project version, recorded in every router file. */
public final class Version {
  /** The version of carrot on the classpath, e.g. {@code 0.1.0}. */
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
