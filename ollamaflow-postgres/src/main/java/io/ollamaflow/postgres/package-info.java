/**
 * A {@link io.ollamaflow.api.ConfigStore} kept in PostgreSQL: {@link io.ollamaflow.postgres.PostgresConfigStore}.
 *
 * <p>Several OllamaFlow instances share one database; each learns of the others' writes through
 * {@code LISTEN/NOTIFY} on the revision. The tables and columns are ollamaflow-sqlite's
 * ({@code frontends}, {@code backends}, one lower-case column per field) with PostgreSQL's types
 * (BOOLEAN, JSONB, TIMESTAMPTZ); the schema is versioned in table {@code schema_version}.
 *
 * <p>Nullness: parameters and return values are non-null unless the javadoc says otherwise.
 */
package io.ollamaflow.postgres;
