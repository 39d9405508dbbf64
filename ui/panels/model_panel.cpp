#include "panels/model_panel.h"

#include "eval/metrics.h"
#include "model/policy.h"
#include "render/overlay.h"
#include "selectors/selector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QPainter>
#include <QSettings>
#include <QSlider>
#include <QStyleOptionSlider>
#include <QTextDocument>
#include <QVBoxLayout>

#include <cmath>

namespace {

// A horizontal slider with tick marks and labels at the powers of two of its range.
class PowerOfTwoSlider : public QSlider
{
public:
    explicit PowerOfTwoSlider(QWidget *parent)
        : QSlider(Qt::Horizontal, parent)
    {
        setMinimumHeight(42);
    }

protected:
    void paintEvent(QPaintEvent *event) override
    {
        QSlider::paintEvent(event);
        QStyleOptionSlider option;
        initStyleOption(&option);
        const QRect groove =
            style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderGroove, this);
        const QRect handle =
            style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, this);
        const int span = groove.width() - handle.width();
        QPainter painter(this);
        painter.setPen(palette().color(QPalette::WindowText));
        QFont small = font();
        small.setPointSizeF(small.pointSizeF() * 0.8);
        painter.setFont(small);
        int lastLabel = -1000;
        for (int value = 1; value <= maximum(); value *= 2) {
            if (value < minimum())
                continue;
            const int x = groove.left() + handle.width() / 2 +
                          QStyle::sliderPositionFromValue(minimum(), maximum(), value, span);
            painter.drawLine(x, height() - 16, x, height() - 12);
            if (x - lastLabel < 24) // labels that would collide are left out, not the ticks
                continue;
            painter.drawText(QRect(x - 15, height() - 12, 30, 12), Qt::AlignCenter,
                             QString::number(value));
            lastLabel = x;
        }
    }
};

QString numbers(const std::vector<float> &values)
{
    QStringList parts;
    for (float v : values)
        parts << QString::number(v, 'f', 2);
    return parts.join(QStringLiteral(", "));
}

} // namespace

ModelPanel::ModelPanel(QWidget *parent)
    : QWidget(parent)
    , m_checkpoint(new QLabel(tr("No checkpoint: File ▸ Open Checkpoint…"), this))
    , m_method(new QComboBox(this))
    , m_budget(new PowerOfTwoSlider(this))
    , m_budgetLabel(new QLabel(this))
    , m_markers(new QCheckBox(tr("Coordinates (numbered markers)"), this))
    , m_heatmap(new QCheckBox(tr("Attention heatmap"), this))
    , m_cells(new QCheckBox(tr("Kept cells / merge groups"), this))
    , m_grid(new QCheckBox(tr("Cell grid"), this))
    , m_density(new QCheckBox(tr("Sampling density (whole episode)"), this))
    , m_opacity(new QSlider(Qt::Horizontal, this))
    , m_action(new QLabel(this))
    , m_overlayControls(new QWidget(this))
{
    setObjectName(QStringLiteral("modelPanel"));
    m_checkpoint->setWordWrap(true);
    m_action->setWordWrap(true);
    m_action->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_method->setObjectName(QStringLiteral("methodPicker"));
    m_budget->setObjectName(QStringLiteral("budgetSlider"));
    m_budget->setToolTip(tr("Tokens per view ([ halves, ] doubles)"));
    for (const auto &name : grids::selectors::methodNames())
        m_method->addItem(QString::fromStdString(name));
    m_opacity->setRange(0, 100);

    QSettings settings;
    m_markers->setChecked(settings.value("overlay/markers", true).toBool());
    m_heatmap->setChecked(settings.value("overlay/heatmap", false).toBool());
    m_cells->setChecked(settings.value("overlay/cells", true).toBool());
    m_grid->setChecked(settings.value("overlay/grid", false).toBool());
    m_density->setChecked(settings.value("overlay/density", false).toBool());
    m_density->setToolTip(tr("Where the tokens fell over every frame of the episode (shares the "
                             "heatmap's opacity)"));
    m_opacity->setValue(settings.value(
        "overlay/opacity", int(std::lround(100 * grids::render::OverlayStyle{}.heatmapOpacity))).toInt());

    auto *form = new QFormLayout;
    form->addRow(tr("Method"), m_method);
    auto *budgetRow = new QHBoxLayout;
    budgetRow->addWidget(m_budget, 1);
    budgetRow->addWidget(m_budgetLabel);
    form->addRow(tr("Tokens/view"), budgetRow);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_checkpoint);
    layout->addLayout(form);
    auto *overlays = new QVBoxLayout(m_overlayControls);
    overlays->setContentsMargins(0, 0, 0, 0);
    overlays->addWidget(m_markers);
    overlays->addWidget(m_heatmap);
    auto *opacityRow = new QHBoxLayout;
    opacityRow->addSpacing(20);
    opacityRow->addWidget(new QLabel(tr("opacity"), this));
    opacityRow->addWidget(m_opacity, 1);
    overlays->addLayout(opacityRow);
    // The heatmap's colour bar: which colour is little attention and which is much.
    const cv::Mat bar = grids::render::attentionColourBar(cv::Size(120, 10));
    auto *colourBar = new QLabel(this);
    colourBar->setObjectName(QStringLiteral("heatmapColourBar"));
    colourBar->setPixmap(QPixmap::fromImage(
        QImage(bar.data, bar.cols, bar.rows, int(bar.step), QImage::Format_RGB888).copy()));
    colourBar->setToolTip(tr("Heatmap colours: attention from the least (left) to the most (right) "
                             "in the frame"));
    auto *barRow = new QHBoxLayout;
    barRow->addSpacing(20);
    barRow->addWidget(new QLabel(tr("low"), this));
    barRow->addWidget(colourBar);
    barRow->addWidget(new QLabel(tr("high attention"), this));
    barRow->addStretch(1);
    overlays->addLayout(barRow);
    overlays->addWidget(m_cells);
    overlays->addWidget(m_grid);
    overlays->addWidget(m_density);
    layout->addWidget(m_overlayControls);
    layout->addWidget(m_action);
    layout->addStretch(1);
    clearCheckpoint();

    connect(m_method, &QComboBox::currentTextChanged, this, [this] {
        updateBudgetRange();
        emit selectionChanged();
    });
    connect(m_budget, &QSlider::valueChanged, this, [this](int value) {
        m_budgetLabel->setText(method() == QLatin1String("dense") ? tr("all")
                                                                  : QString::number(value));
        emit selectionChanged();
    });
    for (QCheckBox *box : {m_markers, m_heatmap, m_cells, m_grid, m_density})
        connect(box, &QCheckBox::toggled, this, [this] {
            saveOverlaySettings();
            emit overlayChanged();
        });
    connect(m_opacity, &QSlider::valueChanged, this, [this] {
        saveOverlaySettings();
        emit overlayChanged();
    });
}

void ModelPanel::setOverlayControlsVisible(bool visible)
{
    m_overlayControls->setVisible(visible);
}

void ModelPanel::setCheckpoint(const grids::CheckpointInfo &info)
{
    m_info = std::make_shared<grids::CheckpointInfo>(info);
    // A policy server's parameters are not known here: say where it runs instead.
    const QString where = info.remote ? tr("served by %1").arg(QString::fromStdString(info.path).toHtmlEscaped())
                                      : tr("%1 parameters").arg(info.parameters);
    m_checkpoint->setText(tr("<b>%1</b><br>%2, %3×%4 tokens per view, %5")
                              .arg(QString::fromStdString(info.name).toHtmlEscaped(),
                                   QString::fromStdString(info.kind))
                              .arg(info.gridWidth)
                              .arg(info.gridHeight)
                              .arg(where));
    const QSignalBlocker block(m_method);
    for (int i = 0; i < m_method->count(); ++i) {
        const std::string why = grids::notApplicable(info, m_method->itemText(i).toStdString());
        m_method->setItemData(i, why.empty() ? QVariant() : QVariant(0), Qt::UserRole - 1);
        m_method->setItemData(i, QString::fromStdString(why), Qt::ToolTipRole);
    }
    m_method->setCurrentText(QString::fromStdString(info.ownMethod()));
    m_method->setEnabled(true);
    updateBudgetRange();
    setBudget(info.isGrids() ? info.budgetDefault : 16);
}

QString ModelPanel::checkpointText() const
{
    QTextDocument document;
    document.setHtml(m_checkpoint->text());
    return document.toPlainText();
}

void ModelPanel::clearCheckpoint()
{
    m_info.reset();
    m_method->setEnabled(false);
    m_budget->setEnabled(false);
    m_budgetLabel->clear();
    m_action->clear();
}

QString ModelPanel::method() const
{
    return m_method->currentText();
}

void ModelPanel::setMethod(const QString &method)
{
    // A method the checkpoint cannot run (grids on a dense checkpoint) is not chosen: the
    // current one stays, and the caller reads back what is shown.
    const int index = m_method->findText(method);
    if (index < 0 || (m_info && !grids::notApplicable(*m_info, method.toStdString()).empty()))
        return;
    m_method->setCurrentIndex(index);
}

int ModelPanel::budget() const
{
    return method() == QLatin1String("dense") ? 0 : m_budget->value();
}

void ModelPanel::setBudget(int budget)
{
    m_budget->setValue(budget);
}

int ModelPanel::maximumBudget() const
{
    return m_budget->maximum();
}

void ModelPanel::halveBudget()
{
    setBudget(std::max(1, m_budget->value() / 2));
}

void ModelPanel::doubleBudget()
{
    setBudget(std::min(m_budget->maximum(), m_budget->value() * 2));
}

void ModelPanel::updateBudgetRange()
{
    if (!m_info)
        return;
    const bool dense = method() == QLatin1String("dense");
    const int maximum =
        method() == QLatin1String("grids") ? m_info->budgetMax : m_info->cellsPerView();
    const QSignalBlocker block(m_budget);
    const int previous = m_budget->value();
    m_budget->setRange(1, std::max(1, maximum));
    m_budget->setValue(std::clamp(previous, 1, std::max(1, maximum)));
    m_budget->setEnabled(!dense);
    m_budgetLabel->setText(dense ? tr("all") : QString::number(m_budget->value()));
}

grids::render::OverlayStyle ModelPanel::overlayStyle() const
{
    grids::render::OverlayStyle style;
    style.markers = m_markers->isChecked();
    style.heatmap = m_heatmap->isChecked();
    style.cells = m_cells->isChecked();
    style.grid = m_grid->isChecked();
    style.density = m_density->isChecked();
    style.heatmapOpacity = m_opacity->value() / 100.0;
    if (m_info) {
        style.gridWidth = m_info->gridWidth;
        style.gridHeight = m_info->gridHeight;
    }
    return style;
}

void ModelPanel::saveOverlaySettings() const
{
    QSettings settings;
    settings.setValue("overlay/markers", m_markers->isChecked());
    settings.setValue("overlay/heatmap", m_heatmap->isChecked());
    settings.setValue("overlay/cells", m_cells->isChecked());
    settings.setValue("overlay/grid", m_grid->isChecked());
    settings.setValue("overlay/density", m_density->isChecked());
    settings.setValue("overlay/opacity", m_opacity->value());
}

void ModelPanel::showResult(const grids::FrameResult &result, const std::vector<float> &demo)
{
    const std::vector<float> predicted = result.actions.row(0);
    QString text = tr("<b>Predicted action</b> (%1, %2 tokens/view)<br>%3")
                       .arg(QString::fromStdString(result.method))
                       .arg(result.budget)
                       .arg(numbers(predicted));
    const grids::ActionError error = grids::actionError(predicted, demo);
    if (error.valid)
        text += tr("<br><b>Demonstration</b><br>%1<br>L1 %2, gripper %3")
                    .arg(numbers(demo))
                    .arg(error.l1, 0, 'f', 3)
                    .arg(error.gripperAgrees ? tr("agrees") : tr("disagrees"));
    text += tr("<br><small>encode %1 ms%2, select %3 ms, act %4 ms</small>")
                .arg(result.encodeMs, 0, 'f', 1)
                .arg(result.encodeCached ? tr(" (cached)") : QString())
                .arg(result.selectMs, 0, 'f', 1)
                .arg(result.actMs, 0, 'f', 1);
    if (result.roundTripMs > 0)
        text += tr("<br><small>round trip to the policy server %1 ms</small>").arg(result.roundTripMs, 0, 'f', 1);
    m_action->setText(text);
}

QString ModelPanel::actionText() const
{
    return m_action->text();
}
