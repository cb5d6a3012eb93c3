package io.kulp.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void parsesObjectsArraysStringsIntegersAndLiterals() throws JsonException {
    Object v = Json.parse(" {\"a\": [1, -2, true, false, null], \"b\": {\"c\": \"x\\ty\\u00e9\\\"\"}} ");

    assertThat(v).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, -2L, true, false, null), "b", Map.of("c", "x\ty\u00e9\"")));
    assertThat(Json.parse("[]")).isEqualTo(List.of());
  }

  @Test
  void quotesWhatItParsesBack() throws JsonException {
    String s = "q\"b\\n\nt\tc\u0001é";
    assertThat(Json.parse(Json.quote(s))).isEqualTo(s);
  }

  @Test
  void rejectsMalformedDocumentsWithAPosition() {
    assertThatThrownBy(() -> Json.parse("[1,\n 2,]")).isInstanceOf(JsonException.class).hasMessageStartingWith("line 2, column 4");
    assertThatThrownBy(() -> Json.parse("\"abc")).hasMessageContaining("unterminated string");
    assertThatThrownBy(() -> Json.parse("99999999999999999999")).hasMessageContaining("too large integer");
    assertThatThrownBy(() -> Json.parse("[".repeat(100))).hasMessageContaining("nested more than 64");
    assertThatThrownBy(() -> Json.parse("tru")).hasMessageContaining("expected true");
    assertThatThrownBy(() -> Json.parse("\"a\nb\"")).hasMessageContaining("control character");
  }
}
