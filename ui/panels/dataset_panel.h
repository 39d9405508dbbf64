#pragma once

#include "store/annotation.h"

#include <QWidget>

#include <vector>

class EpisodeLibrary;
class QAction;
class QComboBox;
class QLineEdit;
class QTreeWidget;

// Lists opened files and their episodes (key, length, views, success, annotation count,
// instruction), filtered by text and by annotation tag. Reads from the EpisodeLibrary (not
// owned) whenever it changes; annotations come from the workspace through setAnnotations.
class DatasetPanel : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetPanel(EpisodeLibrary *library, QWidget *parent = nullptr);

    QTreeWidget *tree() const { return m_tree; }
    void setFilterText(const QString &text);
    // Selects the episode on screen (without asking for it again).
    void setCurrentEpisode(int file, int episode);
    // Every annotation in the workspace: counted per episode (matched by file path and episode
    // key), and their tag labels offered as a filter.
    void setAnnotations(const std::vector<grids::Annotation> &annotations);
    void setTagFilter(const QString &tag); // empty: any episode
    QStringList tags() const;
    // Columns besides the episode's name can be hidden (also from the header's context menu);
    // the choice is remembered between runs. Column indices as in the header.
    void setColumnShown(int column, bool shown);
    bool columnShown(int column) const;

signals:
    // file index into EpisodeLibrary::files(), episode index inside it
    void episodeActivated(int file, int episode);
    void episodeEntered(); // Enter or a double click on an episode

private:
    void rebuild();
    void showAnnotations(); // counts and tags onto the items there are
    void applyFilter();
    QAction *columnAction(int column, QObject *parent); // a checkable entry for the header's menu

    EpisodeLibrary *m_library; // Not owned.
    QLineEdit *m_filter;
    QComboBox *m_tag;
    std::vector<grids::Annotation> m_annotations;
    QTreeWidget *m_tree;
};
