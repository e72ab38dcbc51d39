package io.raftlog.cli.plot;

import java.util.List;

/**
 * One bar per category, stacked from the parts in legend order, each part labelled with its value
 * inside it when it is tall enough and the total above the bar.
 */
final class StackedBarChart {
  private StackedBarChart() {}

  /**
   * The chart as SVG text.
   *
   * @param values {@code values[category][part]}; NaN or 0 draws nothing
   */
  static String draw(
      String title, String yLabel, List<String> categories, List<String> parts, double[][] values) {
    double max = 0;
    for (double[] row : values) {
      max = Math.max(max, sum(row));
    }
    Frame f = new Frame(title, yLabel, "", max, parts);
    double slot = (f.right - f.left) / Math.max(1, categories.size());
    double width = Math.min(80, slot * 0.6);
    for (int c = 0; c < categories.size(); c++) {
      double x = f.left + c * slot + (slot - width) / 2;
      f.svg.text(x + width / 2, f.bottom + 18, categories.get(c), "middle", 11);
      double base = 0;
      for (int p = 0; p < parts.size(); p++) {
        double v = values[c][p];
        if (Double.isNaN(v) || v <= 0) {
          continue;
        }
        double yTop = f.y(base + v);
        double height = f.y(base) - yTop;
        String label = Frame.number(v);
        f.svg.rect(
            x,
            yTop,
            width,
            height,
            Frame.colour(p),
            categories.get(c) + " " + parts.get(p) + ": " + label);
        if (height >= 14) {
          f.svg.text(x + width / 2, yTop + height / 2 + 4, label, "middle", 10);
        }
        base += v;
      }
      f.svg.text(x + width / 2, f.y(base) - 4, Frame.number(base), "middle", 10);
    }
    return f.toString();
  }

  private static double sum(double[] row) {
    double s = 0;
    for (double v : row) {
      if (!Double.isNaN(v) && v > 0) {
        s += v;
      }
    }
    return s;
  }
}
