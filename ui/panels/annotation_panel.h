#pragma once

#include "store/annotation.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLineEdit;
class QListWidget;
class QPushButton;
class QUndoStack;

namespace grids {
class Workspace;
}

// Annotating failure cases on the episode on screen: tag the current frame or a range (from the
// mark set with "Mark start" to the current frame) with a label from a configurable list, place
// keypoints by clicking a view (keypoint mode), write notes; every change is saved to the
// workspace as it is made and can be undone and redone (the window's Edit menu).
class AnnotationPanel : public QWidget
{
    Q_OBJECT

public:
    AnnotationPanel(grids::Workspace *workspace, QUndoStack *undo, QWidget *parent = nullptr);
    void setWorkspace(grids::Workspace *workspace); // not owned; null disables the panel

    // The episode on screen, by content key (file SHA-256, computed off the UI thread by the
    // caller), and the frame.
    void setEpisode(const grids::EpisodeRef &episode);
    void setFrame(qint64 frame) { m_frame = frame; }
    bool hasEpisode() const { return !m_episode.fileSha256.empty(); }

    void tagFrame();       // the current frame with the chosen label
    void markRangeStart(); // the range tagged by tagRange starts here
    void tagRange();       // from the mark to the current frame
    void addNote(const QString &text);
    void addKeypoint(const QString &view, double x, double y);
    void removeSelected();
    bool keypointMode() const;
    void setKeypointMode(bool on);

    // This episode's, as the workspace held them at the last refresh (every change made here
    // refreshes): read on every frame shown, so not queried each time.
    const std::vector<grids::Annotation> &annotations() const;
    QStringList tagLabels() const;
    // One line telling what an annotation is and where: "frames 3–9: gripper slips".
    static QString describe(const grids::Annotation &annotation);

public slots:
    void refresh();

signals:
    void annotationsChanged();

private:
    void add(grids::Annotation annotation, const QString &what);

    grids::Workspace *m_workspace; // not owned
    QUndoStack *m_undo;            // not owned
    grids::EpisodeRef m_episode;
    std::vector<grids::Annotation> m_annotations;
    qint64 m_frame = 0, m_rangeStart = -1;
    QComboBox *m_label;
    QLineEdit *m_note;
    QPushButton *m_keypoints;
    QListWidget *m_list;
};
