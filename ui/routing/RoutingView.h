// RoutingView shows adaptive compute for one sentence of a supernet run: a tokens x FFN/MoE-layers grid
// (encoder layers over the source tokens, decoder layers over the decoder's inputs), each cell coloured by
// the expert slot the router chose (the architecture figure's palette) and shaded by the gate probability
// or the expert's width; beside it the mean FFN FLOPs per token type and the expert load of every layer
// over the run's validation sentences. The numbers come from a child `automoe route --json` process (the
// GUI has no LibTorch); the UI thread never waits on it, and its errors are shown inline.
#pragma once

#include "ui/figure/FigurePalette.h"
#include "ui/routing/RoutingResult.h"

#include <QWidget>

class QComboBox;
class QCPAxisRect;
class QCPItemRect;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QMouseEvent;
class QPushButton;
class QSpinBox;

namespace automoe::ui {

class CliProcess;

class RoutingView : public QWidget {
    Q_OBJECT

public:
    enum class Shade { Gate, Width };

    // One drawn grid cell: the token's best assignment in one layer.
    struct Cell {
        int layerIndex = 0; // into the sentence's layers
        int token = 0;
        QColor colour; // brush colour, alpha = the shade
        QCPItemRect* item = nullptr;
    };

    explicit RoutingView(QWidget* parent = nullptr);
    ~RoutingView() override;

    // The `automoe` CLI (default: CliProcess::findCli()).
    void setCliPath(const QString& path) { cliPath_ = path; }
    // The run whose routing is shown: a supernet run of `dbPath`. Changing it clears the view; the list
    // of validation sentences is loaded (in a child process) when the view is visible.
    void setRun(const QString& dbPath, qint64 runId);
    qint64 runId() const { return runId_; }
    QString databasePath() const { return dbPath_; }

    void setShade(Shade shade);
    Shade shade() const { return shade_; }
    // Draws a parsed result (sentence 0 in the grid).
    void setResult(const RoutingResult& result);
    const RoutingResult& result() const { return result_; }
    void showError(const QString& message);
    QString errorText() const;
    bool isBusy() const;

    QString sentence() const;
    void setSentence(const QString& text);
    void setValidationCount(int n);
    // The subnet to route: "largest", "smallest", search:RUN:ARCH or an architecture file (.yml / .json).
    void setArchitecture(const QString& spec);
    QString architecture() const;
    // The arguments of the `automoe route` call route() makes.
    QStringList routeArguments() const;

    const QVector<Cell>& cells() const { return cells_; }
    QString cellToolTip(int cellIndex) const;
    QCustomPlot* gridPlot() const { return grid_; }
    QCustomPlot* flopsPlot() const { return flops_; }
    QCustomPlot* loadPlot() const { return load_; }
    QComboBox* validationCombo() const { return validCombo_; }
    QPushButton* routeButton() const { return routeButton_; }

public slots:
    // Runs `automoe route ... --json` for the sentence (and the aggregates over the validation sentences).
    void route();

signals:
    void routed();
    void failed(const QString& message);
    void validationListLoaded(int count);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void buildUi();
    void chooseArchitectureFile();
    void loadValidationList();
    // A new child `automoe ARGS`; `done` gets it when it ended (exit code, or -1 when it never started).
    // A process replaced before it ends is killed and its result ignored.
    CliProcess* spawn(CliProcess*& slot, const QStringList& args,
                      void (RoutingView::*done)(CliProcess*, int));
    void routeFinished(CliProcess* process, int exitCode);
    void listFinished(CliProcess* process, int exitCode);
    void setBusy(bool busy, const QString& message = {});
    void clearPlots();
    void drawGrid();
    void drawFlops();
    void drawLoad();
    void handleGridMouseMove(QMouseEvent* event);
    QColor cellColour(const RoutingLayer& layer, const RoutingAssignment& a, int maxWidth) const;
    QString cliPath() const;

    FigurePalette palette_;
    QString cliPath_;
    QString dbPath_;
    qint64 runId_ = 0;
    qint64 listedRun_ = 0;
    QString listedDb_;
    Shade shade_ = Shade::Gate;
    RoutingResult result_;
    bool hasResult_ = false;
    QVector<Cell> cells_;
    QCPAxisRect* encoderRect_ = nullptr;
    QCPAxisRect* decoderRect_ = nullptr;

    QLineEdit* sentenceEdit_ = nullptr;
    QComboBox* validCombo_ = nullptr;
    QComboBox* archCombo_ = nullptr;
    QComboBox* shadeCombo_ = nullptr;
    QSpinBox* validCount_ = nullptr;
    QPushButton* routeButton_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* error_ = nullptr;
    QLabel* legend_ = nullptr;
    QLabel* translation_ = nullptr;
    QCustomPlot* grid_ = nullptr;
    QCustomPlot* flops_ = nullptr;
    QCustomPlot* load_ = nullptr;
    CliProcess* routeProcess_ = nullptr;
    CliProcess* listProcess_ = nullptr;
};

} // namespace automoe::ui
