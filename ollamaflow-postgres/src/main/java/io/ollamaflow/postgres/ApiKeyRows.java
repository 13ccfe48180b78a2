package io.ollamaflow.postgres;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * The SQL of the {@code apikeys} and {@code apikeyusage} tables and the mapping between their rows
 * and {@link ApiKey} and {@link ApiKeyUsage}. Only the key's prefix and hash are stored; deleting a
 * key deletes its usage (a foreign key with {@code ON DELETE CASCADE}).
 */
final class ApiKeyRows {
  static final Table<ApiKey> TABLE = Table.of("API key", "apikeys", List.of("identifier", "name", "keyprefix",
      "keyhash", "frontends", "models", "requestsperminute", "tokensperminute", "maxconcurrentrequests", "expiresutc",
      "active", "createdutc", "lastupdateutc"),
      Set.of("frontends", "models"),
      ApiKey::identifier, ApiKeyRows::bind, ApiKeyRows::read);

  static final String SELECT_USAGE = "SELECT * FROM apikeyusage ORDER BY identifier COLLATE \"C\"";
  /**
   * Adds one increment to a key's totals, creating them if needed; nothing for a key that does not
   * exist. The key's row is share-locked while the usage is written, so a concurrent delete of the
   * key either waits for this batch (and then deletes its usage too) or wins and this increment is
   * dropped. Placeholders in the order {@link #bindUsage} fills them.
   */
  static final String ADD_USAGE = """
      INSERT INTO apikeyusage (identifier, requests, prompttokens, completiontokens, refusals, lastusedutc)
      SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM apikeys WHERE identifier = ? FOR KEY SHARE)
      ON CONFLICT (identifier) DO UPDATE SET
        requests = apikeyusage.requests + EXCLUDED.requests,
        prompttokens = apikeyusage.prompttokens + EXCLUDED.prompttokens,
        completiontokens = apikeyusage.completiontokens + EXCLUDED.completiontokens,
        refusals = apikeyusage.refusals + EXCLUDED.refusals,
        lastusedutc = GREATEST(apikeyusage.lastusedutc, EXCLUDED.lastusedutc)""";

  private ApiKeyRows() {}

  /** Fills the upsert's placeholders, in the order of the column list. */
  static void bind(PreparedStatement ps, ApiKey k) throws SQLException {
    int i = 1;
    ps.setString(i++, k.identifier());
    ps.setString(i++, k.name());
    ps.setString(i++, k.keyPrefix());
    ps.setString(i++, k.keyHash());
    Columns.setJson(ps, i++, k.frontends());
    Columns.setJson(ps, i++, k.models());
    ps.setInt(i++, k.requestsPerMinute());
    ps.setLong(i++, k.tokensPerMinute());
    ps.setInt(i++, k.maxConcurrentRequests());
    Columns.setOptionalInstant(ps, i++, k.expiresUtc().orElse(null));
    ps.setBoolean(i++, k.active());
    Columns.setInstant(ps, i++, k.createdUtc());
    Columns.setInstant(ps, i, k.lastUpdateUtc());
  }

  /** @throws IllegalStateException naming the key if the row does not make a valid one */
  static ApiKey read(ResultSet rs) throws SQLException {
    String identifier = rs.getString("identifier");
    try {
      return ApiKey.builder(identifier)
          .name(rs.getString("name"))
          .storedSecret(rs.getString("keyprefix"), rs.getString("keyhash"))
          .frontends(Columns.strings(rs, "frontends"))
          .models(Columns.strings(rs, "models"))
          .requestsPerMinute(rs.getInt("requestsperminute"))
          .tokensPerMinute(rs.getLong("tokensperminute"))
          .maxConcurrentRequests(rs.getInt("maxconcurrentrequests"))
          .expiresUtc(Columns.optionalInstant(rs, "expiresutc"))
          .active(rs.getBoolean("active"))
          .createdUtc(Columns.instant(rs, "createdutc"))
          .lastUpdateUtc(Columns.instant(rs, "lastupdateutc"))
          .build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalStateException("PostgreSQL: stored API key '" + identifier + "' is invalid: " + e.getMessage(), e);
    }
  }

  static void bindUsage(PreparedStatement ps, ApiKeyUsage u) throws SQLException {
    int i = 1;
    ps.setString(i++, u.identifier());
    ps.setLong(i++, u.requests());
    ps.setLong(i++, u.promptTokens());
    ps.setLong(i++, u.completionTokens());
    ps.setLong(i++, u.refusals());
    Columns.setOptionalInstant(ps, i++, u.lastUsedUtc());
    ps.setString(i, u.identifier());
  }

  static ApiKeyUsage readUsage(ResultSet rs) throws SQLException {
    return new ApiKeyUsage(rs.getString("identifier"), rs.getLong("requests"), rs.getLong("prompttokens"),
        rs.getLong("completiontokens"), rs.getLong("refusals"), Columns.optionalInstant(rs, "lastusedutc"));
  }
}
