#pragma once

#include <QMainWindow>
#include <QStringList>

class DatasetPanel;
class EpisodeLibrary;
class EpisodeView;
class QLabel;
class QMenu;

// The application window: composes the panels and the menus; owns the EpisodeLibrary.
// Window state and recent files persist through QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void openPath(const QString &path);
    EpisodeLibrary *library() const { return m_library; }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    EpisodeView *episodeView() const { return m_episodeView; }
    // The message shown in the window's error banner, as plain text (empty when none).
    QString errorText() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createMenus();
    void showErrors(const QStringList &errors);
    void hideErrors();
    void rememberRecent(const QString &path);
    void rebuildRecentMenu();

    EpisodeLibrary *m_library;
    DatasetPanel *m_datasetPanel;
    EpisodeView *m_episodeView;
    QLabel *m_errorBanner;
    QString m_errorText; // what the banner says, as plain text
    QMenu *m_recentMenu = nullptr;
    QStringList m_recent;
};
