// The training step's fused parts (issue 19) against the torch compositions they replace: the label-smoothed
// loss (value and gradients, on logits and from hidden states with padding), the counter-based dropout
// (rate, scaling, reproducibility, independence of the thread count, gradient), Adam in one pass with
// clipping folded in, and a 50-update training run against a reference loop written with torch's own loss,
// clip_grad_norm_ and torch::optim::Adam. Also the step profiler: nested regions are exclusive, backward
// nodes are charged to the region that created them.
#include "TrainTestSupport.h"
#include "bench/StepProfiler.h"
#include "nn/Dropout.h"
#include "nn/ProfileScope.h"
#include "train/FusedAdam.h"
#include "train/LabelSmoothedLoss.h"
#include "train/LrSchedule.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <chrono>
#include <cmath>

using namespace automoe;
using namespace automoe::nntest;
using namespace automoe::traintest;

namespace {

// The label-smoothed loss as it was computed before it was fused (fairseq's formula in torch ops).
SmoothedLoss compositeLoss(const torch::Tensor& logits, const torch::Tensor& target, double epsilon,
                           int64_t padIndex) {
    const int64_t V = logits.size(-1);
    auto flatTarget = target.reshape({-1});
    auto keep = flatTarget.ne(padIndex).nonzero().squeeze(1);
    auto rows = logits.reshape({-1, V}).index_select(0, keep);
    auto tgt = flatTarget.index_select(0, keep);
    auto lprobs = torch::log_softmax(rows, -1);
    auto nll = -lprobs.gather(1, tgt.unsqueeze(1)).squeeze(1);
    auto smooth = -lprobs.sum(-1);
    const double epsI = epsilon / double(V - 1);
    SmoothedLoss out;
    out.loss = ((1.0 - epsilon - epsI) * nll + epsI * smooth).sum();
    out.nll = nll.sum().detach();
    out.tokens = keep.size(0);
    return out;
}

double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
}

} // namespace

class TestTrainKernels : public QObject {
    Q_OBJECT
private slots:
    void fusedLossMatchesComposite_data() {
        QTest::addColumn<double>("epsilon");
        QTest::addColumn<bool>("padding");
        QTest::addColumn<qint64>("vocab");
        QTest::newRow("eps 0.1, padding") << 0.1 << true << qint64(50);
        QTest::newRow("eps 0.1, no padding") << 0.1 << false << qint64(50);
        QTest::newRow("eps 0, padding") << 0.0 << true << qint64(50);
        // More rows than one block of the fused loop (2^21 / V rows), so that block edges are crossed.
        QTest::newRow("eps 0.1, several blocks") << 0.1 << true << qint64(8000);
    }

    void fusedLossMatchesComposite() {
        QFETCH(double, epsilon);
        QFETCH(bool, padding);
        QFETCH(qint64, vocab);
        torch::manual_seed(4);
        const int64_t B = vocab > 1000 ? 24 : 4, T = vocab > 1000 ? 30 : 7;
        auto target = torch::randint(2, vocab, {B, T}, torch::kLong);
        if (padding) target.narrow(1, T - 3, 3).narrow(0, 0, B / 2).fill_(1);
        auto a = (torch::randn({B, T, vocab}) * 3).requires_grad_();
        auto b = a.detach().clone().requires_grad_();
        // The composition in double precision is the reference; the composition in float is what the fused
        // loss replaced, and it may not be more accurate than that.
        auto exact = a.detach().to(torch::kDouble).requires_grad_();
        const SmoothedLoss fused = labelSmoothedCrossEntropy(a, target, epsilon, 1);
        const SmoothedLoss before = compositeLoss(b, target, epsilon, 1);
        const SmoothedLoss ref = compositeLoss(exact, target, epsilon, 1);
        QCOMPARE(fused.tokens, ref.tokens);
        QVERIFY(std::abs(fused.loss.item<double>() / ref.loss.item<double>() - 1) < 1e-6);
        QVERIFY(std::abs(fused.nll.item<double>() / ref.nll.item<double>() - 1) < 1e-6);
        (fused.loss * 0.37).backward();
        (before.loss * 0.37).backward();
        (ref.loss * 0.37).backward();
        const double err = relativeError(a.grad().to(torch::kDouble), exact.grad());
        const double errBefore = relativeError(b.grad().to(torch::kDouble), exact.grad());
        qInfo("gradient: max error relative to the largest, fused %.2e, torch composition in float %.2e", err,
              errBefore);
        QVERIFY2(err < 1e-5 && err <= 2 * errBefore + 1e-7,
                 qPrintable(QString("%1 vs %2").arg(err).arg(errBefore)));
        // Padded positions get no gradient.
        if (padding)
            QCOMPARE(a.grad().narrow(1, T - 1, 1).narrow(0, 0, B / 2).abs().max().item<float>(), 0.0f);
    }

    void lossFromHiddenProjectsRealRowsOnly() {
        // hidden -> (real rows) -> tied output layer -> loss equals projecting every row and dropping pads
        // after.
        torch::manual_seed(5);
        const int64_t B = 3, T = 5, e = 8, V = 20;
        auto weightA = torch::randn({V, e}).requires_grad_();
        auto weightB = weightA.detach().clone().requires_grad_();
        auto hiddenA = torch::randn({B, T, e}).requires_grad_();
        auto hiddenB = hiddenA.detach().clone().requires_grad_();
        auto target = torch::randint(2, V, {B, T}, torch::kLong);
        target[0][4] = 1;
        target[2][3] = 1;
        target[2][4] = 1;
        int64_t projectedRows = 0;
        const SmoothedLoss fused = labelSmoothedCrossEntropyOfHidden(
            hiddenA,
            [&](const torch::Tensor& h) {
                projectedRows = h.size(0);
                return torch::linear(h, weightA);
            },
            target, 0.1, 1);
        QCOMPARE(projectedRows, int64_t(B * T - 3));
        const SmoothedLoss ref = compositeLoss(torch::linear(hiddenB, weightB), target, 0.1, 1);
        QVERIFY(std::abs(fused.loss.item<double>() - ref.loss.item<double>()) < 1e-5);
        fused.loss.backward();
        ref.loss.backward();
        QVERIFY(relativeError(hiddenA.grad(), hiddenB.grad()) < 1e-5);
        QVERIFY(relativeError(weightA.grad(), weightB.grad()) < 1e-5);
    }

    void dropoutRateAndScale_data() {
        QTest::addColumn<double>("p");
        QTest::newRow("0.1") << 0.1;
        QTest::newRow("0.3") << 0.3;
        QTest::newRow("0.5") << 0.5;
    }

    void dropoutRateAndScale() {
        QFETCH(double, p);
        torch::manual_seed(1);
        const int64_t n = 1 << 20;
        auto x = torch::rand({n}) + 0.5; // no zeros, so a zero output means dropped
        auto y = applyDropout(x, p, true);
        const double dropped = y.eq(0).sum().item<double>() / double(n);
        const double sigma = std::sqrt(p * (1 - p) / double(n));
        qInfo("p %.2f: dropped %.5f (4 sigma = %.5f)", p, dropped, 4 * sigma);
        QVERIFY2(std::abs(dropped - p) < 4 * sigma, qPrintable(QString::number(dropped)));
        auto kept = y.ne(0);
        QVERIFY((y.masked_select(kept) - x.masked_select(kept) / (1 - p)).abs().max().item<float>() < 1e-6f);
        // Neighbouring elements are not correlated (two elements share a 64-bit hash).
        auto d = y.eq(0).to(torch::kFloat);
        const double both = (d.narrow(0, 0, n - 1) * d.narrow(0, 1, n - 1)).mean().item<double>();
        QVERIFY2(std::abs(both - p * p) < 6 * std::sqrt(p * p * (1 - p * p) / double(n)),
                 qPrintable(QString::number(both)));
    }

    void dropoutIsReproducibleAndThreadIndependent() {
        auto x = torch::randn({300, 257});
        const int threads = torch::get_num_threads();
        torch::manual_seed(9);
        auto a = applyDropout(x, 0.2, true);
        auto a2 = applyDropout(x, 0.2, true); // the next key: another mask
        torch::set_num_threads(1);
        torch::manual_seed(9);
        auto b = applyDropout(x, 0.2, true);
        torch::set_num_threads(threads);
        QVERIFY(torch::equal(a, b));
        QVERIFY(!torch::equal(a, a2));
        // Not training, or p = 0: the input itself.
        QVERIFY(applyDropout(x, 0.2, false).is_same(x));
        QVERIFY(applyDropout(x, 0.0, true).is_same(x));
    }

    void dropoutGradientIsTheMask() {
        torch::manual_seed(2);
        auto x = (torch::rand({64, 33}) + 0.5).requires_grad_();
        auto y = applyDropout(x, 0.25, true);
        auto g = torch::randn({64, 33});
        y.backward(g);
        auto expected = g * y.detach().ne(0).to(torch::kFloat) / 0.75;
        QVERIFY((x.grad() - expected).abs().max().item<float>() < 1e-6f);
    }

    void fusedAdamMatchesTorchAdam_data() {
        QTest::addColumn<double>("weightDecay");
        QTest::addColumn<double>("clip");
        QTest::newRow("plain") << 0.0 << 0.0;
        QTest::newRow("clipped") << 0.0 << 0.5;
        QTest::newRow("weight decay, clipped") << 0.01 << 0.5;
    }

    void fusedAdamMatchesTorchAdam() {
        QFETCH(double, weightDecay);
        QFETCH(double, clip);
        torch::manual_seed(3);
        std::vector<torch::Tensor> pa, pb;
        for (auto shape : {std::vector<int64_t>{40, 70}, {70}, {5, 5}, {100000}}) {
            pa.push_back(torch::randn(shape).requires_grad_());
            pb.push_back(pa.back().detach().clone().requires_grad_());
        }
        torch::optim::AdamOptions options(2e-3);
        options.betas({0.9, 0.98}).eps(1e-8).weight_decay(weightDecay);
        torch::optim::Adam fused(pa, options), reference(pb, options);
        for (int step = 0; step < 6; ++step) {
            for (size_t i = 0; i < pa.size(); ++i) {
                pa[i].mutable_grad().reset();
                pb[i].mutable_grad().reset();
                // Parameter 2 has a gradient only every other step (a layer outside the sampled subnet).
                if (i == 2 && step % 2 == 1) continue;
                auto g = torch::randn(pa[i].sizes()) * (step + 1);
                pa[i].mutable_grad() = g.clone();
                pb[i].mutable_grad() = g.clone();
            }
            const auto [norm, coef] = gradientNormAndClip(pa, clip);
            fusedAdamStep(fused, coef);
            if (clip > 0) {
                const double refNorm = torch::nn::utils::clip_grad_norm_(pb, clip);
                QVERIFY(std::abs(norm / refNorm - 1) < 1e-6);
            }
            reference.step();
            for (size_t i = 0; i < pa.size(); ++i) {
                const double err = relativeError(pa[i].detach(), pb[i].detach());
                QVERIFY2(err < 1e-6, qPrintable(QString("step %1 tensor %2: %3").arg(step).arg(i).arg(err)));
            }
        }
        // The state is torch's: torch's own step continues from it identically (fresh gradients: clipping
        // rewrote the reference's, the fused step only read them scaled).
        for (size_t i = 0; i < pa.size(); ++i) {
            auto g = torch::randn(pa[i].sizes());
            pa[i].mutable_grad() = g.clone();
            pb[i].mutable_grad() = g.clone();
        }
        fused.step();
        reference.step();
        for (size_t i = 0; i < pa.size(); ++i)
            QVERIFY(relativeError(pa[i].detach(), pb[i].detach()) < 1e-6);
    }

    void trainingMatchesTorchReference() {
        // 50 updates of the trainer (fused loss on real rows, fused Adam, clipping folded in) against a loop
        // written with torch's loss composition, clip_grad_norm_ and torch::optim::Adam on the same supernet,
        // batches and subnets, without dropout (whose generator changed on purpose). Losses agree to 1e-4.
        auto train = reversalSet(300, 1);
        auto valid = reversalSet(10, 2);
        TrainerOptions o = testOptions();
        o.clipNorm = 0.1; // small enough to clip
        o.balanceLossWeight = 0.01;
        torch::manual_seed(11);
        Trainer trainer(SuperTransformer(smallConfig(0.0)), smallSpace(), train, valid, o);
        torch::manual_seed(11);
        SuperTransformer model(smallConfig(0.0));
        model->train();
        torch::optim::AdamOptions adamOptions(o.lr.peak);
        adamOptions.betas({o.beta1, o.beta2}).eps(o.adamEps).weight_decay(o.weightDecay);
        torch::optim::Adam adam(model->parameters(), adamOptions);
        BatchStream stream(train, o.maxTokens, o.seed, o.ids);
        double worst = 0;
        for (int u = 1; u <= 50; ++u) {
            const UpdateResult r = trainer.step();
            const Batch batch = stream.next();
            for (auto& p : model->parameters())
                p.mutable_grad().reset();
            model->setArchitecture(r.arch);
            auto out = model->forward(batch.src, batch.tgtIn);
            auto ls = compositeLoss(out.logits, batch.tgtOut, o.labelSmoothing, kPad);
            const double n = double(ls.tokens);
            (ls.loss / n + o.balanceLossWeight * out.loadBalancingLoss).backward();
            std::vector<torch::Tensor> withGrad;
            for (auto& p : model->parameters())
                if (p.grad().defined()) withGrad.push_back(p);
            torch::nn::utils::clip_grad_norm_(withGrad, o.clipNorm);
            for (auto& group : adam.param_groups())
                static_cast<torch::optim::AdamOptions&>(group.options()).lr(lrAt(o.lr, u));
            adam.step();
            const double refLoss = ls.loss.item<double>() / n;
            worst = std::max(worst, std::abs(r.loss / refLoss - 1));
        }
        qInfo("50 updates: largest relative loss difference %.2e", worst);
        QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));
    }

    void profilerRegionsAreExclusive() {
        // Exclusive accounting: the regions' times add up to no more than the wall time around them. Were the
        // inner region also charged to the outer one, the sum would exceed it by the inner's eight products
        // (nearly all of it). No threshold on absolute times, so a busy machine cannot fail it.
        auto a = torch::randn({300, 300});
        auto warm = a.mm(a); // BLAS's first call outside the measurement
        StepProfiler profiler;
        const auto t0 = std::chrono::steady_clock::now();
        {
            ProfileScope outer("automoe::outer");
            auto x = a.mm(a);
            {
                ProfileScope inner("automoe::inner");
                for (int i = 0; i < 8; ++i)
                    x = x.mm(a);
            }
        }
        const double wall =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        const auto& r = profiler.regions();
        QVERIFY(r.count("outer") && r.count("inner"));
        const double sum = r.at("outer").forwardMs + r.at("inner").forwardMs;
        QVERIFY2(sum <= wall, qPrintable(QString("%1 of %2 ms").arg(sum).arg(wall)));
        QCOMPARE(r.at("inner").backwardMs, 0.0);
        // Ops by name: the nine products, exclusive of the regions.
        QVERIFY(profiler.ops().count("aten::mm"));
        QCOMPARE(profiler.ops().at("aten::mm").calls, int64_t(9));
        QVERIFY(!profiler.ops().count("automoe::inner"));
    }

    void profilerChargesBackwardToTheCreatingRegion() {
        torch::manual_seed(1);
        auto w = torch::randn({200, 200}).requires_grad_();
        auto x = torch::randn({200, 200});
        StepProfiler profiler;
        torch::Tensor y, z;
        {
            ProfileScope scope("automoe::big");
            y = x.mm(w).mm(w).mm(w);
        }
        {
            // Between the two, ops that create no autograd node: no backward time may land here.
            ProfileScope scope("automoe::constant");
            auto c = x.mm(x).sum();
        }
        {
            ProfileScope scope("automoe::small");
            z = y.sum();
        }
        {
            ProfileScope scope("automoe::backward");
            z.backward();
        }
        const auto& r = profiler.regions();
        QVERIFY(r.count("big") && r.count("small") && r.count("constant"));
        QVERIFY(r.at("big").backwardMs > 0);   // MmBackward0 x 3
        QVERIFY(r.at("small").backwardMs > 0); // SumBackward0
        QCOMPARE(r.at("constant").backwardMs, 0.0);
        QVERIFY(r.at("constant").forwardMs > 0);
        // The region around backward() is not a region of its own.
        QVERIFY(!r.count("backward"));
        // Three products, three backward nodes.
        QVERIFY(profiler.ops().count("MmBackward0"));
        QCOMPARE(profiler.ops().at("MmBackward0").calls, int64_t(3));
    }

    void profilerSeesATrainingStep() {
        auto train = reversalSet(100, 1);
        Trainer trainer(SuperTransformer(smallConfig()), smallSpace(), train, train, testOptions());
        trainer.step();
        StepProfiler profiler;
        const auto t0 = std::chrono::steady_clock::now();
        {
            ProfileScope scope("automoe::other"); // as the bench does: time between ops is the step's own
            trainer.step();
        }
        const double wall =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        const auto& r = profiler.regions();
        for (const char* region : {"attention projections", "expert FFNs", "output projection", "loss"}) {
            QVERIFY2(r.count(region), region);
            QVERIFY2(r.at(region).forwardMs > 0 && r.at(region).backwardMs > 0, region);
        }
        QVERIFY(r.count("optimizer") && r.at("optimizer").forwardMs > 0);
        double total = 0;
        for (const auto& [name, t] : r)
            total += t.forwardMs + t.backwardMs;
        // Exclusive times of nested frames add up to the outermost frame's time: all of the step.
        QVERIFY2(total <= wall && total > 0.9 * wall,
                 qPrintable(QString("%1 of %2 ms").arg(total).arg(wall)));
    }
};

AUTOMOE_TEST_MAIN(TestTrainKernels)
#include "tst_train_kernels.moc"
