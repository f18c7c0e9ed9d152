// MoeStudyOptionsForm is the Run dock's "MoE vs dense" tab (issue 14): what `automoe study moe-vs-dense`
// runs — the corpus, the heterogeneous space (a bundled one, the space in the editor or a file), the training
// budget of each stage (minutes or updates: the baseline and both supernets; the retrains get the baseline's
// update count), the FLOPs budgets as fractions of the baseline's ("0.5,0.75") and the seed. It turns them
// into the command's options and into the map the settings remember; the study itself is a child process
// of the Run dock like every other run.
#pragma once

#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QWidget>
#include <vector>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace automoe::ui {

class MoeStudyOptionsForm : public QWidget {
    Q_OBJECT

public:
    struct Options {
        QString corpus = QStringLiteral("ding"); // "ding", "sample" or a corpus file / prefix
        QString space = QStringLiteral("tiny");  // a bundled space name or a JSON file
        bool editorSpace = false;                // the space in the editor instead of `space`
        int minutes = 15;                        // per training stage; exactly one of minutes and updates
        int updates = 0;                         // is > 0
        QString budgets = QStringLiteral("0.5,0.75");
        int seed = 1;
    };

    explicit MoeStudyOptionsForm(QWidget* parent = nullptr);

    Options options() const;
    // Values outside the widgets' ranges are clamped.
    void setOptions(const Options& options);
    // The `automoe study moe-vs-dense` options (after --control-stdin --db): --corpus, --space, --minutes
    // or --updates, --budgets and --seed. `options.space` is the space's name or file (the caller writes
    // the editor's space to a file first). Empty and an error naming the field when they are incomplete.
    static QStringList arguments(const Options& options, QString* error);
    // "0.5, 0.75" as fractions in (0, 1], each once; empty and an error naming the bad item otherwise.
    static std::vector<double> parseBudgets(const QString& text, QString* error);
    // options() as settings keys, and back (missing keys keep the defaults).
    static QVariantMap toMap(const Options& options);
    static Options fromMap(const QVariantMap& map);
    // False while a run is going: nothing can be changed.
    void setEditable(bool editable);

private:
    void setCorpus(const QString& corpus);
    void setSpace(const QString& space, bool editor);
    void chooseSpaceFile();

    QComboBox* corpus_;
    QComboBox* space_;
    QSpinBox* budgetValue_;
    QComboBox* budgetUnit_;
    QLineEdit* budgets_;
    QSpinBox* seed_;
};

} // namespace automoe::ui
