package io.ollamaflow.sqlite;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The SQL of the {@code apikeys} and {@code apikeyusage} tables and the mapping between their rows
 * and {@link ApiKey} and {@link ApiKeyUsage}. Only the key's prefix and hash are stored.
 */
final class ApiKeyRows {
  static final String SELECT_ALL = "SELECT * FROM apikeys ORDER BY identifier";
  static final String SELECT_ONE = "SELECT * FROM apikeys WHERE identifier = ?";
  static final String DELETE = "DELETE FROM apikeys WHERE identifier = ?";
  static final String DELETE_USAGE = "DELETE FROM apikeyusage WHERE identifier = ?";
  /** Placeholders in the order {@link #bind} fills them. */
  static final String UPSERT = """
      INSERT OR REPLACE INTO apikeys (identifier, name, keyprefix, keyhash, frontends, models, requestsperminute,
        tokensperminute, maxconcurrentrequests, expiresutc, active, createdutc, lastupdateutc)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
  static final String SELECT_USAGE = "SELECT * FROM apikeyusage ORDER BY identifier";
  /**
   * Adds one increment to a key's totals, creating them if needed; nothing for a key that does not
   * exist. The later of the two last-used times is kept (the text form sorts in time order).
   * Placeholders in the order {@link #bindUsage} fills them.
   */
  static final String ADD_USAGE = """
      INSERT INTO apikeyusage (identifier, requests, prompttokens, completiontokens, refusals, lastusedutc)
      SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM apikeys WHERE identifier = ?)
      ON CONFLICT (identifier) DO UPDATE SET
        requests = requests + excluded.requests,
        prompttokens = prompttokens + excluded.prompttokens,
        completiontokens = completiontokens + excluded.completiontokens,
        refusals = refusals + excluded.refusals,
        lastusedutc = CASE WHEN lastusedutc IS NULL OR excluded.lastusedutc > lastusedutc
          THEN excluded.lastusedutc ELSE lastusedutc END""";

  private ApiKeyRows() {}

  static void bind(PreparedStatement ps, ApiKey k) throws SQLException {
    int i = 1;
    ps.setString(i++, k.identifier());
    ps.setString(i++, k.name());
    ps.setString(i++, k.keyPrefix());
    ps.setString(i++, k.keyHash());
    ps.setString(i++, JsonColumns.write(k.frontends()));
    ps.setString(i++, JsonColumns.write(k.models()));
    ps.setInt(i++, k.requestsPerMinute());
    ps.setLong(i++, k.tokensPerMinute());
    ps.setInt(i++, k.maxConcurrentRequests());
    ps.setString(i++, k.expiresUtc().map(Timestamps::write).orElse(null));
    ps.setInt(i++, k.active() ? 1 : 0);
    ps.setString(i++, Timestamps.write(k.createdUtc()));
    ps.setString(i, Timestamps.write(k.lastUpdateUtc()));
  }

  /** @throws IllegalStateException naming the key if the row does not make a valid one */
  static ApiKey read(ResultSet rs) throws SQLException {
    String identifier = rs.getString("identifier");
    try {
      String expires = rs.getString("expiresutc");
      return ApiKey.builder(identifier)
          .name(rs.getString("name"))
          .storedSecret(rs.getString("keyprefix"), rs.getString("keyhash"))
          .frontends(JsonColumns.strings("frontends", rs.getString("frontends")))
          .models(JsonColumns.strings("models", rs.getString("models")))
          .requestsPerMinute(rs.getInt("requestsperminute"))
          .tokensPerMinute(rs.getLong("tokensperminute"))
          .maxConcurrentRequests(rs.getInt("maxconcurrentrequests"))
          .expiresUtc(expires == null ? null : Timestamps.read("expiresutc", expires))
          .active(rs.getInt("active") != 0)
          .createdUtc(Timestamps.read("createdutc", rs.getString("createdutc")))
          .lastUpdateUtc(Timestamps.read("lastupdateutc", rs.getString("lastupdateutc")))
          .build();
    } catch (IllegalArgumentException | NullPointerException e) {
      // The builder's messages name the field; keyHash's shows the stored hash, which is not the secret.
      throw new IllegalStateException("SQLite: stored API key '" + identifier + "' is invalid: " + e.getMessage(), e);
    }
  }

  static void bindUsage(PreparedStatement ps, ApiKeyUsage u) throws SQLException {
    int i = 1;
    ps.setString(i++, u.identifier());
    ps.setLong(i++, u.requests());
    ps.setLong(i++, u.promptTokens());
    ps.setLong(i++, u.completionTokens());
    ps.setLong(i++, u.refusals());
    ps.setString(i++, u.lastUsedUtc() == null ? null : Timestamps.write(u.lastUsedUtc()));
    ps.setString(i, u.identifier());
  }

  static ApiKeyUsage readUsage(ResultSet rs) throws SQLException {
    String identifier = rs.getString("identifier");
    String last = rs.getString("lastusedutc");
    try {
      return new ApiKeyUsage(identifier, rs.getLong("requests"), rs.getLong("prompttokens"),
          rs.getLong("completiontokens"), rs.getLong("refusals"), last == null ? null : Timestamps.read("lastusedutc", last));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("SQLite: stored usage of API key '" + identifier + "' is invalid: " + e.getMessage(), e);
    }
  }
}
