// grids-studio [PATH…] [--checkpoint C | --policy ws://HOST:PORT] [--compare C2] [--db DB]
// [--view-map …]: the desktop application. Without a path it opens the bundled demo episodes with
// the bundled checkpoint.

#include "window/bundled_data.h"
#include "window/main_window.h"
#include "dialogs/policy_server_settings.h"
#include "dialogs/view_map.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QStandardPaths>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("GridS"));
    QApplication::setApplicationName(QStringLiteral("GridS Studio"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Inspect GridS token sampling"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("path"),
                                 QStringLiteral("episode file or folder to open"));
    const QCommandLineOption checkpoint(QStringLiteral("checkpoint"),
                                        QStringLiteral("checkpoint to load (.pt)"),
                                        QStringLiteral("C"));
    parser.addOption(checkpoint);
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("a second checkpoint shown side by side with the first (.pt)"),
        QStringLiteral("C2"));
    parser.addOption(compare);
    const QCommandLineOption database(
        QStringLiteral("db"),
        QStringLiteral("workspace database (default ~/.local/share/grids-studio/workspace.sqlite)"),
        QStringLiteral("DB"));
    parser.addOption(database);
    const QCommandLineOption viewMap(
        QStringLiteral("view-map"),
        QStringLiteral("cameras of PATH that feed checkpoint views named otherwise, e.g. "
                       "observation.images.image=agentview_rgb (remembered; Model > Map Views…)"),
        QStringLiteral("FROM=TO,…"));
    parser.addOption(viewMap);
    const QCommandLineOption policy(
        QStringLiteral("policy"),
        QStringLiteral("a policy server in place of a checkpoint (openpi's protocol; Model > Connect to Policy Server…)"),
        QStringLiteral("ws://HOST:PORT"));
    parser.addOption(policy);
    parser.process(app);

    MainWindow window;
    window.show();
    QString workspace = parser.value(database);
    if (workspace.isEmpty()) {
        const QString dir =
            QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/grids-studio";
        QDir().mkpath(dir);
        workspace = dir + "/workspace.sqlite";
    }
    window.openWorkspace(workspace);
    QStringList paths = parser.positionalArguments();
    if (paths.isEmpty() && !bundledDemoEpisodes().isEmpty())
        paths << bundledDemoEpisodes(); // useful at once: the bundled demo
    if (parser.isSet(viewMap)) {
        if (parser.positionalArguments().size() != 1) {
            std::fprintf(stderr, "error: --view-map needs exactly one PATH\n");
            return 2;
        }
        try {
            storeViewMap(paths.front(), grids::parseViewRenames(parser.value(viewMap).toStdString()));
        } catch (const std::exception &e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 2;
        }
    }
    for (const QString &path : paths)
        window.openPath(path);
    if (parser.isSet(policy)) // what Model > Connect to Policy Server… then offers
        storePolicyServerSettings(parser.value(policy), policyServerOptions());
    QString model = parser.isSet(policy) ? parser.value(policy) : parser.value(checkpoint);
    if (model.isEmpty() && parser.positionalArguments().isEmpty())
        model = bundledCheckpoint(); // with the bundled demo, the bundled checkpoint
    if (!model.isEmpty())
        window.openCheckpoint(model);
    if (parser.isSet(compare))
        window.openComparison(parser.value(compare));
    return app.exec();
}
