// Pins TrainingView: it plots exactly the rows it is given (loss, learning rate, tokens per second,
// validation by subnet), smooths the loss the same whether rows come in one batch or many, shows the latest
// routing snapshot per MoE layer, clears, and exports.
#include "ui/plots/TrainingView.h"

#include <qcustomplot.h>

#include "TestMain.h"
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <random>

using namespace automoe;
using namespace automoe::ui;

namespace {

std::vector<TrainingStepRow> steps(int count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<TrainingStepRow> rows;
    for (int i = 1; i <= count; ++i) {
        TrainingStepRow r;
        r.update = i;
        r.loss = 4 + 6 * std::exp(-i / 50.0) + 0.2 * u(rng);
        r.lr = 5e-4 * std::min(1.0, i / 20.0);
        r.tokens = 1000 + i;
        r.wallMs = i % 10 == 0 ? 0.0 : 200 + 100 * u(rng); // 0: no timing, no throughput point
        rows.push_back(r);
    }
    return rows;
}

} // namespace

class TestTrainingView : public QObject {
    Q_OBJECT

private slots:
    void plotsExactlyTheRowsGiven() {
        const auto rows = steps(120, 1);
        TrainingView view;
        view.addTrainingSteps(rows);
        const QVector<QPointF> loss = view.trainLoss(), lr = view.learningRate(),
                               tps = view.tokensPerSecond();
        QCOMPARE(loss.size(), 120);
        QCOMPARE(lr.size(), 120);
        QCOMPARE(tps.size(), 120 - 12);
        int t = 0;
        for (int i = 0; i < 120; ++i) {
            QCOMPARE(loss[i], QPointF(double(rows[std::size_t(i)].update), rows[std::size_t(i)].loss));
            QCOMPARE(lr[i], QPointF(double(rows[std::size_t(i)].update), rows[std::size_t(i)].lr));
            if (rows[std::size_t(i)].wallMs > 0) {
                QCOMPARE(tps[t].x(), double(rows[std::size_t(i)].update));
                QCOMPARE(tps[t].y(),
                         double(rows[std::size_t(i)].tokens) * 1000.0 / rows[std::size_t(i)].wallMs);
                ++t;
            }
        }
        QCOMPARE(view.smoothedTrainLoss().size(), 120);
        QCOMPARE(view.smoothedTrainLoss().first().y(), rows.front().loss); // debiased: starts at the data
    }

    void smoothingIsTheSameForOneBatchOrMany() {
        const auto rows = steps(200, 2);
        TrainingView once;
        once.addTrainingSteps(rows);
        TrainingView many;
        for (std::size_t i = 0; i < rows.size(); i += 7)
            many.addTrainingSteps(
                std::vector<TrainingStepRow>(rows.begin() + std::ptrdiff_t(i),
                                             rows.begin() + std::ptrdiff_t(std::min(rows.size(), i + 7))));
        QCOMPARE(many.trainLoss(), once.trainLoss());
        QCOMPARE(many.learningRate(), once.learningRate());
        QCOMPARE(many.tokensPerSecond(), once.tokensPerSecond());
        const auto a = many.smoothedTrainLoss(), b = once.smoothedTrainLoss();
        QCOMPARE(a.size(), b.size());
        for (int i = 0; i < a.size(); ++i)
            QVERIFY(qFuzzyCompare(a[i].y(), b[i].y()));

        // Hand-computed debiased moving average with weight 0.5 on losses 4, 2, 6.
        TrainingView small;
        small.setSmoothing(0.5);
        std::vector<TrainingStepRow> three(3);
        const double losses[] = {4, 2, 6};
        for (int i = 0; i < 3; ++i) {
            three[std::size_t(i)].update = i + 1;
            three[std::size_t(i)].loss = losses[i];
        }
        small.addTrainingSteps(three);
        const auto s = small.smoothedTrainLoss();
        QCOMPARE(s[0].y(), 4.0);
        QCOMPARE(s[1].y(), (0.25 * 4 + 0.5 * 2) / 0.75);
        QCOMPARE(s[2].y(), (0.125 * 4 + 0.25 * 2 + 0.5 * 6) / 0.875);
    }

    void validationsGoToTheirSubnet() {
        TrainingView view;
        view.addValidations({{100, "largest", 5.0, std::nullopt},
                             {100, "smallest", 5.6, std::nullopt},
                             {200, "largest", 4.5, 21.0},
                             {200, "enc512-L6-x3", 4.9, std::nullopt}});
        QCOMPARE(view.validationLoss("largest"), (QVector<QPointF>{{100, 5.0}, {200, 4.5}}));
        QCOMPARE(view.validationLoss("smallest"), (QVector<QPointF>{{100, 5.6}}));
        QCOMPARE(view.validationLoss("other"), (QVector<QPointF>{{200, 4.9}}));
    }

    void showsTheLatestRoutingPerLayer() {
        TrainingView view;
        QVERIFY(!view.routingUpdate());
        RoutingSnapshot first;
        first.update = 10;
        first.rows = {{"encoder", 0, 0, 0.5}, {"encoder", 0, 1, 0.5}};
        view.setRouting(first);
        RoutingSnapshot latest;
        latest.update = 20;
        latest.rows = {{"decoder", 1, 0, 0.2},
                       {"decoder", 1, 1, 0.3},
                       {"decoder", 1, 2, 0.5},
                       {"encoder", 2, 1, 0.75},
                       {"encoder", 2, 0, 0.25}};
        view.setRouting(latest);
        QCOMPARE(view.routingUpdate(), std::optional<std::int64_t>(20));
        const auto load = view.expertLoad();
        QCOMPARE(load.size(), std::size_t(2));
        QCOMPARE(load[0].stack, QString("encoder"));
        QCOMPARE(load[0].layer, 2);
        QCOMPARE(load[0].fractions, (std::vector<double>{0.25, 0.75}));
        QCOMPARE(load[1].stack, QString("decoder"));
        QCOMPARE(load[1].fractions, (std::vector<double>{0.2, 0.3, 0.5}));

        view.resize(1000, 640);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        // The stacked bars are drawn: the routing panel holds expert colours.
        const QImage image = view.plot()->toPixmap().toImage();
        const QColor expert0 = FigurePalette().expert(0);
        int hits = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = image.width() / 2; x < image.width(); x += 2)
                hits += image.pixelColor(x, y) == expert0;
        QVERIFY(hits > 50);
    }

    void clearEmptiesEveryPanel() {
        TrainingView view;
        view.addTrainingSteps(steps(30, 3));
        view.addValidations({{10, "largest", 5.0, std::nullopt}});
        RoutingSnapshot snap;
        snap.update = 30;
        snap.rows = {{"encoder", 0, 0, 1.0}};
        view.setRouting(snap);
        view.clear();
        QVERIFY(view.trainLoss().isEmpty());
        QVERIFY(view.smoothedTrainLoss().isEmpty());
        QVERIFY(view.tokensPerSecond().isEmpty());
        QVERIFY(view.validationLoss("largest").isEmpty());
        QVERIFY(view.expertLoad().empty());
        QVERIFY(!view.routingUpdate());
        // After clearing, a new run starts its average afresh.
        view.addTrainingSteps(steps(5, 4));
        QCOMPARE(view.smoothedTrainLoss().first().y(), view.trainLoss().first().y());
    }

    void exportsThePlot_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("magic");
        QTest::newRow("png") << "training.png" << QByteArray("\x89PNG");
        QTest::newRow("svg") << "training.svg" << QByteArray("<?xml");
        QTest::newRow("pdf") << "training.pdf" << QByteArray("%PDF");
    }

    void exportsThePlot() {
        QFETCH(QString, file);
        QFETCH(QByteArray, magic);
        QTemporaryDir dir;
        TrainingView view;
        view.resize(900, 600);
        view.addTrainingSteps(steps(300, 5));
        const QString path = dir.filePath(file);
        QString error;
        QVERIFY2(view.exportPlot(path, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.size() > 1000);
        QVERIFY2(bytes.startsWith(magic), bytes.left(16).constData());
    }
};

AUTOMOE_TEST_MAIN(TestTrainingView)
#include "tst_training_view.moc"
