// Pins the routing view: a recorded `automoe route --json` output parses into the values it holds (and a
// broken one gives an error naming the field); the grid draws one cell per token and layer in the colour
// of the expert slot the router chose, shaded by gate or width; the aggregates become bars; the route runs
// in a child process whose output is drawn and whose failure (an error line, a missing CLI) shows inline.
#include "RunTestSupport.h"
#include "ui/figure/FigurePalette.h"
#include "ui/routing/RoutingResult.h"
#include "ui/routing/RoutingView.h"
#include "ui/shell/MainWindow.h"

#include <qcustomplot.h>

#include "MainWindowRig.h"
#include "TestMain.h"
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace automoe::ui;

namespace {

const QString kFixture = QStringLiteral(AUTOMOE_TEST_DATA "/routing/route.json");

QByteArray fixture() {
    QFile f(kFixture);
    if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(kFixture));
    return f.readAll();
}

// A stand-in for the `automoe` CLI: a shell script with the given body.
QString writeScript(const QTemporaryDir& dir, const QString& name, const QByteArray& body) {
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    f.write("#!/bin/sh\n" + body);
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

QString parseError(QByteArray json) {
    try {
        RoutingResult::fromJson(json);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestRoutingView : public QObject {
    Q_OBJECT

private slots:
    void parsesRecordedOutput() {
        const RoutingResult r = RoutingResult::fromJson(fixture());
        QCOMPARE(r.run, 2);
        QCOMPARE(r.checkpointUpdate, 1200);
        QCOMPARE(r.archKey, QStringLiteral("test-key"));
        QCOMPARE(r.tokenTypes.size(), 6);
        QCOMPARE(r.sentences.size(), 1);
        const RoutingSentence& s = r.sentences.front();
        QCOMPARE(s.translation, QStringLiteral("the house ."));
        QCOMPARE(s.sourceTokens.size(), 3);
        QCOMPARE(s.targetTokens.size(), 2);
        QCOMPARE(s.sourceTokens[1].label(), QStringLiteral("Haus"));
        QCOMPARE(s.sourceTokens[1].flops, 3328.0);
        QCOMPARE(s.targetTokens[0].label(), QStringLiteral("<s>"));
        QCOMPARE(s.layers.size(), 3);
        QVERIFY(s.layers[0].dense());
        QVERIFY(s.layers[0].encoder);
        QVERIFY(!s.layers[2].encoder);
        QCOMPARE(s.layers[1].tokens[1].front().expert, 1);
        QCOMPARE(s.layers[1].tokens[1].front().width, 24);
        QCOMPARE(s.layers[1].tokens[1].front().gate, 0.9);
        QCOMPARE(s.layers[2].tokens[1].size(), 2);
        QVERIFY(s.layers[2].tokens[1][1].dropped);
        QCOMPARE(r.aggregateOver, QStringLiteral("valid"));
        QCOMPARE(r.aggregateSentences, 4);
        QCOMPARE(r.loads.size(), 3);
        QCOMPARE(r.loads[1].load, (QVector<qint64>{5, 10, 5}));
        QCOMPARE(r.loads[2].dropped, (QVector<qint64>{1, 0}));
        QCOMPARE(r.flopsByType.size(), 5);
        QCOMPARE(r.flopsByType[1].meanFlops, 3000.0);
    }

    // Recorded from `automoe route --run 2 --arch hetero.json --sentence "Das ist ein kleines Haus ." --valid
    // 20
    // --json` on the Ding supernet run (update 1251).
    void parsesRealOutputOfTheCli() {
        QFile f(QStringLiteral(AUTOMOE_TEST_DATA "/routing/route-ding-run2.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const RoutingResult r = RoutingResult::fromJson(f.readAll());
        QCOMPARE(r.run, 2);
        QCOMPARE(r.checkpointUpdate, 1251);
        QCOMPARE(r.sentences.size(), 1);
        const RoutingSentence& s = r.sentences.front();
        QCOMPARE(s.source, QStringLiteral("Das ist ein kleines Haus ."));
        QCOMPARE(s.sourceTokens.size(), 9); // Das ist ein kleine s Haus ▁ . </s>
        QCOMPARE(s.sourceTokens.back().piece, QStringLiteral("</s>"));
        QCOMPARE(s.targetTokens.front().piece, QStringLiteral("<s>"));
        QCOMPARE(s.layers.size(), 5); // 3 encoder + 2 decoder layers
        QVERIFY(s.layers[1].dense());
        for (const RoutingLayer& l : s.layers) {
            QCOMPARE(l.tokens.size(), s.tokensOf(l).size());
            for (const auto& token : l.tokens) {
                QCOMPARE(token.size(), l.topK);
                QCOMPARE(token.front().width, l.widths[token.front().expert]);
                if (l.dense()) QCOMPARE(token.front().gate, 1.0);
            }
        }
        // A source token's FLOPs: the routers plus its experts over the three encoder layers.
        double flops = 0;
        for (int i = 0; i < 3; ++i)
            flops += s.layers[i].routerFlops + 4.0 * 256 * s.layers[i].tokens[0].front().width;
        QCOMPARE(s.sourceTokens[0].flops, flops);
        QCOMPARE(r.aggregateSentences, 20);
        for (const RoutingLoad& l : r.loads) {
            qint64 sum = 0;
            for (qint64 v : l.load)
                sum += v;
            QCOMPARE(sum, l.tokens * l.topK);
        }
        RoutingView view;
        view.setResult(r);
        QCOMPARE(view.cells().size(), 9 * 3 + int(s.targetTokens.size()) * 2);
    }

    void brokenOutputNamesTheField() {
        QByteArray noGate = fixture();
        noGate.replace("\"gate\": [[0.5], [0.9], [0.4]],", "");
        QVERIFY2(parseError(noGate).contains("sentences[0].layers[1].gate: missing"),
                 qPrintable(parseError(noGate)));
        QByteArray badExpert = fixture();
        badExpert.replace("\"expert\": [[2], [1], [0]]", "\"expert\": [[7], [1], [0]]");
        QVERIFY2(parseError(badExpert).contains("expert 7 outside the layer's 3 experts"),
                 qPrintable(parseError(badExpert)));
        QByteArray shortLayer = fixture();
        shortLayer.replace("\"expert\": [[0], [0], [0]]", "\"expert\": [[0], [0]]");
        QVERIFY2(parseError(shortLayer).contains("2 tokens, expected 3"), qPrintable(parseError(shortLayer)));
        QVERIFY(parseError("{not json").contains("not JSON"));
    }

    void gridHasOneCellPerTokenAndLayerInTheExpertsColour() {
        RoutingView view;
        view.resize(1200, 700);
        view.setResult(RoutingResult::fromJson(fixture()));
        // 3 source tokens x 2 encoder layers + 2 decoder inputs x 1 decoder layer.
        QCOMPARE(view.cells().size(), 8);
        const FigurePalette palette;
        const RoutingSentence& s = view.result().sentences.front();
        for (const RoutingView::Cell& c : view.cells()) {
            const RoutingAssignment& a = s.layers[c.layerIndex].tokens[c.token].front();
            QCOMPARE(c.colour.rgb(), palette.expert(a.expert).rgb());
            QCOMPARE(c.item->brush().color(), c.colour);
            // Shaded by gate: alpha = 0.15 + 0.85 gate.
            QVERIFY2(std::abs(c.colour.alphaF() - (0.15 + 0.85 * a.gate)) < 0.01,
                     qPrintable(QString::number(c.colour.alphaF())));
        }
        // Encoder layer 1, token 0 went to expert 2.
        const RoutingView::Cell& c = view.cells()[3];
        QCOMPARE(c.layerIndex, 1);
        QCOMPARE(c.token, 0);
        QCOMPARE(c.colour.rgb(), palette.expert(2).rgb());
        const QString tip = view.cellToolTip(3);
        QVERIFY2(tip.contains("Das") && tip.contains("Expert 2, width 16, gate 0.500"), qPrintable(tip));
        // The decoder's second input kept its first expert and lost its second to the capacity limit.
        const RoutingView::Cell& d = view.cells()[7];
        QCOMPARE(d.item->brush().style(), Qt::SolidPattern);
        QVERIFY(view.cellToolTip(7).contains("dropped"));

        view.setShade(RoutingView::Shade::Width);
        QCOMPARE(view.cells().size(), 8);
        for (const RoutingView::Cell& w : view.cells()) {
            const RoutingAssignment& a = s.layers[w.layerIndex].tokens[w.token].front();
            QVERIFY(std::abs(w.colour.alphaF() - (0.15 + 0.85 * a.width / 24.0)) < 0.01);
        }
    }

    void aggregatesBecomeBars() {
        RoutingView view;
        view.setResult(RoutingResult::fromJson(fixture()));
        // Types with tokens, in a fixed order: function, word, special; encoder and decoder bars.
        QCustomPlot* flops = view.flopsPlot();
        QCOMPARE(flops->plottableCount(), 2);
        auto* encoder = qobject_cast<QCPBars*>(flops->plottable(0));
        QCOMPARE(encoder->data()->size(), 2);
        QCOMPARE(encoder->data()->at(1)->value, 3000.0);
        auto* decoder = qobject_cast<QCPBars*>(flops->plottable(1));
        QCOMPARE(decoder->data()->size(), 2);
        QCOMPARE(decoder->data()->at(1)->key, 2.0); // special is the third type shown
        // Expert load: one stacked bar series per slot, as shares of the layer's assignments.
        QCustomPlot* load = view.loadPlot();
        QCOMPARE(load->plottableCount(), 3);
        auto* slot1 = qobject_cast<QCPBars*>(load->plottable(1));
        QCOMPARE(slot1->data()->at(1)->value, 50.0); // encoder layer 1: 10 of 20
        QCOMPARE(slot1->data()->at(2)->value, 50.0); // decoder layer 0: 10 of 10 x top-2
    }

    void routesThroughTheCliAndDrawsItsOutput() {
        QTemporaryDir dir;
        RoutingView view;
        view.setCliPath(writeScript(dir, "automoe", "cat '" + kFixture.toUtf8() + "'\n"));
        view.setRun(QStringLiteral("/tmp/runs.sqlite"), 2);
        view.setSentence(QStringLiteral("Das Haus ."));
        view.setValidationCount(50);
        const QStringList args = view.routeArguments();
        QCOMPARE(args.mid(0, 5), (QStringList{"route", "--run", "2", "--db", "/tmp/runs.sqlite"}));
        QVERIFY(args.join(' ').contains("--sentence Das Haus . --valid 50 --json"));
        QSignalSpy routed(&view, &RoutingView::routed);
        view.route();
        QVERIFY(view.isBusy());
        QVERIFY(!view.routeButton()->isEnabled());
        QVERIFY(routed.wait(10000));
        QVERIFY(!view.isBusy());
        QVERIFY(view.routeButton()->isEnabled());
        QCOMPARE(view.cells().size(), 8);
        QVERIFY(view.errorText().isEmpty());
    }

    void cliErrorShowsInline() {
        QTemporaryDir dir;
        RoutingView view;
        view.setCliPath(writeScript(
            dir, "automoe",
            "echo 'loading' >&2\necho 'automoe: error: no run 7 in /tmp/x.sqlite' >&2\nexit 1\n"));
        view.setRun(QStringLiteral("/tmp/x.sqlite"), 7);
        view.setSentence(QStringLiteral("Hallo"));
        QSignalSpy failed(&view, &RoutingView::failed);
        view.route();
        QVERIFY(failed.wait(10000));
        QCOMPARE(view.errorText(), QStringLiteral("no run 7 in /tmp/x.sqlite"));
        QVERIFY(!view.isBusy());
        QCOMPARE(view.cells().size(), 0);
    }

    void malformedOutputAndMissingCliShowInline() {
        QTemporaryDir dir;
        RoutingView view;
        view.setCliPath(writeScript(dir, "automoe", "echo '{\"run\": 2}'\n"));
        view.setRun(QStringLiteral("/tmp/x.sqlite"), 2);
        view.setSentence(QStringLiteral("Hallo"));
        QSignalSpy failed(&view, &RoutingView::failed);
        view.route();
        QVERIFY(failed.wait(10000));
        QVERIFY2(view.errorText().contains("result.checkpoint_update: missing"),
                 qPrintable(view.errorText()));

        view.setCliPath(dir.filePath("no-such-automoe"));
        view.route();
        QVERIFY(view.errorText().contains("not found"));
        QVERIFY(!view.isBusy());
    }

    void validationListFillsTheCombo() {
        QTemporaryDir dir;
        RoutingView view;
        view.setCliPath(
            writeScript(dir, "automoe",
                        "echo '{\"run\": 2, \"valid\": [{\"index\": 0, \"source\": \"ein Haus\", \"target\": "
                        "\"a house\"}, "
                        "{\"index\": 1, \"source\": \"der Hund\", \"target\": \"the dog\"}]}'\n"));
        QSignalSpy loaded(&view, &RoutingView::validationListLoaded);
        view.setRun(QStringLiteral("/tmp/x.sqlite"), 2);
        view.show(); // the list is loaded once the view is visible
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.front().front().toInt(), 2);
        QCOMPARE(view.validationCombo()->count(), 3);
        QCOMPARE(view.validationCombo()->itemText(2), QStringLiteral("der Hund"));
        QString error;
        try {
            parseValidationSources("{\"valid\": [{\"index\": 0}]}");
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QVERIFY2(error.contains("valid[0].source: missing"), qPrintable(error));
    }

    void mainWindowDockFollowsTheRunShown() {
        automoe::testsupport::MainWindowRig rig;
        const QString db = rig.dir.filePath("routed.sqlite");
        std::int64_t run = 0;
        {
            automoe::RunStore store(db.toStdString());
            run = runtest::createRun(store, "routed");
        }
        QVERIFY(rig.create()); // on its own runs.sqlite: the database is opened below
        MainWindow& window = *rig.window;
        auto* dock = window.findChild<QDockWidget*>("routingDock");
        QVERIFY(dock);
        QCOMPARE(dock->windowTitle(), QStringLiteral("Routing"));
        auto* view = window.findChild<RoutingView*>("routingView");
        QVERIFY(view);
        QCOMPARE(dock->widget(), view);
        window.openRunDatabase(db);
        window.replayRun(run);
        QCOMPARE(view->runId(), run);
        QCOMPARE(view->databasePath(), db);
        QVERIFY(view->routeArguments().join(' ').startsWith(
            QStringLiteral("route --run %1 --db %2").arg(run).arg(db)));
    }
};

AUTOMOE_TEST_MAIN(TestRoutingView)
#include "tst_routing_view.moc"
