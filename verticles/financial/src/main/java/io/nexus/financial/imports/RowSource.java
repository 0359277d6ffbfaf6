package io.nexus.financial.imports;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of an import file, whatever its format: CSV with a header (mapped, any delimiter,
 * quoted fields with doubled quotes, which may span lines) or JSON Lines (one object per line with the column
 * names as keys). A row that cannot be read is returned with its error, never thrown.
 */
abstract class RowSource {
  /** The columns of a row, by name. */
  static final List<String> COLUMNS = List.of("entry", "date", "account", "debit", "credit", "currency", "description",
      "counterparty", "document", "time");
  static final List<String> REQUIRED = List.of("entry", "date", "account", "debit", "credit");

  /** One row: its line and its fields (null when empty), or why it could not be read. */
  record RawRow(long line, String[] fields, String error) {
    String get(int column) {
      return fields[column];
    }
  }

  final LineReader lines;

  RowSource(LineReader lines) {
    this.lines = lines;
  }

  /** The next row, null at the end; blank lines are skipped, an unreadable line is a row with its error. */
  final RawRow next() throws IOException {
    LineReader.Line l;
    do {
      l = lines.next();
    } while (l != null && l.error() == null && l.text().isBlank());
    if (l == null) {
      return null;
    }
    return l.error() != null ? new RawRow(l.number(), null, l.error()) : parse(l.number(), l.text());
  }

  /** One non-blank line as a row (a CSV row may read more lines). */
  abstract RawRow parse(long line, String text) throws IOException;

  /** A problem with the whole file: nothing after it can be read. */
  static final class FileProblem extends Exception {
    final long line;

    FileProblem(long line, String message) {
      super(message, null, false, false);
      this.line = line;
    }
  }

  /** CSV: the first non-empty line is the header. */
  static final class Csv extends RowSource {
    private final char delimiter;
    private final Map<String, String> mapping;
    private int[] positions;

    Csv(LineReader lines, char delimiter, Map<String, String> mapping) {
      super(lines);
      this.delimiter = delimiter;
      this.mapping = mapping;
    }

    /** Reads the header; fails naming the missing columns (and the likely delimiter when that is why). */
    void header() throws IOException, FileProblem {
      LineReader.Line h;
      do {
        h = lines.next();
        if (h == null) {
          throw new FileProblem(0, "the file is empty; expected a header line naming the columns " + REQUIRED);
        }
      } while (h.error() == null && h.text().isBlank());
      if (h.error() != null) {
        throw new FileProblem(h.number(), "header: " + h.error());
      }
      List<String> names;
      try {
        names = split(h.text(), delimiter);
      } catch (IllegalArgumentException e) {
        throw new FileProblem(h.number(), "header: " + e.getMessage());
      }
      var index = new LinkedHashMap<String, Integer>();
      for (int i = 0; i < names.size(); i++) {
        index.putIfAbsent(names.get(i).trim().toLowerCase(java.util.Locale.ROOT), i);
      }
      positions = new int[COLUMNS.size()];
      var missing = new ArrayList<String>();
      for (int c = 0; c < COLUMNS.size(); c++) {
        String column = COLUMNS.get(c);
        String header = mapping.getOrDefault(column, column).trim().toLowerCase(java.util.Locale.ROOT);
        Integer at = index.get(header);
        positions[c] = at == null ? -1 : at;
        if (at == null && REQUIRED.contains(column)) {
          missing.add(header.equals(column) ? column : column + " (as '" + header + "')");
        }
      }
      if (!missing.isEmpty()) {
        String hint = "";
        if (names.size() == 1) {
          for (char d : new char[] {',', ';', '\t', '|'}) {
            if (d != delimiter && h.text().indexOf(d) >= 0) {
              hint = "; the header has one column: is the delimiter '" + (d == '\t' ? "\\t" : String.valueOf(d)) + "'?";
              break;
            }
          }
        }
        throw new FileProblem(h.number(), "header: no column " + String.join(", ", missing) + " (found "
            + names.size() + " column" + (names.size() == 1 ? "" : "s") + ")" + hint);
      }
    }

    @Override
    RawRow parse(long line, String text) throws IOException {
      List<String> values;
      try {
        values = splitRow(line, text);
      } catch (IllegalArgumentException e) {
        return new RawRow(line, null, e.getMessage());
      }
      var fields = new String[COLUMNS.size()];
      for (int c = 0; c < fields.length; c++) {
        int at = positions[c];
        String v = at >= 0 && at < values.size() ? values.get(at).trim() : "";
        fields[c] = v.isEmpty() ? null : v;
      }
      return new RawRow(line, fields, null);
    }

    /**
     * Splits one row: a quoted field may span lines (RFC 4180), so while one is open the next
     * line joins the row, separated by LF, up to the line limit for the whole row.
     */
    private List<String> splitRow(long first, String text) throws IOException {
      String row = text;
      while (true) {
        try {
          return split(row, delimiter);
        } catch (Unclosed e) {
          LineReader.Line more = lines.next();
          if (more == null) {
            throw new IllegalArgumentException("a quoted field opened on this line is not closed before the end of the file");
          }
          if (more.error() != null) {
            throw new IllegalArgumentException("a quoted field continues on line " + more.number() + ": " + more.error());
          }
          if (row.length() + 1 + more.text().length() > lines.maxLineBytes()) {
            throw new IllegalArgumentException("a quoted field spanning lines " + first + "-" + more.number()
                + " makes the row longer than " + lines.maxLineBytes() + " bytes");
          }
          row = row + "\n" + more.text();
        }
      }
    }

    /** A quoted field still open at the end of the text: the row goes on on the next line. */
    static final class Unclosed extends IllegalArgumentException {
      Unclosed() {
        super("a quoted field is not closed", null);
      }
    }

    /** Splits one CSV row (RFC 4180 quoting); {@link Unclosed} when a quoted field is still open at its end. */
    static List<String> split(String s, char delimiter) {
      var out = new ArrayList<String>();
      int i = 0;
      int n = s.length();
      while (true) {
        if (i < n && s.charAt(i) == '"') {
          var sb = new StringBuilder();
          i++;
          while (true) {
            if (i >= n) {
              throw new Unclosed();
            }
            char ch = s.charAt(i);
            if (ch == '"') {
              if (i + 1 < n && s.charAt(i + 1) == '"') {
                sb.append('"');
                i += 2;
                continue;
              }
              i++;
              break;
            }
            sb.append(ch);
            i++;
          }
          if (i < n && s.charAt(i) != delimiter) {
            throw new IllegalArgumentException("unexpected text after a quoted field at column " + (out.size() + 1));
          }
          out.add(sb.toString());
        } else {
          int end = s.indexOf(delimiter, i);
          if (end < 0) {
            end = n;
          }
          out.add(s.substring(i, end));
          i = end;
        }
        if (i >= n) {
          return out;
        }
        i++; // the delimiter
        if (i == n) {
          out.add("");
          return out;
        }
      }
    }
  }

  /** JSON Lines: one object per line; values are strings or numbers. */
  static final class JsonLines extends RowSource {
    JsonLines(LineReader lines) {
      super(lines);
    }

    @Override
    RawRow parse(long line, String text) {
      JsonObject o;
      try {
        o = new JsonObject(text);
      } catch (DecodeException | ClassCastException e) {
        return new RawRow(line, null, "not a JSON object");
      }
      var fields = new String[COLUMNS.size()];
      for (int c = 0; c < fields.length; c++) {
        Object v = o.getValue(COLUMNS.get(c));
        if (v == null) {
          continue;
        }
        if (v instanceof Number num) {
          fields[c] = num instanceof Double || num instanceof Float ? BigDecimal.valueOf(num.doubleValue()).toPlainString()
              : num.toString();
        } else if (v instanceof String str) {
          fields[c] = str.isBlank() ? null : str.trim();
        } else {
          return new RawRow(line, null, COLUMNS.get(c) + ": expected a string or a number");
        }
      }
      for (String key : o.fieldNames()) {
        if (!COLUMNS.contains(key)) {
          return new RawRow(line, null, "unknown field '" + key + "'; fields are " + COLUMNS);
        }
      }
      return new RawRow(line, fields, null);
    }
  }
}
