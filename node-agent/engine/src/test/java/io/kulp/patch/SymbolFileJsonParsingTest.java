package io.kulp.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON reading under the symbol files (jackson-jr, made strict), and the quoting of their strings. */
class SymbolFileJsonParsingTest {

  @Test
  void parsesObjectsArraysStringsIntegersAndLiterals() throws Exception {
    Object v = SymbolFileJson.parse(" {\"a\": [1, -2, true, false, null], \"b\": {\"c\": \"x\\ty\\u00e9\\\"\"}} ");

    assertThat(v).isEqualTo(Map.of("a", Arrays.asList(1L, -2L, true, false, null), "b", Map.of("c", "x\ty\u00e9\"")));
    assertThat(SymbolFileJson.parse("[]")).isEqualTo(List.of());
    assertThat(SymbolFileJson.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void quotesWhatItParsesBack() throws Exception {
    String s = "q\"b\\n\nt\tc\u0001é";
    assertThat(SymbolFileJson.parse(SymbolFileJson.quote(s))).isEqualTo(s);
  }

  @Test
  void rejectsMalformedDocumentsWithAPosition() {
    assertThatThrownBy(() -> SymbolFileJson.parse("[1,\n 2,]")).isInstanceOf(SymbolFileJson.Invalid.class)
        .hasMessageContaining("(line 2, column");
    assertThatThrownBy(() -> SymbolFileJson.parse("\"abc")).hasMessageContaining("end-of-input");
    assertThatThrownBy(() -> SymbolFileJson.parse("99999999999999999999")).hasMessageContaining("too large integer");
    assertThatThrownBy(() -> SymbolFileJson.parse("[".repeat(100))).hasMessageContaining("nesting depth")
        .hasMessageContaining("64");
    assertThatThrownBy(() -> SymbolFileJson.parse("tru")).hasMessageContaining("Unrecognized token 'tru'");
    assertThatThrownBy(() -> SymbolFileJson.parse("\"a\nb\"")).hasMessageContaining("CTRL-CHAR");
    assertThatThrownBy(() -> SymbolFileJson.parse("{\"a\": 1, \"a\": 2}")).hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> SymbolFileJson.parse("[1] [2]")).hasMessageContaining("unexpected text after the end");
    assertThatThrownBy(() -> SymbolFileJson.parse("[1e3]")).hasMessageContaining("numbers must be integers");
  }
}
