package io.carrot.server;

import io.carrot.server.log.DecisionLog;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads the decision log back, for assertions. */
final class LogRows {
  private LogRows() {}

  record Row(
      String requestId, String keyId, String endpoint, String policy, String chosenModel, String answeredModel,
      String completionId, boolean stream, Long actualInputTokens, Long actualOutputTokens, Double actualCostUsd,
      double chargedUsd, int status, String error, int fallbacks, String attemptsJson, String prompt, String promptSha256,
      Double predictedCostUsd, Double mu) {}

  static List<Row> all(DecisionLog log) {
    return log.query(c -> {
      List<Row> out = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(
              "SELECT request_id, key_id, endpoint, policy, chosen_model, answered_model, completion_id, stream, "
                  + "actual_input_tokens, actual_output_tokens, actual_cost_usd, charged_usd, status, error, fallbacks, "
                  + "attempts_json, prompt, prompt_sha256, predicted_cost_usd, mu FROM requests ORDER BY created_at, "
                  + (log.describe().startsWith("jdbc:sqlite:") ? "rowid" : "request_id"))) {
        while (r.next()) {
          out.add(new Row(
              r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
              r.getString(7), r.getInt(8) == 1, lng(r, 9), lng(r, 10),
              dbl(r, 11), r.getDouble(12), r.getInt(13), r.getString(14), r.getInt(15),
              r.getString(16), r.getString(17), r.getString(18), dbl(r, 19),
              dbl(r, 20)));
        }
      }
      return out;
    });
  }

  static Long lng(ResultSet r, int i) throws java.sql.SQLException {
    long v = r.getLong(i);
    return r.wasNull() ? null : v;
  }

  static Double dbl(ResultSet r, int i) throws java.sql.SQLException {
    double v = r.getDouble(i);
    return r.wasNull() ? null : v;
  }
}
