#include "panels/compare_panel.h"

#include "panels/model_panel.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

ComparePanel::ComparePanel(QWidget *parent)
    : QWidget(parent)
    , m_enabled(new QCheckBox(tr("Compare side by side"), this))
    , m_path(new QLabel(tr("Second column: the main checkpoint"), this))
    , m_model(new ModelPanel(this))
    , m_threshold(new QDoubleSpinBox(this))
    , m_frames(new QListWidget(this))
{
    setObjectName(QStringLiteral("comparePanel"));
    m_enabled->setToolTip(tr("A second column of views with another checkpoint, method or budget "
                             "(Ctrl+D)"));
    m_path->setWordWrap(true);
    m_model->setOverlayControlsVisible(false);
    m_threshold->setRange(0.001, 10);
    m_threshold->setDecimals(3);
    m_threshold->setSingleStep(0.01);
    m_threshold->setValue(0.1);
    m_threshold->setToolTip(tr("Mean absolute difference of the two predicted actions above which "
                               "a frame counts as diverged"));
    auto *same = new QPushButton(tr("Main checkpoint"), this);
    auto *other = new QPushButton(tr("Other…"), this);
    auto *sources = new QHBoxLayout;
    sources->addWidget(same);
    sources->addWidget(other);
    auto *form = new QFormLayout;
    form->addRow(tr("Diverges above"), m_threshold);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_enabled);
    layout->addWidget(m_path);
    layout->addLayout(sources);
    layout->addWidget(m_model);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Where the actions part ways (click to jump)"), this));
    layout->addWidget(m_frames, 1);

    connect(m_enabled, &QCheckBox::toggled, this, &ComparePanel::toggled);
    connect(same, &QPushButton::clicked, this, &ComparePanel::sameCheckpointRequested);
    connect(other, &QPushButton::clicked, this, &ComparePanel::otherCheckpointRequested);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, &ComparePanel::thresholdChanged);
    connect(m_frames, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        emit frameRequested(item->data(Qt::UserRole).toLongLong());
    });
}

bool ComparePanel::active() const
{
    return m_enabled->isChecked();
}

void ComparePanel::setActive(bool on)
{
    m_enabled->setChecked(on);
}

void ComparePanel::setCheckpointPath(const QString &path)
{
    m_path->setText(tr("Second column: %1").arg(QFileInfo(path).fileName()));
    m_path->setToolTip(path);
}

double ComparePanel::threshold() const
{
    return m_threshold->value();
}

void ComparePanel::setDivergences(const std::vector<qint64> &frames)
{
    m_divergences = frames;
    m_frames->clear();
    for (qint64 frame : frames) {
        auto *item = new QListWidgetItem(tr("frame %1").arg(frame), m_frames);
        item->setData(Qt::UserRole, frame);
    }
}
