// Saved plots and the report: a sweep's runs become report rows with deltas against dense; a plot
// spec saved as a row and reopened draws the same series; exports to PNG, PDF and SVG through
// QCustomPlot produce readable files; bad specs are refused by name.

#include "common/error.h"
#include "eval/plot_spec.h"
#include "eval/report.h"
#include "eval/sweep.h"
#include "fixtures.h"
#include "model/policy.h"
#include "plots/plot_renderer.h"
#include "store/workspace.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

using namespace grids;

class TestPlots : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto python =
            fixtures::runPythonScript("make_contract_checkpoints.py", {m_dir.path()});
        QVERIFY2(python.ok, python.err.constData());
        const std::string episodes = m_dir.filePath("episodes.hdf5").toStdString();
        fixtures::writeLiberoFile(episodes, {4, 3});
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        Workspace ws(dbPath());
        SweepOptions options;
        options.episodesPath = episodes;
        options.methods = {"dense", "grids", "random", "sparsevlm"};
        options.budgets = {2, 4};
        runSweep(*policy, ws, options);
        // A closed-loop run, written as an evaluation would: 3 of 4 lift_relative successes.
        RunRecord run;
        run.key = {"rollout", "abc", "random", 4, "tabletop", ""};
        run.config = R"({"checkpoint_name": "toy", "flops": {"total": 2e6}, "flops_pi0": 1e12})";
        std::vector<RolloutRow> rows;
        for (int i = 0; i < 4; ++i)
            rows.push_back({"lift_relative", i, std::uint64_t(i), i != 2, 50, 3.0});
        ws.recordRun(run, {}, rows);
    }

    void reportRowsCarryMetricsAndDeltas()
    {
        Workspace ws(dbPath());
        const auto rows = buildReport(ws);
        int sweeps = 0, notApplicable = 0;
        const ReportRow *dense = nullptr;
        for (const auto &row : rows) {
            if (row.kind == "sweep" && row.method == "dense")
                dense = &row;
            if (row.kind == "sweep")
                ++sweeps;
            if (row.status == "not_applicable")
                ++notApplicable;
        }
        QVERIFY(dense);
        QCOMPARE(sweeps, 1 + 2 + 2 + 2);
        QCOMPARE(notApplicable, 2); // sparsevlm without embed_instruction
        QCOMPARE(dense->frames, std::int64_t(7));
        QVERIFY(dense->flops > 0);
        for (const auto &row : rows)
            if (row.kind == "sweep" && row.status == "complete") {
                QVERIFY(row.hasDelta);
                QVERIFY(std::abs(row.delta - (row.l1 - dense->l1)) < 1e-12);
            }
        const ReportRow &rollout = rows.front();
        QCOMPARE(rollout.kind, std::string("rollout"));
        QCOMPARE(rollout.perTask.front().successes, 3);
        QCOMPARE(rollout.average, 0.75);
        const std::string markdown = reportMarkdown(rows);
        QVERIFY(markdown.find("| toy | random | 4 |") != std::string::npos);
        QVERIFY(markdown.find("75.0 [") != std::string::npos);
        QVERIFY(markdown.find("n/a") != std::string::npos);
        QVERIFY(reportCsv(rows).find("rollout,toy,abc,random,4,complete") != std::string::npos);
    }

    void aSavedPlotReopensAndExports()
    {
        Workspace ws(dbPath());
        PlotSpec spec;
        spec.y = "error";
        spec.methods = {"dense", "random", "grids"};
        spec.title = "Open loop";
        const std::int64_t id = ws.savePlot(spec.title, spec.toJson());
        const auto saved = ws.plot(id);
        QVERIFY(saved);
        const PlotSpec reopened = PlotSpec::fromJson(saved->spec);
        QCOMPARE(reopened.toJson(), spec.toJson());

        const auto rows = buildReport(ws);
        const PlotData data = plotData(reopened, rows);
        // Series in METHODS.md's order: grids (at 2 and 4 tokens), dense (one point), random.
        QCOMPARE(int(data.series.size()), 3);
        QCOMPARE(data.series[0].name, std::string("grids"));
        QCOMPARE(data.series[1].name, std::string("dense"));
        QCOMPARE(int(data.series[0].points.size()), 2);
        QVERIFY(data.series[0].points[0].x < data.series[0].points[1].x);
        QCOMPARE(int(data.series[1].points.size()), 1);

        QCustomPlot plot;
        ui::drawPlot(plot, data);
        QCOMPARE(plot.graphCount(), 3);
        QCOMPARE(plot.graph(0)->dataCount(), 2);
        QCOMPARE(plot.graph(1)->name(), QString("dense"));

        for (const char *name : {"plot.png", "plot.pdf", "plot.svg"}) {
            const QString path = m_dir.filePath(name);
            ui::exportPlot(data, path, 640, 400);
            QFile file(path);
            QVERIFY2(file.open(QIODevice::ReadOnly), name);
            QVERIFY2(file.permissions() & QFileDevice::ReadOther, name); // not the temporary's 0600
            const QByteArray head = file.read(8);
            if (QString(name).endsWith("png")) {
                const QImage image(path);
                QCOMPARE(image.width(), 2 * 640);
                QCOMPARE(image.height(), 2 * 400);
            } else if (QString(name).endsWith("pdf")) {
                QVERIFY(head.startsWith("%PDF"));
            } else {
                QVERIFY(file.readAll().contains("<svg"));
            }
        }
        QVERIFY(fixtures::errorOf([&] {
                    ui::exportPlot(data, m_dir.filePath("plot.bmp"));
                }).contains(".png, .pdf or .svg"));
        QVERIFY(!QFile::exists(m_dir.filePath("plot.bmp")));
    }

    void successPlotsAndParetoFronts()
    {
        Workspace ws(dbPath());
        PlotSpec spec; // success against tokens, closed loop
        const PlotData data = plotData(spec, buildReport(ws));
        QCOMPARE(int(data.series.size()), 1);
        QCOMPARE(data.series[0].points[0].y, 75.0);
        QVERIFY(data.series[0].points[0].low < 75.0 && data.series[0].points[0].high > 75.0);

        PlotSpec pareto;
        pareto.x = "flops";
        pareto.y = "error";
        pareto.paretoFront = true;
        const PlotData front = plotData(pareto, buildReport(ws));
        QVERIFY(!front.front.empty());
        for (std::size_t i = 1; i < front.front.size(); ++i) {
            QVERIFY(front.front[i].x >= front.front[i - 1].x);
            QVERIFY(front.front[i].y < front.front[i - 1].y);
        }
    }

    void theLegendHidesNoPoint_data()
    {
        QTest::addColumn<double>("bestY"); // where the best result sits, at 256 tokens
        QTest::addColumn<int>("seriesCount");
        QTest::addColumn<QSize>("size");
        QTest::newRow("best at the top right") << 90.0 << 4 << QSize(640, 400);
        QTest::newRow("best at the bottom right") << 2.0 << 4 << QSize(640, 400);
        // The budget panel's plot: no corner is free, the legend goes under the plot.
        QTest::newRow("small panel, ten series") << 90.0 << 10 << QSize(560, 340);
    }

    void theLegendHidesNoPoint()
    {
        QFETCH(double, bestY);
        QFETCH(int, seriesCount);
        QFETCH(QSize, size);
        PlotData data;
        data.logX = true;
        const double ys[] = {40, 50, 60, 55};
        for (int s = 0; s < seriesCount; ++s) {
            PlotSeries series;
            series.name = series.method = "method " + std::to_string(s);
            for (int k = 0; k < 3; ++k) {
                const double y = ys[(s + k) % 4] - 3 * s;
                series.points.push_back({double(4 << (2 * k)), y, y - 5, y + 5});
            }
            data.series.push_back(series);
        }
        data.series[0].points.push_back({256, bestY, bestY - 4, bestY + 4});
        if (seriesCount > 4) // and one more in the other right-hand corner
            data.series[1].points.push_back({256, 100 - bestY, 96 - bestY, 104 - bestY});

        QCustomPlot plot;
        plot.setViewport(QRect(QPoint(), size)); // what showing it at that size does
        ui::drawPlot(plot, data);
        ui::drawPlot(plot, data); // drawn again (the panel redraws): placed the same way
        QCOMPARE(plot.plotLayout()->rowCount(), seriesCount > 4 ? 2 : 1);
        const QRectF legend = plot.legend->outerRect();
        QVERIFY(legend.width() > 40 && legend.height() > 40);
        for (const auto &series : data.series)
            for (const auto &p : series.points) {
                const QPointF marker(plot.xAxis->coordToPixel(p.x), plot.yAxis->coordToPixel(p.y));
                QVERIFY2(!legend.contains(marker),
                         qPrintable(QString("point (%1, %2) under the legend").arg(p.x).arg(p.y)));
            }
    }

    // No corner covers a marker, but a line crosses the top-right one (QCustomPlot's default):
    // the legend goes to a corner that leaves the line visible.
    void theLegendAvoidsLines()
    {
        PlotData data;
        data.logX = true;
        // Single points (no lines) at the middle of the left and bottom edges and in the middle.
        const PlotPoint singles[] = {{4, 75, 75, 75}, {32, 50, 50, 50}, {32, 75, 75, 75}};
        for (const PlotPoint &p : singles) {
            PlotSeries series;
            series.name = series.method = "a method with a long name " + std::to_string(p.x);
            series.points.push_back(p);
            data.series.push_back(series);
        }
        PlotSeries line; // from the top middle to the right edge's middle, under the top right
        line.name = line.method = "the line";
        line.points = {{32, 100, 100, 100}, {256, 75, 75, 75}};
        data.series.push_back(line);

        QCustomPlot plot;
        plot.setViewport(QRect(0, 0, 640, 400));
        ui::drawPlot(plot, data);
        QCOMPARE(plot.plotLayout()->rowCount(), 1); // inside the axis rectangle
        const QRectF legend = plot.legend->outerRect();
        const QPointF from(plot.xAxis->coordToPixel(32), plot.yAxis->coordToPixel(100));
        const QPointF to(plot.xAxis->coordToPixel(256), plot.yAxis->coordToPixel(75));
        for (int k = 0; k <= 50; ++k)
            QVERIFY2(!legend.contains(from + (to - from) * (k / 50.0)),
                     qPrintable(QString("the line is under the legend at %1/50").arg(k)));
    }

    // A plot with nothing stored yet keeps plain axes however often it is redrawn (each redraw
    // shrank the last range, down to tick labels like 0.000976563) and says how to fill it.
    void anEmptyPlotKeepsPlainAxes()
    {
        QCustomPlot plot;
        plot.resize(600, 400);
        plot.setViewport(QRect(0, 0, 600, 400));
        grids::PlotData data;
        data.logX = true;
        data.series.push_back({"grids", "grids", {}});
        for (int redraw = 0; redraw < 5; ++redraw)
            grids::ui::drawPlot(plot, data);
        QCOMPARE(plot.xAxis->range().lower, 1.0);
        QCOMPARE(plot.xAxis->range().upper, 64.0);
        QCOMPARE(plot.yAxis->range().lower, 0.0);
        QCOMPARE(plot.yAxis->range().upper, 1.0);
        QCOMPARE(plot.itemCount(), 1);
        auto *text = qobject_cast<QCPItemText *>(plot.item(0));
        QVERIFY(text && text->text().contains("Nothing stored"));
        // Once there is a point, the axes follow the data again and the word goes.
        data.series.front().points.push_back({4, 0.5, 0.5, 0.5, 4, 1});
        grids::ui::drawPlot(plot, data);
        QCOMPARE(plot.itemCount(), 0);
        QVERIFY(plot.xAxis->range().contains(4));
    }

    void badSpecsAreRefusedByName()
    {
        for (const char *json : {R"({"format": "grids-plot", "x": "time"})",
                                 R"({"format": "grids-plot", "y": "loss"})",
                                 R"({"format": "grids-plot", "y": "success", "run_kind": "sweep"})",
                                 R"({"format": "other"})", "not json"}) {
            Error::Kind kind = Error::Kind::Other;
            QVERIFY(!fixtures::errorOf([&] { PlotSpec::fromJson(json); }, &kind).isEmpty());
            QVERIFY(kind == Error::Kind::Usage);
        }
        QVERIFY(fixtures::errorOf([&] {
                    PlotSpec::fromJson(R"({"format": "grids-plot", "x": "time"})");
                }).contains("x 'time'"));
    }

private:
    std::string dbPath() const { return m_dir.filePath("ws.sqlite").toStdString(); }
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestPlots)
#include "tst_plots.moc"
