package io.raftlog.cli.plot;

import java.util.Locale;

/**
 * A hand-rolled SVG document: just the elements the charts draw (lines, rectangles, polylines,
 * text), with every attribute value and text escaped. One chart builds one, on one thread.
 */
final class Svg {
  private final StringBuilder body = new StringBuilder();
  private final int width;
  private final int height;

  Svg(int width, int height) {
    this.width = width;
    this.height = height;
  }

  Svg line(double x1, double y1, double x2, double y2, String stroke) {
    body.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
            x1,
            y1,
            x2,
            y2,
            escape(stroke)));
    return this;
  }

  Svg rect(double x, double y, double w, double h, String fill, String title) {
    body.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                + "<title>%s</title></rect>%n",
            x,
            y,
            Math.max(w, 0),
            Math.max(h, 0),
            escape(fill),
            escape(title)));
    return this;
  }

  /** A polyline through {@code xs[i], ys[i]} with a dot on each point. */
  Svg polyline(double[] xs, double[] ys, String stroke) {
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < xs.length; i++) {
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
    }
    body.append(
        String.format(
            Locale.ROOT,
            "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
            points.toString().trim(),
            escape(stroke)));
    for (int i = 0; i < xs.length; i++) {
      body.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
              xs[i],
              ys[i],
              escape(stroke)));
    }
    return this;
  }

  /** Text at {@code x, y}; {@code anchor} is start, middle or end. */
  Svg text(double x, double y, String text, String anchor, int size) {
    body.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
            x,
            y,
            anchor,
            size,
            escape(text)));
    return this;
  }

  /** Text turned 90 degrees counter-clockwise about {@code x, y} (a y axis label). */
  Svg verticalText(double x, double y, String text, int size) {
    body.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%d\""
                + " transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n",
            x,
            y,
            size,
            x,
            y,
            escape(text)));
    return this;
  }

  @Override
  public String toString() {
    return String.format(
            Locale.ROOT,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
            width,
            height,
            width,
            height)
        + body
        + "</svg>\n";
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n') {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
