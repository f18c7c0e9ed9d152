// SupernetOptionsForm is the Train tab's rows for how a supernet is trained: its kind (HAT / AutoMoE weight
// sharing, or a Mixture-of-Supernets with m weight sets per layer mixed per layer or per output neuron,
// optionally in the attention projections too) and how subnets are sampled per update (one random subnet,
// or the sandwich rule: largest, smallest and N random). It turns them into `automoe train` options and into
// the map the settings remember. The UI knows the kinds by the CLI's names only (no LibTorch here).
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QSpinBox;
class QWidget;

namespace automoe::ui {

class SupernetOptionsForm : public QObject {
    Q_OBJECT

public:
    struct Options {
        QString kind = QStringLiteral("shared");     // "shared", "mos-layer", "mos-neuron"
        int sets = 2;                                // m, with a MoS kind (1..16)
        bool attention = false;                      // a MoS kind also mixes the attention projections
        QString sampling = QStringLiteral("random"); // "random" or "sandwich"
        int sandwichRandom = 1; // with sandwich: random subnets besides largest, smallest
    };

    // Creates the widgets as children of `parent` and adds their rows ("Supernet", "Sampling") to `form`.
    SupernetOptionsForm(QWidget* parent, QFormLayout* form);

    Options options() const;
    // Values outside the widgets' ranges are clamped; an unknown kind or sampling keeps the current one.
    void setOptions(const Options& options);
    // The `automoe train` options for options(): --supernet and --sampling always, --mos-experts and
    // --mos-attention with a MoS kind, --sandwich-random with sandwich sampling.
    static QStringList arguments(const Options& options);
    QStringList arguments() const { return arguments(options()); }
    // options() as settings keys, and back (missing keys keep the defaults).
    static QVariantMap toMap(const Options& options);
    static Options fromMap(const QVariantMap& map);
    // False while a run is going: nothing can be changed.
    void setEditable(bool editable);

private:
    void updateEnabled();

    QComboBox* kind_;
    QSpinBox* sets_;
    QLabel* setsLabel_;
    QCheckBox* attention_;
    QComboBox* sampling_;
    QSpinBox* sandwichRandom_;
    QLabel* sandwichLabel_;
    bool editable_ = true;
};

} // namespace automoe::ui
