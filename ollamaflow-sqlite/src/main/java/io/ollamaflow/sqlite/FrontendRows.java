package io.ollamaflow.sqlite;

import io.ollamaflow.api.Frontend;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The SQL of the {@code frontends} table and the mapping between its rows and {@link Frontend}. */
final class FrontendRows {
  static final String SELECT_ALL = "SELECT * FROM frontends ORDER BY identifier";
  static final String SELECT_ONE = "SELECT * FROM frontends WHERE identifier = ?";
  static final String DELETE = "DELETE FROM frontends WHERE identifier = ?";
  /** Placeholders in the order {@link #bind} fills them. */
  static final String UPSERT = """
      INSERT OR REPLACE INTO frontends (identifier, name, hostname, timeoutms, loadbalancing, blockhttp10,
        maxrequestbodysize, backends, requiredmodels, logrequestfull, logrequestbody, logresponsebody,
        usestickysessions, stickysessionexpirationms, pinnedembeddingsprops, pinnedcompletionsprops,
        allowembeddings, allowcompletions, allowretries, active, createdutc, lastupdateutc, modelaliases,
        listconfiguredmodelsonly, preloadmodels, keepmodelsloaded, defaultembeddingsprops, defaultcompletionsprops,
        requireapikey)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

  private FrontendRows() {}

  static void bind(PreparedStatement ps, Frontend f) throws SQLException {
    int i = 1;
    ps.setString(i++, f.identifier());
    ps.setString(i++, f.name());
    ps.setString(i++, f.hostname());
    ps.setInt(i++, f.timeoutMs());
    ps.setString(i++, f.loadBalancing());
    ps.setInt(i++, bit(f.blockHttp10()));
    ps.setLong(i++, f.maxRequestBodySize());
    ps.setString(i++, JsonColumns.write(f.backends()));
    ps.setString(i++, JsonColumns.write(f.requiredModels()));
    ps.setInt(i++, bit(f.logRequestFull()));
    ps.setInt(i++, bit(f.logRequestBody()));
    ps.setInt(i++, bit(f.logResponseBody()));
    ps.setInt(i++, bit(f.useStickySessions()));
    ps.setInt(i++, f.stickySessionExpirationMs());
    ps.setString(i++, JsonColumns.write(f.pinnedEmbeddingsProperties()));
    ps.setString(i++, JsonColumns.write(f.pinnedCompletionsProperties()));
    ps.setInt(i++, bit(f.allowEmbeddings()));
    ps.setInt(i++, bit(f.allowCompletions()));
    ps.setInt(i++, bit(f.allowRetries()));
    ps.setInt(i++, bit(f.active()));
    ps.setString(i++, Timestamps.write(f.createdUtc()));
    ps.setString(i++, Timestamps.write(f.lastUpdateUtc()));
    ps.setString(i++, JsonColumns.write(f.modelAliases()));
    ps.setInt(i++, bit(f.listConfiguredModelsOnly()));
    ps.setString(i++, JsonColumns.write(f.preloadModels()));
    ps.setInt(i++, bit(f.keepModelsLoaded()));
    ps.setString(i++, JsonColumns.write(f.defaultEmbeddingsProperties()));
    ps.setString(i++, JsonColumns.write(f.defaultCompletionsProperties()));
    ps.setInt(i, bit(f.requireApiKey()));
  }

  /** @throws IllegalStateException naming the frontend if the row does not make a valid one */
  static Frontend read(ResultSet rs) throws SQLException {
    String identifier = rs.getString("identifier");
    try {
      return Frontend.builder(identifier)
          .name(rs.getString("name"))
          .hostname(rs.getString("hostname"))
          .timeoutMs(rs.getInt("timeoutms"))
          .loadBalancing(rs.getString("loadbalancing"))
          .blockHttp10(rs.getInt("blockhttp10") != 0)
          .maxRequestBodySize(rs.getLong("maxrequestbodysize"))
          .backends(JsonColumns.strings("backends", rs.getString("backends")))
          .requiredModels(JsonColumns.strings("requiredmodels", rs.getString("requiredmodels")))
          .logRequestFull(rs.getInt("logrequestfull") != 0)
          .logRequestBody(rs.getInt("logrequestbody") != 0)
          .logResponseBody(rs.getInt("logresponsebody") != 0)
          .useStickySessions(rs.getInt("usestickysessions") != 0)
          .stickySessionExpirationMs(rs.getInt("stickysessionexpirationms"))
          .pinnedEmbeddingsProperties(
              JsonColumns.object("pinnedembeddingsprops", rs.getString("pinnedembeddingsprops")))
          .pinnedCompletionsProperties(
              JsonColumns.object("pinnedcompletionsprops", rs.getString("pinnedcompletionsprops")))
          .modelAliases(JsonColumns.headers("modelaliases", rs.getString("modelaliases")))
          .listConfiguredModelsOnly(rs.getInt("listconfiguredmodelsonly") != 0)
          .preloadModels(JsonColumns.strings("preloadmodels", rs.getString("preloadmodels")))
          .keepModelsLoaded(rs.getInt("keepmodelsloaded") != 0)
          .defaultEmbeddingsProperties(
              JsonColumns.object("defaultembeddingsprops", rs.getString("defaultembeddingsprops")))
          .defaultCompletionsProperties(
              JsonColumns.object("defaultcompletionsprops", rs.getString("defaultcompletionsprops")))
          .allowEmbeddings(rs.getInt("allowembeddings") != 0)
          .allowCompletions(rs.getInt("allowcompletions") != 0)
          .allowRetries(rs.getInt("allowretries") != 0)
          .requireApiKey(rs.getInt("requireapikey") != 0)
          .active(rs.getInt("active") != 0)
          .createdUtc(Timestamps.read("createdutc", rs.getString("createdutc")))
          .lastUpdateUtc(Timestamps.read("lastupdateutc", rs.getString("lastupdateutc")))
          .build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalStateException("SQLite: stored frontend '" + identifier + "' is invalid: " + e.getMessage(), e);
    }
  }

  private static int bit(boolean value) {
    return value ? 1 : 0;
  }
}
