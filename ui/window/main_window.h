#pragma once

#include "render/overlay.h"
#include "session/session.h"

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
class QUndoStack;
class VideoExportJob;

// The application window: composes the panels and the menus around one Session (the document:
// what is open and on screen), and says what went wrong in a banner. Window state and recent
// files persist through QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // The window's size on a first launch on a screen of this (available) size: most of it, up
    // to 1600×1000.
    static QSize firstLaunchSize(const QSize &screen);
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Session *session() const { return m_session; }
    void openPath(const QString &path);
    // Loads a checkpoint on the inference worker; its result is drawn over every frame shown.
    void openCheckpoint(const QString &path);
    // Shows a second column of views running `path` (empty: the main checkpoint) beside the
    // main one, with the comparison panel's method and budget.
    void openComparison(const QString &path = {});
    // Shows frame `frame` of episode `episodeKey` in `path`, opening the file when needed.
    void showEpisodeFrame(const QString &path, const QString &episodeKey, qint64 frame);
    // The workspace database annotations are saved in (created if missing).
    void openWorkspace(const QString &path);
    grids::Workspace *workspace() const;
    EpisodeLibrary *library() const;
    InferenceWorker *inference() const;
    InferenceWorker *compareInference() const;
    ComparePanel *comparePanel() const { return m_comparePanel; }
    ProbePanel *probePanel() const { return m_probePanel; }
    BudgetPanel *budgetPanel() const { return m_budgetPanel; }
    ModelPanel *modelPanel() const { return m_modelPanel; }
    ActionPlot *actionPlot() const { return m_actionPlot; }
    AnnotationPanel *annotationPanel() const { return m_annotationPanel; }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    EpisodeView *episodeView() const { return m_episodeView; }
    QUndoStack *undoStack() const { return m_undo; }
    // Share of the frame's keypoints with a kept token within half a cell (-1: none shown yet).
    double keypointCoverage() const { return m_keypointCoverage; }
    // Exports the episode on screen with the current selection and overlays (progress dialog,
    // Cancel); null when there is nothing to export (the window says why).
    VideoExportJob *exportEpisodeVideo(const QString &out);
    // The file name File ▸ Export Video offers: episode, method and budget.
    QString suggestedVideoName() const;
    // The message shown in the window's error banner, as plain text (empty when none).
    QString errorText() const;
    // Model ▸ Map Views…: which camera of the dataset on screen feeds which checkpoint view.
    void mapViews();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createMenus();
    void setFirstLaunchLayout();
    // What a model panel has chosen, as the session's selection of its column.
    static Session::Selection selectionOf(const ModelPanel *panel); // size and panel widths when no saved layout exists
    bool canExportVideo(); // an episode and a checkpoint are open (else the banner says so)
    void showErrors(const QStringList &errors, const QString &status = {});
    void hideErrors();
    void rememberRecent(const QString &path);
    void rebuildRecentMenu();
    void showKeypoints();               // the annotated keypoints of the frame on screen
    void showAnnotationsOnTimeline();   // the episode's annotations as marks on its timeline
    void listAnnotations(); // counts and tags in the dataset panel
    void showTracks();      // the session's whole-episode passes in the action plots
    // main_window_compare.cpp: the comparison column and the probes.
    void setupComparison();
    void setupProbes();
    void setupBudgets();    // main_window_budgets.cpp
    grids::render::OverlayStyle compareStyle() const;
    void updateColumns(); // column titles from the checkpoints, methods and budgets

    Session *m_session;
    DatasetPanel *m_datasetPanel;
    EpisodeView *m_episodeView;
    ModelPanel *m_modelPanel;
    ActionPlot *m_actionPlot;
    QUndoStack *m_undo;
    AnnotationPanel *m_annotationPanel;
    ComparePanel *m_comparePanel;
    ProbePanel *m_probePanel;
    BudgetPanel *m_budgetPanel;
    double m_keypointCoverage = -1;
    QLabel *m_errorBanner;
    QString m_errorText; // what the banner says, as plain text
    bool m_bannerFromInference = false; // the banner shows an inference failure (gone on success)
    bool m_firstLaunch = false; // nothing remembered: the first show sets the splitter shares
    QMenu *m_recentMenu = nullptr;
    QStringList m_recent;
};
