#pragma once

#include "render/overlay.h"

#include <QImage>
#include <QList>
#include <QWidget>

#include <memory>

namespace grids {
class EpisodeFile;
struct Frame;
struct FrameResult;
} // namespace grids
class FrameLoader;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;

// Shows one episode: every camera view side by side, a timeline with play/pause and stepping,
// and a frame counter. Frames are read by a FrameLoader, never on the UI thread. A model's result
// for the frame on screen is drawn over the views (core/render, the same drawing as video export).
// Keys: Space play/pause, Left/Right step, Home/End first/last frame.
class EpisodeView : public QWidget
{
    Q_OBJECT

public:
    explicit EpisodeView(QWidget *parent = nullptr);

    void setEpisode(std::shared_ptr<grids::EpisodeFile> file, int episode);
    void setFrame(qint64 frame);
    qint64 frame() const { return m_frame; }
    qint64 length() const { return m_length; }
    bool playing() const;
    void setPlaying(bool playing);
    // The frame whose pictures are on screen (-1 before the first arrives).
    qint64 shownFrame() const { return m_shownFrame; }
    QString counterText() const;
    std::shared_ptr<grids::EpisodeFile> file() const { return m_file; }
    int episode() const { return m_episode; }
    // The frame on screen with its state, action and instruction (null before the first).
    std::shared_ptr<const grids::Frame> shownPixels() const { return m_pixels; }

    // Draws `result` over the views while its frame is on screen; null clears the overlay.
    void setOverlay(std::shared_ptr<const grids::FrameResult> result,
                    const grids::render::OverlayStyle &style);
    // The result drawn now (null when none or when it belongs to another frame).
    std::shared_ptr<const grids::FrameResult> overlay() const;
    QImage paneImage(int view) const; // what a pane shows, overlay included (for tests)
    // What hovering at image-normalised (x, y) of view `view` tells: the nearest token within a
    // few pixels (index, coordinate, attention, cell), or empty.
    QString tokenTip(int view, double x, double y) const;

    // Annotated keypoints drawn on the views of the frame on screen: (view name, x, y).
    struct Keypoint
    {
        QString view;
        double x = 0, y = 0;
    };
    void setKeypoints(const QList<Keypoint> &keypoints);

signals:
    void frameShown(qint64 frame);
    // A click on a camera view, in image-normalised coordinates.
    void paneClicked(const QString &view, double x, double y);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void showFrame(int episode,
                   qint64 frame,
                   const QList<QImage> &views,
                   std::shared_ptr<const grids::Frame> pixels);
    void paintPanes(); // the current images, scaled to the panes' sizes
    // A position in pane `view` as image-normalised coordinates ((-1, -1) with no image shown).
    QPointF imagePoint(int view, QPointF panePosition) const;

    std::shared_ptr<grids::EpisodeFile> m_file;
    int m_episode = -1;
    qint64 m_frame = 0, m_length = 0, m_shownFrame = -1;
    FrameLoader *m_loader;
    QList<QLabel *> m_panes;
    QList<QImage> m_images; // the frame on screen, unscaled
    std::shared_ptr<const grids::Frame> m_pixels;
    std::shared_ptr<const grids::FrameResult> m_overlay;
    qint64 m_overlayFrame = -1;
    grids::render::OverlayStyle m_style;
    QList<Keypoint> m_keypoints;
    QWidget *m_paneRow;
    QSlider *m_slider;
    QPushButton *m_play;
    QLabel *m_counter;
    QLabel *m_title;
    QTimer *m_timer;
};
