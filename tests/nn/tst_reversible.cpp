// Multi-split reversible layers (issue 13's first block): the inverse reconstructs the input to float
// precision for 2, 3 and 4 parts; back-propagation with reconstruction (reversibleSequence) gives the
// gradients of ordinary autograd for the input, the branch weights, architecture weights alpha and a captured
// encoder memory (a decoder layer's extra part); bad shapes are refused by name.
#include "nn/Reversible.h"

#include "TestMain.h"
#include <QtTest/QtTest>

using namespace automoe;

namespace {

// Branches of one layer: part k's G_k = softmax(alpha_k) . [tanh(W_k z + b_k), sin z] with z the sum of the
// other parts, i.e. a two-candidate mixed operation as in DARTS; both candidates are bounded, as the
// LayerNorm-wrapped candidates of the search are, so the state grows additively with depth, not
// geometrically. The last part may also read a captured memory [B, S, w] (mean over S), as a decoder layer's
// encoder-decoder branch does.
struct TestLayer {
    std::vector<torch::Tensor> weights, biases, alphas;
    std::unique_ptr<ReversibleLayer> layer;

    TestLayer(int64_t parts, int64_t partWidth, const torch::Tensor* memory) {
        std::vector<ReversibleLayer::Branch> branches;
        for (int64_t k = 0; k < parts; ++k) {
            weights.push_back(
                (torch::randn({partWidth, partWidth}) / std::sqrt(double(partWidth))).requires_grad_());
            biases.push_back((torch::randn({partWidth}) * 0.1).requires_grad_());
            alphas.push_back(torch::randn({2}).requires_grad_());
            const bool readsMemory = memory && k == parts - 1;
            branches.push_back([this, k, readsMemory, memory](const std::vector<torch::Tensor>& others) {
                auto z = fuseBySum(others);
                if (readsMemory) z = z + memory->mean(1, /*keepdim=*/true);
                const auto a = torch::softmax(alphas[size_t(k)], 0);
                return a[0] * torch::tanh(
                                  torch::nn::functional::linear(z, weights[size_t(k)], biases[size_t(k)])) +
                       a[1] * torch::sin(z);
            });
        }
        layer = std::make_unique<ReversibleLayer>(std::vector<int64_t>(size_t(parts), partWidth), branches);
    }

    std::vector<torch::Tensor> parameters() const {
        std::vector<torch::Tensor> p(weights);
        p.insert(p.end(), biases.begin(), biases.end());
        p.insert(p.end(), alphas.begin(), alphas.end());
        return p;
    }
};

double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
}

} // namespace

class TestReversible : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::manual_seed(13); }

    void invertsToFloatPrecision_data() {
        QTest::addColumn<qint64>("parts");
        QTest::newRow("n = 2") << qint64(2);
        QTest::newRow("n = 3") << qint64(3);
        QTest::newRow("n = 4") << qint64(4);
    }

    void invertsToFloatPrecision() {
        QFETCH(qint64, parts);
        const int64_t w = 8;
        std::vector<std::unique_ptr<TestLayer>> layers;
        for (int i = 0; i < 6; ++i)
            layers.push_back(std::make_unique<TestLayer>(parts, w, nullptr));
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({5, 7, parts * w});
        // One layer, then six layers deep.
        const double one =
            (layers[0]->layer->inverse(layers[0]->layer->forward(x)) - x).abs().max().item<double>();
        torch::Tensor h = x;
        for (auto& l : layers)
            h = l->layer->forward(h);
        QVERIFY(h.sub(x).abs().max().item<double>() > 0.1); // the layers do change the state
        for (size_t i = layers.size(); i-- > 0;)
            h = layers[i]->layer->inverse(h);
        const double six = (h - x).abs().max().item<double>();
        qInfo("n = %lld: max abs reconstruction error %.2e (one layer), %.2e (six layers)", (long long)parts,
              one, six);
        QVERIFY2(one < 1e-5, qPrintable(QString::number(one)));
        QVERIFY2(six < 1e-4, qPrintable(QString::number(six)));
    }

    void gradientsMatchAutograd_data() {
        QTest::addColumn<qint64>("parts");
        QTest::addColumn<bool>("memory");
        QTest::newRow("encoder, n = 2") << qint64(2) << false;
        QTest::newRow("encoder, n = 3") << qint64(3) << false;
        QTest::newRow("encoder, n = 4") << qint64(4) << false;
        QTest::newRow("decoder, n = 2 + 1") << qint64(3) << true;
    }

    void gradientsMatchAutograd() {
        QFETCH(qint64, parts);
        QFETCH(bool, memory);
        const int64_t w = 6;
        auto mem = (torch::randn({3, 9, w})).requires_grad_();
        std::vector<std::unique_ptr<TestLayer>> layers;
        std::vector<const ReversibleLayer*> stack;
        std::vector<torch::Tensor> params;
        for (int i = 0; i < 4; ++i) {
            layers.push_back(std::make_unique<TestLayer>(parts, w, memory ? &mem : nullptr));
            stack.push_back(layers.back()->layer.get());
            for (auto& p : layers.back()->parameters())
                params.push_back(p);
        }
        if (memory) params.push_back(mem);
        const auto x0 = torch::randn({3, 5, parts * w});
        const auto r = torch::randn({3, 5, parts * w});

        // Ordinary autograd through the same layers.
        auto xa = x0.clone().requires_grad_();
        torch::Tensor h = xa;
        for (const auto* l : stack)
            h = l->forward(h);
        const auto reference = torch::autograd::grad({(h * r).sum()}, [&] {
            std::vector<torch::Tensor> in{xa};
            in.insert(in.end(), params.begin(), params.end());
            return in;
        }());

        // Back-propagation with reconstruction.
        auto xb = x0.clone().requires_grad_();
        const auto out = reversibleSequence(stack, xb, params);
        QVERIFY(relativeError(out.detach(), h.detach()) < 1e-6);
        const auto rev = torch::autograd::grad({(out * r).sum()}, [&] {
            std::vector<torch::Tensor> in{xb};
            in.insert(in.end(), params.begin(), params.end());
            return in;
        }());
        double worst = 0;
        for (size_t i = 0; i < reference.size(); ++i) {
            QVERIFY2(rev[i].defined(), qPrintable(QString("gradient %1 missing").arg(i)));
            worst = std::max(worst, relativeError(rev[i], reference[i]));
        }
        qInfo("largest relative gradient error over input, %zu weights/alphas%s: %.2e", params.size(),
              memory ? " and memory" : "", worst);
        QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));

        // The same gradients added to the leaves' .grad during the backward (what the search uses), with a
        // gradient already there: it is added to, not replaced.
        for (auto& p : params)
            p.mutable_grad() = torch::ones_like(p);
        auto xc = x0.clone().requires_grad_();
        (reversibleSequence(stack, xc, params, CapturedGradients::IntoLeafGrads) * r).sum().backward();
        double worstLeaf = relativeError(xc.grad(), reference[0]);
        for (size_t i = 0; i < params.size(); ++i)
            worstLeaf = std::max(worstLeaf, relativeError(params[i].grad() - 1, reference[i + 1]));
        QVERIFY2(worstLeaf < 1e-4, qPrintable(QString::number(worstLeaf)));
    }

    void badShapesAreRefused() {
        auto identity = [](const std::vector<torch::Tensor>& o) { return fuseBySum(o); };
        try {
            ReversibleLayer({8}, {identity});
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("at least 2 parts"), e.what());
        }
        try {
            ReversibleLayer({4, 4}, {identity});
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("1 branches for 2 parts"), e.what());
        }
        const ReversibleLayer layer({4, 4}, {identity, identity});
        try {
            layer.forward(torch::zeros({2, 6}));
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("input width 6, layer width 8"), e.what());
        }
    }
};

AUTOMOE_TEST_MAIN(TestReversible)
#include "tst_reversible.moc"
