// LineSplitter turns the chunks a child process's pipe delivers into whole lines: a line split across
// reads is carried over until its end arrives, "\r" (a terminal progress bar redrawing itself) ends a line
// like "\n", terminal escape sequences are removed and blank lines dropped. finish() returns what is left
// when the pipe closes.
#pragma once

#include <QByteArray>
#include <QStringList>

namespace automoe::ui {

class LineSplitter {
public:
    // The complete lines in `chunk` (with what was carried over before it), trimmed, in order.
    QStringList feed(const QByteArray& chunk);
    // The last, unterminated line (if any), and a reset.
    QStringList finish();
    bool hasPartial() const { return !partial_.isEmpty(); }

private:
    QByteArray partial_;
};

} // namespace automoe::ui
