#include "ui/run/LineSplitter.h"

#include <QRegularExpression>

namespace automoe::ui {

namespace {

QString clean(const QByteArray& raw) {
    static const QRegularExpression escape(QStringLiteral("\x1b\\[[0-9;?]*[A-Za-z]"));
    QString line = QString::fromUtf8(raw);
    line.remove(escape);
    return line.trimmed();
}

} // namespace

QStringList LineSplitter::feed(const QByteArray& chunk) {
    partial_ += chunk;
    QStringList lines;
    qsizetype start = 0;
    for (qsizetype i = 0; i < partial_.size(); ++i) {
        const char c = partial_.at(i);
        if (c != '\n' && c != '\r') continue;
        const QString line = clean(partial_.mid(start, i - start));
        if (!line.isEmpty()) lines.append(line);
        start = i + 1;
    }
    partial_.remove(0, start);
    return lines;
}

QStringList LineSplitter::finish() {
    const QString line = clean(partial_);
    partial_.clear();
    return line.isEmpty() ? QStringList() : QStringList{line};
}

} // namespace automoe::ui
