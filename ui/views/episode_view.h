#pragma once

#include "render/overlay.h"
#include "views/timeline_slider.h"

#include <QImage>
#include <QList>
#include <QRectF>
#include <QWidget>

#include <memory>

namespace grids {
class EpisodeFile;
struct Frame;
struct FrameResult;
} // namespace grids
class QComboBox;
class Session;
class QGridLayout;
class QLabel;
class QPushButton;
class QTimer;

// Shows the session's episode: every camera view, a timeline with play/pause, speed and
// stepping, and a frame counter; the session reads the frames, never on the UI thread. Models' results for
// the frame on screen are drawn over the views (core/render, the same drawing as video export):
// one column of views per result source, so a comparison shows the same frame side by side.
// Zoom (mouse wheel, `+`/`-`, `0` resets) and pan (right or middle drag) apply to every pane
// alike. Keys: Space play/pause, Left/Right step, Home/End first/last frame.
class EpisodeView : public QWidget
{
    Q_OBJECT

public:
    EpisodeView(Session *session, QWidget *parent = nullptr);

    bool playing() const;
    void setPlaying(bool playing);
    double speed() const; // playback speed, 1 = the episode's recording rate
    void setSpeed(double speed);
    int playbackInterval() const; // milliseconds between frames while playing
    QString counterText() const;

    // One column of views per title (a comparison); no titles or one: a single untitled column.
    void setColumns(const QStringList &titles);
    int columnCount() const { return int(m_columns.size()); }
    QString columnTitle(int column) const;

    // Draws `result` (of frame `frame`; -1: the frame on screen) over column `column`'s views
    // until a newer one comes; null clears it. A result of an earlier frame (playback ahead of
    // inference) is drawn marked with its frame. `baseline` (a probe's unmodified result) is
    // drawn as hollow rings where its tokens sit.
    void setOverlay(std::shared_ptr<const grids::FrameResult> result,
                    const grids::render::OverlayStyle &style,
                    int column = 0,
                    std::shared_ptr<const grids::FrameResult> baseline = nullptr,
                    qint64 frame = -1);
    // The layers (and the grid of its checkpoint) a column is drawn with.
    void setOverlayStyle(const grids::render::OverlayStyle &style, int column = 0);
    // Every frame's token coordinates of the episode on screen, per view (by the checkpoint's
    // view names), for the sampling-density layer; empty clears it.
    void setSamples(const std::vector<grids::ViewSelection> &samples);
    bool hasDensity() const { return !m_density.isEmpty(); }
    // The result of the frame on screen drawn in a column (null when none, or while an earlier
    // frame's is drawn).
    std::shared_ptr<const grids::FrameResult> overlay(int column = 0) const;
    // The frame whose result a column draws (-1: none).
    qint64 drawnOverlayFrame(int column = 0) const;
    std::shared_ptr<const grids::FrameResult> baseline(int column = 0) const;
    QImage paneImage(int view, int column = 0) const; // what a pane shows (for tests)
    // What hovering at image-normalised (x, y) of view `view` tells: the nearest token within a
    // few pixels (index, coordinate, attention, cell), or empty.
    QString tokenTip(int view, double x, double y, int column = 0) const;

    // The part of every image shown, image-normalised (the whole image: (0, 0, 1, 1)).
    QRectF zoomWindow() const { return m_window; }
    // Zooms by `factor` (> 1 in) about image-normalised `centre`; the window stays inside.
    void zoom(double factor, QPointF centre = {0.5, 0.5});
    void resetZoom();

    // A box painted over a view (an occlusion probe), drawn hatched on every column; view -1
    // clears it. Box image-normalised.
    void setOcclusion(int view, const QRectF &box);
    // While on, a left drag on a pane draws a box and emits occlusionDrawn instead of clicks.
    void setOcclusionMode(bool on);
    bool occlusionMode() const { return m_occlusionMode; }

    // Annotated keypoints drawn on the views of the frame on screen: (view name, x, y).
    struct Keypoint
    {
        QString view;
        double x = 0, y = 0;
    };
    void setKeypoints(const QList<Keypoint> &keypoints);
    // The timeline, which also shows the episode's annotations (setMarks; cleared with each
    // new episode).
    TimelineSlider *timeline() const { return m_slider; }

signals:
    // A click on a camera view, in image-normalised coordinates.
    void paneClicked(const QString &view, double x, double y);
    void occlusionDrawn(int view, const QRectF &box);
    void zoomChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Column
    {
        QString title;
        QLabel *header = nullptr;
        QList<QLabel *> panes; // one per view
        std::shared_ptr<const grids::FrameResult> result, baseline;
        qint64 frame = -1; // the frame `result` belongs to
        grids::render::OverlayStyle style;
    };

    void showEpisode();
    void updatePlaybackInterval();
    void clearPanes();
    void rebuildPanes();
    void paintPanes(int column = -1); // the current images at the panes' sizes (-1: every column)
    QImage paintPane(int column, int view, QSize size) const;
    // Which pane a widget is: (column, view), or (-1, -1).
    std::pair<int, int> paneOf(const QObject *watched) const;
    // A position in a pane as image-normalised coordinates ((-1, -1) with no image shown).
    QPointF imagePoint(const QLabel *pane, QPointF panePosition) const;
    void setWindow(QRectF window);

    Session *m_session; // not owned
    std::vector<Column> m_columns;
    QList<Keypoint> m_keypoints;
    QList<cv::Mat> m_density; // per episode view, at the image's size (empty matrices: none)
    QRectF m_window{0, 0, 1, 1};
    int m_occludedView = -1;
    QRectF m_occlusion;
    bool m_occlusionMode = false;
    QPointF m_dragStart{-1, -1}, m_dragNow{-1, -1}; // image-normalised, while drawing a box
    int m_dragView = -1;
    QPointF m_panFrom;
    bool m_panning = false;
    QWidget *m_paneArea;
    QGridLayout *m_grid;
    TimelineSlider *m_slider;
    QPushButton *m_play;
    QComboBox *m_speed;
    QLabel *m_counter;
    QLabel *m_title;
    QTimer *m_timer;
};
