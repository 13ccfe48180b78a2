package io.ollamaflow.core.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The proxy scenarios through {@link FlowHttpServer}, the JDK's built-in server. */
class JdkHttpServerProxyTest extends ProxyScenarios {
  private FlowHttpServer server;

  @Override
  protected String mount(FlowHttpHandler handler) throws Exception {
    server = FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler);
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  protected void unmount() {
    server.close();
  }
}
