#include "plots/plot_renderer.h"

#include "common/error.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTemporaryFile>
#include <qcustomplot.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>

namespace grids::ui {
namespace {

constexpr int kSeriesColours = 9; // seriesColour's palette: series past it repeat a colour

QCPScatterStyle::ScatterShape seriesShape(int index)
{
    static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssDisc,
                                                           QCPScatterStyle::ssSquare,
                                                           QCPScatterStyle::ssTriangle,
                                                           QCPScatterStyle::ssDiamond,
                                                           QCPScatterStyle::ssCross,
                                                           QCPScatterStyle::ssStar,
                                                           QCPScatterStyle::ssTriangleInverted,
                                                           QCPScatterStyle::ssPlus,
                                                           QCPScatterStyle::ssCircle};
    return shapes[index % int(std::size(shapes))];
}

// Under the plot (when no corner of the axis rectangle is free), the legend wraps into columns
// this wide: what an entry needs, long names ("grids (tabletop-grids-nested)") included.
constexpr double kLegendColumnWidth = 190;
// A marker this close to the legend's edge counts as under it (half a marker, and some air).
constexpr int kMarkerMargin = 6;

// Puts the legend back into the axis rectangle's top-right corner, QCustomPlot's default, where
// an earlier drawing on the same plot may have moved it away.
void resetLegend(QCustomPlot &plot)
{
    if (plot.legend->layout() == plot.axisRect()->insetLayout())
        return;
    plot.plotLayout()->take(plot.legend);
    plot.plotLayout()->simplify();
    plot.legend->setWrap(0);
    plot.legend->setFillOrder(QCPLayoutGrid::foRowsFirst, true);
    plot.axisRect()->insetLayout()->addElement(plot.legend, Qt::AlignTop | Qt::AlignRight);
}

// Puts the legend in the corner of the axis rectangle where it covers no marker or error bar,
// and of those the one that covers the least of the lines between markers; when every corner
// covers a marker (a small panel, many series), in columns under the plot. A saved figure hides no
// result behind it (a dense point at 256 tokens sits in the top-right corner, QCustomPlot's
// default, whenever dense is the best).
void placeLegendAwayFromData(QCustomPlot &plot, const PlotData &data)
{
    plot.replot(); // lays the legend out: its size is known from here on
    const QRect area = plot.axisRect()->rect();
    const QSize size = plot.legend->outerRect().size();
    constexpr int kLineSamples = 24; // points looked at along each line between markers
    constexpr std::int64_t kMarkerWeight = 100000; // a covered marker outweighs any line
    auto pixel = [&](double x, double y) {
        return QPointF(plot.xAxis->coordToPixel(x), plot.yAxis->coordToPixel(y));
    };
    auto covered = [&](Qt::Alignment corner) {
        QRectF box{QPointF(), QSizeF(size)};
        box.moveTop(corner & Qt::AlignTop ? area.top() : area.bottom() - size.height());
        box.moveLeft(corner & Qt::AlignLeft ? area.left() : area.right() - size.width());
        box.adjust(-kMarkerMargin, -kMarkerMargin, kMarkerMargin, kMarkerMargin);
        std::int64_t score = 0;
        for (const auto &series : data.series)
            for (std::size_t i = 0; i < series.points.size(); ++i) {
                const PlotPoint &p = series.points[i];
                const QPointF top = pixel(p.x, std::max(p.high, p.y));
                const QPointF bottom = pixel(p.x, std::min(p.low, p.y));
                if (top.x() >= box.left() && top.x() <= box.right() && bottom.y() >= box.top() &&
                    top.y() <= box.bottom())
                    score += kMarkerWeight;
                if (i == 0)
                    continue;
                const QPointF from = pixel(series.points[i - 1].x, series.points[i - 1].y);
                const QPointF to = pixel(p.x, p.y);
                for (int k = 1; k < kLineSamples; ++k)
                    score += box.contains(from + (to - from) * (double(k) / kLineSamples));
            }
        return score;
    };
    const Qt::Alignment corners[] = {Qt::AlignTop | Qt::AlignRight, Qt::AlignTop | Qt::AlignLeft,
                                     Qt::AlignBottom | Qt::AlignRight,
                                     Qt::AlignBottom | Qt::AlignLeft};
    Qt::Alignment best = corners[0];
    std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
    for (const Qt::Alignment corner : corners)
        if (const std::int64_t score = covered(corner); score < lowest)
            lowest = score, best = corner;
    if (lowest < kMarkerWeight) {
        plot.axisRect()->insetLayout()->setInsetAlignment(0, best);
        return;
    }
    plot.axisRect()->insetLayout()->take(plot.legend);
    const int row = plot.plotLayout()->rowCount();
    plot.plotLayout()->addElement(row, 0, plot.legend);
    plot.plotLayout()->setRowStretchFactor(row, 0.001); // as tall as its entries, no more
    plot.legend->setWrap(std::max(1, int(plot.viewport().width() / kLegendColumnWidth)));
    plot.legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
}

} // namespace

QColor seriesColour(int index)
{
    // Grey before yellow: the seventh series (an action plot's gripper) stays readable on white.
    static const QColor colours[kSeriesColours] = {{0, 114, 178},   {213, 94, 0},   {0, 158, 115},
                                                   {204, 121, 167}, {230, 159, 0},  {86, 180, 233},
                                                   {120, 120, 120}, {240, 228, 66}, {0, 0, 0}};
    return colours[index % kSeriesColours];
}

void drawPlot(QCustomPlot &plot, const PlotData &data)
{
    plot.clearPlottables();
    plot.clearItems();
    resetLegend(plot);
    if (plot.plotLayout()->rowCount() > 1)
        plot.plotLayout()->removeAt(0);
    plot.plotLayout()->simplify();
    if (!data.title.empty()) {
        plot.plotLayout()->insertRow(0);
        plot.plotLayout()->addElement(
            0, 0, new QCPTextElement(&plot, QString::fromStdString(data.title), QFont("sans", 11)));
    }
    plot.xAxis->setLabel(QString::fromStdString(data.xLabel));
    plot.yAxis->setLabel(QString::fromStdString(data.yLabel));
    if (data.logX) {
        plot.xAxis->setScaleType(QCPAxis::stLogarithmic);
        QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
        ticker->setLogBase(2);
        plot.xAxis->setTicker(ticker);
    } else {
        plot.xAxis->setScaleType(QCPAxis::stLinear);
        plot.xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    int index = 0;
    for (const auto &series : data.series) {
        QCPGraph *graph = plot.addGraph();
        graph->setName(QString::fromStdString(series.name));
        const QColor colour = seriesColour(index);
        // Past the nine colours, series differ by shape and a dashed line instead.
        const int cycle = index / kSeriesColours;
        graph->setPen(QPen(colour, 1.6, cycle > 0 ? Qt::DashLine : Qt::SolidLine));
        graph->setScatterStyle(
            QCPScatterStyle(seriesShape(index + 4 * cycle), colour, colour, cycle > 0 ? 9 : 7));
        QVector<double> xs, ys, below, above;
        bool hasInterval = false;
        for (const auto &p : series.points) {
            xs.push_back(p.x);
            ys.push_back(p.y);
            below.push_back(p.y - p.low);
            above.push_back(p.high - p.y);
            hasInterval = hasInterval || p.high > p.low;
        }
        graph->setData(xs, ys, true);
        if (series.method == "dense" && data.logX && series.points.size() == 1) {
            // Dense is one point at all cells: a dashed level across the plot compares it with
            // every budget.
            auto *level = new QCPItemStraightLine(&plot);
            level->point1->setCoords(1, ys.front());
            level->point2->setCoords(2, ys.front());
            level->setPen(QPen(colour, 1, Qt::DashLine));
        }
        if (hasInterval) {
            auto *bars = new QCPErrorBars(plot.xAxis, plot.yAxis);
            bars->removeFromLegend();
            bars->setDataPlottable(graph);
            bars->setData(below, above);
            bars->setPen(QPen(colour.lighter(130), 1));
        }
        ++index;
    }
    if (!data.front.empty()) {
        QCPGraph *front = plot.addGraph();
        front->setName("Pareto front");
        front->setPen(QPen(Qt::darkGray, 1.2, Qt::DashLine));
        QVector<double> xs, ys;
        for (const auto &p : data.front)
            xs.push_back(p.x), ys.push_back(p.y);
        front->setData(xs, ys, true);
        front->setLineStyle(QCPGraph::lsStepLeft);
    }
    plot.legend->setVisible(!data.series.empty());
    plot.legend->setFont(QFont("sans", 8));
    plot.legend->setBrush(QColor(255, 255, 255, 210)); // lines behind it stay visible
    bool anyPoint = false;
    for (const auto &series : data.series)
        anyPoint = anyPoint || !series.points.empty();
    if (!anyPoint) {
        // Nothing stored yet: plain axes (rescaling nothing would keep shrinking the last range,
        // down to ticks like 0.000976563) and a word on how to fill them.
        plot.xAxis->setRange(data.logX ? QCPRange(1, 64) : QCPRange(0, 1));
        plot.yAxis->setRange(0, 1);
        auto *empty = new QCPItemText(&plot);
        empty->position->setType(QCPItemPosition::ptAxisRectRatio);
        empty->position->setCoords(0.5, 0.5);
        // Two short lines: the text is not wrapped and must fit a plot beside the Budgets form.
        empty->setText(QObject::tr("Nothing stored for this plot yet:\nrun some configurations"));
        empty->setTextAlignment(Qt::AlignCenter);
        empty->setColor(Qt::gray);
        plot.replot();
        return;
    }
    plot.rescaleAxes();
    // Margins so that markers at the ends are not cut in half.
    const QCPRange x = plot.xAxis->range(), y = plot.yAxis->range();
    if (data.logX)
        plot.xAxis->setRange(x.lower / 1.5, x.upper * 1.5);
    else
        plot.xAxis->setRange(x.lower - 0.05 * x.size() - 1e-9, x.upper + 0.05 * x.size() + 1e-9);
    plot.yAxis->setRange(y.lower - 0.08 * y.size() - 1e-9, y.upper + 0.08 * y.size() + 1e-9);
    if (plot.legend->visible())
        placeLegendAwayFromData(plot, data);
    plot.replot();
}

void exportPlot(const PlotData &data, const QString &path, int width, int height)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != "png" && suffix != "pdf" && suffix != "svg")
        throw usageError(path.toStdString() + ": plots export to .png, .pdf or .svg");
    QCustomPlot plot;
    plot.resize(width, height);
    // A widget never shown gets no resize event: lay out at the export's size, which the
    // legend's placement depends on.
    plot.setViewport(QRect(0, 0, width, height));
    drawPlot(plot, data);

    // Written next to the target and renamed into place: a failed export leaves no half file.
    const QString dir = QFileInfo(path).absolutePath();
    QTemporaryFile temporary(dir + "/.plot-XXXXXX." + suffix);
    if (!temporary.open())
        throw Error(Error::Kind::Other,
                    path.toStdString() + ": cannot write in " + dir.toStdString());
    // A temporary file is private (0600); the figure is not: readable as any file written here.
    temporary.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                             QFileDevice::ReadGroup | QFileDevice::ReadOther);
    temporary.close();
    bool ok = false;
    if (suffix == "png") {
        ok = plot.savePng(temporary.fileName(), width, height, 2.0);
    } else if (suffix == "pdf") {
        ok = plot.savePdf(temporary.fileName(), width, height);
    } else {
        QSvgGenerator svg;
        svg.setFileName(temporary.fileName());
        svg.setSize(QSize(width, height));
        svg.setViewBox(QRect(0, 0, width, height));
        QCPPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            plot.toPainter(&painter, width, height);
            painter.end();
        }
    }
    if (!ok)
        throw Error(Error::Kind::Other, path.toStdString() + ": the plot could not be rendered");
    QFile::remove(path);
    if (!QFile::rename(temporary.fileName(), path))
        throw Error(Error::Kind::Other, path.toStdString() + ": cannot move the plot into place");
    temporary.setAutoRemove(false);
}

} // namespace grids::ui
