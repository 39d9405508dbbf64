#pragma once

#include "render/overlay.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;

namespace grids {
struct CheckpointInfo;
struct FrameResult;
} // namespace grids

// The model controls beside the episode view: the checkpoint, the selection method, the token
// budget (a slider from 1 to the method's maximum with ticks at powers of two; `[` and `]` halve
// and double), the overlay layers with the heatmap's opacity, and the frame's predicted action
// against the demonstration. Overlay settings persist (QSettings).
class ModelPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ModelPanel(QWidget *parent = nullptr);

    void setCheckpoint(const grids::CheckpointInfo &info);
    QString checkpointText() const; // what the panel says of its checkpoint, as plain text
    void clearCheckpoint();
    QString method() const;
    void setMethod(const QString &method);
    int budget() const; // tokens per view (0 for dense)
    void setBudget(int budget);
    void halveBudget();
    void doubleBudget();
    int maximumBudget() const;
    grids::render::OverlayStyle overlayStyle() const;
    // A second panel (the comparison's) picks method and budget only; overlays are shared.
    void setOverlayControlsVisible(bool visible);

    // Shows a frame's result: predicted action row 0, the demonstration's, their L1, timings.
    void showResult(const grids::FrameResult &result, const std::vector<float> &demoAction);
    QString actionText() const;

signals:
    void selectionChanged(); // method or budget
    void overlayChanged();

private:
    void updateBudgetRange();
    void saveOverlaySettings() const;

    std::shared_ptr<const grids::CheckpointInfo> m_info;
    QLabel *m_checkpoint;
    QComboBox *m_method;
    QSlider *m_budget;
    QLabel *m_budgetLabel;
    QCheckBox *m_markers, *m_heatmap, *m_cells, *m_grid, *m_density;
    QSlider *m_opacity;
    QLabel *m_action;
    QWidget *m_overlayControls;
};
