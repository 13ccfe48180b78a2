/**
 * A {@link io.ollamaflow.api.ConfigStore} kept in one SQLite file: {@link io.ollamaflow.sqlite.SqliteConfigStore}.
 *
 * <p>The file may be shared by several processes; each sees the others' writes through
 * {@link io.ollamaflow.api.ConfigStore#revision()}. The schema follows OllamaFlow's tables
 * ({@code frontends}, {@code backends}, one lower-case column per field) and is versioned with
 * {@code PRAGMA user_version}.
 *
 * <p>Nullness: parameters and return values are non-null unless the javadoc says otherwise.
 */
package io.ollamaflow.sqlite;
