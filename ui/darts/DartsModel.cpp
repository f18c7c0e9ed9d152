#include "ui/darts/DartsModel.h"

#include <algorithm>
#include <stdexcept>

namespace automoe::ui {

namespace {

QStringList names(const nlohmann::json& list, const char* key) {
    if (!list.is_array() || list.empty())
        throw std::invalid_argument(std::string(key) + ": expected a non-empty list of operation names");
    QStringList out;
    for (const nlohmann::json& n : list) {
        if (!n.is_string()) throw std::invalid_argument(std::string(key) + ": expected operation names");
        out << QString::fromStdString(n.get<std::string>());
    }
    return out;
}

// weights[layer][edge][candidate], each row `width` long when width > 0.
DartsModel::StackWeights stackWeights(const nlohmann::json& j, const char* key, int width) {
    if (!j.is_array()) throw std::invalid_argument(std::string(key) + ": expected a list of layers");
    DartsModel::StackWeights out;
    for (std::size_t l = 0; l < j.size(); ++l) {
        const nlohmann::json& layer = j[l];
        if (!layer.is_array())
            throw std::invalid_argument(std::string(key) + "[" + std::to_string(l) + "]: expected edges");
        std::vector<std::vector<double>> edges;
        for (std::size_t e = 0; e < layer.size(); ++e) {
            const std::string field =
                std::string(key) + "[" + std::to_string(l) + "][" + std::to_string(e) + "]";
            if (!layer[e].is_array()) throw std::invalid_argument(field + ": expected weights");
            if (width > 0 && int(layer[e].size()) != width)
                throw std::invalid_argument(field + ": expected " + std::to_string(width) +
                                            " weights (one per candidate), got " +
                                            std::to_string(layer[e].size()));
            std::vector<double> row;
            for (const nlohmann::json& w : layer[e]) {
                if (!w.is_number()) throw std::invalid_argument(field + ": expected numbers");
                row.push_back(w.get<double>());
            }
            edges.push_back(std::move(row));
        }
        out.push_back(std::move(edges));
    }
    return out;
}

int intOr(const nlohmann::json& j, const char* key, int fallback) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

const std::vector<double> kNoWeights;

} // namespace

bool DartsModel::apply(const Event& event) {
    const std::string& type = event.type;
    if (type != "darts_setup" && type != "darts_alpha" && type != "darts_derived") return false;
    try {
        if (!event.payload.is_object()) throw std::invalid_argument("the payload is not an object");
        // Each reader takes what it needs before it changes anything: a bad payload leaves the model as it
        // was.
        if (type == "darts_setup")
            applySetup(event.payload);
        else if (type == "darts_alpha")
            applyAlpha(event.payload);
        else
            applyDerived(event.payload);
    } catch (const std::exception& e) {
        errors_.append(QStringLiteral("event %1 (%2): %3")
                           .arg(event.seq)
                           .arg(QString::fromStdString(type), QString::fromUtf8(e.what())));
        return false;
    }
    ++events_;
    return true;
}

void DartsModel::clear() {
    *this = DartsModel();
}

void DartsModel::applySetup(const nlohmann::json& p) {
    Setup s;
    s.encoderCandidates = names(p.value("encoder_candidates", nlohmann::json()), "encoder_candidates");
    s.decoderCandidates = names(p.value("decoder_candidates", nlohmann::json()), "decoder_candidates");
    s.hidden = intOr(p, "hidden", 0);
    s.heads = intOr(p, "heads", 0);
    s.splits = intOr(p, "splits", 0);
    s.encoderLayers = intOr(p, "encoder_layers", 0);
    s.decoderLayers = intOr(p, "decoder_layers", 0);
    s.reversible = p.value("reversible", true);
    s.weightParams = p.value("weight_params", std::int64_t(0));
    s.alphaParams = p.value("alpha_params", std::int64_t(0));
    setup_ = std::move(s);
}

void DartsModel::applyAlpha(const nlohmann::json& p) {
    AlphaStep step;
    if (!p.contains("update") || !p["update"].is_number_integer())
        throw std::invalid_argument("update: expected an integer");
    step.update = p["update"].get<std::int64_t>();
    const auto loss = p.find("alpha_loss");
    step.alphaLoss = loss != p.end() && loss->is_number() ? loss->get<double>() : 0.0;
    step.encoder = stackWeights(p.value("encoder", nlohmann::json()), "encoder",
                                setup_ ? int(setup_->encoderCandidates.size()) : 0);
    step.decoder = stackWeights(p.value("decoder", nlohmann::json()), "decoder",
                                setup_ ? int(setup_->decoderCandidates.size()) : 0);
    step.derived = QString::fromStdString(p.value("derived", std::string()));
    for (const StackWeights* stack : {&step.encoder, &step.decoder})
        for (const auto& layer : *stack)
            for (const auto& edge : layer)
                for (double w : edge) {
                    const double r = w * double(edge.size());
                    minWeight_ = hasWeights_ ? std::min(minWeight_, w) : w;
                    maxWeight_ = hasWeights_ ? std::max(maxWeight_, w) : w;
                    minRelative_ = hasWeights_ ? std::min(minRelative_, r) : r;
                    maxRelative_ = hasWeights_ ? std::max(maxRelative_, r) : r;
                    hasWeights_ = true;
                }
    if (history_.empty() || step.update > history_.back().update) {
        history_.push_back(std::move(step));
        return;
    }
    auto it = std::lower_bound(history_.begin(), history_.end(), step.update,
                               [](const AlphaStep& s, std::int64_t update) { return s.update < update; });
    if (it != history_.end() && it->update == step.update)
        *it = std::move(step); // a resumed run's later row for the update wins
    else
        history_.insert(it, std::move(step));
}

void DartsModel::applyDerived(const nlohmann::json& p) {
    Derived d;
    if (!p.contains("architecture")) throw std::invalid_argument("architecture: missing");
    d.architecture = dartsArchitectureFromJson(p["architecture"], "darts_derived");
    d.update = p.value("update", std::int64_t(0));
    d.key = QString::fromStdString(p.value("key", d.architecture.key()));
    d.params = p.value("params", std::int64_t(0));
    derived_ = std::move(d);
}

int DartsModel::indexOfUpdate(std::int64_t update) const {
    auto it = std::lower_bound(history_.begin(), history_.end(), update,
                               [](const AlphaStep& s, std::int64_t u) { return s.update < u; });
    return it != history_.end() && it->update == update ? int(it - history_.begin()) : -1;
}

std::vector<DartsModel::Edge> DartsModel::edges() const {
    const AlphaStep* newest = history_.empty() ? nullptr : &history_.back();
    // The setup's shape, else the newest step's (a run whose setup event is unreadable still shows).
    auto shapeOf = [&](bool decoder) -> std::pair<int, int> {
        if (setup_ && setup_->splits > 0)
            return {decoder ? setup_->decoderLayers : setup_->encoderLayers, setup_->splits};
        if (!newest) return {0, 0};
        const StackWeights& w = decoder ? newest->decoder : newest->encoder;
        return {int(w.size()), w.empty() ? 0 : int(w.front().size())};
    };
    std::vector<Edge> out;
    for (bool decoder : {false, true}) {
        const auto [layers, splits] = shapeOf(decoder);
        for (int l = 0; l < layers; ++l)
            for (int e = 0; e < splits; ++e)
                out.push_back({decoder, l, e,
                               QStringLiteral("%1 L%2 e%3")
                                   .arg(decoder ? QStringLiteral("dec") : QStringLiteral("enc"))
                                   .arg(l + 1)
                                   .arg(e + 1)});
    }
    return out;
}

const QStringList& DartsModel::candidates(bool decoder) const {
    static const QStringList none;
    if (!setup_) return none;
    return decoder ? setup_->decoderCandidates : setup_->encoderCandidates;
}

QStringList DartsModel::columns() const {
    QStringList out = candidates(true);
    for (const QString& c : candidates(false))
        if (!out.contains(c)) out << c;
    return out;
}

int DartsModel::columnOf(bool decoder, int candidate) const {
    const QStringList& list = candidates(decoder);
    if (candidate < 0 || candidate >= list.size()) return -1;
    if (decoder) return candidate;
    return int(columns().indexOf(list[candidate]));
}

const std::vector<double>& DartsModel::weights(int index, const Edge& edge) const {
    if (index < 0 || index >= int(history_.size())) return kNoWeights;
    const StackWeights& w =
        edge.decoder ? history_[std::size_t(index)].decoder : history_[std::size_t(index)].encoder;
    if (edge.layer >= int(w.size()) || edge.edge >= int(w[std::size_t(edge.layer)].size())) return kNoWeights;
    return w[std::size_t(edge.layer)][std::size_t(edge.edge)];
}

namespace {

std::vector<DartsOpSpec> specs(const QStringList& names) {
    std::vector<DartsOpSpec> out;
    for (const QString& n : names)
        out.push_back(DartsOpSpec::parse(n.toStdString()));
    return out;
}

} // namespace

std::optional<DartsArchitecture> DartsModel::architectureAt(int index) const {
    if (!setup_ || index < 0 || index >= int(history_.size())) return std::nullopt;
    try {
        const AlphaStep& step = history_[std::size_t(index)];
        DartsArchitecture arch;
        arch.hidden = setup_->hidden > 0 ? setup_->hidden : arch.hidden;
        arch.heads = setup_->heads > 0 ? setup_->heads : arch.heads;
        arch.splits = setup_->splits > 0 ? setup_->splits : arch.splits;
        arch.encoder = deriveEdges(specs(setup_->encoderCandidates), step.encoder);
        arch.decoder = deriveEdges(specs(setup_->decoderCandidates), step.decoder);
        arch.searchStep = step.update;
        return arch;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

int DartsModel::derivedCandidate(int index, const Edge& edge) const {
    const std::vector<double>& w = weights(index, edge);
    const QStringList& names = candidates(edge.decoder);
    if (w.empty() || int(w.size()) != names.size()) return -1;
    try {
        const std::vector<DartsOpSpec> list = specs(names);
        const auto chosen = deriveEdges(list, {{w}});
        if (chosen.empty() || chosen.front().empty()) return -1;
        const auto it = std::find(list.begin(), list.end(), chosen.front().front());
        return it == list.end() ? -1 : int(it - list.begin());
    } catch (const std::exception&) {
        return -1;
    }
}

} // namespace automoe::ui
