package io.carrot.server.auth;

import io.carrot.server.ApiError;
import io.carrot.server.ServerConfig.ClientConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Checks {@code Authorization: Bearer KEY} against the configured key hashes. The server never
 * holds a client's key, only its SHA-256; with no clients configured authentication is off and
 * every caller is {@link Client#ANONYMOUS}.
 */
public final class ClientKeys {
  private final Map<String, Client> byHash = new HashMap<>();

  public ClientKeys(List<ClientConfig> clients) {
    for (ClientConfig c : clients) {
      byHash.put(c.keySha256(), new Client(c.id(), c.dailyBudgetUsd(), c.maxConcurrent()));
    }
  }

  public boolean enabled() {
    return !byHash.isEmpty();
  }

  /** The client for an {@code Authorization} header value (may be null); 401 when it is not valid. */
  public Client authenticate(String authorization) {
    if (!enabled()) {
      return Client.ANONYMOUS;
    }
    if (authorization == null || authorization.isBlank()) {
      throw ApiError.unauthorized("missing API key: send 'Authorization: Bearer YOUR_KEY'");
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
      throw ApiError.unauthorized("the Authorization header must be 'Bearer YOUR_KEY'");
    }
    Client c = byHash.get(sha256(authorization.substring(7).trim()));
    if (c == null) {
      throw ApiError.unauthorized("invalid API key");
    }
    return c;
  }

  /** Lower-case hex SHA-256 of a key, as written in {@code clients[].key_sha256}. */
  public static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new random key: {@code ck-} and 32 random bytes in URL-safe base64. */
  public static String newKey() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return "ck-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
