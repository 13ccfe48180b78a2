package io.ollamaflow.postgres;

import io.ollamaflow.api.Frontend;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/** The SQL of the {@code frontends} table and the mapping between its rows and {@link Frontend}. */
final class FrontendRows {
  static final Table<Frontend> TABLE = Table.of("frontend", "frontends", List.of("identifier", "name", "hostname", "timeoutms",
      "loadbalancing", "blockhttp10", "maxrequestbodysize", "backends", "requiredmodels", "logrequestfull",
      "logrequestbody", "logresponsebody", "usestickysessions", "stickysessionexpirationms", "pinnedembeddingsprops",
      "pinnedcompletionsprops", "allowembeddings", "allowcompletions", "allowretries", "active", "createdutc",
      "lastupdateutc", "modelaliases", "listconfiguredmodelsonly", "preloadmodels", "keepmodelsloaded",
      "defaultembeddingsprops", "defaultcompletionsprops", "requireapikey"),
      Set.of("backends", "requiredmodels", "pinnedembeddingsprops", "pinnedcompletionsprops", "modelaliases",
          "preloadmodels", "defaultembeddingsprops", "defaultcompletionsprops"),
      Frontend::identifier, FrontendRows::bind, FrontendRows::read);

  private FrontendRows() {}

  /** Fills the upsert's placeholders, in the order of the column list. */
  static void bind(PreparedStatement ps, Frontend f) throws SQLException {
    int i = 1;
    ps.setString(i++, f.identifier());
    ps.setString(i++, f.name());
    ps.setString(i++, f.hostname());
    ps.setInt(i++, f.timeoutMs());
    ps.setString(i++, f.loadBalancing());
    ps.setBoolean(i++, f.blockHttp10());
    ps.setLong(i++, f.maxRequestBodySize());
    Columns.setJson(ps, i++, f.backends());
    Columns.setJson(ps, i++, f.requiredModels());
    ps.setBoolean(i++, f.logRequestFull());
    ps.setBoolean(i++, f.logRequestBody());
    ps.setBoolean(i++, f.logResponseBody());
    ps.setBoolean(i++, f.useStickySessions());
    ps.setInt(i++, f.stickySessionExpirationMs());
    Columns.setJson(ps, i++, f.pinnedEmbeddingsProperties());
    Columns.setJson(ps, i++, f.pinnedCompletionsProperties());
    ps.setBoolean(i++, f.allowEmbeddings());
    ps.setBoolean(i++, f.allowCompletions());
    ps.setBoolean(i++, f.allowRetries());
    ps.setBoolean(i++, f.active());
    Columns.setInstant(ps, i++, f.createdUtc());
    Columns.setInstant(ps, i++, f.lastUpdateUtc());
    Columns.setJson(ps, i++, f.modelAliases());
    ps.setBoolean(i++, f.listConfiguredModelsOnly());
    Columns.setJson(ps, i++, f.preloadModels());
    ps.setBoolean(i++, f.keepModelsLoaded());
    Columns.setJson(ps, i++, f.defaultEmbeddingsProperties());
    Columns.setJson(ps, i++, f.defaultCompletionsProperties());
    ps.setBoolean(i, f.requireApiKey());
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
          .blockHttp10(rs.getBoolean("blockhttp10"))
          .maxRequestBodySize(rs.getLong("maxrequestbodysize"))
          .backends(Columns.strings(rs, "backends"))
          .requiredModels(Columns.strings(rs, "requiredmodels"))
          .logRequestFull(rs.getBoolean("logrequestfull"))
          .logRequestBody(rs.getBoolean("logrequestbody"))
          .logResponseBody(rs.getBoolean("logresponsebody"))
          .useStickySessions(rs.getBoolean("usestickysessions"))
          .stickySessionExpirationMs(rs.getInt("stickysessionexpirationms"))
          .pinnedEmbeddingsProperties(Columns.object(rs, "pinnedembeddingsprops"))
          .pinnedCompletionsProperties(Columns.object(rs, "pinnedcompletionsprops"))
          .modelAliases(Columns.headers(rs, "modelaliases"))
          .listConfiguredModelsOnly(rs.getBoolean("listconfiguredmodelsonly"))
          .preloadModels(Columns.strings(rs, "preloadmodels"))
          .keepModelsLoaded(rs.getBoolean("keepmodelsloaded"))
          .defaultEmbeddingsProperties(Columns.object(rs, "defaultembeddingsprops"))
          .defaultCompletionsProperties(Columns.object(rs, "defaultcompletionsprops"))
          .allowEmbeddings(rs.getBoolean("allowembeddings"))
          .allowCompletions(rs.getBoolean("allowcompletions"))
          .allowRetries(rs.getBoolean("allowretries"))
          .requireApiKey(rs.getBoolean("requireapikey"))
          .active(rs.getBoolean("active"))
          .createdUtc(Columns.instant(rs, "createdutc"))
          .lastUpdateUtc(Columns.instant(rs, "lastupdateutc"))
          .build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalStateException("PostgreSQL: stored frontend '" + identifier + "' is invalid: " + e.getMessage(), e);
    }
  }
}
