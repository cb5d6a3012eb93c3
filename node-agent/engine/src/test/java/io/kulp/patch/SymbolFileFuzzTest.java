package io.kulp.patch;

import io.kulp.elf.BuildId;
import io.kulp.elf.SymbolBinding;
import io.kulp.elf.SymbolType;
import io.kulp.testing.Fuzz;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the symbol-file reader and the JSON reader under it (docs/fuzzing.md): random text, and
 * symbol files kulp's or libpulp's {@code ulp extract} wrote, with characters deleted, replaced or
 * inserted (JSON punctuation, escapes, huge numbers, deep nesting). Only SymbolFileException
 * (JsonException for the JSON reader) may come out.
 */
class SymbolFileFuzzTest {
  private static final String WRITTEN = SymbolFileJson.write(new SymbolFile("libkfix.so.1",
      BuildId.ofHex("64132f123900d5782d5ada55f1895dca57f104d2"), List.of(
          new SymbolFile.Entry("kfix_value", 8430, 8, SymbolType.FUNC, SymbolBinding.GLOBAL),
          new SymbolFile.Entry("tls_hits", 0, 4, SymbolType.TLS, SymbolBinding.LOCAL),
          new SymbolFile.Entry("odd\"name\\", 1, 0, SymbolType.OBJECT, SymbolBinding.WEAK))));
  /** What libpulp's ulp extract writes (json-c's pretty print). */
  private static final String WRITTEN_BY_LIBPULP = """
      {
        "library":{
          "name":"libkfix.so.1",
          "buildid":"64132f123900d5782d5ada55f1895dca57f104d2",
          "symbols":[
            {
              "name":"puts",
              "offset":0,
              "size":0,
              "st_info":18,
              "st_other":0
            },
            {
              "name":"tls_hits",
              "offset":0,
              "size":4,
              "st_info":6,
              "st_other":0
            }
          ]
        }
      }""";

  @Property
  void randomTextIsRejectedCleanly(@ForAll String text) {
    reads(text);
  }

  @Property
  void damagedSymbolFilesAreReadOrRejectedCleanly(@ForAll("damagedSymbolFiles") String text) {
    reads(text);
  }

  private static void reads(String text) {
    Fuzz.allowing(() -> SymbolFileJson.read(text, "fuzz.json"), SymbolFileException.class);
    Fuzz.allowing(() -> SymbolFileJson.parse(text), SymbolFileJson.Invalid.class);
  }

  /** position (fraction of the length), characters removed there, text inserted. */
  private record Edit(double at, int removed, String inserted) {}

  @Provide
  Arbitrary<String> damagedSymbolFiles() {
    Arbitrary<String> token = Arbitraries.oneOf(Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\u00",
        "\\ud800", "-", "0", "-0", "9223372036854775808", "-9223372036854775809", "1e5", "1.5", "null", "true", "\"x\"",
        "\u0000", "\u0661", "[".repeat(100), "{\"a\":".repeat(80), " "), Arbitraries.strings().ofMaxLength(4));
    Arbitrary<Edit> edit = Combinators.combine(Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(0, 8),
        token).as(Edit::new);
    return Combinators.combine(Arbitraries.of(WRITTEN, WRITTEN_BY_LIBPULP), edit.list().ofMinSize(1).ofMaxSize(6))
        .as(SymbolFileFuzzTest::damaged);
  }

  private static String damaged(String written, List<Edit> edits) {
    StringBuilder b = new StringBuilder(written);
    for (Edit e : edits) {
      int at = (int) (e.at() * b.length());
      b.delete(at, Math.min(b.length(), at + e.removed())).insert(at, e.inserted());
    }
    return b.toString();
  }
}
