#pragma once

#include <QImage>
#include <QList>
#include <QWidget>

#include <memory>

namespace grids {
class EpisodeFile;
}
class FrameLoader;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;

// Shows one episode: every camera view side by side, a timeline with play/pause and stepping,
// and a frame counter. Frames are read by a FrameLoader, never on the UI thread.
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

signals:
    void frameShown(qint64 frame);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void showFrame(int episode, qint64 frame, const QList<QImage> &views);
    void paintPanes(); // the current images, scaled to the panes' sizes

    std::shared_ptr<grids::EpisodeFile> m_file;
    int m_episode = -1;
    qint64 m_frame = 0, m_length = 0, m_shownFrame = -1;
    FrameLoader *m_loader;
    QList<QLabel *> m_panes;
    QList<QImage> m_images; // the frame on screen, unscaled
    QWidget *m_paneRow;
    QSlider *m_slider;
    QPushButton *m_play;
    QLabel *m_counter;
    QLabel *m_title;
    QTimer *m_timer;
};
