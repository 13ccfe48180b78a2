package io.ollamaflow.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, started once per test JVM from Debian's {@code postgresql}
 * package: {@code initdb} in a temporary directory, {@code pg_ctl start} on a free loopback port
 * with password (SCRAM) authentication, stopped and deleted when the JVM exits. Each test takes a
 * fresh database from {@link #newDatabase()}.
 *
 * <p>PostgreSQL refuses to run as root, and CI runs as root: then the server runs as the
 * {@code postgres} user the package creates, through {@code runuser}. The binaries are found in
 * {@code $OLLAMAFLOW_PG_BIN}, else the newest {@code /usr/lib/postgresql/N/bin}, else on the PATH.
 */
public final class TestPostgres {
  public static final String USER = "ollamaflow";
  private static final AtomicInteger databases = new AtomicInteger();
  private static TestPostgres instance;

  private final Path bin;
  private final Path dataDir;
  private final boolean asPostgresUser;
  private final int port;
  private final String password = UUID.randomUUID().toString();

  private TestPostgres(Path bin, Path dataDir, boolean asPostgresUser, int port) {
    this.bin = bin;
    this.dataDir = dataDir;
    this.asPostgresUser = asPostgresUser;
    this.port = port;
  }

  /** The server of this JVM, started on first use. */
  public static synchronized TestPostgres get() {
    if (instance == null) {
      try {
        instance = start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the test PostgreSQL", e);
      }
    }
    return instance;
  }

  /**
   * A server of its own, for a test that stops and starts it ({@link #stopServer()},
   * {@link #startServer()}) without disturbing the tests that share {@link #get()}.
   */
  public static TestPostgres startSeparate() {
    try {
      return start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a separate test PostgreSQL", e);
    }
  }

  /** Stops the server as an outage would (fast shutdown: sessions end, clients see their connections drop). */
  public void stopServer() throws IOException {
    run("pg_ctl", "-D", dataDir.toString(), "-m", "fast", "-w", "stop");
  }

  /** Starts the stopped server again on the same port and data. */
  public void startServer() throws IOException {
    run("pg_ctl", "-D", dataDir.toString(), "-l", dataDir.resolveSibling("server.log").toString(), "-w", "-t", "60",
        "start");
  }

  /**
   * Makes the server hang as a database that accepts connections and then says nothing: every
   * process of this server (started by this test JVM) stopped with SIGSTOP, until {@link #thaw()}.
   */
  public void freeze() throws IOException {
    signal("-STOP");
  }

  public void thaw() throws IOException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException {
    long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    List<String> command = new ArrayList<>(List.of("kill", signal, Long.toString(postmaster)));
    ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> command.add(Long.toString(p.pid())));
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (kill.waitFor() != 0) throw new IOException(command + ": " + new String(kill.getInputStream().readAllBytes()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** A shared live state on this database with the default 200 ms timeout. */
  public PostgresLiveState.Builder liveState(String database) {
    return PostgresLiveState.builder().jdbcUrl(url(database)).user(USER).password(password);
  }

  public int port() {
    return port;
  }

  public String password() {
    return password;
  }

  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** Creates an empty database and returns its name. */
  public String newDatabase() {
    String name = "test_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("CREATE DATABASE " + name + " failed: " + e.getMessage(), e);
    }
    return name;
  }

  /**
   * Creates a login role that is not a superuser and an empty database it owns, as the README
   * tells operators to; returns the database's name. The role's password is {@code password}.
   */
  public String newDatabaseOwnedBy(String role, String password) {
    String name = newDatabase();
    // Utility statements take no bind parameters; the tests pass plain identifiers and passwords.
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
      s.execute("ALTER DATABASE " + name + " OWNER TO " + role);
    } catch (SQLException e) {
      throw new IllegalStateException("creating role " + role + " failed: " + e.getMessage(), e);
    }
    return name;
  }

  /** A plain driver connection, outside any store, as the superuser. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(url(database), USER, password);
  }

  /** A store on this database with short timeouts, so failing tests fail quickly. */
  public PostgresConfigStore.Builder store(String database) {
    return PostgresConfigStore.builder().jdbcUrl(url(database)).user(USER).password(password)
        .connectTimeout(java.time.Duration.ofSeconds(2)).socketTimeout(java.time.Duration.ofSeconds(5));
  }

  private static TestPostgres start() throws IOException {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dataDir = Files.createTempDirectory("ollamaflow-pg-");
    Path pwfile = dataDir.resolveSibling(dataDir.getFileName() + ".pw");
    int port = freePort();
    TestPostgres pg = new TestPostgres(bin, dataDir.resolve("data"), root, port);
    Files.writeString(pwfile, pg.password);
    if (root) {
      UserPrincipal postgres = dataDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dataDir, postgres);
      Files.setOwner(pwfile, postgres);
    }
    try {
      pg.run("initdb", "-D", pg.dataDir.toString(), "-U", USER, "--pwfile=" + pwfile, "--auth=scram-sha-256",
          "-E", "UTF8", "--no-locale", "--no-sync");
    } finally {
      Files.deleteIfExists(pwfile);
    }
    Files.writeString(pg.dataDir.resolve("postgresql.conf"), String.join("\n", "",
        "port = " + port,
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        ""), StandardOpenOption.APPEND);
    pg.startServer();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> pg.stop(dataDir), "test-postgres-stop"));
    return pg;
  }

  private void stop(Path root) {
    try {
      run("pg_ctl", "-D", dataDir.toString(), "-m", "immediate", "-w", "stop");
    } catch (IOException | RuntimeException e) {
      System.err.println("test PostgreSQL: stop failed: " + e.getMessage());
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("test PostgreSQL: could not delete " + root + ": " + e.getMessage());
    }
  }

  /** Runs a PostgreSQL program, as the postgres user when this JVM is root; fails with its output. */
  private void run(String program, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    if (asPostgresUser) command.addAll(List.of(runuser(), "-u", "postgres", "--"));
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(program + " did not finish in 90 s");
      }
      if (process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
            + new String(output, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(program + " interrupted", e);
    }
  }

  /** util-linux's runuser, which root's PATH may lack (it lives in sbin). */
  private static String runuser() {
    for (String candidate : List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")) {
      if (Files.isExecutable(Path.of(candidate))) return candidate;
    }
    return "runuser";
  }

  private static Path binaries() {
    String configured = System.getenv("OLLAMAFLOW_PG_BIN");
    if (configured != null && !configured.isBlank()) return Path.of(configured);
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        var newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
            .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))));
        if (newest.isPresent()) return newest.get().resolve("bin");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb"))) return Path.of(dir);
    }
    throw new IllegalStateException("PostgreSQL's initdb was not found (looked in $OLLAMAFLOW_PG_BIN, "
        + "/usr/lib/postgresql/*/bin and PATH); install it: apt-get install -y postgresql");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
