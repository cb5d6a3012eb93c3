package io.kulp.patch;

import io.kulp.patch.PatchDescription.FunctionLine;
import io.kulp.patch.PatchDescription.ReferenceLine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parses a {@code .dsc} file; docs/patch-format.md describes each kind of line. */
public final class DescriptionParser {
  /**
   * The largest description read: the most one can say (256 functions, 256 references and 32
   * labels, each name at most 1023 bytes) is under 1.1 MB.
   */
  public static final long MAX_BYTES = 2 * 1024 * 1024;

  private static final String LINE_KINDS = "expected `old:new`, `@target`, `#target:ref`, `#%target:ref` or `!label`";

  private final Path file;
  private final List<FunctionLine> functions = new ArrayList<>();
  private final List<ReferenceLine> references = new ArrayList<>();
  private final List<String> labels = new ArrayList<>();
  private final Map<String, Integer> replaced = new HashMap<>();
  private Path container;
  private int containerLine;
  private Path target;
  private int targetLine;

  private DescriptionParser(Path file) {
    this.file = file;
  }

  /** Reads and parses {@code file}; a file larger than {@link #MAX_BYTES} is refused before it is read. */
  public static PatchDescription parse(Path file) throws IOException, DescriptionException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new DescriptionException(file, 1, "a description of " + size + " bytes is more than the " + MAX_BYTES
          + " kulp reads: is this a description file?");
    }
    return parse(file, Files.readAllBytes(file));
  }

  /** Parses {@code bytes} as the contents of {@code file}, which locates relative paths. */
  public static PatchDescription parse(Path file, byte[] bytes) throws DescriptionException {
    return new DescriptionParser(file).run(bytes);
  }

  private PatchDescription run(byte[] bytes) throws DescriptionException {
    List<String> lines = lines(bytes);
    for (int i = 0; i < lines.size(); i++) {
      line(i + 1, lines.get(i));
    }
    int end = Math.max(1, lines.size());
    if (container == null) {
      throw error(1, "empty description: the first line must name the container .so");
    }
    if (target == null) {
      throw error(end, "no `@` line: add `@PATH` naming the target library or a `ulp extract` symbol file");
    }
    if (functions.isEmpty() && references.isEmpty()) {
      throw error(end, "no `old:new` or `#target:ref` line: the description patches nothing");
    }
    return new PatchDescription(file, bytes.clone(), container, containerLine, target, targetLine, functions, references, labels);
  }

  private void line(int n, String raw) throws DescriptionException {
    String line = raw.strip();
    if (line.isEmpty()) {
      return;
    }
    // As libpulp does, labels and empty lines may come before the container.
    if (container == null && line.charAt(0) != '!') {
      if ("@#".indexOf(line.charAt(0)) >= 0 || line.contains(":")) {
        throw error(n, "the first line (after `!` labels) must be the path of the container .so, found `" + line + "`");
      }
      container = resolve(n, line);
      containerLine = n;
      return;
    }
    switch (line.charAt(0)) {
      case '@' -> target(n, line.substring(1).strip());
      case '!' -> label(n, line.substring(1).strip());
      case '#' -> reference(n, line);
      default -> function(n, line);
    }
  }

  private void target(int n, String path) throws DescriptionException {
    if (path.isEmpty()) {
      throw error(n, "`@` must be followed by the path of the target library or symbol file");
    }
    if (target != null) {
      throw error(n, "a second `@` line: the target is already given on line " + targetLine);
    }
    target = resolve(n, path);
    targetLine = n;
  }

  private void label(int n, String text) throws DescriptionException {
    if (text.isEmpty()) {
      return;
    }
    if (labels.size() == PatchFormat.MAX_LABELS) {
      throw error(n, "more than " + PatchFormat.MAX_LABELS + " labels");
    }
    if (text.getBytes(StandardCharsets.UTF_8).length > PatchFormat.MAX_STRING) {
      throw error(n, "label longer than " + PatchFormat.MAX_STRING + " bytes");
    }
    if (text.chars().anyMatch(Character::isISOControl)) {
      throw error(n, "label contains a control character");
    }
    labels.add(text);
  }

  /**
   * {@code #target:ref} or, as libpulp's tools write them, {@code #target:ref:TARGET_OFFSET:PATCH_OFFSET}
   * with both offsets in hexadecimal (as {@code nm} prints them, with or without {@code 0x}).
   */
  private void reference(int n, String line) throws DescriptionException {
    boolean tls = line.startsWith("#%");
    String form = tls ? "`#%target:ref`" : "`#target:ref`";
    String text = line.substring(tls ? 2 : 1);
    String[] fields = text.split(":", -1);
    ReferenceLine.Offsets offsets = null;
    if (fields.length == 4) {
      offsets = new ReferenceLine.Offsets(hex(n, fields[2], "target offset"), hex(n, fields[3], "patch offset"));
      text = fields[0] + ":" + fields[1];
    } else if (fields.length != 2) {
      throw error(n, "expected " + form + " or " + form.replace(":ref`", ":ref:TARGET_OFFSET:PATCH_OFFSET`")
          + ", found `" + line + "`");
    }
    String[] pair = pair(n, text, form);
    if (references.size() == PatchFormat.MAX_REFERENCES) {
      throw error(n, "more than " + PatchFormat.MAX_REFERENCES + " references");
    }
    references.add(new ReferenceLine(n, pair[0], pair[1], tls ? ReferenceKind.TLS : ReferenceKind.DATA, offsets));
  }

  private long hex(int n, String field, String what) throws DescriptionException {
    String digits = field.strip();
    if (digits.startsWith("0x") || digits.startsWith("0X")) {
      digits = digits.substring(2);
    }
    if (digits.isEmpty() || digits.length() > 16 || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw error(n, "the " + what + " `" + field.strip() + "` is not a hexadecimal number (as nm prints it)");
    }
    return Long.parseUnsignedLong(digits, 16);
  }

  /** {@code old:new}, or {@code old:new:OLD_OFFSET} as in libpulp's examples (hexadecimal). */
  private void function(int n, String line) throws DescriptionException {
    if (!line.contains(":")) {
      throw error(n, LINE_KINDS + ", found `" + line + "`");
    }
    String[] fields = line.split(":", -1);
    Long offset = null;
    if (fields.length == 3) {
      offset = hex(n, fields[2], "function offset");
      line = fields[0] + ":" + fields[1];
    }
    String[] pair = pair(n, line, "`old:new`");
    Integer earlier = replaced.putIfAbsent(pair[0], n);
    if (earlier != null) {
      throw error(n, "function " + pair[0] + " is already replaced on line " + earlier);
    }
    if (functions.size() == PatchFormat.MAX_FUNCTIONS) {
      throw error(n, "more than " + PatchFormat.MAX_FUNCTIONS + " functions");
    }
    functions.add(new FunctionLine(n, pair[0], pair[1], offset));
  }

  /** Splits {@code a:b} into two symbol names. */
  private String[] pair(int n, String text, String form) throws DescriptionException {
    int colon = text.indexOf(':');
    if (colon < 0 || colon != text.lastIndexOf(':')) {
      throw error(n, "expected " + form + " with exactly one `:`, found `" + text + "`");
    }
    String a = text.substring(0, colon).strip();
    String b = text.substring(colon + 1).strip();
    checkName(n, a, form);
    checkName(n, b, form);
    return new String[] {a, b};
  }

  private void checkName(int n, String name, String form) throws DescriptionException {
    if (name.isEmpty()) {
      throw error(n, "empty symbol name in " + form);
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isWhitespace(name.charAt(i)) || Character.isISOControl(name.charAt(i))) {
        throw error(n, "symbol name `" + name + "` contains white space or a control character");
      }
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > PatchFormat.MAX_STRING) {
      throw error(n, "symbol name longer than " + PatchFormat.MAX_STRING + " bytes");
    }
  }

  private Path resolve(int n, String path) throws DescriptionException {
    Path dir = file.toAbsolutePath().getParent();
    try {
      return dir.resolve(path).normalize();
    } catch (InvalidPathException e) {
      // On Linux, a NUL byte is the one thing a path cannot hold.
      throw error(n, "`" + path.replace("\0", "\\0") + "` is not a usable path: " + e.getReason());
    }
  }

  /** Splits into lines, strictly decoding each as UTF-8 so a bad byte is reported at its line. */
  private List<String> lines(byte[] bytes) throws DescriptionException {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        if (i == bytes.length && start == i) {
          break; // the text ended with a newline, or is empty
        }
        try {
          out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, i - start)).toString());
        } catch (CharacterCodingException e) {
          throw error(out.size() + 1, "not UTF-8 text: is this a description file?");
        }
        start = i + 1;
      }
    }
    return out;
  }

  private DescriptionException error(int line, String problem) {
    return new DescriptionException(file, line, problem);
  }
}
