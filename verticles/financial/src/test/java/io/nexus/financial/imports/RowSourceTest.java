package io.nexus.financial.imports;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowSourceTest {
  private static final String HEADER = "entry,date,account,debit,credit,description\n";
  private static final int DESCRIPTION = RowSource.COLUMNS.indexOf("description");

  private static List<RowSource.RawRow> rows(String csv, int maxLineBytes) throws Exception {
    var lines = new LineReader(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), maxLineBytes);
    var source = new RowSource.Csv(lines, ',', Map.of());
    source.header();
    var out = new ArrayList<RowSource.RawRow>();
    for (var r = source.next(); r != null; r = source.next()) {
      out.add(r);
    }
    return out;
  }

  @Test
  @DisplayName("a quoted field may span lines (RFC 4180): the row keeps its first line's number and the next row its own")
  void quotedFieldSpanningLines() throws Exception {
    var rows = rows(HEADER
        + "E1,2024-01-02,1000,10.00,,\"first line\r\n\r\nthird, with a comma and \"\"quotes\"\"\"\n"
        + "E1,2024-01-02,4000,,10.00,plain\n", 4096);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).error()).isNull();
    assertThat(rows.get(0).line()).isEqualTo(2);
    assertThat(rows.get(0).get(DESCRIPTION)).isEqualTo("first line\n\nthird, with a comma and \"quotes\"");
    assertThat(rows.get(1).line()).isEqualTo(5);
    assertThat(rows.get(1).get(DESCRIPTION)).isEqualTo("plain");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unclosed at the end of the file|E1,2024-01-02,1000,10.00,,\"never closed\\nstill open|not closed before the end of the file",
      "text after a closing quote|E1,2024-01-02,1000,10.00,,\"quoted\"x|unexpected text after a quoted field at column 6",
      "a spanning row past the line limit|E1,2024-01-02,1000,10.00,,\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\\nc\"|longer than 80 bytes"})
  @DisplayName("a row that cannot be read is one row with an error naming why, and the rows after it still read")
  void refusals(String what, String row, String message) throws Exception {
    var rows = rows(HEADER + row.replace("\\n", "\n") + "\n", 80);
    assertThat(rows.get(0).error()).as(what).contains(message);
    if (!message.contains("end of the file")) {
      assertThat(rows(HEADER + row.replace("\\n", "\n") + "\nE2,2024-01-03,1000,1.00,,after\n", 80))
          .last().satisfies(r -> assertThat(r.get(DESCRIPTION)).isEqualTo("after"));
    }
  }
}
