package io.kulp.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfFile;
import io.kulp.elf.SymbolBinding;
import io.kulp.elf.SymbolType;
import io.kulp.testing.Binutils;
import io.kulp.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class SymbolFileJsonTest {

  @Test
  void roundTripsASymbolFile() throws SymbolFileException {
    SymbolFile f = new SymbolFile("libkfix.so.1", BuildId.ofHex("64132f12"), List.of(
        new SymbolFile.Entry("kfix_value", 8430, 8, SymbolType.FUNC, SymbolBinding.GLOBAL),
        new SymbolFile.Entry("tls_hits", 0, 4, SymbolType.TLS, SymbolBinding.LOCAL),
        new SymbolFile.Entry("odd\"name\\", 1, 0, SymbolType.OBJECT, SymbolBinding.WEAK)));

    assertThat(SymbolFileJson.read(SymbolFileJson.write(f), "f.json")).isEqualTo(f);
  }

  @Test
  void readsTheShapeTheFormatDocumentShows() throws SymbolFileException {
    String doc = """
        {
          "library": "libkfix.so.1",
          "buildId": "5d7c9e",
          "symbols": [
            { "name": "kfix_value", "offset": 4432, "size": 12, "type": "FUNC", "binding": "GLOBAL" },
            { "name": "tls_hits", "offset": 0, "size": 4, "type": "TLS", "binding": "LOCAL" }
          ]
        }
        """;
    SymbolFile f = SymbolFileJson.read(doc, "f.json");

    assertThat(f.library()).isEqualTo("libkfix.so.1");
    assertThat(f.buildId().hex()).isEqualTo("5d7c9e");
    assertThat(f.symbols()).extracting(SymbolFile.Entry::offset).containsExactly(4432L, 0L);
  }

  @Test
  void extractsTheFixtureLibrarysStaticDataAndTlsSymbols() throws Exception {
    ElfFile elf = ElfFile.open(Fixtures.library());
    SymbolFile f = SymbolFile.of(elf, "libkfix.so.1", elf.buildId().orElseThrow());

    assertThat(f.symbols()).filteredOn(e -> e.name().equals("kfix_hidden")).singleElement()
        .satisfies(e -> assertThat(e.offset()).isEqualTo(Binutils.nmValue(Fixtures.library(), "kfix_hidden")));
    assertThat(f.symbols()).filteredOn(e -> e.name().equals("tls_hits")).singleElement()
        .satisfies(e -> assertThat(e.type()).isEqualTo(SymbolType.TLS));
    assertThat(f.symbols()).filteredOn(e -> e.name().equals("kfix_value")).as("in .symtab and .dynsym, kept once")
        .hasSize(1);
    assertThat(f.symbols()).noneMatch(e -> e.type() == SymbolType.FILE || e.type() == SymbolType.SECTION);
  }

  @Test
  void namesTheProblemInABrokenFile() {
    assertRejected("{", "line 1, column 2");
    assertRejected("{\"library\": 1, \"buildId\": \"00\", \"symbols\": []}", "\"library\" must be a string, found Long");
    assertRejected("{\"library\": \"l\", \"buildId\": \"0\", \"symbols\": []}", "\"buildId\" is not 1 to 64 bytes");
    assertRejected("{\"library\": \"l\", \"buildId\": \"00\"}", "\"symbols\" must be an array, found nothing");
    assertRejected("{\"library\": \"l\", \"buildId\": \"00\", \"symbols\": [{\"name\": \"a\", \"offset\": 1, \"size\": 1,"
        + " \"type\": \"CODE\", \"binding\": \"GLOBAL\"}]}", "symbols[0].type: unknown value \"CODE\"");
    assertRejected("{\"library\": \"l\", \"buildId\": \"00\", \"symbols\": [{\"name\": \"a\", \"offset\": -1, \"size\": 1,"
        + " \"type\": \"FUNC\", \"binding\": \"GLOBAL\"}]}", "must not be negative");
    assertRejected("{\"library\": \"l\", \"library\": \"m\"}", "appears twice");
    assertRejected("{} x", "unexpected text after the end");
    assertRejected("{\"offset\": 1.5}", "only integers");
  }

  private static void assertRejected(String text, String message) {
    assertThatThrownBy(() -> SymbolFileJson.read(text, "f.json")).isInstanceOf(SymbolFileException.class)
        .hasMessageStartingWith("f.json: not a symbol file written by `ulp extract`: ").hasMessageContaining(message);
  }
}
