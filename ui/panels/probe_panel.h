#pragma once

#include "model/probe.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace grids {
struct FrameResult;
}

// Counterfactual probes of the frame on screen: another instruction, and a box drawn on a view
// that is painted over before the model sees it. Every column runs the probed frame and shows it
// against its unmodified result (hollow rings where the tokens were, and the change in action).
class ProbePanel : public QWidget
{
    Q_OBJECT

public:
    explicit ProbePanel(QWidget *parent = nullptr);

    const grids::Probe &probe() const { return m_probe; }
    void setInstruction(const QString &instruction); // empty: the frame's own
    void setOcclusion(int view, float x0, float y0, float x1, float y1);
    void clear();
    // The frame's own instruction, shown as the edit's placeholder.
    void setOriginalInstruction(const QString &instruction);
    // What the probe changed for the frame on screen (main column).
    void showEffect(const grids::FrameResult &probed, const grids::FrameResult &unmodified);
    QString effectText() const;
    // The "draw a box" button (checkable), so the window can mirror it in the view.
    QPushButton *occlusionButton() const { return m_draw; }

signals:
    void probeChanged();

private:
    grids::Probe m_probe;
    QLineEdit *m_instruction;
    QPushButton *m_draw;
    QLabel *m_box;
    QLabel *m_effect;
};
