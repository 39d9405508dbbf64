#include "views/timeline_slider.h"

#include <QHelpEvent>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QToolTip>

#include <algorithm>

namespace {
constexpr int kMarkHeight = 5; // the band under the groove that marks are painted in
}

TimelineSlider::TimelineSlider(QWidget *parent)
    : QSlider(Qt::Horizontal, parent)
{
    setObjectName(QStringLiteral("timeline"));
    setMouseTracking(true); // tooltips over marks
}

void TimelineSlider::setMarks(const QVector<Mark> &marks)
{
    m_marks = marks;
    update();
}

QSize TimelineSlider::sizeHint() const
{
    return QSlider::sizeHint() + QSize(0, kMarkHeight + 1);
}

QSize TimelineSlider::minimumSizeHint() const
{
    return QSlider::minimumSizeHint() + QSize(0, kMarkHeight + 1);
}

int TimelineSlider::pixelOf(qint64 frame) const
{
    QStyleOptionSlider option;
    initStyleOption(&option);
    const QRect groove = style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderGroove, this);
    const QRect handle = style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, this);
    const int span = std::max(0, groove.width() - handle.width());
    const int value = int(std::clamp<qint64>(frame, minimum(), maximum()));
    return groove.x() + handle.width() / 2 +
           QStyle::sliderPositionFromValue(minimum(), maximum(), value, span);
}

QRect TimelineSlider::markRect(const Mark &mark) const
{
    int left = pixelOf(mark.start), right = pixelOf(std::max(mark.start, mark.end));
    if (right - left < 3)
        left -= 1, right = left + 3;
    return QRect(left, height() - kMarkHeight, right - left, kMarkHeight);
}

QString TimelineSlider::marksAt(int x) const
{
    QStringList labels;
    for (const Mark &mark : m_marks) {
        const QRect r = markRect(mark);
        if (x >= r.left() - 2 && x <= r.right() + 2)
            labels << mark.label;
    }
    return labels.join(QStringLiteral(", "));
}

void TimelineSlider::paintEvent(QPaintEvent *event)
{
    QSlider::paintEvent(event);
    if (m_marks.isEmpty() || maximum() <= minimum())
        return;
    QPainter painter(this);
    for (const Mark &mark : m_marks)
        painter.fillRect(markRect(mark), mark.colour);
}

bool TimelineSlider::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString labels = marksAt(help->pos().x());
        if (labels.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), labels, this);
        return true;
    }
    return QSlider::event(event);
}
