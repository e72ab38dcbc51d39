package io.raftlog.cli.plot;

import java.util.List;

/**
 * Grouped bars: one group per category along x, one bar per series in each group, each bar labelled
 * with its value; a missing value (NaN) draws no bar.
 */
final class BarChart {
  private BarChart() {}

  /**
   * The chart as SVG text.
   *
   * @param values {@code values[category][series]}
   */
  static String draw(
      String title,
      String yLabel,
      List<String> categories,
      List<String> series,
      double[][] values) {
    Frame f = new Frame(title, yLabel, "", max(values), series);
    double groupWidth = (f.right - f.left) / Math.max(1, categories.size());
    double barWidth = groupWidth * 0.8 / Math.max(1, series.size());
    for (int c = 0; c < categories.size(); c++) {
      double x0 = f.left + c * groupWidth + groupWidth * 0.1;
      f.svg.text(x0 + groupWidth * 0.4, f.bottom + 18, categories.get(c), "middle", 11);
      for (int s = 0; s < series.size(); s++) {
        double v = values[c][s];
        if (Double.isNaN(v)) {
          continue;
        }
        double x = x0 + s * barWidth;
        String label = Frame.number(v);
        f.svg.rect(
            x,
            f.y(v),
            barWidth - 2,
            f.bottom - f.y(v),
            Frame.colour(s),
            series.get(s) + " " + categories.get(c) + ": " + label);
        f.svg.text(x + barWidth / 2 - 1, f.y(v) - 4, label, "middle", 10);
      }
    }
    return f.toString();
  }

  static double max(double[][] values) {
    double m = 0;
    for (double[] row : values) {
      for (double v : row) {
        if (!Double.isNaN(v)) {
          m = Math.max(m, v);
        }
      }
    }
    return m;
  }
}
