#include "ui/run/MoeStudyOptionsForm.h"

#include "ui/run/CorpusChoice.h"

#include "ui/space/SpaceDocument.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <algorithm>
#include <cmath>
#include <limits>

namespace automoe::ui {

namespace {

// The space combo's entry for the space in the editor (no bundled space or file has this name).
const QString kEditorSpace = QStringLiteral(":editor:");

} // namespace

MoeStudyOptionsForm::MoeStudyOptionsForm(QWidget* parent)
    : QWidget(parent)
    , corpus_(new QComboBox(this))
    , space_(new QComboBox(this))
    , budgetValue_(new QSpinBox(this))
    , budgetUnit_(new QComboBox(this))
    , budgets_(new QLineEdit(this))
    , seed_(new QSpinBox(this)) {
    setObjectName("moeStudyOptions");
    corpus_->setObjectName("moeStudyCorpus");
    setUpCorpusBox(corpus_,
                   tr("Parallel corpus of every stage: the baseline, both supernets, the searches' fitness, "
                      "the retrains and their test BLEU"));

    space_->setObjectName("moeStudySpace");
    for (const QString& name : SpaceDocument::bundledSpaceNames())
        space_->addItem(name, name);
    space_->addItem(tr("Space in the editor"), kEditorSpace);
    space_->addItem(tr("File…"), QString());
    space_->setToolTip(
        tr("The heterogeneous MoE space of (c); (b) searches its dense sub-space (one expert per "
           "layer) and (a) is its largest dense architecture"));
    connect(space_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        if (space_->itemData(i).toString().isEmpty()) chooseSpaceFile();
    });

    budgetValue_->setObjectName("moeStudyStageValue");
    budgetValue_->setRange(1, 10000000);
    budgetValue_->setValue(15);
    budgetUnit_->setObjectName("moeStudyStageUnit");
    budgetUnit_->addItem(tr("minutes"), QStringLiteral("--minutes"));
    budgetUnit_->addItem(tr("updates"), QStringLiteral("--updates"));
    budgetUnit_->setToolTip(tr("Training budget of the baseline and of each supernet; every retrain gets the "
                               "baseline's update count"));
    budgetValue_->setToolTip(budgetUnit_->toolTip());
    connect(budgetUnit_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { budgetValue_->setValue(i == 0 ? 15 : 400); });
    auto* stage = new QHBoxLayout;
    stage->setContentsMargins(0, 0, 0, 0);
    stage->addWidget(budgetValue_, 1);
    stage->addWidget(budgetUnit_);

    budgets_->setObjectName("moeStudyBudgets");
    budgets_->setText(QStringLiteral("0.5,0.75"));
    budgets_->setPlaceholderText(tr("e.g. 0.5,0.75"));
    budgets_->setToolTip(
        tr("FLOPs budgets of the searches, as fractions of the baseline's FLOPs, separated by "
           "commas: one dense and one MoE search and retrain each"));

    seed_->setObjectName("moeStudySeed");
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setValue(1);
    seed_->setToolTip(tr("Seed of the split, the training runs and the searches"));

    auto* form = new QFormLayout(this);
    form->setContentsMargins(4, 6, 4, 2);
    form->addRow(tr("Corpus"), corpus_);
    form->addRow(tr("Space"), space_);
    form->addRow(tr("Per stage"), stage);
    form->addRow(tr("FLOPs budgets"), budgets_);
    form->addRow(tr("Seed"), seed_);
}

MoeStudyOptionsForm::Options MoeStudyOptionsForm::options() const {
    Options o;
    o.corpus = corpus_->currentData().toString();
    const QString space = space_->currentData().toString();
    o.editorSpace = space == kEditorSpace;
    o.space = o.editorSpace ? QString() : space;
    const bool minutes = budgetUnit_->currentIndex() == 0;
    o.minutes = minutes ? budgetValue_->value() : 0;
    o.updates = minutes ? 0 : budgetValue_->value();
    o.budgets = budgets_->text().trimmed();
    o.seed = seed_->value();
    return o;
}

void MoeStudyOptionsForm::setOptions(const Options& o) {
    setCorpus(o.corpus);
    setSpace(o.space, o.editorSpace);
    budgetUnit_->setCurrentIndex(o.minutes > 0 || o.updates <= 0 ? 0 : 1);
    budgetValue_->setValue(o.minutes > 0 ? o.minutes : (o.updates > 0 ? o.updates : 15));
    budgets_->setText(o.budgets);
    seed_->setValue(o.seed);
}

std::vector<double> MoeStudyOptionsForm::parseBudgets(const QString& text, QString* error) {
    std::vector<double> out;
    const QStringList items = text.split(QLatin1Char(','));
    for (const QString& raw : items) {
        const QString item = raw.trimmed();
        bool ok = false;
        const double f = item.toDouble(&ok);
        if (!ok || !(f > 0 && f <= 1)) {
            *error =
                tr("MoE vs dense: FLOPs budgets: “%1” is not a fraction in (0, 1] of the baseline's FLOPs "
                   "(e.g. 0.5,0.75).")
                    .arg(item);
            return {};
        }
        if (std::find(out.begin(), out.end(), f) != out.end()) {
            *error = tr("MoE vs dense: FLOPs budgets: %1 is given twice.").arg(item);
            return {};
        }
        out.push_back(f);
    }
    return out;
}

QStringList MoeStudyOptionsForm::arguments(const Options& o, QString* error) {
    if (o.corpus.isEmpty()) {
        *error = tr("Choose a corpus file first (MoE vs dense: Corpus).");
        return {};
    }
    if (o.space.isEmpty()) {
        *error = tr("Choose a search space first (MoE vs dense: Space).");
        return {};
    }
    if (o.minutes <= 0 && o.updates <= 0) {
        *error = tr("Give each stage a budget of minutes or updates (MoE vs dense: Per stage).");
        return {};
    }
    const std::vector<double> budgets = parseBudgets(o.budgets, error);
    if (budgets.empty()) return {};
    QStringList fractions;
    for (double f : budgets)
        fractions << QString::number(f, 'g', 6);
    QStringList args{QStringLiteral("--corpus"), o.corpus, QStringLiteral("--space"), o.space};
    if (o.minutes > 0)
        args << QStringLiteral("--minutes") << QString::number(o.minutes);
    else
        args << QStringLiteral("--updates") << QString::number(o.updates);
    args << QStringLiteral("--budgets") << fractions.join(QLatin1Char(',')) << QStringLiteral("--seed")
         << QString::number(o.seed);
    return args;
}

QVariantMap MoeStudyOptionsForm::toMap(const Options& o) {
    return {{QStringLiteral("corpus"), o.corpus},
            {QStringLiteral("space"), o.space},
            {QStringLiteral("editorSpace"), o.editorSpace},
            {QStringLiteral("minutes"), o.minutes},
            {QStringLiteral("updates"), o.updates},
            {QStringLiteral("budgets"), o.budgets},
            {QStringLiteral("seed"), o.seed}};
}

MoeStudyOptionsForm::Options MoeStudyOptionsForm::fromMap(const QVariantMap& m) {
    Options o;
    o.corpus = m.value(QStringLiteral("corpus"), o.corpus).toString();
    o.space = m.value(QStringLiteral("space"), o.space).toString();
    o.editorSpace = m.value(QStringLiteral("editorSpace"), o.editorSpace).toBool();
    o.minutes = m.value(QStringLiteral("minutes"), o.minutes).toInt();
    o.updates = m.value(QStringLiteral("updates"), o.updates).toInt();
    o.budgets = m.value(QStringLiteral("budgets"), o.budgets).toString();
    o.seed = m.value(QStringLiteral("seed"), o.seed).toInt();
    return o;
}

void MoeStudyOptionsForm::setEditable(bool editable) {
    for (QWidget* w : findChildren<QWidget*>())
        w->setEnabled(editable);
}

void MoeStudyOptionsForm::setCorpus(const QString& corpus) {
    selectCorpus(corpus_, corpus);
}

void MoeStudyOptionsForm::setSpace(const QString& space, bool editor) {
    int i = space_->findData(editor ? kEditorSpace : space);
    if (i < 0 && !space.isEmpty()) {
        // A file: before "Space in the editor" and "File…".
        const int at = space_->count() - 2;
        space_->insertItem(at, QFileInfo(space).fileName(), space);
        space_->setItemData(at, QDir::toNativeSeparators(space), Qt::ToolTipRole);
        i = at;
    }
    space_->setCurrentIndex(std::max(0, i));
}

void MoeStudyOptionsForm::chooseSpaceFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a Search Space"), QDir::homePath(),
                                                      tr("Search spaces (*.json);;All files (*)"));
    if (path.isEmpty()) {
        space_->setCurrentIndex(0);
        return;
    }
    setSpace(path, false);
}

} // namespace automoe::ui
