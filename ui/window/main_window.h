#pragma once

#include "render/overlay.h"

#include <QMainWindow>
#include <QStringList>

#include <memory>
#include <vector>

namespace grids {
class Workspace;
}

class ActionPlot;
class AnnotationPanel;
class BudgetPanel;
class ComparePanel;
class DatasetPanel;
class EpisodeLibrary;
class EpisodeView;
class InferenceWorker;
class ModelPanel;
class ProbePanel;
class QLabel;
class QMenu;
class QTimer;
class QUndoStack;
class VideoExportJob;

// The application window: composes the panels and the menus; owns the EpisodeLibrary.
// Window state and recent files persist through QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void openPath(const QString &path);
    // Loads a checkpoint on the inference worker; its result is drawn over every frame shown.
    void openCheckpoint(const QString &path);
    // Shows a second column of views running `path` (empty: the main checkpoint) beside the
    // main one, with the comparison panel's method and budget.
    void openComparison(const QString &path = {});
    ComparePanel *comparePanel() const { return m_comparePanel; }
    InferenceWorker *compareInference() const { return m_compare; }
    ProbePanel *probePanel() const { return m_probePanel; }
    BudgetPanel *budgetPanel() const { return m_budgetPanel; }
    // Shows frame `frame` of episode `episodeKey` in `path`, opening the file when needed.
    void showEpisodeFrame(const QString &path, const QString &episodeKey, qint64 frame);
    ModelPanel *modelPanel() const { return m_modelPanel; }
    InferenceWorker *inference() const { return m_inference; }
    ActionPlot *actionPlot() const { return m_actionPlot; }
    AnnotationPanel *annotationPanel() const { return m_annotationPanel; }
    QUndoStack *undoStack() const { return m_undo; }
    // The workspace database annotations are saved in (created if missing).
    void openWorkspace(const QString &path);
    grids::Workspace *workspace() const { return m_workspace.get(); }
    // Share of the frame's keypoints with a kept token within half a cell (-1: none shown yet).
    double keypointCoverage() const { return m_keypointCoverage; }
    // Exports the episode on screen with the current selection and overlays (progress dialog,
    // Cancel); null when there is nothing to export (the window says why).
    VideoExportJob *exportEpisodeVideo(const QString &out);
    EpisodeLibrary *library() const { return m_library; }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    EpisodeView *episodeView() const { return m_episodeView; }
    // The message shown in the window's error banner, as plain text (empty when none).
    QString errorText() const;
    // Model ▸ Map Views…: which camera of the dataset on screen feeds which checkpoint view.
    void mapViews();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createMenus();
    void showErrors(const QStringList &errors, const QString &status = {});
    void hideErrors();
    void rememberRecent(const QString &path);
    void rebuildRecentMenu();
    void requestInference(); // the frame on screen, with the panel's method and budget
    void scheduleTrack();    // the whole episode for the action plots, once the selection settles
    void identifyEpisode();  // the episode's content key, computed off the UI thread
    void showKeypoints();    // the annotated keypoints of the frame on screen
    void listAnnotations();  // counts and tags in the dataset panel
    // Whether a frame's result (`probed`: it came with a baseline) belongs to what is on screen.
    bool resultIsCurrent(int episode, qint64 frame, bool probed) const;
    // Whether a whole-episode pass belongs to the episode on screen and `panel`'s selection.
    bool
    passIsCurrent(int episode, const QString &method, int budget, const ModelPanel *panel) const;
    // main_window_compare.cpp: the comparison column and the probes.
    void setupComparison();
    void setupProbes();
    void setupBudgets();    // main_window_budgets.cpp
    bool comparing() const; // the second column is on and has a checkpoint
    grids::render::OverlayStyle compareStyle() const;
    void updateColumns(); // column titles from the checkpoints, methods and budgets
    void requestCompareTrack();
    void refreshCompareTrack(); // the compared actions and divergences over the main track

    EpisodeLibrary *m_library;
    DatasetPanel *m_datasetPanel;
    EpisodeView *m_episodeView;
    InferenceWorker *m_inference;
    ModelPanel *m_modelPanel;
    ActionPlot *m_actionPlot;
    QTimer *m_trackTimer;
    std::unique_ptr<grids::Workspace> m_workspace;
    QUndoStack *m_undo;
    AnnotationPanel *m_annotationPanel;
    InferenceWorker *m_compare; // the comparison column's checkpoint
    ComparePanel *m_comparePanel;
    ProbePanel *m_probePanel;
    BudgetPanel *m_budgetPanel;
    struct PendingFrame
    {
        QString path, key;
        qint64 frame = 0;
    };
    std::unique_ptr<PendingFrame> m_pendingFrame;                // shown once its file has opened
    std::vector<std::vector<float>> m_mainTrack, m_compareTrack; // row-0 actions per frame
    QString m_trackKey;   // what the action plots show (file, episode, method, budget)
    QString m_identified; // the episode whose content key the annotation panel has (path|index)
    double m_keypointCoverage = -1;
    QLabel *m_errorBanner;
    QString m_errorText; // what the banner says, as plain text
    bool m_bannerFromInference = false; // the banner shows an inference failure (gone on success)
    QMenu *m_recentMenu = nullptr;
    QStringList m_recent;
};
