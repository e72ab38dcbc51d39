package io.raftlog.cli.plot;

import java.util.List;
import java.util.Locale;

/**
 * The frame every chart shares: title, a y axis from 0 to a round maximum with grid lines, the plot
 * area's bounds, a legend of series colours. The chart owns it and draws inside {@link #left} ..
 * {@link #right}, {@link #top} .. {@link #bottom}.
 */
final class Frame {
  static final int WIDTH = 720;
  static final int HEIGHT = 400;

  /** Series colours, in legend order (colour-blind safe, after Okabe and Ito). */
  static final List<String> COLOURS =
      List.of("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442");

  final double left = 80;
  final double right = WIDTH - 150;
  final double top = 50;
  final double bottom = HEIGHT - 60;
  final double yMax;
  final Svg svg = new Svg(WIDTH, HEIGHT);

  /** Draws the frame for values up to {@code maxValue} and the legend of {@code series}. */
  Frame(String title, String yLabel, String xLabel, double maxValue, List<String> series) {
    yMax = niceCeiling(maxValue);
    svg.text(WIDTH / 2.0, 28, title, "middle", 16);
    svg.verticalText(22, (top + bottom) / 2, yLabel, 12);
    svg.text((left + right) / 2, HEIGHT - 18, xLabel, "middle", 12);
    for (int i = 0; i <= 5; i++) {
      double v = yMax * i / 5;
      double y = y(v);
      svg.line(left, y, right, y, i == 0 ? "#000000" : "#dddddd");
      svg.text(left - 6, y + 4, number(v), "end", 11);
    }
    svg.line(left, top, left, bottom, "#000000");
    for (int i = 0; i < series.size(); i++) {
      double y = top + 10 + i * 20;
      svg.rect(right + 15, y - 10, 12, 12, colour(i), series.get(i));
      svg.text(right + 33, y, series.get(i), "start", 12);
    }
  }

  /** The y coordinate of {@code value}. */
  double y(double value) {
    return bottom - (bottom - top) * Math.max(0, value) / yMax;
  }

  static String colour(int series) {
    return COLOURS.get(series % COLOURS.size());
  }

  /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code v} (1 if none). */
  static double niceCeiling(double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * power >= v * (1 - 1e-9)) {
        return m * power;
      }
    }
    return 10 * power;
  }

  /** A value as a label: no decimals from 100 up, else up to two. */
  static String number(double v) {
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    String s = String.format(Locale.ROOT, "%.2f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  @Override
  public String toString() {
    return svg.toString();
  }
}
