package io.carrot.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.CarrotException;

/**
 * An error the server answers with an OpenAI-shaped body:
 * {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * <p>Client mistakes are 4xx with a message naming the field, the value and what was expected;
 * 502 is kept for "every upstream failed". Anything else that escapes a handler is a bug and
 * becomes a 500.
 */
public final class ApiError extends CarrotException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final transient JsonNode attempts;

  public ApiError(int status, String type, String code, String param, String message) {
    this(status, type, code, param, message, null);
  }

  private ApiError(int status, String type, String code, String param, String message, JsonNode attempts) {
    super(message, null, status == 429 || status >= 500);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.attempts = attempts;
  }

  /** 400: the request is malformed or names something that does not exist. */
  public static ApiError badRequest(String param, String message) {
    return new ApiError(400, "invalid_request_error", null, param, message);
  }

  /** 400 for a {@code model} the server does not serve. */
  public static ApiError unknownModel(String model, String known) {
    return new ApiError(
        400, "invalid_request_error", "model_not_found", "model",
        "unknown model '" + model + "'; use 'carrot', 'carrot:mu=X', 'carrot:budget=USD_PER_1000', "
            + "'carrot:max-cost=USD', 'carrot:min-quality=Q' or one of the upstream models " + known);
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, "invalid_request_error", "invalid_api_key", null, message);
  }

  public static ApiError notFound(String code, String message) {
    return new ApiError(404, "invalid_request_error", code, null, message);
  }

  public static ApiError tooLarge(long limit) {
    return new ApiError(
        413, "invalid_request_error", "request_too_large", null,
        "the request body is larger than the limit of " + limit + " bytes (max_body_bytes)");
  }

  public static ApiError budgetExceeded(String keyId, double budget, double spent) {
    return new ApiError(
        429, "insufficient_quota", "daily_budget_exceeded", null,
        String.format(
            java.util.Locale.ROOT,
            "API key '%s' has spent %.6f USD of its daily budget of %.6f USD today (UTC); "
                + "requests are refused until the budget resets at 00:00 UTC",
            keyId, spent, budget));
  }

  /** 429 for a key that has its {@code max_concurrent} requests running already. */
  public static ApiError tooManyConcurrent(String keyId, int max) {
    return new ApiError(
        429, "rate_limit_error", "concurrency_limit_exceeded", null,
        "API key '" + keyId + "' has " + max + " requests running already (max_concurrent); retry when one has finished");
  }

  public static ApiError badGateway(String message) {
    return new ApiError(502, "upstream_error", "upstream_failed", null, message);
  }

  /**
   * 502 when every upstream attempt failed: {@code code} is {@code upstream_auth_failed} when every
   * upstream refused carrot's own key, else {@code upstream_failed}; {@code attempts} lists each
   * attempt's model, status and reason code (never an upstream's body).
   */
  public static ApiError badGateway(String code, String message, JsonNode attempts) {
    return new ApiError(502, "upstream_error", code, null, message, attempts);
  }

  /** The attempts of a 502, or null. */
  public JsonNode attempts() {
    return attempts;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String param() {
    return param;
  }

  public String code() {
    return code;
  }
}
