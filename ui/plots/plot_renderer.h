#pragma once

// Draws a saved plot (core/eval/plot_spec) with QCustomPlot: the GUI's plot panel and
// `grids plot` both draw through here, so an exported image is what the panel shows.

#include "eval/plot_spec.h"

#include <QString>

#include <QColor>

class QCustomPlot;

namespace grids::ui {

// Series colours (Okabe–Ito, told apart by colour-blind readers), by index, repeating after 9.
QColor seriesColour(int index);

// Replaces the plot's content with `data`: one scatter-and-line graph per series (success with
// its interval as error bars), the Pareto front as a dashed line, log₂ token axis.
void drawPlot(QCustomPlot &plot, const PlotData &data);

// Renders `data` at width × height and writes PNG, PDF or SVG by the file's extension, through a
// temporary file renamed into place. Needs a QApplication (offscreen is fine). Throws
// grids::Error{Usage} for another extension, Error{Other} when writing fails.
void exportPlot(const PlotData &data, const QString &path, int width = 900, int height = 600);

} // namespace grids::ui
