// grids-studio [PATH] [--checkpoint C] [--compare C2] [--db DB]: the desktop application.

#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>

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
    parser.process(app);

    MainWindow window;
    window.show();
    for (const QString &path : parser.positionalArguments())
        window.openPath(path);
    return app.exec();
}
