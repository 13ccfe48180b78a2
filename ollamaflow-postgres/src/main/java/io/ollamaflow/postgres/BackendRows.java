package io.ollamaflow.postgres;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/** The SQL of the {@code backends} table and the mapping between its rows and {@link Backend}. */
final class BackendRows {
  static final Table<Backend> TABLE = Table.of("backend", "backends", List.of("identifier", "name", "hostname", "port", "ssl",
      "unhealthythreshold", "healthythreshold", "healthcheckmethod", "healthcheckurl", "maxparallelrequests",
      "ratelimitthreshold", "logrequestfull", "logrequestbody", "logresponsebody", "apiformat", "labels",
      "pinnedembeddingsprops", "pinnedcompletionsprops", "allowembeddings", "allowcompletions", "bearertoken",
      "querystring", "headers", "active", "createdutc", "lastupdateutc", "weight"),
      Set.of("labels", "pinnedembeddingsprops", "pinnedcompletionsprops", "headers"),
      Backend::identifier, BackendRows::bind, BackendRows::read);

  private BackendRows() {}

  /** Fills the upsert's placeholders, in the order of the column list. */
  static void bind(PreparedStatement ps, Backend b) throws SQLException {
    int i = 1;
    ps.setString(i++, b.identifier());
    ps.setString(i++, b.name());
    ps.setString(i++, b.hostname());
    ps.setInt(i++, b.port());
    ps.setBoolean(i++, b.ssl());
    ps.setInt(i++, b.unhealthyThreshold());
    ps.setInt(i++, b.healthyThreshold());
    ps.setString(i++, b.healthCheckMethod());
    ps.setString(i++, b.healthCheckUrl());
    ps.setInt(i++, b.maxParallelRequests());
    ps.setInt(i++, b.rateLimitRequestsThreshold());
    ps.setBoolean(i++, b.logRequestFull());
    ps.setBoolean(i++, b.logRequestBody());
    ps.setBoolean(i++, b.logResponseBody());
    ps.setString(i++, b.apiFormat().name());
    Columns.setJson(ps, i++, b.labels());
    Columns.setJson(ps, i++, b.pinnedEmbeddingsProperties());
    Columns.setJson(ps, i++, b.pinnedCompletionsProperties());
    ps.setBoolean(i++, b.allowEmbeddings());
    ps.setBoolean(i++, b.allowCompletions());
    ps.setString(i++, b.bearerToken());
    ps.setString(i++, b.querystring());
    Columns.setJson(ps, i++, b.headers());
    ps.setBoolean(i++, b.active());
    Columns.setInstant(ps, i++, b.createdUtc());
    Columns.setInstant(ps, i++, b.lastUpdateUtc());
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
          .ssl(rs.getBoolean("ssl"))
          .unhealthyThreshold(rs.getInt("unhealthythreshold"))
          .healthyThreshold(rs.getInt("healthythreshold"))
          .healthCheckMethod(rs.getString("healthcheckmethod"))
          .healthCheckUrl(rs.getString("healthcheckurl"))
          .maxParallelRequests(rs.getInt("maxparallelrequests"))
          .rateLimitRequestsThreshold(rs.getInt("ratelimitthreshold"))
          .weight(rs.getInt("weight"))
          .logRequestFull(rs.getBoolean("logrequestfull"))
          .logRequestBody(rs.getBoolean("logrequestbody"))
          .logResponseBody(rs.getBoolean("logresponsebody"))
          .apiFormat(ApiFormat.of(rs.getString("apiformat")))
          .labels(Columns.strings(rs, "labels"))
          .pinnedEmbeddingsProperties(Columns.object(rs, "pinnedembeddingsprops"))
          .pinnedCompletionsProperties(Columns.object(rs, "pinnedcompletionsprops"))
          .allowEmbeddings(rs.getBoolean("allowembeddings"))
          .allowCompletions(rs.getBoolean("allowcompletions"))
          .bearerToken(rs.getString("bearertoken"))
          .querystring(rs.getString("querystring"))
          .headers(Columns.headers(rs, "headers"))
          .active(rs.getBoolean("active"))
          .createdUtc(Columns.instant(rs, "createdutc"))
          .lastUpdateUtc(Columns.instant(rs, "lastupdateutc"))
          .build();
    } catch (IllegalArgumentException | NullPointerException e) {
      // Builder messages name the field; the bearer token's never shows its value.
      throw new IllegalStateException("PostgreSQL: stored backend '" + identifier + "' is invalid: " + e.getMessage(), e);
    }
  }
}
