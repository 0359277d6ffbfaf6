package io.nexus.vision.fields;

import io.nexus.contracts.vision.Vision.Box;
import io.nexus.contracts.vision.Vision.Span;
import io.nexus.contracts.vision.Vision.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * A document's text as one string — words joined by spaces, lines by newlines, pages by a blank
 * line — that remembers where every word stands in it, so a field found in the text can name
 * its span, its page, the box around its words and their confidence.
 */
public final class DocumentText {
  /** A line of the text: its page, its offset in the text, its words and where each starts. */
  public record Line(int page, int start, String text, List<Word> words, int[] wordStarts) {
    /** The line's words that overlap characters {@code [from, to)} of the line. */
    List<Word> wordsIn(int from, int to) {
      var out = new ArrayList<Word>();
      for (int i = 0; i < words.size(); i++) {
        int ws = wordStarts[i];
        int we = ws + words.get(i).text().length();
        if (ws < to && we > from) {
          out.add(words.get(i));
        }
      }
      return out;
    }

    /** The mean height of its words' boxes: how large it is printed. */
    double height() {
      return words.stream().mapToInt(w -> w.box().height()).average().orElse(0);
    }
  }

  private final StringBuilder text = new StringBuilder();
  private final List<Line> lines = new ArrayList<>();

  /** Adds a page's lines (each a list of words in reading order). */
  public DocumentText page(int page, List<List<Word>> pageLines) {
    if (text.length() > 0) {
      text.append('\n');
    }
    for (List<Word> words : pageLines) {
      if (words.isEmpty()) {
        continue;
      }
      int start = text.length();
      var line = new StringBuilder();
      int[] starts = new int[words.size()];
      for (int i = 0; i < words.size(); i++) {
        if (i > 0) {
          line.append(' ');
        }
        starts[i] = line.length();
        line.append(words.get(i).text());
      }
      lines.add(new Line(page, start, line.toString(), List.copyOf(words), starts));
      text.append(line).append('\n');
    }
    return this;
  }

  public String text() {
    return text.toString();
  }

  public List<Line> lines() {
    return lines;
  }

  /** The span of characters {@code [from, to)} of a line. */
  static Span span(Line line, int from, int to) {
    return new Span(line.page(), line.start() + from, line.start() + to, box(line.wordsIn(from, to)));
  }

  /** The mean confidence of the words under characters {@code [from, to)} of a line (1 when none). */
  static double confidence(Line line, int from, int to) {
    return line.wordsIn(from, to).stream().mapToDouble(Word::confidence).average().orElse(1.0);
  }

  private static Box box(List<Word> words) {
    if (words.isEmpty()) {
      return null;
    }
    int x0 = Integer.MAX_VALUE;
    int y0 = Integer.MAX_VALUE;
    int x1 = 0;
    int y1 = 0;
    for (Word w : words) {
      x0 = Math.min(x0, w.box().x());
      y0 = Math.min(y0, w.box().y());
      x1 = Math.max(x1, w.box().x() + w.box().width());
      y1 = Math.max(y1, w.box().y() + w.box().height());
    }
    return new Box(x0, y0, x1 - x0, y1 - y0);
  }
}
