#pragma once

#include <QWidget>

#include <vector>

class ModelPanel;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;

// The comparison's controls: whether a second column is shown, which checkpoint it runs (the
// main one or another), its method and budget (a ModelPanel without overlay controls), the
// divergence threshold, and the frames where the two action tracks part ways (click to jump).
class ComparePanel : public QWidget
{
    Q_OBJECT

public:
    explicit ComparePanel(QWidget *parent = nullptr);

    bool active() const;
    void setActive(bool on);
    ModelPanel *model() const { return m_model; }
    void setCheckpointPath(const QString &path); // what the second column runs
    double threshold() const;                    // mean |Δaction| that counts as divergence
    void setDivergences(const std::vector<qint64> &frames);
    std::vector<qint64> divergences() const { return m_divergences; }

signals:
    void toggled(bool on);
    void sameCheckpointRequested();
    void otherCheckpointRequested();
    void thresholdChanged();
    void frameRequested(qint64 frame);

private:
    QCheckBox *m_enabled;
    QLabel *m_path;
    ModelPanel *m_model;
    QDoubleSpinBox *m_threshold;
    QListWidget *m_frames;
    std::vector<qint64> m_divergences;
};
