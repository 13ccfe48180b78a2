package io.ollamaflow.examples.sim;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The models and blobs one simulated server holds; {@link Residency} tracks which are loaded.
 * Thread-safe.
 */
final class ModelCatalog {
  private static final Pattern FAMILY = Pattern.compile("^[a-z]+");
  private static final Pattern PARAMETER_SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)b");

  /** One installed model, with the metadata /api/tags and /api/show report. */
  record Model(String name, Instant modifiedAt, long size, String digest, String family,
      String parameterSize) {
    boolean embedding() {
      return name.contains("embed");
    }
  }

  // Keyed by the lower-cased canonical name because Ollama's lookup is case-insensitive.
  private final Map<String, Model> installed = new ConcurrentHashMap<>();
  private final Set<String> blobs = ConcurrentHashMap.newKeySet();
  // vLLM serves each model under exactly the name it was given, case and all.
  private final boolean verbatim;

  ModelCatalog(List<String> models, boolean verbatim) {
    this.verbatim = verbatim;
    Instant now = Instant.now();
    // Older timestamps further down the list, so /api/tags (newest first) keeps the configured order.
    for (int i = 0; i < models.size(); i++) {
      install(models.get(i), null, now.minusSeconds(i));
    }
  }

  /** "llama3" and "llama3:latest" name the same model; the tag follows the last path segment. */
  static String canonical(String name) {
    int slash = name.lastIndexOf('/');
    return name.indexOf(':', slash + 1) < 0 ? name + ":latest" : name;
  }

  /** The lookup key of a model name: canonical and lower-cased. */
  static String key(String name) {
    return canonical(name).toLowerCase(Locale.ROOT);
  }

  Optional<Model> find(String name) {
    return Optional.ofNullable(installed.get(keyOf(name)));
  }

  /** Installs (or refreshes) a model; with a template it inherits that model's metadata. */
  Model install(String name, Model template, Instant when) {
    String canonical = verbatim ? name : canonical(name);
    Model model = template == null
        ? new Model(canonical, when, sizeOf(canonical), Answers.sha256Hex(canonical), family(canonical),
            parameterSize(canonical))
        : new Model(canonical, when, template.size(), template.digest(), template.family(),
            template.parameterSize());
    installed.put(keyOf(name), model);
    return model;
  }

  boolean remove(String name) {
    return installed.remove(keyOf(name)) != null;
  }

  private String keyOf(String name) {
    return verbatim ? name : key(name);
  }

  List<Model> installed() {
    return installed.values().stream()
        .sorted(Comparator.comparing(Model::modifiedAt).reversed())
        .toList();
  }

  boolean hasBlob(String digest) {
    return blobs.contains(digest);
  }

  /** Returns false when the blob was already stored. */
  boolean addBlob(String digest) {
    return blobs.add(digest);
  }

  private static String baseName(String canonical) {
    String lastSegment = canonical.substring(canonical.lastIndexOf('/') + 1);
    return lastSegment.toLowerCase(Locale.ROOT);
  }

  private static String family(String canonical) {
    Matcher m = FAMILY.matcher(baseName(canonical));
    return m.find() ? m.group() : "llama";
  }

  private static String parameterSize(String canonical) {
    Matcher m = PARAMETER_SIZE.matcher(baseName(canonical));
    return m.find() ? m.group(1) + "B" : "8B";
  }

  // A stable size between 1 and 5 GB, so every backend reports the same size for a model.
  private static long sizeOf(String canonical) {
    return 1_000_000_000L + Math.floorMod(canonical.hashCode(), 4_000_000_000L);
  }
}
