package io.ollamaflow.core.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The proxy scenarios through {@link FlowHttpServer}, the built-in HTTP/1.1 server. */
class FlowHttpServerProxyTest extends ProxyScenarios {
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
