// Pins the Pareto utilities on hand-computed point sets: the 2-D front (duplicates and ties included),
// the N-objective filter, the 2-D hypervolume, NSGA-II ranks, crowding distances and survivor selection.
#include "search/Pareto.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <cmath>
#include <limits>

using namespace automoe;

namespace {

using Indices = std::vector<std::size_t>;
const double kInf = std::numeric_limits<double>::infinity();

// (cost, fitness): 1 and 4 are duplicates; 2, 5 and 6 are dominated (5 and 6 only by a tie in one axis).
std::vector<ParetoPoint> handPoints() {
    return {{1, 5}, {2, 3}, {3, 4}, {4, 1}, {2, 3}, {5, 1}, {1, 6}};
}

// Fronts {0,1,2}, {3,4,6}, {5}.
std::vector<std::vector<double>> nsgaPoints() {
    return {{1, 5}, {2, 3}, {4, 1}, {3, 4}, {5, 2}, {6, 6}, {2, 6}};
}

} // namespace

class TestPareto : public QObject {
    Q_OBJECT

private slots:
    void dominanceNeedsOneStrictImprovement() {
        QVERIFY(dominates(ParetoPoint{1, 1}, ParetoPoint{1, 2}));
        QVERIFY(dominates(ParetoPoint{1, 1}, ParetoPoint{2, 1}));
        QVERIFY(!dominates(ParetoPoint{1, 1}, ParetoPoint{1, 1}));
        QVERIFY(!dominates(ParetoPoint{1, 2}, ParetoPoint{2, 1}));
        QVERIFY(dominates(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 4}));
        QVERIFY(!dominates(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 3}));
        QVERIFY(!dominates(std::vector<double>{0, 2, 3}, std::vector<double>{1, 1, 3}));
    }

    void frontKeepsDuplicatesAndDropsTies() {
        QCOMPARE(paretoFront(handPoints()), (Indices{0, 1, 4, 3}));
        QCOMPARE(paretoFront({}), Indices{});
        QCOMPARE(paretoFront({{3, 3}}), Indices{0});
        // Sorted by cost whatever the input order.
        QCOMPARE(paretoFront({{4, 1}, {1, 4}, {2, 2}}), (Indices{1, 2, 0}));
    }

    void frontAgreesWithTheNObjectiveFilter() {
        std::vector<std::vector<double>> asVectors;
        for (const ParetoPoint& p : handPoints())
            asVectors.push_back({p.cost, p.fitness});
        QCOMPARE(nonDominated(asVectors), (Indices{0, 1, 3, 4}));
        // Three objectives: 2 is dominated by 0; 3 duplicates 0.
        QCOMPARE(nonDominated({{1, 2, 3}, {2, 1, 3}, {2, 2, 3}, {1, 2, 3}, {0, 5, 5}}),
                 (Indices{0, 1, 3, 4}));
    }

    void hypervolumeOfHandMadeSets() {
        // Slabs from the reference (6, 7): [1,2) x 2 + [2,4) x 4 + [4,6) x 6 = 2 + 8 + 12.
        QCOMPARE(hypervolume2D(handPoints(), {6, 7}), 22.0);
        // A point on the reference's cost adds nothing: [1,2) x 2 + [2,4) x 4.
        QCOMPARE(hypervolume2D(handPoints(), {4, 7}), 10.0);
        QCOMPARE(hypervolume2D({{1, 1}}, {2, 2}), 1.0);
        QCOMPARE(hypervolume2D({{1, 1}, {1, 1}}, {2, 2}), 1.0);
        QCOMPARE(hypervolume2D({}, {2, 2}), 0.0);
        QCOMPARE(hypervolume2D({{3, 1}, {1, 3}}, {2, 2}), 0.0);
        // Dominated points change nothing.
        QCOMPARE(hypervolume2D({{0.5, 0.5}, {1, 1}, {0.75, 1.5}}, {2, 2}), 2.25);
    }

    void nsgaRanksOfHandExample() {
        const auto fronts = nonDominatedSort(nsgaPoints());
        QCOMPARE(fronts.size(), std::size_t{3});
        QCOMPARE(fronts[0], (Indices{0, 1, 2}));
        QCOMPARE(fronts[1], (Indices{3, 4, 6}));
        QCOMPARE(fronts[2], (Indices{5}));
        QCOMPARE(paretoRanks(nsgaPoints()), (std::vector<int>{0, 0, 0, 1, 1, 2, 1}));
        QVERIFY(nonDominatedSort({}).empty());
    }

    void crowdingDistanceOfHandExample() {
        // Cost range 3: (4-1)/3 = 1; fitness range 4: (5-1)/4 = 1.
        QCOMPARE(crowdingDistance(nsgaPoints(), {0, 1, 2}), (std::vector<double>{kInf, 2.0, kInf}));
        // Costs 1,2,3,5 (range 4) and fitnesses 4,3,2,1 (range 3):
        //   b = (3-1)/4 + (4-2)/3,  c = (5-2)/4 + (3-1)/3.
        const std::vector<std::vector<double>> line{{1, 4}, {2, 3}, {3, 2}, {5, 1}};
        const std::vector<double> d = crowdingDistance(line, {0, 1, 2, 3});
        QCOMPARE(d[0], kInf);
        QCOMPARE(d[3], kInf);
        QVERIFY(std::fabs(d[1] - (0.5 + 2.0 / 3.0)) < 1e-12);
        QVERIFY(std::fabs(d[2] - (0.75 + 2.0 / 3.0)) < 1e-12);
        // A flat objective adds nothing; small fronts are all boundary.
        QCOMPARE(crowdingDistance({{1, 1}, {1, 1}, {1, 1}}, {0, 1, 2}),
                 (std::vector<double>{kInf, 0.0, kInf}));
        QCOMPARE(crowdingDistance(line, {1, 2}), (std::vector<double>{kInf, kInf}));
    }

    void nsgaSelectionByRankThenCrowding() {
        QCOMPARE(selectNsga2(nsgaPoints(), 3), (Indices{0, 1, 2}));
        // The whole first front, then the less crowded end of the second (ties by index).
        QCOMPARE(selectNsga2(nsgaPoints(), 4), (Indices{0, 1, 2, 4}));
        // The first front is cut: its two ends survive.
        QCOMPARE(selectNsga2(nsgaPoints(), 2), (Indices{0, 2}));
        QCOMPARE(selectNsga2({{1, 4}, {2, 3}, {3, 2}, {5, 1}}, 3), (Indices{0, 3, 2}));
        QCOMPARE(selectNsga2(nsgaPoints(), 100).size(), std::size_t{7});
    }
};

AUTOMOE_TEST_MAIN(TestPareto)
#include "tst_pareto.moc"
