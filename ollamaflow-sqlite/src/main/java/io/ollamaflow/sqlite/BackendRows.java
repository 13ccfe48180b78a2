package io.ollamaflow.sqlite;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The SQL of the {@code backends} table and the mapping between its rows and {@link Backend}. */
final class BackendRows {
  static final String SELECT_ALL = "SELECT * FROM backends ORDER BY identifier";
  static final String SELECT_ONE = "SELECT * FROM backends WHERE identifier = ?";
  static final String DELETE = "DELETE FROM backends WHERE identifier = ?";
  /** Placeholders in the order {@link #bind} fills them. */
  static final String UPSERT = """
      INSERT OR REPLACE INTO backends (identifier, name, hostname, port, ssl, unhealthythreshold,
        healthythreshold, healthcheckmethod, healthcheckurl, maxparallelrequests, ratelimitthreshold,
        logrequestfull, logrequestbody, logresponsebody, apiformat, labels, pinnedembeddingsprops,
        pinnedcompletionsprops, allowembeddings, allowcompletions, bearertoken, querystring, headers,
        active, createdutc, lastupdateutc, weight)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

  private BackendRows() {}

  static void bind(PreparedStatement ps, Backend b) throws SQLException {
    int i = 1;
    ps.setString(i++, b.identifier());
    ps.setString(i++, b.name());
    ps.setString(i++, b.hostname());
    ps.setInt(i++, b.port());
    ps.setInt(i++, bit(b.ssl()));
    ps.setInt(i++, b.unhealthyThreshold());
    ps.setInt(i++, b.healthyThreshold());
    ps.setString(i++, b.healthCheckMethod());
    ps.setString(i++, b.healthCheckUrl());
    ps.setInt(i++, b.maxParallelRequests());
    ps.setInt(i++, b.rateLimitRequestsThreshold());
    ps.setInt(i++, bit(b.logRequestFull()));
    ps.setInt(i++, bit(b.logRequestBody()));
    ps.setInt(i++, bit(b.logResponseBody()));
    ps.setString(i++, b.apiFormat().name());
    ps.setString(i++, JsonColumns.write(b.labels()));
    ps.setString(i++, JsonColumns.write(b.pinnedEmbeddingsProperties()));
    ps.setString(i++, JsonColumns.write(b.pinnedCompletionsProperties()));
    ps.setInt(i++, bit(b.allowEmbeddings()));
    ps.setInt(i++, bit(b.allowCompletions()));
    ps.setString(i++, b.bearerToken());
    ps.setString(i++, b.querystring());
    ps.setString(i++, JsonColumns.write(b.headers()));
    ps.setInt(i++, bit(b.active()));
    ps.setString(i++, Timestamps.write(b.createdUtc()));
    ps.setString(i++, Timestamps.write(b.lastUpdateUtc()));
    ps.setInt(i, b.weight());
  }

  /** @throws IllegalStateException naming the backend if the row does not make a valid one */
  static Backend read(ResultSet rs) throws SQLException {
    String identifier = rs.getString("identifier");
    try {
      return Backend.builder(identifier)
          .name(rs.getString("name"))
          .hostname(rs.getString("hostname"))
          .port(rs.getInt("port"))
          .ssl(rs.getInt("ssl") != 0)
          .unhealthyThreshold(rs.getInt("unhealthythreshold"))
          .healthyThreshold(rs.getInt("healthythreshold"))
          .healthCheckMethod(rs.getString("healthcheckmethod"))
          .healthCheckUrl(rs.getString("healthcheckurl"))
          .maxParallelRequests(rs.getInt("maxparallelrequests"))
          .rateLimitRequestsThreshold(rs.getInt("ratelimitthreshold"))
          .weight(rs.getInt("weight"))
          .logRequestFull(rs.getInt("logrequestfull") != 0)
          .logRequestBody(rs.getInt("logrequestbody") != 0)
          .logResponseBody(rs.getInt("logresponsebody") != 0)
          .apiFormat(ApiFormat.of(rs.getString("apiformat")))
          .labels(JsonColumns.strings("labels", rs.getString("labels")))
          .pinnedEmbeddingsProperties(
              JsonColumns.object("pinnedembeddingsprops", rs.getString("pinnedembeddingsprops")))
          .pinnedCompletionsProperties(
              JsonColumns.object("pinnedcompletionsprops", rs.getString("pinnedcompletionsprops")))
          .allowEmbeddings(rs.getInt("allowembeddings") != 0)
          .allowCompletions(rs.getInt("allowcompletions") != 0)
          .bearerToken(rs.getString("bearertoken"))
          .querystring(rs.getString("querystring"))
          .headers(JsonColumns.headers("headers", rs.getString("headers")))
          .active(rs.getInt("active") != 0)
          .createdUtc(Timestamps.read("createdutc", rs.getString("createdutc")))
          .lastUpdateUtc(Timestamps.read("lastupdateutc", rs.getString("lastupdateutc")))
          .build();
    } catch (IllegalArgumentException | NullPointerException e) {
      // Builder messages name the field; the bearer token's never shows its value.
      throw new IllegalStateException("SQLite: stored backend '" + identifier + "' is invalid: " + e.getMessage(), e);
    }
  }

  private static int bit(boolean value) {
    return value ? 1 : 0;
  }
}
