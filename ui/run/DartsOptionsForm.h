// DartsOptionsForm is the Run dock's DARTS tab (issue 13): what a differentiable architecture search with
// reversible networks is run on and how long (corpus, updates or minutes), the searched network's shape
// (hidden width, layers per stack, splits per layer) and the DARTS space file of candidate operations. It
// turns them into `automoe darts` options and into the map the settings remember; the run itself is a child
// process of the Run dock like every other run.
#pragma once

#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace automoe::ui {

class DartsOptionsForm : public QWidget {
    Q_OBJECT

public:
    struct Options {
        QString corpus = QStringLiteral("ding"); // "ding", "sample" or a corpus file / prefix
        QString space;                           // a DARTS space file; empty: the bundled "darts"
        int hidden = 256;
        int layers = 3; // per stack
        int splits = 2;
        int updates = 400; // exactly one of updates and minutes is > 0
        int minutes = 0;
        int maxTokens = 0; // tokens per batch; 0: the CLI's default
    };

    explicit DartsOptionsForm(QWidget* parent = nullptr);

    Options options() const;
    // Values outside the widgets' ranges are clamped.
    void setOptions(const Options& options);
    // The `automoe darts` options (after --control-stdin --db): --corpus, --updates or --minutes, --hidden,
    // --layers, --splits, and --space and --max-tokens when set; empty and an error naming the field when
    // they are incomplete.
    static QStringList arguments(const Options& options, QString* error);
    // options() as settings keys, and back (missing keys keep the defaults).
    static QVariantMap toMap(const Options& options);
    static Options fromMap(const QVariantMap& map);
    // False while a run is going: nothing can be changed.
    void setEditable(bool editable);

private:
    void setCorpus(const QString& corpus);
    void chooseSpaceFile();

    QComboBox* corpus_;
    QLineEdit* space_;
    QSpinBox* budgetValue_;
    QComboBox* budgetUnit_;
    QSpinBox* hidden_;
    QSpinBox* layers_;
    QSpinBox* splits_;
    QSpinBox* maxTokens_;
};

} // namespace automoe::ui
