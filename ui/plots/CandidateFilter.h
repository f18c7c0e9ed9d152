// CandidateFilter is the candidate table's filter: a line of terms, all of which a row must meet, each a
// column name (the table's header: gen, fitness, flops, params, latency, front, a gene such as dec_layers,
// key), an operator and a value —
//     fitness<4.9   gen>=3   dec_layers=2..3   front=yes   enc_experts!=1   key~E512
// (`=` with `a..b` is an inclusive range; `~` is a substring of the text; yes / no stand for 1 / 0). A word
// with no operator matches the architecture key as a substring. Values take SI suffixes (150M, 2.5k).
#pragma once

#include <QString>
#include <QVector>
#include <functional>

namespace automoe::ui {

class CandidateFilter {
public:
    // Column of a name (-1: unknown); the text a column holds (for `~`); its number.
    using ColumnOf = std::function<int(const QString& name)>;

    // Parses `text`; on a bad term returns false and sets `error` to a message naming it. An empty text
    // accepts every row.
    bool parse(const QString& text, const ColumnOf& columnOf, int keyColumn, QString* error = nullptr);
    bool isEmpty() const { return terms_.isEmpty(); }
    // The columns the terms read (a change elsewhere cannot change what the filter accepts).
    QVector<int> columns() const {
        QVector<int> out;
        for (const Term& t : terms_)
            out << t.column;
        return out;
    }

    // Whether a row with these values (number of a column; text of a column) meets every term.
    bool accepts(const std::function<double(int column)>& number,
                 const std::function<QString(int column)>& text) const;

private:
    enum class Op { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, Range, Contains };
    struct Term {
        int column = -1;
        Op op = Op::Equal;
        double a = 0, b = 0;
        QString text;
    };
    QVector<Term> terms_;
};

} // namespace automoe::ui
