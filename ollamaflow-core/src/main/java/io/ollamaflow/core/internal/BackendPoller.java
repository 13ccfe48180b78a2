package io.ollamaflow.core.internal;

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
import java.util.function.Consumer;

/**
 * Runs a task for every active backend once per interval, starting at once when a backend
 * appears (health probes, model discovery). A run still going when the next is due is not
 * doubled. Runs see the backend's latest configuration.
 *
 * <p>Threading: {@link #sync} and {@link #pollNow} are called on the update thread; the task runs on a pool of its own
 * because it may block on the network.
 */
public final class BackendPoller implements AutoCloseable {
  private final Duration interval;
  private final Consumer<BackendState> task;
  private final ScheduledExecutorService ticks;
  private final ExecutorService runs;
  private final Map<String, Watch> watches = new HashMap<>();

  public BackendPoller(String name, Duration interval, Consumer<BackendState> task) {
    this.interval = interval;
    this.task = task;
    this.ticks = Executors.newSingleThreadScheduledExecutor(Threads.daemons(name + "-timer"));
    this.runs = Executors.newCachedThreadPool(Threads.daemons(name));
  }

  /** Polls exactly these backends: new ones start, removed ones stop, changed ones are polled with their new config. */
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

  /**
   * Runs the task for this backend soon, outside its schedule (a backend just turned healthy). If
   * a run is under way it may have started before the change, so another follows when it ends.
   */
  public void pollNow(String backendId) {
    Watch watch = watches.get(backendId);
    if (watch == null) return;
    watch.again.set(true);
    Threads.submit(ticks, watch);
  }

  @Override
  public void close() {
    ticks.shutdownNow();
    runs.shutdownNow();
  }

  private final class Watch implements Runnable {
    private volatile BackendState state;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final ScheduledFuture<?> task;

    Watch(BackendState state) {
      this.state = state;
      this.task = ticks.scheduleWithFixedDelay(this, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
      BackendState target = state;
      if (!target.backend().active() || !running.compareAndSet(false, true)) return;
      again.set(false);
      Threads.submit(runs, () -> {
        try {
          BackendPoller.this.task.accept(target);
        } finally {
          running.set(false);
          if (again.get()) Threads.submit(ticks, this);
        }
      });
    }
  }
}
