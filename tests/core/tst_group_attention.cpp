// The sweep decode's attention operators (model/group_attention.h) against LibTorch's own
// products and softmax, at the project's head width (16 channels a head, the vectorised path)
// and at others (the general path), with row blocks, groups of several lengths, shared and
// per-configuration queries; and their refusals of inputs they cannot read.

#include "model/group_attention.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/torch.h>

#include <QTest>

#include <tuple>
#include <vector>

namespace {

using CrossAttention = std::tuple<at::Tensor, std::vector<at::Tensor>>(const at::Tensor &,
                                                                       const at::Tensor &,
                                                                       at::TensorList,
                                                                       at::TensorList,
                                                                       std::int64_t,
                                                                       std::int64_t,
                                                                       double);
using SelfAttention = at::Tensor(const at::Tensor &, std::int64_t, double);

c10::TypedOperatorHandle<CrossAttention> crossAttention()
{
    return c10::Dispatcher::singleton()
        .findSchemaOrThrow(grids::groupCrossAttentionOperator(), "")
        .typed<CrossAttention>();
}

c10::TypedOperatorHandle<SelfAttention> selfAttention()
{
    return c10::Dispatcher::singleton()
        .findSchemaOrThrow("grids::group_self_attention", "")
        .typed<SelfAttention>();
}

// softmax(q·kᵀ·scale)·v per head: q [Q, C], keys and values [T, C] -> (out [Q, C], weights
// [H, Q, T]).
std::pair<at::Tensor, at::Tensor> reference(const at::Tensor &q,
                                            const at::Tensor &keys,
                                            const at::Tensor &values,
                                            std::int64_t heads,
                                            double scale)
{
    const std::int64_t Q = q.size(0), T = keys.size(0), C = q.size(1), D = C / heads;
    const at::Tensor qh = q.reshape({Q, heads, D}).transpose(0, 1);
    const at::Tensor kh = keys.reshape({T, heads, D}).transpose(0, 1);
    const at::Tensor vh = values.reshape({T, heads, D}).transpose(0, 1);
    const at::Tensor weights = torch::softmax(torch::matmul(qh, kh.transpose(1, 2)) * scale, 2);
    return {torch::matmul(weights, vh).transpose(0, 1).reshape({Q, C}), weights};
}

} // namespace

class TestGroupAttention : public QObject
{
    Q_OBJECT

private slots:
    void selfAttentionIsSoftmaxAttentionPerConfigurationAndHead_data()
    {
        QTest::addColumn<int>("configurations");
        QTest::addColumn<int>("queries");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("heads");
        QTest::newRow("project's head: 16 a head") << 7 << 8 << 64 << 4;
        QTest::newRow("8 a head") << 3 << 5 << 24 << 3;
        QTest::newRow("10 a head, one query") << 2 << 1 << 20 << 2;
    }

    void selfAttentionIsSoftmaxAttentionPerConfigurationAndHead()
    {
        QFETCH(int, configurations);
        QFETCH(int, queries);
        QFETCH(int, channels);
        QFETCH(int, heads);
        torch::manual_seed(1);
        const at::Tensor qkv = torch::randn({configurations, queries, 3 * channels}) * 2;
        const double scale = 0.37;
        const at::Tensor out = selfAttention().call(qkv, heads, scale);
        QCOMPARE(out.sizes().vec(), std::vector<std::int64_t>({configurations, queries, channels}));
        for (int b = 0; b < configurations; ++b) {
            const at::Tensor rows = qkv[b];
            const auto [expected, weights] =
                reference(rows.narrow(1, 0, channels), rows.narrow(1, channels, channels),
                          rows.narrow(1, 2 * channels, channels), heads, scale);
            QVERIFY2(torch::allclose(out[b], expected, 1e-5, 1e-5),
                     qPrintable(QString("configuration %1").arg(b)));
        }
    }

    void crossAttentionReadsEachConfigurationsRowsThroughTheBlocks_data()
    {
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("heads");
        QTest::addColumn<bool>("sharedQueries");
        QTest::addColumn<int>("queries");
        QTest::newRow("project's head, own queries") << 64 << 4 << false << 8;
        QTest::newRow("project's head, shared queries") << 64 << 4 << true << 8;
        // The project's heads take eight queries at a time: fewer, and one more than a multiple.
        QTest::newRow("project's head, 3 queries") << 64 << 4 << false << 3;
        QTest::newRow("project's head, 17 shared queries") << 64 << 4 << true << 17;
        QTest::newRow("6 a head") << 24 << 4 << false << 8;
    }

    void crossAttentionReadsEachConfigurationsRowsThroughTheBlocks()
    {
        QFETCH(int, channels);
        QFETCH(int, heads);
        QFETCH(bool, sharedQueries);
        QFETCH(int, queries);
        torch::manual_seed(2);
        const std::int64_t layers = 3, Q = queries, P = 5, C = channels;
        const at::Tensor prefix = torch::randn({P, layers, 2 * C});
        // Two blocks of rows (17 and 40), read as one of 57.
        const std::vector<at::Tensor> blocks{torch::randn({17, layers, 2 * C}),
                                             torch::randn({40, layers, 2 * C})};
        const at::Tensor rows = torch::cat(blocks);
        // Groups of 3 configurations × 1 row (taking the last row), 2 × 20 rows across both
        // blocks, and 1 × 57 (every row in reverse).
        const std::vector<at::Tensor> groups{
            torch::full({3, 1}, 56, torch::kLong), torch::randint(0, 57, {2, 20}, torch::kLong),
            torch::arange(56, -1, -1, torch::kLong).reshape({1, 57})};
        const std::int64_t configurations = 6;
        const at::Tensor q = torch::randn({sharedQueries ? 1 : configurations, Q, C});
        const double scale = 0.25;
        for (std::int64_t layer = 0; layer < layers; ++layer) {
            const auto [out, attention] =
                crossAttention().call(q, prefix, blocks, groups, layer, heads, scale);
            QCOMPARE(out.sizes().vec(), std::vector<std::int64_t>({configurations, Q, C}));
            QCOMPARE(attention.size(), groups.size());
            std::int64_t k = 0;
            for (std::size_t g = 0; g < groups.size(); ++g)
                for (std::int64_t i = 0; i < groups[g].size(0); ++i, ++k) {
                    const at::Tensor own = rows.index_select(0, groups[g][i]).select(1, layer);
                    const at::Tensor shared = prefix.select(1, layer);
                    const at::Tensor keys =
                        torch::cat({shared.narrow(1, 0, C), own.narrow(1, 0, C)});
                    const at::Tensor values =
                        torch::cat({shared.narrow(1, C, C), own.narrow(1, C, C)});
                    const auto [expected, weights] =
                        reference(q[sharedQueries ? 0 : k], keys, values, heads, scale);
                    const at::Tensor ownWeights =
                        weights.narrow(2, P, own.size(0)).mean(std::vector<std::int64_t>{0, 1});
                    const QByteArray what = QByteArray("layer ") + QByteArray::number(int(layer)) +
                                            ", configuration " + QByteArray::number(int(k));
                    QVERIFY2(torch::allclose(out[k], expected, 1e-5, 1e-5), what);
                    QVERIFY2(torch::allclose(attention[g][i], ownWeights, 1e-5, 1e-7), what);
                }
        }
    }

    void inputsTheOperatorsCannotReadAreRefused()
    {
        const at::Tensor prefix = torch::randn({2, 1, 8});
        const std::vector<at::Tensor> blocks{torch::randn({4, 1, 8})};
        const at::Tensor queries = torch::randn({1, 2, 4});
        auto refusal = [&](auto call) {
            try {
                call();
            } catch (const c10::Error &e) {
                return QString::fromStdString(e.what_without_backtrace());
            }
            return QString();
        };
        QVERIFY(refusal([&] {
                    crossAttention().call(queries, prefix, blocks,
                                          {torch::full({1, 1}, 4, torch::kLong)}, 0, 2, 1.0);
                }).contains("row 4 of 4"));
        QVERIFY(refusal([&] {
                    crossAttention().call(queries, prefix, blocks,
                                          {torch::zeros({2, 1}, torch::kLong)}, 0, 3, 1.0);
                }).contains("do not split"));
        QVERIFY(refusal([&] {
                    crossAttention().call(queries, prefix, {torch::randn({4, 2, 8})},
                                          {torch::zeros({1, 1}, torch::kLong)}, 0, 2, 1.0);
                }).contains("each block of rows"));
        QVERIFY(refusal([&] {
                    crossAttention().call(torch::randn({3, 2, 4}), prefix, blocks,
                                          {torch::zeros({2, 1}, torch::kLong)}, 0, 2, 1.0);
                }).contains("3 query sets for 2 configurations"));
        QVERIFY(refusal([&] {
                    selfAttention().call(torch::randn({1, 2, 7}), 1, 1.0);
                }).contains("[B, Q, 3C]"));
        QVERIFY(refusal([&] {
                    selfAttention().call(torch::randn({1, 2, 12}), 3, 1.0);
                }).contains("do not split"));
    }
};

QTEST_GUILESS_MAIN(TestGroupAttention)
#include "tst_group_attention.moc"
