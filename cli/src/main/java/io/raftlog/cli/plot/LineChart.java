package io.raftlog.cli.plot;

import java.util.List;

/**
 * Lines over numeric x values (e.g. a shard count), one per series, the points evenly spaced along
 * x in the order given and each labelled with its value.
 */
final class LineChart {
  private LineChart() {}

  /**
   * The chart as SVG text.
   *
   * @param xs the x values, ascending, shown as the x axis' labels
   * @param values {@code values[series][i]} at {@code xs[i]}; NaN leaves the point out
   */
  static String draw(
      String title,
      String yLabel,
      String xLabel,
      double[] xs,
      List<String> series,
      double[][] values) {
    double max = 0;
    for (double[] row : values) {
      for (double v : row) {
        if (!Double.isNaN(v)) {
          max = Math.max(max, v);
        }
      }
    }
    Frame f = new Frame(title, yLabel, xLabel, max, series);
    double step = (f.right - f.left) / Math.max(1, xs.length);
    for (int i = 0; i < xs.length; i++) {
      f.svg.text(f.left + step * (i + 0.5), f.bottom + 18, Frame.number(xs[i]), "middle", 11);
    }
    for (int s = 0; s < series.size(); s++) {
      int n = 0;
      for (double v : values[s]) {
        n += Double.isNaN(v) ? 0 : 1;
      }
      double[] px = new double[n];
      double[] py = new double[n];
      int j = 0;
      for (int i = 0; i < xs.length; i++) {
        double v = values[s][i];
        if (!Double.isNaN(v)) {
          px[j] = f.left + step * (i + 0.5);
          py[j] = f.y(v);
          f.svg.text(px[j], py[j] - 8, Frame.number(v), "middle", 10);
          j++;
        }
      }
      f.svg.polyline(px, py, Frame.colour(s));
    }
    return f.toString();
  }
}
