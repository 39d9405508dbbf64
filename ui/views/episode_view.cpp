#include "views/episode_view.h"

#include "episodes/episode.h"
#include "session/session.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSlider>
#include <QTimer>
#include <QToolTip>
#include <QTransform>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace {
constexpr double kMaxZoom = 8.0;    // a 128-pixel image at 8× shows 16 pixels across
constexpr int kMaxPaintSide = 3072; // the zoomed image is painted whole, then cropped
const double kSpeeds[] = {0.25, 0.5, 1.0, 2.0, 4.0};

} // namespace

EpisodeView::EpisodeView(Session *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_paneArea(new QWidget(this))
    , m_grid(new QGridLayout(m_paneArea))
    , m_slider(new TimelineSlider(this))
    , m_play(new QPushButton(tr("Play"), this))
    , m_speed(new QComboBox(this))
    , m_counter(new QLabel(this))
    , m_title(new QLabel(tr("Click an episode to show it"), this))
    , m_timer(new QTimer(this))
{
    setFocusPolicy(Qt::StrongFocus);
    m_title->setWordWrap(true);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_slider->setEnabled(false);
    m_play->setEnabled(false);
    m_counter->setMinimumWidth(90);
    updatePlaybackInterval();
    for (double s : kSpeeds)
        m_speed->addItem(QStringLiteral("%1×").arg(s), s);
    m_speed->setCurrentIndex(2);
    m_speed->setToolTip(tr("Playback speed"));
    m_speed->setFocusPolicy(Qt::NoFocus);
    m_columns.resize(1);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_play);
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_speed);
    controls->addWidget(m_counter);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_paneArea, 1);
    layout->addLayout(controls);

    connect(m_slider, &QSlider::valueChanged, this, [this](int value) { m_session->setFrame(value); });
    connect(m_play, &QPushButton::clicked, this, [this] { setPlaying(!playing()); });
    connect(m_speed, &QComboBox::currentIndexChanged, this, &EpisodeView::updatePlaybackInterval);
    connect(m_timer, &QTimer::timeout, this, [this] {
        // Advance only once the previous frame is on screen: playback never outruns reading.
        if (m_session->shownFrame() != m_session->frame())
            return;
        if (m_session->frame() + 1 >= m_session->length())
            setPlaying(false);
        else
            m_session->setFrame(m_session->frame() + 1);
    });
    connect(m_session, &Session::episodeChanged, this, &EpisodeView::showEpisode);
    connect(m_session, &Session::frameRequested, this, [this](qint64 frame) {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(int(frame));
        m_counter->setText(counterText());
    });
    connect(m_session, &Session::frameShown, this, [this] { paintPanes(); });
    connect(m_session, &Session::frameFailed, this, [this](const QString &message) {
        setPlaying(false);
        m_title->setText(message);
    });
}

void EpisodeView::updatePlaybackInterval()
{
    m_timer->setInterval(int(std::lround(1000.0 / (m_session->fps() * speed()))));
}

double EpisodeView::speed() const
{
    return m_speed->currentData().toDouble();
}

void EpisodeView::setSpeed(double speed)
{
    int best = 0;
    for (int i = 0; i < m_speed->count(); ++i)
        if (std::abs(m_speed->itemData(i).toDouble() - speed) <
            std::abs(m_speed->itemData(best).toDouble() - speed))
            best = i;
    m_speed->setCurrentIndex(best);
}

void EpisodeView::showEpisode()
{
    setPlaying(false);
    const grids::EpisodeInfo &info = *m_session->episodeInfo();
    m_title->setText(QStringLiteral("<b>%1</b> — %2")
                         .arg(QString::fromStdString(info.key).toHtmlEscaped(),
                              QString::fromStdString(info.instruction).toHtmlEscaped()));
    m_density.clear();
    m_slider->setMarks({}); // the new episode's come once it is identified
    m_occludedView = -1;
    for (Column &column : m_columns) // results of the previous episode mean nothing here
        column.result.reset(), column.baseline.reset();
    rebuildPanes();
    m_slider->setEnabled(true);
    m_play->setEnabled(true);
    {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(0, int(info.length - 1));
        m_slider->setValue(0);
    }
    updatePlaybackInterval(); // 1× is the episode's own rate
}

void EpisodeView::setColumns(const QStringList &titles)
{
    const std::size_t count = std::max<std::size_t>(1, std::size_t(titles.size()));
    const bool rebuild = count != m_columns.size();
    if (rebuild)
        clearPanes(); // before resizing: a column dropped would leave its panes on screen
    m_columns.resize(count);
    for (std::size_t c = 0; c < count; ++c)
        m_columns[c].title = c < std::size_t(titles.size()) ? titles[int(c)] : QString();
    if (rebuild)
        rebuildPanes();
    for (Column &column : m_columns)
        if (column.header)
            column.header->setText(column.title);
    paintPanes();
}

QString EpisodeView::columnTitle(int column) const
{
    return column >= 0 && std::size_t(column) < m_columns.size()
               ? m_columns[std::size_t(column)].title
               : QString();
}

void EpisodeView::clearPanes()
{
    for (Column &column : m_columns) {
        delete column.header;
        column.header = nullptr;
        qDeleteAll(column.panes);
        column.panes.clear();
    }
}

void EpisodeView::rebuildPanes()
{
    clearPanes();
    if (!m_session->episodeInfo())
        return;
    const grids::EpisodeInfo &info = *m_session->episodeInfo();
    const bool compare = m_columns.size() > 1;
    for (std::size_t c = 0; c < m_columns.size(); ++c) {
        Column &column = m_columns[c];
        if (compare) {
            column.header = new QLabel(column.title, m_paneArea);
            column.header->setAlignment(Qt::AlignCenter);
            column.header->setStyleSheet(QStringLiteral("font-weight: bold"));
            m_grid->addWidget(column.header, 0, int(c));
        }
        for (std::size_t v = 0; v < info.views.size(); ++v) {
            auto *pane = new QLabel(m_paneArea);
            pane->setAlignment(Qt::AlignCenter);
            pane->setMinimumSize(96, 96);
            // The pixmap follows the pane's size, not the other way round.
            pane->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
            pane->setToolTip(QString::fromStdString(info.views[v].name));
            pane->installEventFilter(this); // tooltips, clicks, zoom, pan, occlusion boxes
            pane->setCursor(m_occlusionMode ? Qt::CrossCursor : Qt::ArrowCursor);
            // One column: views side by side; a comparison: a column of views per source.
            if (compare)
                m_grid->addWidget(pane, int(v) + 1, int(c));
            else
                m_grid->addWidget(pane, 0, int(v));
            column.panes.append(pane);
        }
    }
    // The grid keeps rows it once had: only the rows in use stretch (a header row does not).
    const int rows = compare ? int(info.views.size()) + 1 : 1;
    for (int r = 0; r < m_grid->rowCount(); ++r)
        m_grid->setRowStretch(r, r < rows && !(compare && r == 0) ? 1 : 0);
}

QString EpisodeView::counterText() const
{
    return QStringLiteral("%1 / %2").arg(m_session->frame()).arg(m_session->length() - 1);
}

bool EpisodeView::playing() const
{
    return m_timer->isActive();
}

void EpisodeView::setPlaying(bool play)
{
    if (play && m_session->file()) {
        if (m_session->frame() + 1 >= m_session->length())
            m_session->setFrame(0);
        m_timer->start();
    } else {
        m_timer->stop();
    }
    m_play->setText(playing() ? tr("Pause") : tr("Play"));
}

void EpisodeView::setOverlay(std::shared_ptr<const grids::FrameResult> result,
                             const grids::render::OverlayStyle &style,
                             int column,
                             std::shared_ptr<const grids::FrameResult> baseline,
                             qint64 frame)
{
    if (column < 0 || std::size_t(column) >= m_columns.size())
        return;
    Column &target = m_columns[std::size_t(column)];
    target.result = std::move(result);
    target.baseline = std::move(baseline);
    target.frame = frame < 0 ? m_session->shownFrame() : frame;
    target.style = style;
    paintPanes(column); // the other column's panes have not changed
}

void EpisodeView::setSamples(const std::vector<grids::ViewSelection> &samples)
{
    m_density.clear();
    if (!m_session->episodeInfo() || samples.empty()) {
        paintPanes();
        return;
    }
    const auto &views = m_session->episodeInfo()->views;
    for (std::size_t v = 0; v < views.size(); ++v) {
        cv::Mat density;
        if (const int k = grids::render::selectionForView(samples, views[v].name, v); k >= 0)
            density = grids::render::samplingDensity(
                samples[std::size_t(k)].coords,
                cv::Size(std::max(1, views[v].width), std::max(1, views[v].height)),
                m_columns.front().style);
        m_density.append(density);
    }
    paintPanes();
}

void EpisodeView::setOverlayStyle(const grids::render::OverlayStyle &style, int column)
{
    if (column < 0 || std::size_t(column) >= m_columns.size())
        return;
    m_columns[std::size_t(column)].style = style;
    paintPanes(column);
}

std::shared_ptr<const grids::FrameResult> EpisodeView::overlay(int column) const
{
    if (column < 0 || std::size_t(column) >= m_columns.size())
        return nullptr;
    const Column &c = m_columns[std::size_t(column)];
    return c.frame == m_session->shownFrame() ? c.result : nullptr;
}

qint64 EpisodeView::drawnOverlayFrame(int column) const
{
    if (column < 0 || std::size_t(column) >= m_columns.size())
        return -1;
    const Column &c = m_columns[std::size_t(column)];
    return c.result ? c.frame : -1;
}

std::shared_ptr<const grids::FrameResult> EpisodeView::baseline(int column) const
{
    return overlay(column) ? m_columns[std::size_t(column)].baseline : nullptr;
}

QImage EpisodeView::paneImage(int view, int column) const
{
    if (column < 0 || std::size_t(column) >= m_columns.size())
        return {};
    const auto &panes = m_columns[std::size_t(column)].panes;
    if (view < 0 || view >= panes.size())
        return {};
    return panes[view]->pixmap().toImage();
}

QString EpisodeView::tokenTip(int view, double x, double y, int column) const
{
    const auto result = overlay(column);
    const QImage shown = paneImage(view, column);
    if (!result || !m_session->episodeInfo() || shown.isNull())
        return {};
    const std::string &name = m_session->episodeInfo()->views[std::size_t(view)].name;
    const int k = grids::render::selectionForView(result->views, name, std::size_t(view));
    if (k < 0)
        return {};
    const auto &selection = result->views[std::size_t(k)];
    const std::vector<float> attention = grids::render::viewAttention(*result, std::size_t(k));
    // 8 screen pixels, in image-normalised units of what is shown.
    const double reach = 8.0 * m_window.width() / std::max(1, shown.width());
    int best = -1;
    double bestDistance = reach;
    for (std::size_t t = 0; t < selection.coords.size(); ++t) {
        const double d = std::hypot(selection.coords[t][0] - x, selection.coords[t][1] - y);
        if (d <= bestDistance)
            best = int(t), bestDistance = d;
    }
    if (best < 0)
        return {};
    const auto &xy = selection.coords[std::size_t(best)];
    const auto &style = m_columns[std::size_t(column)].style;
    const int w = style.gridWidth, h = style.gridHeight;
    const int i = std::clamp(int(xy[0] * w), 0, w - 1), j = std::clamp(int(xy[1] * h), 0, h - 1);
    return tr("token %1 at (%2, %3)\nattention %4\ncell (%5, %6) = %7")
        .arg(best)
        .arg(xy[0], 0, 'f', 3)
        .arg(xy[1], 0, 'f', 3)
        .arg(std::size_t(best) < attention.size() ? attention[std::size_t(best)] : 0.0f, 0, 'f', 4)
        .arg(i)
        .arg(j)
        .arg(j * w + i);
}

void EpisodeView::setKeypoints(const QList<Keypoint> &keypoints)
{
    m_keypoints = keypoints;
    paintPanes();
}

void EpisodeView::zoom(double factor, QPointF centre)
{
    const double scale = std::clamp(m_window.width() / factor, 1.0 / kMaxZoom, 1.0);
    // Keep the image point under `centre` where it is on screen.
    const QPointF relative((centre.x() - m_window.x()) / m_window.width(),
                           (centre.y() - m_window.y()) / m_window.height());
    setWindow(
        QRectF(centre.x() - relative.x() * scale, centre.y() - relative.y() * scale, scale, scale));
}

void EpisodeView::resetZoom()
{
    setWindow(QRectF(0, 0, 1, 1));
}

void EpisodeView::setWindow(QRectF window)
{
    window.moveLeft(std::clamp(window.x(), 0.0, 1.0 - window.width()));
    window.moveTop(std::clamp(window.y(), 0.0, 1.0 - window.height()));
    if (window == m_window)
        return;
    m_window = window;
    paintPanes();
    emit zoomChanged();
}

void EpisodeView::setOcclusion(int view, const QRectF &box)
{
    m_occludedView = view;
    m_occlusion = box.normalized();
    paintPanes();
}

void EpisodeView::setOcclusionMode(bool on)
{
    m_occlusionMode = on;
    for (const Column &column : m_columns)
        for (QLabel *pane : column.panes)
            pane->setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
}

std::pair<int, int> EpisodeView::paneOf(const QObject *watched) const
{
    for (std::size_t c = 0; c < m_columns.size(); ++c) {
        const int v = int(m_columns[c].panes.indexOf(static_cast<const QLabel *>(watched)));
        if (v >= 0)
            return {int(c), v};
    }
    return {-1, -1};
}

QPointF EpisodeView::imagePoint(const QLabel *pane, QPointF panePosition) const
{
    const QSize shown = pane->pixmap().size();
    if (shown.isEmpty())
        return {-1, -1};
    // The pixmap is centred in the pane and shows m_window of the image.
    const QPointF origin((pane->width() - shown.width()) / 2,
                         (pane->height() - shown.height()) / 2);
    const QPointF p = panePosition - origin;
    return {m_window.x() + p.x() / shown.width() * m_window.width(),
            m_window.y() + p.y() / shown.height() * m_window.height()};
}

bool EpisodeView::eventFilter(QObject *watched, QEvent *event)
{
    const auto [column, view] = paneOf(watched);
    if (view < 0)
        return QWidget::eventFilter(watched, event);
    const QLabel *pane = m_columns[std::size_t(column)].panes[view];
    const auto inside = [](QPointF p) {
        return p.x() >= 0 && p.y() >= 0 && p.x() < 1 && p.y() < 1;
    };
    switch (event->type()) {
    case QEvent::MouseButtonPress: {
        auto *mouse = static_cast<QMouseEvent *>(event);
        const QPointF p = imagePoint(pane, mouse->position());
        if (mouse->button() == Qt::RightButton || mouse->button() == Qt::MiddleButton) {
            m_panning = true;
            m_panFrom = mouse->position();
            return true;
        }
        if (!m_session->episodeInfo() || !inside(p))
            break;
        if (m_occlusionMode) {
            m_dragView = view;
            m_dragStart = m_dragNow = p;
            return true;
        }
        emit paneClicked(
            QString::fromStdString(
                m_session->episodeInfo()->views[std::size_t(view)].name),
            p.x(), p.y());
        break;
    }
    case QEvent::MouseMove: {
        auto *mouse = static_cast<QMouseEvent *>(event);
        if (m_panning) {
            const QSize shown = pane->pixmap().size();
            if (!shown.isEmpty()) {
                const QPointF delta = mouse->position() - m_panFrom;
                m_panFrom = mouse->position();
                setWindow(m_window.translated(-delta.x() / shown.width() * m_window.width(),
                                              -delta.y() / shown.height() * m_window.height()));
            }
            return true;
        }
        if (m_dragView == view) {
            const QPointF p = imagePoint(pane, mouse->position());
            m_dragNow = QPointF(std::clamp(p.x(), 0.0, 1.0), std::clamp(p.y(), 0.0, 1.0));
            paintPanes();
            return true;
        }
        break;
    }
    case QEvent::MouseButtonRelease:
        if (m_panning) {
            m_panning = false;
            return true;
        }
        if (m_dragView == view) {
            const QPointF p = imagePoint(pane, static_cast<QMouseEvent *>(event)->position());
            m_dragNow = QPointF(std::clamp(p.x(), 0.0, 1.0), std::clamp(p.y(), 0.0, 1.0));
            const QRectF box = QRectF(m_dragStart, m_dragNow).normalized();
            m_dragView = -1;
            if (box.width() > 0.01 && box.height() > 0.01) {
                setOcclusion(view, box);
                emit occlusionDrawn(view, box);
            } else {
                paintPanes();
            }
            return true;
        }
        break;
    case QEvent::Wheel: {
        auto *wheel = static_cast<QWheelEvent *>(event);
        const QPointF p = imagePoint(pane, wheel->position());
        if (inside(p) && wheel->angleDelta().y() != 0)
            zoom(wheel->angleDelta().y() > 0 ? 1.25 : 0.8, p);
        return true;
    }
    case QEvent::ToolTip: {
        auto *help = static_cast<QHelpEvent *>(event);
        const QPointF p = imagePoint(pane, help->pos());
        const QString tip =
            pane->pixmap().isNull() ? QString() : tokenTip(view, p.x(), p.y(), column);
        QToolTip::showText(help->globalPos(), tip.isEmpty() ? pane->toolTip() : tip,
                           const_cast<QLabel *>(pane));
        return true;
    }
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

QImage EpisodeView::paintPane(int column, int view, QSize paneSize) const
{
    const QImage &image = m_session->shownImages()[view];
    // What is shown fits the pane; the whole image is painted at the zoomed scale, then cropped,
    // so that markers, numbers and keypoints keep their screen size at any zoom.
    const QSizeF visible(image.width() * m_window.width(), image.height() * m_window.height());
    QSize shown =
        visible.scaled(QSizeF(paneSize.boundedTo(QSize(2048, 2048))), Qt::KeepAspectRatio).toSize();
    if (shown.isEmpty())
        return {};
    QSize full(int(std::lround(shown.width() / m_window.width())),
               int(std::lround(shown.height() / m_window.height())));
    if (full.width() > kMaxPaintSide || full.height() > kMaxPaintSide) {
        // Deep zoom on a large pane: paint at most kMaxPaintSide and show the window smaller,
        // so that what is shown is still exactly m_window (clicks and tips map through it).
        full.scale(kMaxPaintSide, kMaxPaintSide, Qt::KeepAspectRatio);
        shown = QSize(std::max(1, int(full.width() * m_window.width())),
                      std::max(1, int(full.height() * m_window.height())));
    }
    // Pixels stay crisp (no smoothing): 128×128 camera images are meant to be inspected.
    QImage scaled = image.scaled(full, Qt::IgnoreAspectRatio, Qt::FastTransformation)
                        .convertToFormat(QImage::Format_RGB888);
    const grids::EpisodeInfo &info = *m_session->episodeInfo();
    const std::string &name = info.views[std::size_t(view)].name;
    // Image-normalised to pixels of the painted image.
    const QTransform toPixels = QTransform::fromScale(full.width(), full.height());
    if (m_occludedView == view) {
        // What the model is shown: mid grey (the probe's fill), outlined.
        QPainter painter(&scaled);
        const QRectF box = toPixels.mapRect(m_occlusion);
        painter.fillRect(box, QColor(128, 128, 128));
        painter.setPen(QPen(QColor(255, 200, 0), 2, Qt::DashLine));
        painter.drawRect(box);
    }
    // The latest result there is, the frame's own or (playback ahead of inference) an earlier one.
    const Column &drawn = m_columns[std::size_t(column)];
    const auto result = drawn.result;
    const bool stale = result && drawn.frame != m_session->shownFrame();
    const int k =
        result ? grids::render::selectionForView(result->views, name, std::size_t(view)) : -1;
    const grids::render::OverlayStyle &style = drawn.style;
    // The density is the main checkpoint's (first column's) samples.
    const bool density =
        column == 0 && style.density && view < m_density.size() && !m_density[view].empty();
    if (k >= 0 || density) {
        // drawSelection may replace the matrix (heatmap blending): draw on a copy.
        cv::Mat canvas = cv::Mat(scaled.height(), scaled.width(), CV_8UC3, scaled.bits(),
                                 std::size_t(scaled.bytesPerLine()))
                             .clone();
        if (density)
            grids::render::drawDensity(canvas, m_density[view], style.heatmapOpacity);
        if (k >= 0)
            grids::render::drawSelection(canvas, result->views[std::size_t(k)],
                                         grids::render::viewAttention(*result, std::size_t(k)),
                                         style);
        scaled =
            QImage(canvas.data, canvas.cols, canvas.rows, int(canvas.step), QImage::Format_RGB888)
                .copy();
    }
    QPainter painter(&scaled);
    painter.setRenderHint(QPainter::Antialiasing);
    if (stale) {
        painter.setPen(QColor(255, 255, 255));
        painter.drawText(QRectF(4, 2, scaled.width() - 8, 16), Qt::AlignLeft | Qt::AlignTop,
                         tr("tokens of frame %1").arg(drawn.frame));
    }
    const auto base = drawn.baseline;
    if (result && base) {
        // A probe's unmodified result: hollow rings where its tokens sat, a line to where the
        // same token (same index) sits now.
        const int b = grids::render::selectionForView(base->views, name, std::size_t(view));
        if (b >= 0) {
            const auto &before = base->views[std::size_t(b)].coords;
            for (std::size_t t = 0; t < before.size(); ++t) {
                const QPointF c = toPixels.map(QPointF(before[t][0], before[t][1]));
                if (k >= 0 && t < result->views[std::size_t(k)].coords.size()) {
                    const auto &after = result->views[std::size_t(k)].coords[t];
                    painter.setPen(QPen(QColor(255, 255, 255, 200), 1, Qt::DotLine));
                    painter.drawLine(c, toPixels.map(QPointF(after[0], after[1])));
                }
                painter.setPen(QPen(QColor(20, 20, 20), 3));
                painter.drawEllipse(c, 6, 6);
                painter.setPen(QPen(QColor(255, 255, 255), 1.5));
                painter.drawEllipse(c, 6, 6);
            }
        }
    }
    if (!m_keypoints.isEmpty()) {
        painter.setPen(QPen(QColor(255, 60, 60), 2));
        const QString viewName = QString::fromStdString(name);
        for (const Keypoint &kp : m_keypoints)
            if (kp.view == viewName) {
                const QPointF c = toPixels.map(QPointF(kp.x, kp.y));
                painter.drawLine(c + QPointF(-7, -7), c + QPointF(7, 7));
                painter.drawLine(c + QPointF(-7, 7), c + QPointF(7, -7));
            }
    }
    if (m_dragView == view) {
        painter.setPen(QPen(QColor(255, 200, 0), 2, Qt::DashLine));
        painter.drawRect(toPixels.mapRect(QRectF(m_dragStart, m_dragNow).normalized()));
    }
    painter.end();
    const int left = std::clamp(int(std::lround(m_window.x() * full.width())), 0,
                                std::max(0, full.width() - shown.width()));
    const int top = std::clamp(int(std::lround(m_window.y() * full.height())), 0,
                               std::max(0, full.height() - shown.height()));
    return scaled.copy(QRect(left, top, shown.width(), shown.height()));
}

void EpisodeView::paintPanes(int column)
{
    if (!m_session->episodeInfo())
        return;
    for (std::size_t c = 0; c < m_columns.size(); ++c) {
        if (column >= 0 && int(c) != column)
            continue;
        const auto &panes = m_columns[c].panes;
        for (int v = 0; v < m_session->shownImages().size() && v < panes.size(); ++v)
            panes[v]->setPixmap(QPixmap::fromImage(paintPane(int(c), v, panes[v]->size())));
    }
}

void EpisodeView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    paintPanes();
}

void EpisodeView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Space:
        setPlaying(!playing());
        break;
    case Qt::Key_Left:
        m_session->setFrame(m_session->frame() - 1);
        break;
    case Qt::Key_Right:
        m_session->setFrame(m_session->frame() + 1);
        break;
    case Qt::Key_Home:
        m_session->setFrame(0);
        break;
    case Qt::Key_End:
        m_session->setFrame(m_session->length() - 1);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(1.25, m_window.center());
        break;
    case Qt::Key_Minus:
        zoom(0.8, m_window.center());
        break;
    case Qt::Key_0:
        resetZoom();
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

int EpisodeView::playbackInterval() const
{
    return m_timer->interval();
}
