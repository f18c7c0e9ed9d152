// Data-parallel supernet training on two ranks over 127.0.0.1 (c10d TCPStore + ProcessGroupGloo), each on a
// thread of this process with one intra-op thread: after N updates both ranks hold bit-identical weights,
// equal within 1e-5 (relative) to one process trained on the same batches; a rank started with another
// configuration is refused at the rendezvous with a message naming the field; the launch convention's
// environment is read and checked.
#include "../train/TrainTestSupport.h"
#include "dist/ProcessGroupCollective.h"
#include "train/DataParallel.h"
#include "train/Trainer.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <array>
#include <cstdlib>
#include <functional>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace automoe;
using namespace automoe::nntest;
using namespace automoe::traintest;

namespace {

int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

LaunchEnv localEnv(int rank, int port) {
    LaunchEnv e;
    e.worldSize = 2;
    e.rank = rank;
    e.masterAddr = "127.0.0.1";
    e.masterPort = port;
    return e;
}

// Runs f(rank) for ranks 0 and 1 on two threads; returns each one's exception text ("" when none).
std::array<std::string, 2> onTwoRanks(const std::function<void(int)>& f) {
    std::array<std::string, 2> errors;
    std::vector<std::thread> threads;
    for (int r = 0; r < 2; ++r)
        threads.emplace_back([&, r] {
            try {
                torch::set_num_threads(1); // per thread (OpenMP): the one-process reference uses one too
                f(r);
            } catch (const std::exception& e) {
                errors[size_t(r)] = e.what();
            }
        });
    for (auto& t : threads)
        t.join();
    return errors;
}

// max over tensors of |a - b| / |b| (L2 norms), and the tensor's name. The attention's key biases are left
// out: their gradient is zero in exact arithmetic (softmax ignores a constant added to every key's score), so
// what they get is rounding noise, which Adam turns into steps of about the learning rate whatever its size;
// any change of summation order moves them by that much.
std::pair<double, std::string> relativeDifference(const SuperTransformer& a, const SuperTransformer& b) {
    double worst = 0;
    std::string name;
    const auto pa = a->named_parameters(), pb = b->named_parameters();
    for (const auto& item : pa) {
        if (item.key().find("k_proj.bias") != std::string::npos) continue;
        const torch::Tensor& ref = pb[item.key()];
        const double rel =
            (item.value() - ref).norm().item<double>() / std::max(ref.norm().item<double>(), 1e-12);
        if (rel > worst) {
            worst = rel;
            name = item.key() + " (norm " + std::to_string(ref.norm().item<double>()) + ")";
        }
    }
    return {worst, name};
}

} // namespace

class TestDataParallel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void shardsSplitTheBatchBySentences() {
        Batch b;
        b.indices = {10, 11, 12, 13, 14};
        QCOMPARE(shardRows(b, 0, 2), (std::vector<std::size_t>{10, 11}));
        QCOMPARE(shardRows(b, 1, 2), (std::vector<std::size_t>{12, 13, 14}));
        QCOMPARE(shardRows(b, 0, 1), b.indices);
        b.indices = {7};
        QVERIFY(shardRows(b, 0, 2).empty()); // B < W: rank 0 has nothing to train on
        QCOMPARE(shardRows(b, 1, 2), (std::vector<std::size_t>{7}));
    }

    // Rows: the reversal task in batches of ~10 sentences, with and without the load-balancing loss (which
    // is computed per shard, so only without it is the one-process run the exact reference), and in batches
    // of one sentence (rank 0's shard is then empty); and with the sandwich rule (three subnets per update).
    void twoRanksMatchOneProcess_data() {
        QTest::addColumn<double>("balanceWeight");
        QTest::addColumn<int>("maxTokens");
        QTest::addColumn<bool>("exactReference");
        QTest::addColumn<bool>("sandwich");
        QTest::newRow("no balance loss") << 0.0 << 120 << true << false;
        QTest::newRow("balance loss 0.01") << 0.01 << 120 << false << false;
        QTest::newRow("one sentence per batch") << 0.0 << 12 << true << false;
        QTest::newRow("sandwich rule") << 0.0 << 120 << true << true;
    }

    void twoRanksMatchOneProcess() {
        QFETCH(double, balanceWeight);
        QFETCH(int, maxTokens);
        QFETCH(bool, exactReference);
        QFETCH(bool, sandwich);
        constexpr int kUpdates = 6;
        const auto train = reversalSet(200, 1);
        TrainerOptions o = testOptions(sandwich ? SubnetSampling::Sandwich : SubnetSampling::Random);
        o.balanceLossWeight = balanceWeight;
        o.maxTokens = maxTokens;

        torch::manual_seed(3);
        Trainer one(SuperTransformer(smallConfig(0.0)), smallSpace(), train, train, o);
        std::vector<UpdateResult> oneSteps;
        for (int i = 0; i < kUpdates; ++i)
            oneSteps.push_back(one.step());

        // Rank 1 starts from other weights: rank 0's are broadcast when its trainer starts.
        std::array<SuperTransformer, 2> models{nullptr, nullptr};
        torch::manual_seed(3);
        models[0] = SuperTransformer(smallConfig(0.0));
        torch::manual_seed(99);
        models[1] = SuperTransformer(smallConfig(0.0));
        std::array<std::vector<UpdateResult>, 2> steps;
        std::array<double, 2> allreduceMs{};
        const int port = freePort();
        const auto errors = onTwoRanks([&](int rank) {
            auto collective =
                ProcessGroupCollective::join(localEnv(rank, port), {{"test", 1}}, std::chrono::seconds(60));
            TrainerOptions ro = o;
            ro.dataParallel = std::make_shared<DataParallel>(collective);
            Trainer t(models[size_t(rank)], smallSpace(), train, train, ro);
            for (int i = 0; i < kUpdates; ++i)
                steps[size_t(rank)].push_back(t.step());
            allreduceMs[size_t(rank)] = ro.dataParallel->times().allreduceMs;
        });
        QVERIFY2(errors[0].empty(), errors[0].c_str());
        QVERIFY2(errors[1].empty(), errors[1].c_str());

        const auto p0 = models[0]->parameters(), p1 = models[1]->parameters(),
                   pOne = one.model()->parameters();
        for (size_t i = 0; i < p0.size(); ++i)
            QVERIFY2(torch::equal(p0[i], p1[i]), qPrintable(QString("parameter %1 differs").arg(i)));
        const auto [rel, worstName] = relativeDifference(models[0], one.model());
        qInfo("largest relative difference to one process: %.3g in %s (all-reduce %.1f ms in %d updates)",
              rel, worstName.c_str(), allreduceMs[0], kUpdates);
        for (int i = 0; i < kUpdates; ++i) {
            const UpdateResult &a = steps[0][size_t(i)], &b = steps[1][size_t(i)], &ref = oneSteps[size_t(i)];
            QCOMPARE(a.arch.key(), ref.arch.key()); // the same subnet on every rank and in one process
            QCOMPARE(b.arch.key(), ref.arch.key());
            QCOMPARE(a.tokens, ref.tokens); // the update's summed tokens
            // Every rank's share, gathered with the figures: the same on both ranks, tokens summing to the
            // update's; none in one process.
            QCOMPARE(int(a.ranks.size()), 2);
            QCOMPARE(a.ranks[0].tokens + a.ranks[1].tokens, a.tokens);
            QCOMPARE(b.ranks[1].tokens, a.ranks[1].tokens);
            QCOMPARE(b.ranks[0].busyMs, a.ranks[0].busyMs);
            QVERIFY(a.ranks[1].busyMs > 0);
            QVERIFY(ref.ranks.empty());
            QCOMPARE(a.loss, b.loss);
            QCOMPARE(a.gradNorm, b.gradNorm);
            if (exactReference) {
                QVERIFY2(
                    std::abs(a.loss - ref.loss) <= 1e-5 * ref.loss,
                    qPrintable(QString("update %1: loss %2 vs %3").arg(i + 1).arg(a.loss).arg(ref.loss)));
                QVERIFY2(std::abs(a.nll - ref.nll) <= 1e-5 * ref.nll, qPrintable(QString::number(a.nll)));
            }
        }
        if (exactReference)
            QVERIFY2(rel <= 1e-5, qPrintable(QString::number(rel)));
        else
            QVERIFY2(rel > 0 && rel < 1e-2, qPrintable(QString::number(rel))); // per-shard balance loss
    }

    void mismatchingConfigurationRefused() {
        const int port = freePort();
        const auto errors = onTwoRanks([&](int rank) {
            const nlohmann::json config = {{"corpus", "sample"}, {"trainer", {{"seed", rank == 0 ? 1 : 2}}}};
            ProcessGroupCollective::join(localEnv(rank, port), config, std::chrono::seconds(60));
        });
        const std::string expected =
            "rank 1 refused at rendezvous: its configuration differs from rank 0's: trainer.seed: 2 vs 1";
        QCOMPARE(errors[1], expected);
        QCOMPARE(errors[0], expected); // rank 0 fails with the same message
    }

    void launchConventionFromEnvironment() {
        ::setenv("WORLD_SIZE", "4", 1);
        ::setenv("RANK", "3", 1);
        ::setenv("LOCAL_RANK", "1", 1);
        ::setenv("MASTER_ADDR", "node7", 1);
        ::setenv("MASTER_PORT", "29600", 1);
        ::setenv("LOCAL_WORLD_SIZE", "2", 1);
        LaunchEnv e = LaunchEnv::fromEnvironment();
        QCOMPARE(e.worldSize, 4);
        QCOMPARE(e.rank, 3);
        QCOMPARE(e.localRank, 1);
        QCOMPARE(e.masterAddr, std::string("node7"));
        QCOMPARE(e.masterPort, 29600);
        QCOMPARE(e.localWorldSize, 2);
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        QCOMPARE(e.defaultThreads(), std::max(1, cores / 2)); // the machine's cores shared by its 2 ranks
        e.setMaster("10.0.0.2:1234");
        QCOMPARE(e.masterAddr, std::string("10.0.0.2"));
        QCOMPARE(e.masterPort, 1234);
        ::setenv("RANK", "x1", 1);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LaunchEnv::fromEnvironment());
        try {
            LaunchEnv::fromEnvironment();
        } catch (const std::invalid_argument& ex) {
            QCOMPARE(std::string(ex.what()),
                     std::string("RANK=x1: expected a whole number from 0 to 1048575"));
        }
        ::setenv("RANK", "4", 1);
        try {
            LaunchEnv::fromEnvironment().validate();
            QFAIL("rank 4 of 4 accepted");
        } catch (const std::invalid_argument& ex) {
            QCOMPARE(std::string(ex.what()), std::string("rank 4 is outside 0..3 (world size 4)"));
        }
        for (const char* v :
             {"WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "LOCAL_WORLD_SIZE"})
            ::unsetenv(v);
        QCOMPARE(LaunchEnv::fromEnvironment().worldSize, 1);
    }
};

AUTOMOE_TEST_MAIN(TestDataParallel)
#include "tst_data_parallel.moc"
