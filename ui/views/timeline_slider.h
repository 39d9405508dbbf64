#pragma once

#include <QColor>
#include <QSlider>
#include <QString>
#include <QVector>

// The episode's timeline: a horizontal slider that also shows where the episode's annotations
// are. Tags span their frame range as a coloured bar under the groove, keypoints and notes are
// ticks; hovering a mark tells its label.
class TimelineSlider : public QSlider
{
    Q_OBJECT

public:
    struct Mark
    {
        qint64 start = 0, end = 0; // frames, end inclusive (start for a point)
        QColor colour;
        QString label;
    };

    explicit TimelineSlider(QWidget *parent = nullptr);

    void setMarks(const QVector<Mark> &marks);
    const QVector<Mark> &marks() const { return m_marks; }
    // The horizontal span, in the slider's pixels, that frames start…end cover (for tests and
    // painting): the centres of the handle at those values, widened to at least 3 px.
    QRect markRect(const Mark &mark) const;
    // The labels of the marks under pixel x, joined by ", " (empty: none).
    QString marksAt(int x) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    int pixelOf(qint64 frame) const; // the handle's centre at `frame`
    QVector<Mark> m_marks;
};
