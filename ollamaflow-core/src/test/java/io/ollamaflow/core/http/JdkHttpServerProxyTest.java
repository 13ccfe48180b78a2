package io.ollamaflow.core.http;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The proxy scenarios through the JDK's built-in server, with the handler mounted by {@link JdkHttpServerAdapter}. */
class JdkHttpServerProxyTest extends ProxyScenarios {
  private HttpServer server;
  private ExecutorService executor;

  @Override
  protected String mount(FlowHttpHandler handler) throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/", new JdkHttpServerAdapter(handler));
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  protected void unmount() {
    server.stop(0);
    executor.shutdownNow();
  }
}
