package io.carrot.spark;

import io.carrot.core.CarrotException;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.embed.Embedder;
import io.carrot.core.io.RouterFile;
import io.carrot.core.route.Router;
import io.carrot.embed.Cl100kTokenCounter;
import io.carrot.embed.Embedders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per-JVM singletons for executors: a router is decoded once per executor from its broadcast
 * bytes and an embedder (an ONNX session, or an HTTP client) is created once per executor, not
 * once per task or partition. Keyed, so jobs with different routers can share an executor.
 */
public final class ExecutorCache {
  /** Embedder names of this form create {@code new Fqcn()} as a {@code Supplier<Embedder>}. */
  public static final String CLASS_PREFIX = "class:";

  private static final Map<String, Router> ROUTERS = new ConcurrentHashMap<>();
  private static final Map<String, Embedder> EMBEDDERS = new ConcurrentHashMap<>();
  private static volatile TokenCounter tokenCounter;

  private ExecutorCache() {}

  /** The router in {@code bytes} (a router file), decoded once per {@code key} in this JVM. */
  public static Router router(String key, Supplier<byte[]> bytes) {
    return ROUTERS.computeIfAbsent(key, k -> {
      try {
        return RouterFile.read(new ByteArrayInputStream(bytes.get()), "broadcast router " + k);
      } catch (IOException e) {
        throw new CarrotException("cannot decode the broadcast router: " + e.getMessage(), e);
      }
    });
  }

  /**
   * The embedder {@code name}: an {@link Embedders} name or id, or {@code class:<fqcn>} for a
   * public {@code Supplier<Embedder>} with a no-argument constructor (custom embedders, tests).
   */
  public static Embedder embedder(String name) {
    return EMBEDDERS.computeIfAbsent(name, ExecutorCache::create);
  }

  /** The cl100k token counter, created once per JVM. */
  public static TokenCounter tokenCounter() {
    TokenCounter t = tokenCounter;
    if (t == null) {
      synchronized (ExecutorCache.class) {
        if (tokenCounter == null) {
          tokenCounter = new Cl100kTokenCounter();
        }
        t = tokenCounter;
      }
    }
    return t;
  }

  @SuppressWarnings("unchecked")
  private static Embedder create(String name) {
    if (!name.startsWith(CLASS_PREFIX)) {
      return Embedders.create(name);
    }
    String cls = name.substring(CLASS_PREFIX.length());
    try {
      Object o = Class.forName(cls, true, Thread.currentThread().getContextClassLoader()).getConstructor().newInstance();
      return ((Supplier<Embedder>) o).get();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new CarrotException(
          "embedder '" + name + "': expected a public class with a no-argument constructor implementing Supplier<Embedder> ("
              + e + ")", e);
    }
  }
}
