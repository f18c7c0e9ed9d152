#include "ui/run/TimelineBar.h"

#include "ui/run/RunDocument.h"
#include "ui/run/RunPlayer.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

namespace automoe::ui {

QList<double> TimelineBar::speeds() {
    return {1.0, 4.0, 16.0, 0.0};
}

TimelineBar::TimelineBar(RunPlayer* player, QWidget* parent)
    : QWidget(parent)
    , player_(player)
    , play_(new QToolButton(this))
    , slider_(new QSlider(Qt::Horizontal, this))
    , speed_(new QComboBox(this))
    , label_(new QLabel(this)) {
    setObjectName("timelineBar");
    play_->setObjectName("timelinePlay");
    play_->setAutoRaise(true);
    play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    play_->setToolTip(tr("Play the run's events at the chosen speed"));
    connect(play_, &QToolButton::clicked, this, [this] {
        if (player_->isPlaying())
            player_->pause();
        else
            player_->play();
    });

    slider_->setObjectName("timelineSlider");
    slider_->setRange(0, 0);
    slider_->setToolTip(tr("The run's events in the order they were logged: drag to show the run as it "
                           "was at that point"));
    // Dragging only moves the label; the views follow on release (or on a click in the groove).
    connect(slider_, &QSlider::sliderMoved, this, [this](int v) { updateLabel(v, player_->lastSeq()); });
    connect(slider_, &QSlider::sliderReleased, this, [this] { player_->seek(slider_->value()); });
    connect(slider_, &QSlider::actionTriggered, this, [this](int action) {
        if (action == QAbstractSlider::SliderMove) return;
        // The value is applied after this signal.
        QMetaObject::invokeMethod(
            this, [this] { player_->seek(slider_->value()); }, Qt::QueuedConnection);
    });

    speed_->setObjectName("timelineSpeed");
    for (double s : speeds())
        speed_->addItem(s > 0 ? QStringLiteral("%1×").arg(s) : tr("max"), s);
    speed_->setToolTip(tr("Replay speed: a multiple of the pace at which the run logged its events"));
    connect(speed_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { player_->setSpeed(speed_->itemData(i).toDouble()); });
    speed_->setCurrentIndex(speeds().indexOf(player_->speed()) >= 0 ? int(speeds().indexOf(player_->speed()))
                                                                    : 0);

    label_->setObjectName("timelineLabel");
    label_->setMinimumWidth(
        label_->fontMetrics().horizontalAdvance(QStringLiteral("event 00000 / 00000 · update 00000")));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 2, 6, 2);
    layout->setSpacing(8);
    layout->addWidget(play_);
    layout->addWidget(slider_, 1);
    layout->addWidget(label_);
    layout->addWidget(speed_);

    connect(player_, &RunPlayer::positionChanged, this, &TimelineBar::showPosition);
    connect(player_, &RunPlayer::playingChanged, this, [this](bool playing) {
        play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
        play_->setToolTip(playing ? tr("Pause") : tr("Play the run's events at the chosen speed"));
    });
    showPosition(0, 0);
}

void TimelineBar::showPosition(qint64 position, qint64 lastSeq) {
    setEnabled(player_->runId() > 0);
    if (!slider_->isSliderDown()) {
        const QSignalBlocker block(slider_);
        slider_->setRange(0, int(lastSeq));
        slider_->setValue(int(position));
        slider_->setPageStep(std::max(1, int(lastSeq / 20)));
        updateLabel(position, lastSeq);
    }
}

void TimelineBar::updateLabel(qint64 position, qint64 lastSeq) {
    QString text = tr("event %1 / %2").arg(position).arg(lastSeq);
    if (player_->document()->latestUpdate() > 0 && !slider_->isSliderDown())
        text += tr(" · update %1").arg(player_->document()->latestUpdate());
    label_->setText(text);
}

} // namespace automoe::ui
