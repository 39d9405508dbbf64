// Helper for tst_workspace_crash: writes annotations to a workspace as fast as it can and prints
// "ack <id>" after each write has returned (i.e. was committed), until killed.

#include "store/workspace.h"

#include <cstdio>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: workspace_writer DB\n");
        return 2;
    }
    grids::Workspace workspace(argv[1]);
    const std::string sha(64, 'c');
    for (long long i = 0;; ++i) {
        grids::Annotation a;
        a.kind = grids::AnnotationKind::Tag;
        a.episode = {sha, "demo_" + std::to_string(i % 5), "/crash/test.hdf5"};
        a.startFrame = i;
        a.endFrame = i + 3;
        a.label = "stress " + std::to_string(i);
        const auto id = workspace.addAnnotation(a);
        std::printf("ack %lld\n", static_cast<long long>(id));
        std::fflush(stdout);
    }
}
