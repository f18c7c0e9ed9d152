// TimelineBar is the replay control under the run views: play/pause, a slider over the run's events (seq)
// and the replay speed (1×, 4×, 16×, max). It drives a RunPlayer and follows its position; dragging the
// slider back shows the run as it was at that event.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace automoe::ui {

class RunPlayer;

class TimelineBar : public QWidget {
    Q_OBJECT

public:
    explicit TimelineBar(RunPlayer* player, QWidget* parent = nullptr);

    QSlider* slider() const { return slider_; }
    QToolButton* playButton() const { return play_; }
    QComboBox* speedBox() const { return speed_; }
    // Speeds offered, in the order of speedBox(); 0 is "max".
    static QList<double> speeds();

private:
    void showPosition(qint64 position, qint64 lastSeq);
    void updateLabel(qint64 position, qint64 lastSeq);

    RunPlayer* player_;
    QToolButton* play_;
    QSlider* slider_;
    QComboBox* speed_;
    QLabel* label_;
};

} // namespace automoe::ui
