// Helper for tst_workspace_crash: writes to a workspace as fast as it can and prints "ack <id>"
// after each write has returned (i.e. was committed).
//   workspace_writer DB              annotations, until killed
//   workspace_writer DB COUNT NAME   COUNT writes, then exits 0: annotations, and every 25th a
//                                    sweep run of 400 frame rows (a longer transaction), keyed by
//                                    NAME so that two writers' runs differ; any error exits 1

#include "store/workspace.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        std::fprintf(stderr, "usage: workspace_writer DB [COUNT NAME]\n");
        return 2;
    }
    const long long count = argc == 4 ? std::atoll(argv[2]) : -1;
    const std::string name = argc == 4 ? argv[3] : "crash";
    try {
        grids::Workspace workspace(argv[1]);
        const std::string sha(64, 'c');
        for (long long i = 0; count < 0 || i < count; ++i) {
            std::int64_t id = 0;
            if (count > 0 && i % 25 == 24) {
                grids::RunRecord run;
                run.key = {"sweep", sha, name, int(i), "concurrency", ""};
                run.checkpointPath = "/concurrency/" + name + ".pt";
                std::vector<grids::FrameResultRow> rows(400);
                for (std::size_t f = 0; f < rows.size(); ++f) {
                    rows[f].episode = {sha, "demo_0", "/concurrency/test.hdf5"};
                    rows[f].frame = std::int64_t(f);
                    rows[f].tokens = int(i);
                    rows[f].action = {0.1f, 0.2f};
                }
                id = workspace.recordRun(run, rows);
            } else {
                grids::Annotation a;
                a.kind = grids::AnnotationKind::Tag;
                a.episode = {sha, "demo_" + std::to_string(i % 5), "/crash/test.hdf5"};
                a.startFrame = i;
                a.endFrame = i + 3;
                a.label = name + " " + std::to_string(i);
                id = workspace.addAnnotation(a);
            }
            std::printf("ack %lld\n", static_cast<long long>(id));
            std::fflush(stdout);
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "workspace_writer: %s\n", e.what());
        return 1;
    }
    return 0;
}
