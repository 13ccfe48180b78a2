package io.ollamaflow.core.internal.http1;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed request line and header section. Parsing is strict where leniency lets a request be
 * framed two ways (request smuggling): whitespace before a colon, folded lines, Content-Length
 * together with Transfer-Encoding, and conflicting Content-Lengths are refused with 400. Only
 * space and tab count as whitespace around a value (never VT, FF or the other controls that
 * {@link String#strip()} would remove), a control character inside a value is refused rather
 * than forwarded, and an HTTP/1.1 request must carry exactly one Host (RFC 9112 3.2).
 */
final class RequestHead {
  static final int MAX_REQUEST_LINE = 8192;
  static final int MAX_HEADER_LINE = 16384;
  /** Header bytes allowed in chunked-body trailers. */
  static final int MAX_HEADER_BYTES = 65536;
  static final int MAX_HEADERS = 200;
  /** Body length when the body is chunked. */
  static final long CHUNKED = -1;

  final String method;
  final String rawPath;
  final String rawQuery;
  final boolean http10;
  final List<String> names = new ArrayList<>();
  final List<String> values = new ArrayList<>();
  /** The body's length, or {@link #CHUNKED}. */
  long bodyLength;

  private RequestHead(String method, String rawPath, String rawQuery, boolean http10) {
    this.method = method;
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
    this.http10 = http10;
  }

  /**
   * The next request on the connection; null when the client closed it between requests.
   *
   * @param maxHeadBytes the request line and header lines together, at most; beyond, 431
   */
  static RequestHead read(ConnectionInput in, int maxHeadBytes) throws IOException {
    String line = in.readLine(MAX_REQUEST_LINE, 414, "request line");
    // RFC 9112 2.2: ignore empty lines before a request line.
    for (int blank = 0; line != null && line.isEmpty() && blank < 8; blank++) {
      line = in.readLine(MAX_REQUEST_LINE, 414, "request line");
    }
    if (line == null) return null;
    RequestHead head = requestLine(line);
    int bytes = line.length();
    while (true) {
      String header = in.readLine(MAX_HEADER_LINE, 431, "header line");
      if (header == null) throw new ProtocolException(400, "the connection ended inside the request headers");
      if (header.isEmpty()) break;
      bytes += header.length();
      if (bytes > maxHeadBytes || head.names.size() >= MAX_HEADERS) {
        throw new ProtocolException(431, "request headers exceed " + MAX_HEADERS + " fields or " + maxHeadBytes + " bytes");
      }
      head.addHeaderLine(header);
    }
    head.bodyLength = head.framing();
    head.checkHost();
    return head;
  }

  private static RequestHead requestLine(String line) throws ProtocolException {
    int firstSpace = line.indexOf(' ');
    int lastSpace = line.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace == firstSpace) {
      throw new ProtocolException(400, "malformed request line: " + printable(line));
    }
    String method = line.substring(0, firstSpace);
    String target = line.substring(firstSpace + 1, lastSpace);
    String version = line.substring(lastSpace + 1);
    if (!isToken(method)) throw new ProtocolException(400, "malformed method in request line: " + printable(line));
    boolean http10 = version.equals("HTTP/1.0");
    if (!http10 && !version.equals("HTTP/1.1")) {
      throw new ProtocolException(version.startsWith("HTTP/") ? 505 : 400, "unsupported protocol version: " + printable(version));
    }
    if (target.isEmpty() || target.indexOf(' ') >= 0) {
      throw new ProtocolException(400, "malformed request target: " + printable(target));
    }
    if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
      // Absolute form (sent to proxies): keep what follows the authority.
      int end = target.indexOf("//") + 2;
      while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') end++;
      target = end == target.length() ? "/" : target.charAt(end) == '/' ? target.substring(end) : "/" + target.substring(end);
    }
    if (target.charAt(0) != '/' && !target.equals("*")) {
      throw new ProtocolException(400, "request target must be a path starting with '/': " + printable(target));
    }
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    return new RequestHead(method, path, query < 0 ? null : target.substring(query + 1), http10);
  }

  private void addHeaderLine(String line) throws ProtocolException {
    if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
      throw new ProtocolException(400, "folded header lines are not accepted: " + printable(line));
    }
    int colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.substring(0, colon))) {
      throw new ProtocolException(400, "malformed header line: " + printable(line));
    }
    String value = trimSpaceAndTab(line.substring(colon + 1));
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new ProtocolException(400, "control character 0x" + Integer.toHexString(c) + " in header "
            + printable(line.substring(0, colon)));
      }
    }
    names.add(line.substring(0, colon));
    values.add(value);
  }

  /** RFC 9112 6.3: how the body is delimited. */
  private long framing() throws ProtocolException {
    String transferEncoding = null;
    String contentLength = null;
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name.equalsIgnoreCase("Transfer-Encoding")) {
        transferEncoding = transferEncoding == null ? values.get(i) : transferEncoding + "," + values.get(i);
      } else if (name.equalsIgnoreCase("Content-Length")) {
        String length = values.get(i);
        for (String part : length.split(",", -1)) {
          String single = trimSpaceAndTab(part);
          if (contentLength != null && !contentLength.equals(single)) {
            throw new ProtocolException(400, "conflicting Content-Length values: " + contentLength + " and " + single);
          }
          contentLength = single;
        }
      }
    }
    if (transferEncoding != null) {
      if (contentLength != null) {
        throw new ProtocolException(400, "a request may not carry both Content-Length and Transfer-Encoding");
      }
      if (http10) throw new ProtocolException(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
      if (!trimSpaceAndTab(transferEncoding).toLowerCase(Locale.ROOT).equals("chunked")) {
        throw new ProtocolException(501, "Transfer-Encoding '" + printable(transferEncoding) + "' is not supported (only chunked)");
      }
      return CHUNKED;
    }
    if (contentLength == null) return 0;
    if (contentLength.isEmpty() || contentLength.length() > 18 || !contentLength.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new ProtocolException(400, "Content-Length is not a non-negative integer: " + printable(contentLength));
    }
    return Long.parseLong(contentLength);
  }

  /** RFC 9112 3.2: exactly one Host in HTTP/1.1; HTTP/1.0 may leave it out, never repeat it. */
  private void checkHost() throws ProtocolException {
    int hosts = 0;
    for (String name : names) {
      if (name.equalsIgnoreCase("Host")) hosts++;
    }
    if (hosts > 1) throw new ProtocolException(400, "a request may carry only one Host header, this one has " + hosts);
    if (hosts == 0 && !http10) throw new ProtocolException(400, "an HTTP/1.1 request must carry a Host header");
  }

  /** Optional whitespace (RFC 9110 5.6.3) is space and tab only. */
  static String trimSpaceAndTab(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) start++;
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) end--;
    return s.substring(start, end);
  }

  /** The first value of a header, by case-insensitive name; null if absent. */
  String first(String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) return values.get(i);
    }
    return null;
  }

  /** Whether a comma-separated header (Connection, Expect) lists {@code token}. */
  boolean lists(String name, String token) {
    for (int i = 0; i < names.size(); i++) {
      if (!names.get(i).equalsIgnoreCase(name)) continue;
      for (String part : values.get(i).split(",")) {
        if (trimSpaceAndTab(part).equalsIgnoreCase(token)) return true;
      }
    }
    return false;
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
      if (!ok) return false;
    }
    return true;
  }

  /** Text from the client for an error message: control characters shown as '?', at most 100 characters. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      b.append(c < 32 || c > 126 ? '?' : c);
    }
    return s.length() > 100 ? b.append("...").toString() : b.toString();
  }
}
