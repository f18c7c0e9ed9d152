#include "ui/run/ProcessesBox.h"

#include <QThread>
#include <algorithm>

namespace automoe::ui {

ProcessesBox::ProcessesBox(QWidget* parent)
    : QSpinBox(parent) {
    const int n = cores();
    setRange(1, n);
    setValue(1);
    setToolTip(tr("Local ranks: the run is started as this many processes of this machine (automoe launch "
                  "--nproc N), which share every update's batch (training) or every generation's "
                  "candidates (search); rank 0 stores the run. Each rank uses cores ÷ ranks threads (%1 "
                  "cores here: %2 each for 2 ranks). 1 runs one process with every core.")
                   .arg(n)
                   .arg(std::max(1, n / 2)));
}

int ProcessesBox::cores() {
    return std::max(1, QThread::idealThreadCount());
}

QStringList ProcessesBox::launchArguments(const QStringList& args, int processes) {
    if (processes <= 1) return args;
    return QStringList{QStringLiteral("launch"),        QStringLiteral("--nproc"), QString::number(processes),
                       QStringLiteral("--master-port"), QStringLiteral("0"),       QStringLiteral("--")} +
           args;
}

} // namespace automoe::ui
