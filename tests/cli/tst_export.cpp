// The export path for real PyTorch models: a model written in plain PyTorch (conv encoder, GridS
// sampler, nn.MultiheadAttention head) wrapped by app/export/grids_export.py loads in `grids`
// and runs; a checkpoint that needs an operator this LibTorch lacks is refused by that operator's
// name, by `grids` and by the helper's --verify alike.

#include "fixtures.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

namespace {

fixtures::ProcessResult runGrids(const QStringList &args)
{
    return fixtures::runProcess(GRIDS_CLI, args);
}

fixtures::ProcessResult verify(const QString &checkpoint)
{
    return fixtures::runProcess(GRIDS_SYSTEM_PYTHON,
                                {GRIDS_SOURCE_DIR "/app/export/grids_export.py", "--verify", checkpoint});
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void aPlainPyTorchModelExportsAndRuns()
    {
        const auto exported = fixtures::runPythonScript("export_plain_pytorch_model.py", {m_dir.path()});
        QVERIFY2(exported.ok, exported.err.constData());
        const QString checkpoint = m_dir.filePath("plain_grids.pt");
        QCOMPARE(verify(checkpoint).code, 0);

        const auto info = runGrids({"info", "--checkpoint", checkpoint, "--json"});
        QVERIFY2(info.code == 0, qPrintable(info.err));
        const auto doc = nlohmann::json::parse(info.out.toStdString());
        QVERIFY(doc["methods"] == nlohmann::json({"encode", "act", "sample"}));
        QCOMPARE(doc["grids_json"]["name"].get<std::string>(), std::string("plain-pytorch-grids"));

        const QString episodes = m_dir.filePath("episodes.hdf5");
        fixtures::writeLiberoFile(episodes.toStdString(), {3});
        const auto infer = runGrids({"infer", "--checkpoint", checkpoint, "--episodes", episodes, "--budget", "6",
                                     "--json", "--quiet"});
        QVERIFY2(infer.code == 0, qPrintable(infer.err));
        const auto frames = nlohmann::json::parse(infer.out.toStdString())["frames"];
        QCOMPARE(frames.size(), std::size_t(3));
        QCOMPARE(frames[0]["views"][1]["coords"].size(), std::size_t(6));
        QCOMPARE(frames[0]["action"].size(), std::size_t(7));
    }

    void anOperatorThisLibTorchLacksIsNamed()
    {
        QVERIFY2(fixtures::contractCheckpoints().ok, fixtures::contractCheckpoints().error.constData());
        const QString newer = m_dir.filePath("newer.pt");
        const auto made = fixtures::runPythonScript(
            "newer_operator_checkpoint.py", {fixtures::contractCheckpoints().path("contract_grids.pt"), newer});
        QVERIFY2(made.ok, made.err.constData());
        const auto info = runGrids({"info", "--checkpoint", newer});
        QCOMPARE(info.code, 3);
        const QStringList lines = info.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines[0].contains("uses the operator aten::scaled_dot_product_attention_from_the_future") &&
                     lines[0].contains("Contract.encode") && lines[0].contains("docs/EXPORT.md"),
                 qPrintable(lines[0]));
        const auto checked = verify(newer);
        QCOMPARE(checked.code, 3);
        QVERIFY(checked.err.contains("scaled_dot_product_attention_from_the_future"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
