package io.ollamaflow.core.http;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.function.BiConsumer;

/**
 * Mounts a {@link FlowHttpHandler} in a Jakarta Servlet 6 container. Map it to {@code /*}, or to
 * {@code /prefix/*} to serve the cluster under a prefix. Requests are served on the container's
 * thread, blocking; each flush of a stream is sent at once.
 *
 * <p>Give the connector an idle timeout at least as long as the frontends' {@code TimeoutMs}, or
 * the container may close a connection that is waiting for a slow backend's first byte. Model
 * ids that contain {@code /} (such as {@code hf.co/user/repo:tag}) reach
 * {@code /v1/models/{id}} percent-encoded as {@code %2F}, which Servlet 6 containers refuse by
 * default; on Jetty 12 allow them with {@code UriCompliance.UNSAFE} on the connector's
 * {@code HttpConfiguration} and {@code ServletHandler.setDecodeAmbiguousURIs(true)}, on Tomcat
 * with the connector's {@code encodedSolidusHandling="passthrough"}.
 * Requires {@code jakarta.servlet-api} on the class path (the container provides it).
 */
public class FlowServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient FlowHttpHandler handler;

  public FlowServlet(FlowHttpHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    handler.handle(new ServletExchange(request, response));
  }

  private static final class ServletExchange implements FlowHttpExchange {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final String rawPath;

    ServletExchange(HttpServletRequest request, HttpServletResponse response) {
      this.request = request;
      this.response = response;
      String uri = request.getRequestURI();
      int mount = request.getContextPath().length() + request.getServletPath().length();
      this.rawPath = uri.length() > mount ? uri.substring(mount) : "/";
    }

    @Override
    public String method() {
      return request.getMethod();
    }

    @Override
    public String rawPath() {
      return rawPath;
    }

    @Override
    public String rawQuery() {
      return request.getQueryString();
    }

    @Override
    public String protocol() {
      return request.getProtocol();
    }

    @Override
    public String requestHeader(String name) {
      return request.getHeader(name);
    }

    @Override
    public void forEachRequestHeader(BiConsumer<String, String> action) {
      for (String name : Collections.list(request.getHeaderNames())) {
        for (String value : Collections.list(request.getHeaders(name))) action.accept(name, value);
      }
    }

    @Override
    public InputStream requestBody() {
      try {
        return request.getInputStream();
      } catch (IOException e) {
        return new FailedInputStream(e);
      }
    }

    @Override
    public String remoteAddress() {
      return request.getRemoteAddr();
    }

    @Override
    public void addResponseHeader(String name, String value) {
      response.addHeader(name, value);
    }

    @Override
    public void sendResponseHeaders(int status, long contentLength) throws IOException {
      response.setStatus(status);
      if (contentLength >= 0) response.setContentLengthLong(contentLength);
      response.flushBuffer();
    }

    @Override
    public OutputStream responseBody() {
      try {
        return response.getOutputStream();
      } catch (IOException e) {
        throw new IllegalStateException("the container refused the response stream", e);
      }
    }
  }

  /** Defers a failure to open the request stream to the first read, where the proxy handles I/O errors. */
  private static final class FailedInputStream extends InputStream {
    private final IOException failure;

    FailedInputStream(IOException failure) {
      this.failure = failure;
    }

    @Override
    public int read() throws IOException {
      throw failure;
    }
  }
}
