#pragma once

#include <QString>

// Where the bundled demo episodes and checkpoints are: $GRIDS_DATASETS_DIR when set, else the
// installed share/grids-studio/datasets next to the executable, else the source tree's datasets/
// (running from a build folder). Empty when none exists.
QString bundledDatasetsDir();

// The bundled demo episodes that grids-studio opens when started without a path.
QString bundledDemoEpisodes();

// The bundled checkpoint grids-studio loads when started without --checkpoint: the nested GridS
// checkpoint (one checkpoint, every budget on the slider). Empty when not bundled.
QString bundledCheckpoint();
