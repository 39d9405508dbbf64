#include "panels/probe_panel.h"

#include "eval/metrics.h"
#include "model/policy.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

ProbePanel::ProbePanel(QWidget *parent)
    : QWidget(parent)
    , m_instruction(new QLineEdit(this))
    , m_draw(new QPushButton(tr("Draw Occlusion Box (O)"), this))
    , m_box(new QLabel(tr("No occlusion"), this))
    , m_effect(new QLabel(this))
{
    setObjectName(QStringLiteral("probePanel"));
    m_instruction->setObjectName(QStringLiteral("probeInstruction"));
    m_instruction->setClearButtonEnabled(true);
    m_instruction->setToolTip(tr("Another instruction for this frame; Enter re-runs it"));
    m_draw->setCheckable(true);
    m_draw->setToolTip(tr("Drag a box on a view: the model sees it painted grey"));
    m_effect->setWordWrap(true);
    m_effect->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *clear = new QPushButton(tr("Clear Probes"), this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Instruction"), this));
    layout->addWidget(m_instruction);
    layout->addWidget(m_draw);
    layout->addWidget(m_box);
    layout->addWidget(clear);
    layout->addWidget(m_effect);
    layout->addStretch(1);

    connect(m_instruction, &QLineEdit::editingFinished, this,
            [this] { setInstruction(m_instruction->text()); });
    connect(clear, &QPushButton::clicked, this, &ProbePanel::clear);
}

void ProbePanel::setOriginalInstruction(const QString &instruction)
{
    m_instruction->setPlaceholderText(instruction);
}

void ProbePanel::setInstruction(const QString &instruction)
{
    const QString trimmed = instruction.trimmed();
    std::optional<std::string> next;
    if (!trimmed.isEmpty())
        next = trimmed.toStdString();
    if (m_instruction->text() != instruction)
        m_instruction->setText(instruction);
    if (next == m_probe.instruction)
        return;
    m_probe.instruction = next;
    emit probeChanged();
}

void ProbePanel::setOcclusion(int view, float x0, float y0, float x1, float y1)
{
    m_probe.occludedView = view;
    m_probe.box = {x0, y0, x1, y1};
    m_box->setText(view < 0 ? tr("No occlusion")
                            : tr("View %1 occluded: (%2, %3)–(%4, %5)")
                                  .arg(view)
                                  .arg(x0, 0, 'f', 2)
                                  .arg(y0, 0, 'f', 2)
                                  .arg(x1, 0, 'f', 2)
                                  .arg(y1, 0, 'f', 2));
    m_draw->setChecked(false);
    emit probeChanged();
}

void ProbePanel::clear()
{
    const bool was = m_probe.active();
    m_probe = {};
    m_instruction->clear();
    m_box->setText(tr("No occlusion"));
    m_effect->clear();
    m_draw->setChecked(false);
    if (was)
        emit probeChanged();
}

void ProbePanel::showEffect(const grids::FrameResult &probed, const grids::FrameResult &unmodified)
{
    const grids::ActionError change =
        grids::actionError(probed.actions.row(0), unmodified.actions.row(0));
    // How far the tokens moved: mean distance between same-index coordinates (GridS's points
    // are the same tokens; pruning methods keep other cells instead).
    double moved = 0;
    int pairs = 0;
    for (std::size_t v = 0; v < probed.views.size() && v < unmodified.views.size(); ++v)
        for (std::size_t t = 0;
             t < probed.views[v].coords.size() && t < unmodified.views[v].coords.size(); ++t) {
            const auto &a = probed.views[v].coords[t], &b = unmodified.views[v].coords[t];
            moved += std::hypot(a[0] - b[0], a[1] - b[1]);
            ++pairs;
        }
    m_effect->setText(tr("Against the unmodified frame: action changed by %1 (mean |Δ|), "
                         "gripper %2; tokens moved %3 of the image on average")
                          .arg(change.valid ? change.l1 : 0.0, 0, 'f', 4)
                          .arg(change.gripperAgrees ? tr("unchanged") : tr("flipped"))
                          .arg(pairs ? moved / pairs : 0.0, 0, 'f', 3));
}

QString ProbePanel::effectText() const
{
    return m_effect->text();
}
