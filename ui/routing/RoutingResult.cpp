#include "ui/routing/RoutingResult.h"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace automoe::ui {

namespace {

using nlohmann::json;

const QString kWordMarker = QString(QChar(0x2581));

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw std::runtime_error("routing result: " + path + ": " + what);
}

const json& at(const json& j, const char* key, const std::string& path) {
    if (!j.is_object()) fail(path, "expected an object");
    const auto it = j.find(key);
    if (it == j.end()) fail(path + "." + key, "missing");
    return *it;
}

template <class T> T get(const json& j, const char* key, const std::string& path) {
    const json& v = at(j, key, path);
    try {
        return v.get<T>();
    } catch (const json::exception&) {
        fail(path + "." + key, "unexpected value " + v.dump().substr(0, 60));
    }
}

QString qstr(const json& j, const char* key, const std::string& path) {
    return QString::fromStdString(get<std::string>(j, key, path));
}

const json& array(const json& j, const char* key, const std::string& path) {
    const json& v = at(j, key, path);
    if (!v.is_array()) fail(path + "." + key, "expected a list");
    return v;
}

QVector<int> ints(const json& j, const char* key, const std::string& path) {
    QVector<int> out;
    for (const json& v : array(j, key, path)) {
        if (!v.is_number_integer()) fail(path + "." + key, "expected integers");
        out.push_back(v.get<int>());
    }
    return out;
}

QVector<qint64> longs(const json& j, const char* key, const std::string& path) {
    QVector<qint64> out;
    for (const json& v : array(j, key, path)) {
        if (!v.is_number_integer()) fail(path + "." + key, "expected integers");
        out.push_back(v.get<qint64>());
    }
    return out;
}

QVector<RoutingToken> tokens(const json& j, const char* key, const std::string& path) {
    QVector<RoutingToken> out;
    const json& list = array(j, key, path);
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string p = path + "." + key + "[" + std::to_string(i) + "]";
        out.push_back(
            {qstr(list[i], "piece", p), qstr(list[i], "type", p), get<double>(list[i], "flops", p)});
    }
    return out;
}

bool isEncoder(const json& j, const std::string& path) {
    const std::string s = get<std::string>(j, "stack", path);
    if (s != "encoder" && s != "decoder") fail(path + ".stack", "expected encoder or decoder, got " + s);
    return s == "encoder";
}

RoutingLayer layer(const json& j, const std::string& path, int sourceCount, int targetCount) {
    RoutingLayer l;
    l.encoder = isEncoder(j, path);
    l.layer = get<int>(j, "layer", path);
    l.topK = get<int>(j, "top_k", path);
    l.embedDim = get<int>(j, "embed_dim", path);
    l.routerFlops = get<double>(j, "router_flops", path);
    l.widths = ints(j, "widths", path);
    if (l.widths.isEmpty()) fail(path + ".widths", "no experts");
    const json& expert = array(j, "expert", path);
    const json& width = array(j, "width", path);
    const json& gate = array(j, "gate", path);
    const json& dropped = array(j, "dropped", path);
    const size_t n = size_t(l.encoder ? sourceCount : targetCount);
    if (expert.size() != n)
        fail(path + ".expert", std::to_string(expert.size()) + " tokens, expected " + std::to_string(n));
    if (width.size() != n || gate.size() != n || dropped.size() != n)
        fail(path, "expert, width, gate and dropped list different token counts");
    for (size_t t = 0; t < n; ++t) {
        const std::string p = path + ".expert[" + std::to_string(t) + "]";
        if (!expert[t].is_array() || expert[t].empty()) fail(p, "expected a non-empty list");
        const size_t k = expert[t].size();
        if (width[t].size() != k || gate[t].size() != k || dropped[t].size() != k)
            fail(p, "expert, width, gate and dropped differ in length");
        QVector<RoutingAssignment> as;
        for (size_t i = 0; i < k; ++i) {
            RoutingAssignment a;
            try {
                a.expert = expert[t][i].get<int>();
                a.width = width[t][i].get<int>();
                a.gate = gate[t][i].get<double>();
                a.dropped = dropped[t][i].get<bool>();
            } catch (const json::exception&) {
                fail(p, "unexpected value");
            }
            if (a.expert < 0 || a.expert >= l.widths.size())
                fail(p, "expert " + std::to_string(a.expert) + " outside the layer's " +
                            std::to_string(l.widths.size()) + " experts");
            as.push_back(a);
        }
        l.tokens.push_back(as);
    }
    return l;
}

json parse(const QByteArray& text) {
    try {
        return json::parse(text.constBegin(), text.constEnd());
    } catch (const json::parse_error& e) {
        throw std::runtime_error(std::string("routing result is not JSON: ") + e.what());
    }
}

} // namespace

QString RoutingToken::label() const {
    if (piece.startsWith(kWordMarker)) return piece.mid(1).isEmpty() ? QStringLiteral("␣") : piece.mid(1);
    if (type == QLatin1String("special") || type == QLatin1String("punctuation")) return piece;
    return QStringLiteral("·") + piece;
}

QString RoutingLayer::shortName() const {
    return QStringLiteral("%1%2").arg(encoder ? QLatin1Char('E') : QLatin1Char('D')).arg(layer);
}

QString RoutingLoad::shortName() const {
    return QStringLiteral("%1%2").arg(encoder ? QLatin1Char('E') : QLatin1Char('D')).arg(layer);
}

RoutingResult RoutingResult::fromJson(const QByteArray& text) {
    const json j = parse(text);
    RoutingResult r;
    r.run = get<qint64>(j, "run", "result");
    r.checkpointUpdate = get<qint64>(j, "checkpoint_update", "result");
    r.arch = qstr(j, "arch", "result");
    r.archKey = qstr(j, "arch_key", "result");
    r.flopsCounted = qstr(j, "flops_counted", "result");
    for (const json& t : array(j, "token_types", "result"))
        r.tokenTypes << QString::fromStdString(t.get<std::string>());
    const json& sentences = array(j, "sentences", "result");
    for (size_t i = 0; i < sentences.size(); ++i) {
        const std::string p = "sentences[" + std::to_string(i) + "]";
        const json& s = sentences[i];
        RoutingSentence rs;
        rs.source = qstr(s, "source", p);
        rs.translation = qstr(s, "translation", p);
        rs.sourceTokens = tokens(s, "source_tokens", p);
        rs.targetTokens = tokens(s, "target_tokens", p);
        const json& layers = array(s, "layers", p);
        for (size_t l = 0; l < layers.size(); ++l)
            rs.layers.push_back(layer(layers[l], p + ".layers[" + std::to_string(l) + "]",
                                      int(rs.sourceTokens.size()), int(rs.targetTokens.size())));
        r.sentences.push_back(rs);
    }
    const json& agg = at(j, "aggregate", "result");
    r.aggregateOver = qstr(agg, "over", "aggregate");
    r.aggregateSentences = get<qint64>(agg, "sentences", "aggregate");
    const json& loads = array(agg, "layers", "aggregate");
    for (size_t i = 0; i < loads.size(); ++i) {
        const std::string p = "aggregate.layers[" + std::to_string(i) + "]";
        RoutingLoad l;
        l.encoder = isEncoder(loads[i], p);
        l.layer = get<int>(loads[i], "layer", p);
        l.topK = get<int>(loads[i], "top_k", p);
        l.tokens = get<qint64>(loads[i], "tokens", p);
        l.widths = ints(loads[i], "widths", p);
        l.load = longs(loads[i], "load", p);
        l.dropped = longs(loads[i], "dropped", p);
        if (l.load.size() != l.widths.size() || l.dropped.size() != l.widths.size())
            fail(p + ".load", "one count per expert expected");
        r.loads.push_back(l);
    }
    const json& types = array(agg, "flops_by_type", "aggregate");
    for (size_t i = 0; i < types.size(); ++i) {
        const std::string p = "aggregate.flops_by_type[" + std::to_string(i) + "]";
        r.flopsByType.push_back({isEncoder(types[i], p), qstr(types[i], "type", p),
                                 get<qint64>(types[i], "tokens", p), get<double>(types[i], "mean_flops", p)});
    }
    return r;
}

QStringList parseValidationSources(const QByteArray& text) {
    const json j = parse(text);
    QStringList out;
    const json& list = array(j, "valid", "validation list");
    for (size_t i = 0; i < list.size(); ++i)
        out << qstr(list[i], "source", "validation list.valid[" + std::to_string(i) + "]");
    return out;
}

} // namespace automoe::ui
