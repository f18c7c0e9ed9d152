#include "ui/run/DartsOptionsForm.h"

#include "ui/run/CorpusChoice.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace automoe::ui {

DartsOptionsForm::DartsOptionsForm(QWidget* parent)
    : QWidget(parent)
    , corpus_(new QComboBox(this))
    , space_(new QLineEdit(this))
    , budgetValue_(new QSpinBox(this))
    , budgetUnit_(new QComboBox(this))
    , hidden_(new QSpinBox(this))
    , layers_(new QSpinBox(this))
    , splits_(new QSpinBox(this))
    , maxTokens_(new QSpinBox(this)) {
    setObjectName("dartsOptions");
    corpus_->setObjectName("dartsCorpus");
    setUpCorpusBox(corpus_,
                   tr("Parallel corpus of the search: its training split is halved, one half for the "
                      "weights, the other for the architecture weights"));

    space_->setObjectName("dartsSpace");
    space_->setPlaceholderText(tr("bundled “darts” (every candidate)"));
    space_->setToolTip(tr("A DARTS space file: the candidate operations of the encoder's and the decoder's "
                          "mixed edges"));
    space_->setClearButtonEnabled(true);
    auto* browse = new QPushButton(tr("…"), this);
    browse->setObjectName("dartsSpaceBrowse");
    browse->setToolTip(tr("Choose a DARTS space file"));
    browse->setFixedWidth(browse->fontMetrics().horizontalAdvance(QStringLiteral("…")) + 20);
    connect(browse, &QPushButton::clicked, this, &DartsOptionsForm::chooseSpaceFile);
    auto* spaceRow = new QHBoxLayout;
    spaceRow->setContentsMargins(0, 0, 0, 0);
    spaceRow->addWidget(space_, 1);
    spaceRow->addWidget(browse);

    budgetValue_->setObjectName("dartsBudgetValue");
    budgetValue_->setRange(1, 10000000);
    budgetValue_->setValue(400);
    budgetUnit_->setObjectName("dartsBudgetUnit");
    budgetUnit_->addItem(tr("updates"), QStringLiteral("--updates"));
    budgetUnit_->addItem(tr("minutes"), QStringLiteral("--minutes"));
    connect(budgetUnit_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { budgetValue_->setValue(i == 0 ? 400 : 20); });
    auto* budget = new QHBoxLayout;
    budget->setContentsMargins(0, 0, 0, 0);
    budget->addWidget(budgetValue_, 1);
    budget->addWidget(budgetUnit_);

    auto spin = [](QSpinBox* b, const char* name, int lo, int hi, int value, int step, const QString& tip) {
        b->setObjectName(QString::fromLatin1(name));
        b->setRange(lo, hi);
        b->setValue(value);
        b->setSingleStep(step);
        b->setToolTip(tip);
    };
    spin(hidden_, "dartsHidden", 16, 4096, 256, 16,
         tr("Hidden width of the searched network (divisible by "
            "its splits and heads)"));
    spin(layers_, "dartsLayers", 1, 64, 3, 1, tr("Searched layers in the encoder and in the decoder"));
    spin(splits_, "dartsSplits", 2, 8, 2, 1,
         tr("Splits of each reversible layer: one mixed edge per split (the decoder adds encoder-decoder "
            "attention)"));
    spin(maxTokens_, "dartsMaxTokens", 0, 1000000, 0, 256, tr("Tokens per batch (0: the CLI's default)"));
    maxTokens_->setSpecialValueText(tr("default"));
    auto* shape = new QGridLayout;
    shape->setContentsMargins(0, 0, 0, 0);
    shape->setHorizontalSpacing(6);
    const std::pair<QString, QSpinBox*> cells[] = {
        {tr("hidden"), hidden_}, {tr("layers"), layers_}, {tr("splits"), splits_}};
    for (int i = 0; i < 3; ++i) {
        auto* label = new QLabel(cells[i].first, this);
        label->setToolTip(cells[i].second->toolTip());
        shape->addWidget(label, 0, i * 2);
        shape->addWidget(cells[i].second, 0, i * 2 + 1);
        shape->setColumnStretch(i * 2 + 1, 1);
    }

    auto* form = new QFormLayout(this);
    form->setContentsMargins(4, 6, 4, 2);
    form->addRow(tr("Corpus"), corpus_);
    form->addRow(tr("Space"), spaceRow);
    form->addRow(tr("Budget"), budget);
    form->addRow(tr("Network"), shape);
    form->addRow(tr("Batch tokens"), maxTokens_);
}

DartsOptionsForm::Options DartsOptionsForm::options() const {
    Options o;
    o.corpus = corpus_->currentData().toString();
    o.space = space_->text().trimmed();
    const bool updates = budgetUnit_->currentIndex() == 0;
    o.updates = updates ? budgetValue_->value() : 0;
    o.minutes = updates ? 0 : budgetValue_->value();
    o.hidden = hidden_->value();
    o.layers = layers_->value();
    o.splits = splits_->value();
    o.maxTokens = maxTokens_->value();
    return o;
}

void DartsOptionsForm::setOptions(const Options& o) {
    setCorpus(o.corpus);
    space_->setText(o.space);
    budgetUnit_->setCurrentIndex(o.updates > 0 || o.minutes <= 0 ? 0 : 1);
    budgetValue_->setValue(o.updates > 0 ? o.updates : (o.minutes > 0 ? o.minutes : 400));
    hidden_->setValue(o.hidden);
    layers_->setValue(o.layers);
    splits_->setValue(o.splits);
    maxTokens_->setValue(o.maxTokens);
}

QStringList DartsOptionsForm::arguments(const Options& o, QString* error) {
    if (o.corpus.isEmpty()) {
        *error = tr("Choose a corpus file first (DARTS: Corpus).");
        return {};
    }
    if (o.updates <= 0 && o.minutes <= 0) {
        *error = tr("Give the DARTS search a budget of updates or minutes (DARTS: Budget).");
        return {};
    }
    QStringList args{QStringLiteral("--corpus"), o.corpus};
    if (!o.space.isEmpty()) args << QStringLiteral("--space") << o.space;
    if (o.updates > 0)
        args << QStringLiteral("--updates") << QString::number(o.updates);
    else
        args << QStringLiteral("--minutes") << QString::number(o.minutes);
    args << QStringLiteral("--hidden") << QString::number(o.hidden) << QStringLiteral("--layers")
         << QString::number(o.layers) << QStringLiteral("--splits") << QString::number(o.splits);
    if (o.maxTokens > 0) args << QStringLiteral("--max-tokens") << QString::number(o.maxTokens);
    return args;
}

QVariantMap DartsOptionsForm::toMap(const Options& o) {
    return {{QStringLiteral("corpus"), o.corpus},   {QStringLiteral("space"), o.space},
            {QStringLiteral("hidden"), o.hidden},   {QStringLiteral("layers"), o.layers},
            {QStringLiteral("splits"), o.splits},   {QStringLiteral("updates"), o.updates},
            {QStringLiteral("minutes"), o.minutes}, {QStringLiteral("maxTokens"), o.maxTokens}};
}

DartsOptionsForm::Options DartsOptionsForm::fromMap(const QVariantMap& m) {
    Options o;
    o.corpus = m.value(QStringLiteral("corpus"), o.corpus).toString();
    o.space = m.value(QStringLiteral("space"), o.space).toString();
    o.hidden = m.value(QStringLiteral("hidden"), o.hidden).toInt();
    o.layers = m.value(QStringLiteral("layers"), o.layers).toInt();
    o.splits = m.value(QStringLiteral("splits"), o.splits).toInt();
    o.updates = m.value(QStringLiteral("updates"), o.updates).toInt();
    o.minutes = m.value(QStringLiteral("minutes"), o.minutes).toInt();
    o.maxTokens = m.value(QStringLiteral("maxTokens"), o.maxTokens).toInt();
    return o;
}

void DartsOptionsForm::setEditable(bool editable) {
    for (QWidget* w : findChildren<QWidget*>())
        w->setEnabled(editable);
}

void DartsOptionsForm::setCorpus(const QString& corpus) {
    selectCorpus(corpus_, corpus);
}

void DartsOptionsForm::chooseSpaceFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a DARTS Space"), QDir::homePath(),
                                                      tr("DARTS spaces (*.json);;All files (*)"));
    if (!path.isEmpty()) space_->setText(path);
}

} // namespace automoe::ui
