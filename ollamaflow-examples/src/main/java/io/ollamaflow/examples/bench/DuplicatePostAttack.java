package io.ollamaflow.examples.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Attack 2 of issue 18: backends that fail a POST after reading it whole must not receive it more
 * often than the client sent it, unless the proxy itself resent it and logged so. Starts the
 * standalone server (a child JVM on this classpath) over two faulty raw-socket backends, sends
 * POSTs one by one, and prints, per scenario and {@code AllowRetries} setting, the POSTs the
 * backends read per client request and the resends the server logged.
 *
 * <p>Scenarios: {@code close}: each backend reads every POST and closes without a byte of
 * answer; {@code keepalive}: each backend answers the first POST on a connection (keeping it
 * open) and reads the next and closes, the failure of a kept-alive connection that an HTTP client
 * may resend on its own. Target: backend POSTs = client requests + logged resends.
 *
 * <p>Run: {@code java -cp ollamaflow-examples/target/ollamaflow-server.jar
 * io.ollamaflow.examples.bench.DuplicatePostAttack [--requests N] [--server-classpath JAR]};
 * {@code --server-classpath} runs another build of the server (an older jar, for a before/after
 * comparison). Loopback only, bounded.
 */
public final class DuplicatePostAttack {
  private static final String RESEND_LOG = "sending the request again";

  private record Outcome(String scenario, boolean allowRetries, int requests, int ok, int failed, int backendPosts,
      int loggedResends) {
    int unloggedExtra() {
      return backendPosts - requests - loggedResends;
    }
  }

  public static void main(String[] args) throws Exception {
    int requests = 20;
    String serverClasspath = System.getProperty("java.class.path");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--requests")) requests = Integer.parseInt(args[++i]);
      else if (args[i].equals("--server-classpath")) serverClasspath = args[++i];
      else throw new IllegalArgumentException("unknown argument: " + args[i] + " (known: --requests N, --server-classpath JAR)");
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (String scenario : List.of("close", "keepalive")) {
      for (boolean allowRetries : new boolean[] {false, true}) {
        outcomes.add(run(scenario, allowRetries, requests, serverClasspath));
      }
    }
    System.out.println("| scenario | AllowRetries | client POSTs | 200 | 5xx | backend POSTs | per client POST"
        + " | resends logged | unlogged extra POSTs |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    boolean held = true;
    for (Outcome o : outcomes) {
      System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %.2f | %d | %d |%n", o.scenario, o.allowRetries,
          o.requests, o.ok, o.failed, o.backendPosts, (double) o.backendPosts / o.requests, o.loggedResends,
          o.unloggedExtra());
      held &= o.unloggedExtra() == 0 && (o.allowRetries || o.backendPosts == o.requests);
    }
    System.out.println(held ? "target held: every backend POST beyond one per client POST was a logged resend,"
        + " and none with AllowRetries false" : "TARGET MISSED");
    System.exit(held ? 0 : 1);
  }

  private static Outcome run(String scenario, boolean allowRetries, int requests, String serverClasspath)
      throws Exception {
    Path work = Files.createTempDirectory("ollamaflow-attack2");
    try (FaultyBackend b1 = new FaultyBackend(scenario); FaultyBackend b2 = new FaultyBackend(scenario)) {
      int port;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      Path config = work.resolve("ollamaflow.json");
      Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":" + port + "},"
          + "\"DatabaseFilename\":\"" + work.resolve("flow.db") + "\",\"AdminBearerTokens\":[],"
          + "\"Frontends\":[{\"Identifier\":\"f1\",\"Hostname\":\"*\",\"Backends\":[\"b1\",\"b2\"],"
          + "\"AllowRetries\":" + allowRetries + "}],"
          + "\"Backends\":[" + backend("b1", b1.port()) + "," + backend("b2", b2.port()) + "]}");
      Path log = work.resolve("server.log");
      Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", serverClasspath, "io.ollamaflow.examples.server.OllamaFlowServer",
          "--config", config.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        awaitListening(port, server);
        int ok = 0;
        int failed = 0;
        for (int i = 0; i < requests; i++) {
          int status = post(port);
          if (status == 200) ok++;
          else failed++;
        }
        int loggedResends = (int) Files.readAllLines(log).stream().filter(line -> line.contains(RESEND_LOG)).count();
        return new Outcome(scenario, allowRetries, requests, ok, failed, b1.posts.get() + b2.posts.get(),
            loggedResends);
      } finally {
        server.destroy();
        if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
      }
    }
  }

  private static String backend(String id, int port) {
    // A high UnhealthyThreshold keeps both faulty backends in rotation, so every request meets them.
    return "{\"Identifier\":\"" + id + "\",\"Hostname\":\"127.0.0.1\",\"Port\":" + port + ",\"UnhealthyThreshold\":1000}";
  }

  private static void awaitListening(int port, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) throw new IllegalStateException("the server exited with " + server.exitValue());
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        Thread.sleep(500); // let the first health probes and model listings mark the backends routable
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("the server did not listen on port " + port + " within 30 s");
  }

  /** One POST on its own connection; the status, or 0 when the connection failed without one. */
  private static int post(int port) throws IOException {
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}";
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("POST /api/chat HTTP/1.1\r\nHost: attack\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * A raw-socket Ollama that lists model {@code m} and answers health probes, and fails POSTs as
   * its scenario says, counting every POST it read whole.
   */
  private static final class FaultyBackend implements AutoCloseable {
    private final ServerSocket server;
    private final String scenario;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    final AtomicInteger posts = new AtomicInteger();

    FaultyBackend(String scenario) throws IOException {
      this.scenario = scenario;
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.execute(this::accept);
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          threads.execute(() -> serve(socket));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket socket) {
      try (socket) {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        int postsHere = 0;
        while (true) {
          String head = readHead(in);
          if (head == null) return;
          in.readNBytes(contentLength(head));
          String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
          if (!line[0].equals("POST")) {
            answer(out, line[1].startsWith("/api/tags") ? "{\"models\":[{\"name\":\"m:latest\",\"model\":\"m:latest\"}]}"
                : line[1].startsWith("/api/ps") ? "{\"models\":[]}" : "{\"status\":\"ok\"}");
            continue;
          }
          posts.incrementAndGet();
          postsHere++;
          if (scenario.equals("close") || postsHere > 1) return; // read whole, closed without an answer
          answer(out, "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"done\":true}");
        }
      } catch (IOException e) {
        // the proxy went away
      }
    }

    private static void answer(OutputStream out, String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) return null;
        head.write(b);
        matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          return Integer.parseInt(line.substring("content-length:".length()).trim());
        }
      }
      return 0;
    }

    @Override
    public void close() throws IOException {
      server.close();
      threads.shutdownNow();
    }
  }
}
