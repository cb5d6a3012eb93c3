package io.kulp.patch;

import io.kulp.elf.BuildId;
import io.kulp.elf.SymbolBinding;
import io.kulp.elf.SymbolType;
import io.kulp.json.Json;
import io.kulp.json.JsonException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link SymbolFile} as the JSON shown in docs/patch-format.md; reads libpulp's
 * {@code ulp extract} files too ({@link LibpulpSymbolFile}).
 */
public final class SymbolFileJson {
  /**
   * The largest symbol file read: {@code ulp extract} writes about 100 bytes per symbol, so 64 MiB
   * is some 600,000 symbols, more than the largest libraries have.
   */
  public static final long MAX_BYTES = 64L * 1024 * 1024;

  private SymbolFileJson() {}

  public static String write(SymbolFile f) {
    StringBuilder b = new StringBuilder(64 + f.symbols().size() * 96);
    b.append("{\n  \"library\": ").append(Json.quote(f.library()))
        .append(",\n  \"buildId\": ").append(Json.quote(f.buildId().hex()))
        .append(",\n  \"symbols\": [");
    String sep = "\n";
    for (SymbolFile.Entry e : f.symbols()) {
      b.append(sep).append("    { \"name\": ").append(Json.quote(e.name()))
          .append(", \"offset\": ").append(e.offset())
          .append(", \"size\": ").append(e.size())
          .append(", \"type\": ").append(Json.quote(e.type().name()))
          .append(", \"binding\": ").append(Json.quote(e.binding().name())).append(" }");
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
      Map<?, ?> root = as(Map.class, Json.parse(text), "the document");
      if (root.get("library") instanceof Map<?, ?> libpulp) {
        return LibpulpSymbolFile.read(libpulp);
      }
      String library = as(String.class, root.get("library"), "\"library\"");
      String hex = as(String.class, root.get("buildId"), "\"buildId\"");
      BuildId buildId;
      try {
        buildId = BuildId.ofHex(hex);
      } catch (IllegalArgumentException e) {
        throw new JsonException("\"buildId\" is not 1 to 64 bytes of hex: " + e.getMessage());
      }
      List<?> list = as(List.class, root.get("symbols"), "\"symbols\"");
      List<SymbolFile.Entry> symbols = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        symbols.add(entry(as(Map.class, list.get(i), "symbols[" + i + "]"), "symbols[" + i + "]"));
      }
      return new SymbolFile(library, buildId, symbols);
    } catch (JsonException e) {
      throw new SymbolFileException(source + ": not a symbol file written by `ulp extract`: " + e.getMessage());
    }
  }

  private static SymbolFile.Entry entry(Map<?, ?> m, String where) throws JsonException {
    long offset = as(Long.class, m.get("offset"), where + ".offset");
    long size = as(Long.class, m.get("size"), where + ".size");
    if (offset < 0 || size < 0) {
      throw new JsonException(where + ": offset and size must not be negative");
    }
    return new SymbolFile.Entry(as(String.class, m.get("name"), where + ".name"), offset, size,
        named(SymbolType.class, m.get("type"), where + ".type"),
        named(SymbolBinding.class, m.get("binding"), where + ".binding"));
  }

  private static <E extends Enum<E>> E named(Class<E> type, Object v, String where) throws JsonException {
    String name = as(String.class, v, where);
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new JsonException(where + ": unknown value \"" + name + "\"");
    }
  }

  static <T> T as(Class<T> type, Object v, String where) throws JsonException {
    if (!type.isInstance(v)) {
      String found = v == null ? "nothing" : v.getClass().getSimpleName();
      throw new JsonException(where + " must be " + kind(type) + ", found " + found);
    }
    return type.cast(v);
  }

  private static String kind(Class<?> type) {
    return type == Map.class ? "an object" : type == List.class ? "an array" : type == Long.class ? "an integer" : "a string";
  }
}
