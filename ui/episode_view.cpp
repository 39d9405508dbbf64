#include "episode_view.h"

#include "episodes/episode.h"
#include "frame_loader.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

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
#include <QVBoxLayout>

namespace {
constexpr int kPlaybackHz = 20; // LIBERO and the tabletop suite record at 20 Hz
}

EpisodeView::EpisodeView(QWidget *parent)
    : QWidget(parent)
    , m_loader(new FrameLoader(this))
    , m_paneRow(new QWidget(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_play(new QPushButton(tr("Play"), this))
    , m_counter(new QLabel(this))
    , m_title(new QLabel(tr("Double-click an episode to show it"), this))
    , m_timer(new QTimer(this))
{
    setFocusPolicy(Qt::StrongFocus);
    m_title->setWordWrap(true);
    new QHBoxLayout(m_paneRow);
    m_slider->setEnabled(false);
    m_play->setEnabled(false);
    m_counter->setMinimumWidth(90);
    m_timer->setInterval(1000 / kPlaybackHz);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_play);
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_counter);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_paneRow, 1);
    layout->addLayout(controls);

    connect(m_slider, &QSlider::valueChanged, this, [this](int value) { setFrame(value); });
    connect(m_play, &QPushButton::clicked, this, [this] { setPlaying(!playing()); });
    connect(m_timer, &QTimer::timeout, this, [this] {
        // Advance only once the previous frame is on screen: playback never outruns reading.
        if (m_shownFrame != m_frame)
            return;
        if (m_frame + 1 >= m_length)
            setPlaying(false);
        else
            setFrame(m_frame + 1);
    });
    connect(m_loader, &FrameLoader::frameReady, this, &EpisodeView::showFrame);
    connect(m_loader, &FrameLoader::failed, this, [this](const QString &message) {
        setPlaying(false);
        m_title->setText(message);
    });
}

void EpisodeView::setEpisode(std::shared_ptr<grids::EpisodeFile> file, int episode)
{
    setPlaying(false);
    m_file = std::move(file);
    m_episode = episode;
    const grids::EpisodeInfo &info = m_file->episodes().at(std::size_t(episode));
    m_length = info.length;
    m_shownFrame = -1;
    m_title->setText(QStringLiteral("<b>%1</b> — %2")
                         .arg(QString::fromStdString(info.key).toHtmlEscaped(),
                              QString::fromStdString(info.instruction).toHtmlEscaped()));
    qDeleteAll(m_panes);
    m_panes.clear();
    m_images.clear();
    for (const auto &view : info.views) {
        auto *pane = new QLabel(m_paneRow);
        pane->setAlignment(Qt::AlignCenter);
        pane->setMinimumSize(128, 128);
        // The pixmap follows the pane's size, not the other way round.
        pane->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
        pane->setToolTip(QString::fromStdString(view.name));
        pane->installEventFilter(this); // tooltips name the token under the mouse
        m_paneRow->layout()->addWidget(pane);
        m_panes.append(pane);
    }
    m_slider->setEnabled(true);
    m_play->setEnabled(true);
    {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(0, int(m_length - 1));
        m_slider->setValue(0);
    }
    m_frame = -1;
    setFrame(0);
}

void EpisodeView::setFrame(qint64 frame)
{
    if (!m_file || m_length == 0)
        return;
    frame = std::clamp<qint64>(frame, 0, m_length - 1);
    if (frame == m_frame)
        return;
    m_frame = frame;
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(int(frame));
    }
    m_counter->setText(counterText());
    m_loader->request(m_file, m_episode, frame);
}

QString EpisodeView::counterText() const
{
    return QStringLiteral("%1 / %2").arg(m_frame).arg(m_length - 1);
}

bool EpisodeView::playing() const
{
    return m_timer->isActive();
}

void EpisodeView::setPlaying(bool play)
{
    if (play && m_file) {
        if (m_frame + 1 >= m_length)
            setFrame(0);
        m_timer->start();
    } else {
        m_timer->stop();
    }
    m_play->setText(playing() ? tr("Pause") : tr("Play"));
}

void EpisodeView::showFrame(int episode,
                            qint64 frame,
                            const QList<QImage> &views,
                            std::shared_ptr<const grids::Frame> pixels)
{
    if (episode != m_episode)
        return;
    m_images = views;
    m_pixels = std::move(pixels);
    paintPanes();
    m_shownFrame = frame;
    emit frameShown(frame);
}

void EpisodeView::setOverlay(std::shared_ptr<const grids::FrameResult> result,
                             const grids::render::OverlayStyle &style)
{
    m_overlay = std::move(result);
    m_overlayFrame = m_shownFrame;
    m_style = style;
    paintPanes();
}

std::shared_ptr<const grids::FrameResult> EpisodeView::overlay() const
{
    return m_overlayFrame == m_shownFrame ? m_overlay : nullptr;
}

QImage EpisodeView::paneImage(int view) const
{
    if (view < 0 || view >= m_panes.size())
        return {};
    return m_panes[view]->pixmap().toImage();
}

QString EpisodeView::tokenTip(int view, double x, double y) const
{
    const auto result = overlay();
    if (!result || !m_file || view < 0 || view >= m_panes.size())
        return {};
    const std::string &name =
        m_file->episodes().at(std::size_t(m_episode)).views[std::size_t(view)].name;
    const QPixmap shown = m_panes[view]->pixmap();
    const double reach = 8.0 / std::max(1, shown.width()); // 8 screen pixels
    for (std::size_t k = 0; k < result->views.size(); ++k) {
        const auto &selection = result->views[k];
        if (selection.view != name && !(result->views.size() == 1 && view == 0))
            continue;
        const std::vector<float> attention = grids::render::viewAttention(*result, k);
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
        const int w = m_style.gridWidth, h = m_style.gridHeight;
        const int i = std::clamp(int(xy[0] * w), 0, w - 1),
                  j = std::clamp(int(xy[1] * h), 0, h - 1);
        return tr("token %1 at (%2, %3)\nattention %4\ncell (%5, %6) = %7")
            .arg(best)
            .arg(xy[0], 0, 'f', 3)
            .arg(xy[1], 0, 'f', 3)
            .arg(std::size_t(best) < attention.size() ? attention[std::size_t(best)] : 0.0f, 0, 'f',
                 4)
            .arg(i)
            .arg(j)
            .arg(j * w + i);
    }
    return {};
}

void EpisodeView::setKeypoints(const QList<Keypoint> &keypoints)
{
    m_keypoints = keypoints;
    paintPanes();
}

QPointF EpisodeView::imagePoint(int view, QPointF panePosition) const
{
    const QLabel *pane = m_panes[view];
    const QSize shown = pane->pixmap().size();
    // The pixmap is centred in the pane.
    const QPointF origin((pane->width() - shown.width()) / 2,
                         (pane->height() - shown.height()) / 2);
    const QPointF p = panePosition - origin;
    return shown.isEmpty() ? QPointF(-1, -1)
                           : QPointF(p.x() / shown.width(), p.y() / shown.height());
}

bool EpisodeView::eventFilter(QObject *watched, QEvent *event)
{
    const int view = int(m_panes.indexOf(static_cast<QLabel *>(watched)));
    if (view < 0)
        return QWidget::eventFilter(watched, event);
    if (event->type() == QEvent::MouseButtonPress && m_file) {
        const QPointF p = imagePoint(view, static_cast<QMouseEvent *>(event)->position());
        if (p.x() >= 0 && p.y() >= 0 && p.x() < 1 && p.y() < 1)
            emit paneClicked(
                QString::fromStdString(
                    m_file->episodes().at(std::size_t(m_episode)).views[std::size_t(view)].name),
                p.x(), p.y());
    }
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QPointF p = imagePoint(view, help->pos());
        const QString tip =
            m_panes[view]->pixmap().isNull() ? QString() : tokenTip(view, p.x(), p.y());
        QToolTip::showText(help->globalPos(), tip.isEmpty() ? m_panes[view]->toolTip() : tip,
                           m_panes[view]);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void EpisodeView::paintPanes()
{
    const auto result = overlay();
    const grids::EpisodeInfo *info =
        m_file && m_episode >= 0 ? &m_file->episodes().at(std::size_t(m_episode)) : nullptr;
    for (int v = 0; v < m_images.size() && v < m_panes.size(); ++v) {
        QLabel *pane = m_panes[v];
        const QSize target = m_images[v].size().scaled(pane->size().boundedTo(QSize(2048, 2048)),
                                                       Qt::KeepAspectRatio);
        // Pixels stay crisp (no smoothing): 128×128 camera images are meant to be inspected.
        QImage scaled = m_images[v]
                            .scaled(target, Qt::IgnoreAspectRatio, Qt::FastTransformation)
                            .convertToFormat(QImage::Format_RGB888);
        if (result && info && !scaled.isNull()) {
            // The checkpoint names its views; a lone video view feeds its first one.
            const std::string &name = info->views[std::size_t(v)].name;
            for (std::size_t k = 0; k < result->views.size(); ++k)
                if (result->views[k].view == name || (result->views.size() == 1 && v == 0)) {
                    // drawSelection may replace the matrix (heatmap blending): draw on a copy.
                    cv::Mat canvas = cv::Mat(scaled.height(), scaled.width(), CV_8UC3,
                                             scaled.bits(), std::size_t(scaled.bytesPerLine()))
                                         .clone();
                    grids::render::drawSelection(canvas, result->views[k],
                                                 grids::render::viewAttention(*result, k), m_style);
                    scaled = QImage(canvas.data, canvas.cols, canvas.rows, int(canvas.step),
                                    QImage::Format_RGB888)
                                 .copy();
                    break;
                }
        }
        if (info && !m_keypoints.isEmpty() && !scaled.isNull()) {
            QPainter painter(&scaled);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setPen(QPen(QColor(255, 60, 60), 2));
            const QString name = QString::fromStdString(info->views[std::size_t(v)].name);
            for (const Keypoint &k : m_keypoints)
                if (k.view == name) {
                    const QPointF c(k.x * scaled.width(), k.y * scaled.height());
                    painter.drawLine(c + QPointF(-7, -7), c + QPointF(7, 7));
                    painter.drawLine(c + QPointF(-7, 7), c + QPointF(7, -7));
                }
        }
        pane->setPixmap(QPixmap::fromImage(scaled));
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
        setFrame(m_frame - 1);
        break;
    case Qt::Key_Right:
        setFrame(m_frame + 1);
        break;
    case Qt::Key_Home:
        setFrame(0);
        break;
    case Qt::Key_End:
        setFrame(m_length - 1);
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}
