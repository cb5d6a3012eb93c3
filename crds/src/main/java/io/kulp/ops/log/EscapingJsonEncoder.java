package io.kulp.ops.log;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.nio.charset.StandardCharsets;

/**
 * logback's {@link JsonEncoder}, and besides the C0 controls it escapes, every other character a
 * terminal or a log viewer could act on: DEL, C1 controls (an 8-bit CSI starts a terminal escape),
 * format characters (bidirectional overrides, zero-width characters) and the line and paragraph
 * separators, as {@code \\uXXXX}. Log lines carry text from containers (paths, library names,
 * messages of the runtime), which a workload controls. Such characters can only be inside JSON
 * strings (the encoder writes its structure in ASCII), so the line stays the same JSON.
 */
final class EscapingJsonEncoder extends JsonEncoder {

  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] line = super.encode(event);
    for (byte b : line) {
      if (b < 0 || b == 0x7f) { // anything beyond ASCII, or DEL: look closer
        return escape(new String(line, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
      }
    }
    return line;
  }

  static String escape(String line) {
    StringBuilder out = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      boolean escape = c == 0x7f || (c >= 0x80 && c <= 0x9f) || Character.getType(c) == Character.FORMAT
          || c == '\u2028' || c == '\u2029';
      if (escape && out == null) {
        out = new StringBuilder(line.length() + 16).append(line, 0, i);
      }
      if (escape) {
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? line : out.toString();
  }
}
