#pragma once

#include "eval/plot_spec.h"

#include <QWidget>

#include <cstdint>

namespace grids {
class Workspace;
}
class JobRunner;
class QComboBox;
class QCustomPlot;

// What the workspace holds, drawn: error or success against tokens per method, FLOPs, the Pareto
// front, with the same renderer as `grids plot`. The report behind a plot is built off the UI
// thread (it reads every stored frame row); a newer request replaces one still waiting. Plots are
// saved as rows, reopened, exported to PNG/PDF/SVG; clicking an open-loop point asks for the
// worst frame behind it.
class PlotPanel : public QWidget
{
    Q_OBJECT

public:
    // The kinds of plot offered, in the order of the kind menu.
    enum class Kind { Success, ActionError, Fidelity, Flops, Pareto };

    explicit PlotPanel(QWidget *parent = nullptr);
    ~PlotPanel() override;

    void setWorkspace(grids::Workspace *workspace); // not owned
    void setKind(Kind kind);
    void setMethods(const std::vector<std::string> &methods); // the series drawn
    grids::PlotSpec spec() const;
    // Draws `spec` (its kind and methods shown in the controls) once its report is built.
    void showSpec(const grids::PlotSpec &spec);
    void refreshPlot();
    bool reportPending() const;
    QString savedPlotShown() const; // the saved plot's title while it is shown, else empty // a report is being built: plotData() is the previous one
    const grids::PlotData &plotData() const { return m_data; }
    std::int64_t savePlot(const QString &title);
    bool openPlot(std::int64_t id);
    void exportPlot(const QString &path);
    // The point of series `series`, index `index` clicked (as the plot's click does).
    void activatePoint(int series, int index);
    QCustomPlot *plot() const { return m_plot; }

signals:
    void plotShown();
    // The methods of a saved plot reopened, for the panel's method list.
    void methodsShown(const std::vector<std::string> &methods);
    void frameRequested(const QString &path,
                        const QString &episodeKey,
                        qint64 frame,
                        const QString &method,
                        int budget);
    void message(const QString &text);
    void failed(const QString &message);

protected:
    // Redraws the plot at its new size: where the legend fits without hiding a point depends on it.
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refreshSavedPlots();
    void draw();

    grids::Workspace *m_workspace = nullptr;
    std::vector<std::string> m_methods;
    QComboBox *m_kind, *m_saved;
    QCustomPlot *m_plot;
    JobRunner *m_reports;
    grids::PlotData m_data;
    grids::PlotSpec m_shown; // the spec m_data was drawn from (or is being built for)
};
