package io.ollamaflow.core.http;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The proxy scenarios through {@link FlowServlet} in an embedded Jetty 12 servlet container. */
class ServletProxyTest extends ProxyScenarios {
  private Server jetty;

  @Override
  protected String mount(FlowHttpHandler handler) throws Exception {
    jetty = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setUriCompliance(UriCompliance.UNSAFE);
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setIdleTimeout(60_000);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.getServletHandler().setDecodeAmbiguousURIs(true);
    context.addServlet(new ServletHolder(new FlowServlet(handler)), "/*");
    jetty.setHandler(context);
    jetty.start();
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  @Override
  protected void unmount() throws Exception {
    jetty.stop();
  }
}
