package io.ollamaflow.core.internal;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.RouteTable;
import java.util.Collection;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each event to the cluster's listeners (the host's and core's own recorders) so that their
 * failures never reach the request path or the update thread.
 */
public final class Events {
  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private final FlowEventListener[] listeners;
  private final List<BiConsumer<RouteTable, Collection<BackendState>>> routeWatchers;

  /**
   * @param listeners called in this order for every event
   * @param routeWatchers told of every routing snapshot the cluster publishes, with every configured
   *     backend, on its update thread
   */
  public Events(List<FlowEventListener> listeners,
      List<BiConsumer<RouteTable, Collection<BackendState>>> routeWatchers) {
    this.listeners = listeners.toArray(new FlowEventListener[0]);
    this.routeWatchers = List.copyOf(routeWatchers);
  }

  /** Events for one listener and no route watcher. */
  public Events(FlowEventListener listener) {
    this(List.of(listener), List.of());
  }

  public void requestStarted(RequestInfo r) {
    for (FlowEventListener l : listeners) safely("requestStarted", () -> l.requestStarted(r));
  }

  public void backendSelected(RequestInfo r, String reason) {
    for (FlowEventListener l : listeners) safely("backendSelected", () -> l.backendSelected(r, reason));
  }

  public void retried(RequestInfo r, String reason, ErrorCode cause) {
    for (FlowEventListener l : listeners) safely("retried", () -> l.retried(r, reason, cause));
  }

  public void firstByte(RequestInfo r) {
    for (FlowEventListener l : listeners) safely("firstByte", () -> l.firstByte(r));
  }

  public void requestFinished(RequestInfo r) {
    for (FlowEventListener l : listeners) safely("requestFinished", () -> l.requestFinished(r));
  }

  public void requestFailed(RequestInfo r, FlowException failure) {
    for (FlowEventListener l : listeners) safely("requestFailed", () -> l.requestFailed(r, failure));
  }

  public void healthChanged(BackendView backend, HealthStatus previous) {
    for (FlowEventListener l : listeners) safely("healthChanged", () -> l.healthChanged(backend, previous));
  }

  public void routesPublished(RouteTable routes, Collection<BackendState> backends) {
    for (BiConsumer<RouteTable, Collection<BackendState>> watcher : routeWatchers) {
      safely("routesPublished", () -> watcher.accept(routes, backends));
    }
  }

  private static void safely(String method, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("FlowEventListener.{} threw; ignored", method, e);
    }
  }
}
