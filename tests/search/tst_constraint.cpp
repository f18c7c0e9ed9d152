// Pins the budget strings of a search: the forms accepted (units, "<" and "<=", measured or predicted
// latency), the error text of malformed ones, and how several constraints judge a candidate's costs.
#include "search/Constraint.h"
#include "search/SearchError.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <cmath>

using namespace automoe;

Q_DECLARE_METATYPE(automoe::CostMetric)

class TestConstraint : public QObject {
    Q_OBJECT

private slots:
    void validBudgets_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("predicted");
        QTest::addColumn<CostMetric>("metric");
        QTest::addColumn<double>("limit");
        QTest::addColumn<bool>("strict");
        QTest::newRow("flops G") << "flops<=1.2G" << false << CostMetric::Flops << 1.2e9 << false;
        QTest::newRow("flops exponent") << "flops<=1.2e9" << false << CostMetric::Flops << 1.2e9 << false;
        QTest::newRow("flops strict M") << "flops < 500M" << false << CostMetric::Flops << 5e8 << true;
        QTest::newRow("spaces and case") << "  FLOPs <= 2 G " << false << CostMetric::Flops << 2e9 << false;
        QTest::newRow("flops plain") << "flops<=123456" << false << CostMetric::Flops << 123456.0 << false;
        QTest::newRow("latency ms") << "latency<=40ms" << false << CostMetric::LatencyMeasured << 40.0
                                    << false;
        QTest::newRow("latency s") << "latency<=0.04s" << false << CostMetric::LatencyMeasured << 40.0
                                   << false;
        QTest::newRow("latency us") << "latency<250us" << false << CostMetric::LatencyMeasured << 0.25
                                    << true;
        QTest::newRow("latency predicted")
            << "latency<=40ms" << true << CostMetric::LatencyPredicted << 40.0 << false;
        QTest::newRow("explicit predicted")
            << "predicted_latency<=5ms" << false << CostMetric::LatencyPredicted << 5.0 << false;
        QTest::newRow("explicit measured")
            << "measured_latency<=5ms" << true << CostMetric::LatencyMeasured << 5.0 << false;
        QTest::newRow("params M") << "params<=10M" << false << CostMetric::ParamsActive << 1e7 << false;
        QTest::newRow("params K strict")
            << "params<10.5K" << false << CostMetric::ParamsActive << 10500.0 << true;
        QTest::newRow("params B") << "params_active<=1B" << false << CostMetric::ParamsActive << 1e9 << false;
    }

    void validBudgets() {
        QFETCH(QString, text);
        QFETCH(bool, predicted);
        QFETCH(CostMetric, metric);
        QFETCH(double, limit);
        QFETCH(bool, strict);
        const Constraint c = parseConstraint(text.toStdString(), predicted);
        QCOMPARE(c.metric, metric);
        QVERIFY2(std::fabs(c.limit - limit) <= 1e-12 * limit, std::to_string(c.limit).c_str());
        QCOMPARE(c.strict, strict);
        QCOMPARE(c.text, text.toStdString());
        // The canonical text reads back to the same budget.
        QCOMPARE(parseConstraint(c.toString()), c);
    }

    void malformedBudgetsSayWhatIsExpected_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("lower bound") << "flops>=1G"
                                     << "only upper bounds are supported";
        QTest::newRow("equality") << "flops=1G"
                                  << "only upper bounds are supported";
        QTest::newRow("no operator") << "flops1G"
                                     << "has no comparison \"<=\" or \"<\"";
        QTest::newRow("no metric") << "<=1G"
                                   << "names no metric";
        QTest::newRow("unknown metric") << "speed<=1G"
                                        << "unknown metric \"speed\"";
        QTest::newRow("no value") << "flops<="
                                  << "has no value after the comparison";
        QTest::newRow("not a number") << "flops<=abc"
                                      << "\"abc\" is not a number";
        QTest::newRow("double operator") << "flops<==1G"
                                         << "\"=1G\" is not a number";
        QTest::newRow("unknown unit") << "flops<=1.2X"
                                      << "unknown unit \"X\", expected no unit or one of K, M, G, T";
        QTest::newRow("latency without unit") << "latency<=40"
                                              << "the value has no unit, expected a time unit";
        QTest::newRow("latency with G") << "latency<=40G"
                                        << "unknown unit \"G\", expected a time unit: us, ms or s";
        QTest::newRow("params ms") << "params<=3ms"
                                   << "unknown unit \"ms\"";
        QTest::newRow("zero") << "params<=0"
                              << "must be a positive finite number";
        QTest::newRow("negative") << "flops<=-1G"
                                  << "must be a positive finite number";
        QTest::newRow("empty") << "   "
                               << "is empty";
    }

    void malformedBudgetsSayWhatIsExpected() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        try {
            parseConstraint(text.toStdString());
            QFAIL("no error");
        } catch (const SearchError& e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.startsWith("constraint \"" + text + "\": "), e.what());
            QVERIFY2(what.contains(message), e.what());
            QVERIFY2(what.contains("e.g. \"flops<=1.2G\""), e.what());
        }
    }

    void severalBudgetsAllMustHold() {
        const auto cs = parseConstraints("flops<=1G, params<10M; latency<=20ms", true);
        QCOMPARE(cs.size(), std::size_t{3});
        QCOMPARE(cs[2].metric, CostMetric::LatencyPredicted);
        QVERIFY(parseConstraints("").empty());
        QVERIFY(parseConstraints("flops<=1G,").size() == 1);
        QVERIFY_THROWS_EXCEPTION(SearchError, parseConstraints("flops<=1G,,params<=1M"));

        CandidateCosts c;
        c.flops = 1e9;
        c.paramsActive = 9'999'999;
        c.predictedLatencyMs = 20.0;
        QVERIFY(satisfiesAll(cs, c));
        c.paramsActive = 10'000'000; // "<" excludes the limit itself
        QCOMPARE(firstViolated(cs, c), &cs[1]);
        c.paramsActive = 1;
        c.flops = 1e9 + 1;
        QCOMPARE(firstViolated(cs, c), &cs[0]);
        QVERIFY(satisfiesAll({}, c));
    }

    void missingLatencyIsAnErrorNotAPass() {
        const Constraint c = parseConstraint("latency<=40ms");
        CandidateCosts costs;
        costs.predictedLatencyMs = 1.0; // predicted, but the budget is on measured latency
        try {
            c.satisfiedBy(costs);
            QFAIL("no error");
        } catch (const SearchError& e) {
            QVERIFY2(QString(e.what()).contains("needs measured latency but the evaluator supplies none"),
                     e.what());
            QVERIFY2(QString(e.what()).contains("latency<=40ms"), e.what());
        }
    }

    void describeForPeople() {
        QCOMPARE(parseConstraint("flops<=1.2G").describe(), std::string("flops <= 1.20 G"));
        QCOMPARE(parseConstraint("latency<0.04s").describe(), std::string("latency < 40.00 ms"));
        QCOMPARE(costMetricFromString("latency", true), CostMetric::LatencyPredicted);
        QVERIFY_THROWS_EXCEPTION(SearchError, costMetricFromString("speed"));
    }
};

AUTOMOE_TEST_MAIN(TestConstraint)
#include "tst_constraint.moc"
