#include "ui/plots/CandidateFilter.h"

#include <QRegularExpression>
#include <QStringList>
#include <cmath>

namespace automoe::ui {

namespace {

// "4.5", "150M", "2.5k", "1e8", "yes", "no".
bool parseNumber(QString text, double& out) {
    text = text.trimmed();
    if (text.compare(QLatin1String("yes"), Qt::CaseInsensitive) == 0 ||
        text.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0) {
        out = 1;
        return true;
    }
    if (text.compare(QLatin1String("no"), Qt::CaseInsensitive) == 0 ||
        text.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0) {
        out = 0;
        return true;
    }
    double scale = 1;
    if (!text.isEmpty()) {
        switch (text.back().toLatin1()) {
        case 'k':
        case 'K':
            scale = 1e3;
            break;
        case 'M':
            scale = 1e6;
            break;
        case 'G':
            scale = 1e9;
            break;
        default:
            break;
        }
        if (scale != 1) text.chop(1);
    }
    bool ok = false;
    out = text.toDouble(&ok) * scale;
    return ok && std::isfinite(out);
}

} // namespace

bool CandidateFilter::parse(const QString& text, const ColumnOf& columnOf, int keyColumn, QString* error) {
    static const QRegularExpression term(QStringLiteral("^([A-Za-z_][A-Za-z0-9_]*)(<=|>=|!=|<|>|=|~)(.*)$"));
    QVector<Term> terms;
    for (const QString& word :
         text.split(QRegularExpression(QStringLiteral("[\\s,;]+")), Qt::SkipEmptyParts)) {
        const QRegularExpressionMatch m = term.match(word);
        Term t;
        if (!m.hasMatch()) {
            t.column = keyColumn;
            t.op = Op::Contains;
            t.text = word;
            terms.push_back(t);
            continue;
        }
        t.column = columnOf(m.captured(1));
        if (t.column < 0) {
            if (error) *error = QObject::tr("\"%1\": no column named %2").arg(word, m.captured(1));
            return false;
        }
        const QString op = m.captured(2), value = m.captured(3);
        if (value.isEmpty()) {
            if (error) *error = QObject::tr("\"%1\": a value is missing after %2").arg(word, op);
            return false;
        }
        if (op == QLatin1String("~")) {
            t.op = Op::Contains;
            t.text = value;
            terms.push_back(t);
            continue;
        }
        bool ok = true;
        if (op == QLatin1String("=") && value.contains(QLatin1String(".."))) {
            t.op = Op::Range;
            const int dots = value.indexOf(QLatin1String(".."));
            ok = parseNumber(value.left(dots), t.a) && parseNumber(value.mid(dots + 2), t.b);
        } else {
            ok = parseNumber(value, t.a);
            t.op = op == QLatin1String("<")    ? Op::Less
                   : op == QLatin1String("<=") ? Op::LessEqual
                   : op == QLatin1String(">")  ? Op::Greater
                   : op == QLatin1String(">=") ? Op::GreaterEqual
                   : op == QLatin1String("!=") ? Op::NotEqual
                                               : Op::Equal;
        }
        if (!ok) {
            if (error) *error = QObject::tr("\"%1\": %2 is not a number").arg(word, value);
            return false;
        }
        if (t.column == keyColumn && t.op != Op::Contains) {
            if (error) *error = QObject::tr("\"%1\": the key is text, use key~…").arg(word);
            return false;
        }
        terms.push_back(t);
    }
    terms_ = terms;
    if (error) error->clear();
    return true;
}

bool CandidateFilter::accepts(const std::function<double(int column)>& number,
                              const std::function<QString(int column)>& text) const {
    for (const Term& t : terms_) {
        if (t.op == Op::Contains) {
            if (!text(t.column).contains(t.text, Qt::CaseInsensitive)) return false;
            continue;
        }
        const double v = number(t.column);
        if (std::isnan(v)) return false;
        // Equality within a relative 1e-9: gene means such as 2.6666666666666665 are written rounded.
        const double tol = 1e-9 * std::max(1.0, std::abs(t.a));
        bool ok = false;
        switch (t.op) {
        case Op::Less:
            ok = v < t.a;
            break;
        case Op::LessEqual:
            ok = v <= t.a + tol;
            break;
        case Op::Greater:
            ok = v > t.a;
            break;
        case Op::GreaterEqual:
            ok = v >= t.a - tol;
            break;
        case Op::Equal:
            ok = std::abs(v - t.a) <= tol;
            break;
        case Op::NotEqual:
            ok = std::abs(v - t.a) > tol;
            break;
        case Op::Range:
            ok = v >= std::min(t.a, t.b) - tol && v <= std::max(t.a, t.b) + tol;
            break;
        case Op::Contains:
            break;
        }
        if (!ok) return false;
    }
    return true;
}

} // namespace automoe::ui
