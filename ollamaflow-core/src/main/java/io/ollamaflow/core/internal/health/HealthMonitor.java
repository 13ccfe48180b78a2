package io.ollamaflow.core.internal.health;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.HealthProbe;
import io.ollamaflow.api.ProbeContext;
import io.ollamaflow.api.ProbeResult;
import io.ollamaflow.core.internal.Threads;
import io.ollamaflow.core.internal.routing.BackendState;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Probes every active backend once per interval, starting at once when a backend appears. A probe
 * that is still running when the next one is due is not doubled. Results go to a consumer that
 * applies them on the update thread; this class keeps no health state itself.
 *
 * <p>Threading: {@link #sync} is called on the update thread; probes run on a pool of their own
 * because they may block for up to the timeout.
 */
public final class HealthMonitor implements AutoCloseable {
  private final HealthProbe probe;
  private final Duration interval;
  private final Duration timeout;
  private final BiConsumer<BackendState, ProbeResult> results;
  private final ScheduledExecutorService ticks;
  private final ExecutorService probes;
  private final Map<String, Watch> watches = new HashMap<>();

  public HealthMonitor(HealthProbe probe, Duration interval, Duration timeout,
      BiConsumer<BackendState, ProbeResult> results) {
    this.probe = probe;
    this.interval = interval;
    this.timeout = timeout;
    this.results = results;
    this.ticks = Executors.newSingleThreadScheduledExecutor(Threads.daemons("ollamaflow-health-timer"));
    this.probes = Executors.newCachedThreadPool(Threads.daemons("ollamaflow-probe"));
  }

  /** Watches exactly these backends: new ones start, removed ones stop, changed ones probe their new config. */
  public void sync(Collection<BackendState> backends) {
    Set<String> current = new HashSet<>();
    for (BackendState state : backends) {
      String id = state.backend().identifier();
      current.add(id);
      Watch watch = watches.get(id);
      if (watch == null) {
        watches.put(id, new Watch(state));
      } else {
        watch.state = state;
      }
    }
    watches.entrySet().removeIf(e -> {
      if (current.contains(e.getKey())) return false;
      e.getValue().task.cancel(false);
      return true;
    });
  }

  @Override
  public void close() {
    ticks.shutdownNow();
    probes.shutdownNow();
  }

  private final class Watch implements Runnable {
    private volatile BackendState state;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final ScheduledFuture<?> task;

    Watch(BackendState state) {
      this.state = state;
      this.task = ticks.scheduleWithFixedDelay(this, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
      BackendState target = state;
      if (!target.backend().active() || !probing.compareAndSet(false, true)) return;
      probes.execute(() -> {
        ProbeResult result;
        try {
          result = probe.probe(new Context(target.backend()));
          if (result == null) result = ProbeResult.unhealthy("health probe returned no result");
        } catch (RuntimeException e) {
          result = ProbeResult.unhealthy("health probe failed: " + e);
        } finally {
          probing.set(false);
        }
        results.accept(target, result);
      });
    }
  }

  private final class Context implements ProbeContext {
    private final Backend backend;

    Context(Backend backend) {
      this.backend = backend;
    }

    @Override
    public Backend backend() {
      return backend;
    }

    @Override
    public Duration timeout() {
      return timeout;
    }
  }
}
