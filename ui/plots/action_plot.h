#pragma once

#include <QStringList>
#include <QWidget>

#include <vector>

class QCustomPlot;
class QCPItemStraightLine;
class QCPItemText;
class QListWidget;

// Under the timeline: a checkpoint's predicted action (row 0 of each frame's chunk) per dimension
// against the demonstration, and the per-frame L1 error track on a second axis. Frames where the
// error spikes (above mean + 2 standard deviations) are marked, and a "worst frames" list jumps to
// them; clicking the plot jumps to that frame. A legend lists the dimensions by name (the
// episode's, else their indices) in their colours, each with a box that shows or hides its
// predicted, demonstrated and compared lines; what is hidden stays hidden for the next episode.
class ActionPlot : public QWidget
{
    Q_OBJECT

public:
    explicit ActionPlot(QWidget *parent = nullptr);

    // predicted[t] and demo[t] are row-0 actions (demo may be empty per frame: no reference).
    void setTracks(const std::vector<std::vector<float>> &predicted,
                   const std::vector<std::vector<float>> &demo);
    void clear();
    // The action dimensions' names, as the episode gives them (fewer or none: their indices).
    void setDimensionNames(const QStringList &names);
    QStringList dimensionLabels() const; // what the legend shows, one per dimension plotted
    void setDimensionShown(int dimension, bool shown);
    bool dimensionShown(int dimension) const;
    // A comparison's predicted actions (row 0 per frame), drawn dotted over the main ones, and
    // the frames where the two first part ways, marked on the time axis. Empty removes them.
    void setCompareTrack(const std::vector<std::vector<float>> &predicted,
                         const std::vector<qint64> &divergences);
    int compareGraphs() const { return int(m_compareGraphs.size()); }
    void setCurrentFrame(qint64 frame);
    std::vector<qint64> worstFrames() const { return m_worst; }
    std::vector<qint64> spikeFrames() const { return m_spikes; }
    QCustomPlot *plot() const { return m_plot; }
    bool errorTrackShown() const; // the error axis and worst-frames list (a demonstration's actions)
    bool cursorShown() const;

signals:
    void frameRequested(qint64 frame);

private:
    QWidget *titledColumn(const QString &title, QWidget *content); // a title above `content`
    QCustomPlot *m_plot;
    void showErrorTrack(bool shown);
    void rebuildLegend(std::size_t dimensions);
    void applyDimensionVisibility();

    QCPItemStraightLine *m_cursor = nullptr;
    QCPItemText *m_placeholder = nullptr; // said while there is nothing to plot
    QWidget *m_worstBox = nullptr;        // the worst frames' title and list
    QWidget *m_legendBox = nullptr;       // the dimensions' title, list and line key
    QListWidget *m_worstList;
    std::vector<qint64> m_worst, m_spikes;
    std::vector<class QCPAbstractPlottable *> m_compareGraphs;
    QListWidget *m_legend;                          // one checkable row per dimension
    QStringList m_names;                            // the episode's dimension names
    std::vector<std::vector<class QCPGraph *>> m_dimensionGraphs; // per dimension, every line of it
    std::vector<bool> m_hidden;                     // per dimension index, unticked in the legend
};
