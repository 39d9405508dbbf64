// The FLOPs model of METHODS.md against layers computed by hand.

#include "eval/flops.h"
#include "model/checkpoint_info.h"

#include <QTest>

#include <cmath>

using namespace grids;

class TestFlops : public QObject
{
    Q_OBJECT

private slots:
    void transformerLayerByHand()
    {
        // d = 4, d_q = 4, d_kv = 2, d_ff = 8, n = 3 queries, m = 5 keys:
        // projections 2·3·[4·(4 + 4) + 4·4] = 288; MLP 2·3·g·4·8 = 384 (g = 2) or 576 (g = 3);
        // attention 4·3·5·4 = 240.
        TransformerLayerShape layer{4, 4, 2, 8, false};
        QCOMPARE(transformerLayerFlops(layer, 3, 5), 912.0);
        layer.gatedMlp = true;
        QCOMPARE(transformerLayerFlops(layer, 3, 5), 1104.0);
    }

    void checkpointHeadScalesWithBudget()
    {
        CheckpointInfo info = parseCheckpointJson("x.pt", R"({
            "format": "grids-checkpoint", "version": 1, "kind": "grids",
            "views": ["a", "b"], "image_size": [128, 128], "grid": [16, 16], "token_dim": 128,
            "state_dim": 8, "action_dim": 7, "action_horizon": 8,
            "budget": {"max": 64, "default": 16, "nested": true},
            "head": {"layers": 4, "width": 128, "ff": 512, "heads": 4},
            "encoder": {"flops_per_view": 1000000}})");
        const FlopsBreakdown dense = checkpointFlops(info, 256);
        const FlopsBreakdown k16 = checkpointFlops(info, 16);
        TransformerLayerShape layer{128, 128, 128, 512, false};
        QCOMPARE(dense.head, 4 * transformerLayerFlops(layer, 2 * 256 + 8, 2 * 256 + 8));
        QCOMPARE(k16.head, 4 * transformerLayerFlops(layer, 2 * 16 + 8, 2 * 16 + 8));
        QCOMPARE(dense.encoder, 2e6);
        QCOMPARE(dense.selector, 0.0);
        QVERIFY(k16.selector > 0);
        QVERIFY(k16.total() < dense.total() / 5);
    }

    void crossAttentionHeadByHand()
    {
        // d = 4, d_ff = 8, T = 2 queries, 1 layer, 2 views × 3 tokens + 1 extra = 7 context tokens:
        // query self-attention 2·2·[4·12 + 16] + 2·2·2·4·8 + 4·2·2·4 = 256 + 256 + 64 = 576;
        // cross 2·2·2·16 + 2·7·4·8 + 4·2·7·4 = 128 + 448 + 224 = 800.
        CheckpointInfo info = parseCheckpointJson("c.pt", R"({
            "format": "grids-checkpoint", "version": 1, "kind": "grids",
            "views": ["a", "b"], "image_size": [32, 32], "grid": [4, 4], "token_dim": 4,
            "state_dim": 1, "action_dim": 1, "action_horizon": 2,
            "budget": {"max": 8, "default": 3, "nested": true},
            "head": {"layers": 1, "width": 4, "ff": 8, "heads": 1, "attention": "cross",
                     "context_extra": 1}})");
        QCOMPARE(checkpointFlops(info, 3).head, 1376.0);
    }

    // METHODS.md: pi0's published configuration comes to about 3.07 TFLOPs per dense step.
    // By hand: Gemma prefix 18 × 125.8 G over 560 tokens; SigLIP 2 × 27 × 8.10 G; action expert
    // 10 × 18 × 2.02 G over 51 tokens attending to 611.
    void pi0ProfileByHand()
    {
        const FlopsBreakdown dense = pi0Flops(256);
        QVERIFY2(std::abs(dense.total() / 1e12 - 3.07) < 0.01,
                 qPrintable(QString::number(dense.total())));
        QVERIFY(std::abs(dense.encoder / 1e9 - 437.2) < 0.5);
        QCOMPARE(dense.selector, 0.0);
        const TransformerLayerShape gemma{2048, 2048, 256, 16384, true};
        const TransformerLayerShape expert{1024, 2048, 256, 4096, true};
        const FlopsBreakdown k16 = pi0Flops(16);
        QCOMPARE(k16.encoder, dense.encoder);
        QCOMPARE(k16.head, 18 * transformerLayerFlops(gemma, 2 * 16 + 48, 2 * 16 + 48) +
                               180 * transformerLayerFlops(expert, 51, 2 * 16 + 48 + 51));
        QVERIFY(k16.selector > 0 && k16.selector < 1e9);
        QVERIFY(k16.total() < dense.total() / 2);
    }

    void malformedGridsJsonIsNamed()
    {
        try {
            parseCheckpointJson("m.pt", R"({"format": "grids-checkpoint", "version": 1,
                                           "kind": "grids", "views": []})");
            QFAIL("expected a refusal");
        } catch (const std::exception &e) {
            QVERIFY2(QString(e.what()).contains("m.pt: grids.json: \"views\""), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestFlops)
#include "tst_flops.moc"
