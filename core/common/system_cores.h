#pragma once

namespace grids {

// The processors this process may run on: its CPU affinity, which taskset, a Slurm allocation
// or a container's cpuset narrow, rather than every processor of the machine. At least 1.
int usableCores();

} // namespace grids
