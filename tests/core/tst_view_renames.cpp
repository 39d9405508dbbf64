// The view map (which dataset camera feeds which checkpoint view): parsed from "FROM=TO,…", and
// refused with an error that names the setting, not a command-line flag, since the GUI shows it
// too (the CLI prints its flag instead: tst_cli).

#include "common/error.h"
#include "episodes/view_renames.h"
#include "fixtures.h"

#include <QTest>

using namespace grids;

class TestViewRenames : public QObject
{
    Q_OBJECT

private slots:
    void parsesPairsAndFormatsThemBack()
    {
        const ViewRenames renames = parseViewRenames("top=agentview_rgb,wrist=eye_in_hand_rgb");
        QCOMPARE(renames, (ViewRenames{{"top", "agentview_rgb"}, {"wrist", "eye_in_hand_rgb"}}));
        QCOMPARE(formatViewRenames(renames),
                 std::string("top=agentview_rgb,wrist=eye_in_hand_rgb"));
        QVERIFY(parseViewRenames("").empty());
    }

    void badMapsNameTheViewMapSetting_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("detail");
        QTest::newRow("renamed twice") << "a=b,a=c"
                                       << "view 'a' is renamed twice";
        QTest::newRow("no target") << "a="
                                   << "'a=' is not FROM=TO (episode view = checkpoint view)";
        QTest::newRow("no pair") << "a"
                                 << "'a' is not FROM=TO (episode view = checkpoint view)";
    }

    void badMapsNameTheViewMapSetting()
    {
        QFETCH(QString, text);
        QFETCH(QString, detail);
        try {
            parseViewRenames(text.toStdString());
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY(e.kind() == Error::Kind::Usage);
            QCOMPARE(e.setting(), std::string("view_map"));
            QCOMPARE(QString::fromStdString(e.detail()), detail);
            QCOMPARE(QString(e.what()), "view map: " + detail);
        }
    }

    void anErrorWithoutASettingIsItsMessage()
    {
        const Error e = badInput("demo.hdf5: no data group");
        QVERIFY(e.setting().empty());
        QCOMPARE(e.detail(), std::string("demo.hdf5: no data group"));
        QCOMPARE(std::string(e.what()), e.detail());
    }
};

QTEST_GUILESS_MAIN(TestViewRenames)
#include "tst_view_renames.moc"
