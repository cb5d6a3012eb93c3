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
  void readsASymbolFileAsLibpulpsUlpExtractWritesIt() throws SymbolFileException {
    // json-c's pretty print of libpulp's ulp_so_info: .dynsym (with its imports, at 0), then
    // .symtab, every named symbol, with st_info = binding << 4 | type.
    String doc = """
        {
          "library":{
            "name":"libaccess.so.0",
            "buildid":"5ad8e1ee0c9bd5e5c0a6e9e0c4e0f7ff2ba3b6f1",
            "symbols":[
              {
                "name":"puts",
                "offset":0,
                "size":0,
                "st_info":18,
                "st_other":0
              },
              {
                "name":"banner_set",
                "offset":4409,
                "size":23,
                "st_info":18,
                "st_other":0
              },
              {
                "name":"libaccess.c",
                "offset":0,
                "size":0,
                "st_info":4,
                "st_other":0
              },
              {
                "name":"banner",
                "offset":16400,
                "size":8,
                "st_info":1,
                "st_other":0
              },
              {
                "name":"tls_banner",
                "offset":0,
                "size":8,
                "st_info":6,
                "st_other":0
              },
              {
                "name":"banner_set",
                "offset":4409,
                "size":23,
                "st_info":18,
                "st_other":0
              }
            ]
          }
        }""";

    SymbolFile f = SymbolFileJson.read(doc, "libaccess.so.0.json");

    assertThat(f.library()).isEqualTo("libaccess.so.0");
    assertThat(f.buildId().hex()).isEqualTo("5ad8e1ee0c9bd5e5c0a6e9e0c4e0f7ff2ba3b6f1");
    assertThat(f.symbols()).as("imports, file symbols and repeats left out").containsExactly(
        new SymbolFile.Entry("banner_set", 4409, 23, SymbolType.FUNC, SymbolBinding.GLOBAL),
        new SymbolFile.Entry("banner", 16400, 8, SymbolType.OBJECT, SymbolBinding.LOCAL),
        new SymbolFile.Entry("tls_banner", 0, 8, SymbolType.TLS, SymbolBinding.LOCAL));
  }

  @Test
  void namesTheProblemInABrokenLibpulpSymbolFile() {
    assertRejected("{\"library\": {\"name\": 1}}", "\"library\".name must be a string, found Long");
    assertRejected("{\"library\": {\"name\": \"l\", \"buildid\": \"xy\"}}", "\"library\".buildid is not 1 to 64 bytes");
    assertRejected("{\"library\": {\"name\": \"l\", \"buildid\": \"00\", \"symbols\": [{\"name\": \"a\", \"offset\": 1,"
        + " \"size\": 1, \"st_info\": 300}]}}", "\"library\".symbols[0]: offset and size must not be negative, and st_info");
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
    assertRejected("{\"library\": \"l\", \"library\": \"m\"}", "Duplicate field 'library' (line 1, column 27)");
    assertRejected("{} x", "unexpected text after the end");
    assertRejected("{\"offset\": 1.5}", "only integers");
  }

  private static void assertRejected(String text, String message) {
    assertThatThrownBy(() -> SymbolFileJson.read(text, "f.json")).isInstanceOf(SymbolFileException.class)
        .hasMessageStartingWith("f.json: not a symbol file written by `ulp extract`: ").hasMessageContaining(message);
  }
}
