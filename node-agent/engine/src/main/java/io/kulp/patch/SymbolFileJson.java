package io.kulp.patch;

import io.kulp.elf.BuildId;
import io.kulp.elf.SymbolBinding;
import io.kulp.elf.SymbolType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link SymbolFile} as the JSON shown in docs/patch-format.md; reads libpulp's
 * {@code ulp extract} files too ({@link LibpulpSymbolFile}). Parsed with jackson-jr, strictly: no
 * repeated key, nothing after the document, integers only, at most {@value #MAX_DEPTH} levels
 * deep. Only {@code ulp extract} and {@code ulp packer} load this class (and Jackson): not
 * {@code ulp trigger}, whose start-up it would cost (docs/benchmarks.md, "CLI start-up").
 */
public final class SymbolFileJson {
  /**
   * The largest symbol file read: {@code ulp extract} writes about 100 bytes per symbol, so 64 MiB
   * is some 600,000 symbols, more than the largest libraries have.
   */
  public static final long MAX_BYTES = 64L * 1024 * 1024;

  /** The deepest nesting read: kulp's and libpulp's files have 4 levels. */
  static final int MAX_DEPTH = 64;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
  private static final JSON READER = JSON.builder(FACTORY).enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS).build();

  private SymbolFileJson() {}

  /** What is wrong with a document, for the message of the {@link SymbolFileException}. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  public static String write(SymbolFile f) {
    StringBuilder b = new StringBuilder(64 + f.symbols().size() * 96);
    b.append("{\n  \"library\": ").append(quote(f.library()))
        .append(",\n  \"buildId\": ").append(quote(f.buildId().hex()))
        .append(",\n  \"symbols\": [");
    String sep = "\n";
    for (SymbolFile.Entry e : f.symbols()) {
      b.append(sep).append("    { \"name\": ").append(quote(e.name()))
          .append(", \"offset\": ").append(e.offset())
          .append(", \"size\": ").append(e.size())
          .append(", \"type\": ").append(quote(e.type().name()))
          .append(", \"binding\": ").append(quote(e.binding().name())).append(" }");
      sep = ",\n";
    }
    return b.append(f.symbols().isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
  }

  /**
   * Reads and parses the symbol file at {@code file}. A file larger than {@link #MAX_BYTES} is
   * refused before it is read.
   */
  public static SymbolFile read(Path file) throws IOException, SymbolFileException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new SymbolFileException(file + ": " + size + " bytes is more than the " + MAX_BYTES
          + " a symbol file written by `ulp extract` may have");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new SymbolFileException(file + ": not a symbol file written by `ulp extract`: not UTF-8 text");
    }
    return read(text, file.toString());
  }

  /** Parses a symbol file; {@code source} names it in messages. */
  public static SymbolFile read(String text, String source) throws SymbolFileException {
    try {
      Map<?, ?> root = as(Map.class, parse(text), "the document");
      if (root.get("library") instanceof Map<?, ?> libpulp) {
        return LibpulpSymbolFile.read(libpulp);
      }
      String library = as(String.class, root.get("library"), "\"library\"");
      String hex = as(String.class, root.get("buildId"), "\"buildId\"");
      BuildId buildId;
      try {
        buildId = BuildId.ofHex(hex);
      } catch (IllegalArgumentException e) {
        throw new Invalid("\"buildId\" is not 1 to 64 bytes of hex: " + e.getMessage());
      }
      List<?> list = as(List.class, root.get("symbols"), "\"symbols\"");
      List<SymbolFile.Entry> symbols = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        symbols.add(entry(as(Map.class, list.get(i), "symbols[" + i + "]"), "symbols[" + i + "]"));
      }
      return new SymbolFile(library, buildId, symbols);
    } catch (Invalid e) {
      throw new SymbolFileException(source + ": not a symbol file written by `ulp extract`: " + e.getMessage());
    }
  }

  private static SymbolFile.Entry entry(Map<?, ?> m, String where) throws Invalid {
    long offset = as(Long.class, m.get("offset"), where + ".offset");
    long size = as(Long.class, m.get("size"), where + ".size");
    if (offset < 0 || size < 0) {
      throw new Invalid(where + ": offset and size must not be negative");
    }
    return new SymbolFile.Entry(as(String.class, m.get("name"), where + ".name"), offset, size,
        named(SymbolType.class, m.get("type"), where + ".type"),
        named(SymbolBinding.class, m.get("binding"), where + ".binding"));
  }

  private static <E extends Enum<E>> E named(Class<E> type, Object v, String where) throws Invalid {
    String name = as(String.class, v, where);
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new Invalid(where + ": unknown value \"" + name + "\"");
    }
  }

  /** The document as maps, lists, strings, booleans, null and Longs. */
  static Object parse(String text) throws Invalid {
    try (JsonParser p = FACTORY.createParser(text)) {
      Object root = READER.anyFrom(p);
      JsonLocation end = p.currentLocation();
      boolean more;
      try {
        more = p.nextToken() != null;
      } catch (JsonProcessingException e) {
        more = true; // not even a token
      }
      if (more) {
        throw new Invalid("unexpected text after the end of the document (" + where(end) + ")");
      }
      return integers(root);
    } catch (JsonProcessingException e) {
      throw new Invalid(e.getOriginalMessage() + " (" + where(e.getLocation()) + ")");
    } catch (IOException e) {
      throw new Invalid(e.getMessage());
    }
  }

  private static String where(JsonLocation at) {
    return at == null ? "unknown position" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** Integers as Long; a fraction or exponent refused (kulp's and libpulp's files hold integers only). */
  private static Object integers(Object v) throws Invalid {
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(e.getKey(), integers(e.getValue()));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object e : l) {
        out.add(integers(e));
      }
      return out;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger) {
      throw new Invalid("too large integer " + v + " (at most " + Long.MAX_VALUE + ")");
    }
    if (v instanceof Number && !(v instanceof Long)) {
      throw new Invalid("numbers must be integers, found " + v + " (only integers are written by `ulp extract`)");
    }
    return v;
  }

  /** {@code s} as a JSON string literal, escaped by Jackson. */
  static String quote(String s) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
  }

  static <T> T as(Class<T> type, Object v, String where) throws Invalid {
    if (!type.isInstance(v)) {
      String found = v == null ? "nothing" : v.getClass().getSimpleName();
      throw new Invalid(where + " must be " + kind(type) + ", found " + found);
    }
    return type.cast(v);
  }

  private static String kind(Class<?> type) {
    return type == Map.class ? "an object" : type == List.class ? "an array" : type == Long.class ? "an integer" : "a string";
  }
}
