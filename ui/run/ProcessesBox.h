// ProcessesBox is the "Processes" field of the Run dock's Train and Search tabs: on how many local ranks
// (processes of this machine) a run is started, 1 to the machine's cores. With more than one, the child is
// `automoe launch --nproc N --master-port 0 -- train|search …` (README "Multi-process training"): rank 0
// stores the run and reads the pause / resume / cancel lines, and each rank uses cores ÷ N threads.
#pragma once

#include <QSpinBox>
#include <QStringList>

namespace automoe::ui {

class ProcessesBox : public QSpinBox {
    Q_OBJECT

public:
    explicit ProcessesBox(QWidget* parent = nullptr);

    // The `automoe` arguments (after the program) that run the child command line `args` ("train
    // --control-stdin --db DB …") on `processes` local ranks: `args` itself for one process, else `launch
    // --nproc N --master-port 0 -- ARGS` (a free rendezvous port, so runs started side by side do not meet).
    static QStringList launchArguments(const QStringList& args, int processes);
    // The cores of this machine (the field's maximum).
    static int cores();
};

} // namespace automoe::ui
