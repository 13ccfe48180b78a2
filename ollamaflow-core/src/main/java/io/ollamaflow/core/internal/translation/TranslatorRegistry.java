package io.ollamaflow.core.internal.translation;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiTranslator;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dialect pair to translator: built-ins, then ServiceLoader discoveries, then explicit registrations, later ones winning. */
public final class TranslatorRegistry {
  private static final Logger log = LoggerFactory.getLogger(TranslatorRegistry.class);

  private final Map<List<ApiFormat>, ApiTranslator> translators = new ConcurrentHashMap<>();

  public TranslatorRegistry(Collection<ApiTranslator> explicit, ClassLoader classLoader) {
    register(new OllamaToOpenAi());
    register(new OpenAiToOllama());
    for (ApiTranslator translator : ServiceLoader.load(ApiTranslator.class, classLoader)) {
      log.info("Found API translator {} -> {} ({})", translator.from(), translator.to(), translator.getClass().getName());
      register(translator);
    }
    explicit.forEach(this::register);
  }

  /** The translator from a client's dialect to a backend's; null when there is none. */
  public ApiTranslator find(ApiFormat from, ApiFormat to) {
    return translators.get(List.of(from, to));
  }

  /** Every dialect a backend may speak: the built-in two and each registered translator's ends. */
  public Set<ApiFormat> formats() {
    Set<ApiFormat> formats = new LinkedHashSet<>(List.of(ApiFormat.OLLAMA, ApiFormat.OPENAI));
    for (ApiTranslator translator : translators.values()) {
      formats.add(translator.from());
      formats.add(translator.to());
    }
    return formats;
  }

  private void register(ApiTranslator translator) {
    translators.put(List.of(translator.from(), translator.to()), translator);
  }
}
