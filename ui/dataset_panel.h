#pragma once

#include <QWidget>

class EpisodeLibrary;
class QLineEdit;
class QTreeWidget;

// Lists opened files and their episodes (key, length, views, instruction, success), with a
// text filter. Reads from the EpisodeLibrary (not owned) whenever it changes.
class DatasetPanel : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetPanel(EpisodeLibrary *library, QWidget *parent = nullptr);

    QTreeWidget *tree() const { return m_tree; }
    void setFilterText(const QString &text);

signals:
    // file index into EpisodeLibrary::files(), episode index inside it
    void episodeActivated(int file, int episode);

private:
    void rebuild();
    void applyFilter();

    EpisodeLibrary *m_library; // Not owned.
    QLineEdit *m_filter;
    QTreeWidget *m_tree;
};
