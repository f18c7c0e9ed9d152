#include "ui/run/SupernetOptionsForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QWidget>
#include <algorithm>

namespace automoe::ui {

namespace {

// The ranges of the `automoe train` options (--mos-experts 1..16; --sandwich-random kept small: each random
// subnet is one more forward and backward pass per update).
constexpr int kMinSets = 1, kMaxSets = 16, kDefaultSets = 2;
constexpr int kMaxSandwichRandom = 8, kDefaultSandwichRandom = 1;

bool isMixture(const QString& kind) {
    return kind != QLatin1String("shared");
}

} // namespace

SupernetOptionsForm::SupernetOptionsForm(QWidget* parent, QFormLayout* form)
    : QObject(parent)
    , kind_(new QComboBox(parent))
    , sets_(new QSpinBox(parent))
    , setsLabel_(new QLabel(tr("m"), parent))
    , attention_(new QCheckBox(tr("Attention too"), parent))
    , sampling_(new QComboBox(parent))
    , sandwichRandom_(new QSpinBox(parent))
    , sandwichLabel_(new QLabel(tr("random per update"), parent)) {
    kind_->setObjectName("supernetKind");
    kind_->addItem(tr("shared"), QStringLiteral("shared"));
    kind_->setItemData(0,
                       tr("Weight sharing (HAT / AutoMoE): every subnet uses the leading rows and columns "
                          "of the supernet's one set of weights"),
                       Qt::ToolTipRole);
    kind_->addItem(tr("mos-layer"), QStringLiteral("mos-layer"));
    kind_->setItemData(1,
                       tr("Mixture-of-Supernets, layer-wise: each layer keeps m weight sets; a router mixes "
                          "them into the subnet's weights with one mixture per layer"),
                       Qt::ToolTipRole);
    kind_->addItem(tr("mos-neuron"), QStringLiteral("mos-neuron"));
    kind_->setItemData(2,
                       tr("Mixture-of-Supernets, neuron-wise: each layer keeps m weight sets; a router mixes "
                          "them with one mixture per output neuron"),
                       Qt::ToolTipRole);
    kind_->setToolTip(tr("How subnets get their weights: shared (HAT / AutoMoE weight sharing), mos-layer "
                         "(Mixture-of-Supernets, one mixture per layer) or mos-neuron (one mixture per "
                         "output neuron)"));

    sets_->setObjectName("supernetSets");
    sets_->setRange(kMinSets, kMaxSets);
    sets_->setValue(kDefaultSets);
    sets_->setToolTip(tr("m: weight sets per layer of a Mixture-of-Supernets (1–16)"));
    setsLabel_->setToolTip(sets_->toolTip());
    setsLabel_->setBuddy(sets_);
    attention_->setObjectName("supernetAttention");
    attention_->setToolTip(
        tr("A Mixture-of-Supernets also mixes the attention projections (otherwise only the "
           "feed-forward / expert matrices)"));

    sampling_->setObjectName("subnetSampling");
    sampling_->addItem(tr("random"), QStringLiteral("random"));
    sampling_->setItemData(0, tr("One random subnet per update (AutoMoE)"), Qt::ToolTipRole);
    sampling_->addItem(tr("sandwich"), QStringLiteral("sandwich"));
    sampling_->setItemData(1, tr("The largest and the smallest subnet and N random ones per update"),
                           Qt::ToolTipRole);
    sampling_->setToolTip(tr("Subnets trained per update: one random subnet (AutoMoE), or the sandwich rule "
                             "(largest + smallest + N random)"));
    sandwichRandom_->setObjectName("sandwichRandom");
    sandwichRandom_->setRange(0, kMaxSandwichRandom);
    sandwichRandom_->setValue(kDefaultSandwichRandom);
    sandwichRandom_->setToolTip(
        tr("With sandwich sampling: random subnets per update besides the largest and the smallest"));
    sandwichLabel_->setToolTip(sandwichRandom_->toolTip());
    sandwichLabel_->setBuddy(sandwichRandom_);

    auto* kindRow = new QHBoxLayout;
    kindRow->setContentsMargins(0, 0, 0, 0);
    kindRow->addWidget(kind_, 1);
    kindRow->addWidget(setsLabel_);
    kindRow->addWidget(sets_);
    auto* samplingRow = new QHBoxLayout;
    samplingRow->setContentsMargins(0, 0, 0, 0);
    samplingRow->addWidget(sampling_, 1);
    samplingRow->addWidget(sandwichRandom_);
    samplingRow->addWidget(sandwichLabel_);
    form->addRow(tr("Supernet"), kindRow);
    form->addRow(QString(), attention_);
    form->addRow(tr("Sampling"), samplingRow);

    connect(kind_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &SupernetOptionsForm::updateEnabled);
    connect(sampling_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &SupernetOptionsForm::updateEnabled);
    updateEnabled();
}

void SupernetOptionsForm::updateEnabled() {
    kind_->setEnabled(editable_);
    sampling_->setEnabled(editable_);
    // The numbers that mean nothing with the kind or sampling chosen are greyed out, not hidden: the row
    // says what a MoS supernet or the sandwich rule would add.
    const bool mixture = editable_ && isMixture(kind_->currentData().toString());
    sets_->setEnabled(mixture);
    setsLabel_->setEnabled(mixture);
    attention_->setEnabled(mixture);
    const bool sandwich = editable_ && sampling_->currentData().toString() == QLatin1String("sandwich");
    sandwichRandom_->setEnabled(sandwich);
    sandwichLabel_->setEnabled(sandwich);
}

void SupernetOptionsForm::setEditable(bool editable) {
    editable_ = editable;
    updateEnabled();
}

SupernetOptionsForm::Options SupernetOptionsForm::options() const {
    Options o;
    o.kind = kind_->currentData().toString();
    o.sets = sets_->value();
    o.attention = attention_->isChecked();
    o.sampling = sampling_->currentData().toString();
    o.sandwichRandom = sandwichRandom_->value();
    return o;
}

void SupernetOptionsForm::setOptions(const Options& o) {
    if (const int i = kind_->findData(o.kind); i >= 0) kind_->setCurrentIndex(i);
    sets_->setValue(o.sets); // QSpinBox clamps to its range
    attention_->setChecked(o.attention);
    if (const int i = sampling_->findData(o.sampling); i >= 0) sampling_->setCurrentIndex(i);
    sandwichRandom_->setValue(o.sandwichRandom);
}

QStringList SupernetOptionsForm::arguments(const Options& o) {
    QStringList args{QStringLiteral("--supernet"), o.kind};
    if (isMixture(o.kind)) {
        args << QStringLiteral("--mos-experts") << QString::number(std::clamp(o.sets, kMinSets, kMaxSets));
        if (o.attention) args << QStringLiteral("--mos-attention");
    }
    args << QStringLiteral("--sampling") << o.sampling;
    if (o.sampling == QLatin1String("sandwich"))
        args << QStringLiteral("--sandwich-random")
             << QString::number(std::clamp(o.sandwichRandom, 0, kMaxSandwichRandom));
    return args;
}

QVariantMap SupernetOptionsForm::toMap(const Options& o) {
    return {{QStringLiteral("supernet"), o.kind},
            {QStringLiteral("mosExperts"), o.sets},
            {QStringLiteral("mosAttention"), o.attention},
            {QStringLiteral("sampling"), o.sampling},
            {QStringLiteral("sandwichRandom"), o.sandwichRandom}};
}

SupernetOptionsForm::Options SupernetOptionsForm::fromMap(const QVariantMap& m) {
    Options o;
    o.kind = m.value(QStringLiteral("supernet"), o.kind).toString();
    o.sets = m.value(QStringLiteral("mosExperts"), o.sets).toInt();
    o.attention = m.value(QStringLiteral("mosAttention"), o.attention).toBool();
    o.sampling = m.value(QStringLiteral("sampling"), o.sampling).toString();
    o.sandwichRandom = m.value(QStringLiteral("sandwichRandom"), o.sandwichRandom).toInt();
    return o;
}

} // namespace automoe::ui
