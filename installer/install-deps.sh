#!/usr/bin/env bash
# Installs every Debian 12 package GridS Studio needs to build, run and test.
# Idempotent and non-interactive; run as root or through sudo.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-format
  # Qt 6: Widgets, Concurrent, PrintSupport, Svg (plot export), Test, platform plugins
  qt6-base-dev qt6-base-dev-tools qt6-qpa-plugins qt6-svg-dev libgl-dev libvulkan-dev
  # plots
  libqcustomplot-dev libqcustomplot2.1-qt6
  # engine
  libtorch-dev libopencv-dev libsqlite3-dev sqlite3 libhdf5-dev hdf5-tools
  # Debian's LibTorch calls libblas.so.3, which is the unoptimised reference BLAS unless an
  # optimised one provides it: OpenBLAS (OpenMP build, as LibTorch) makes matrix products ~20×
  # faster, the action head's training step 2.7× faster
  libopenblas0-openmp
  nlohmann-json3-dev libcli11-dev libssl-dev
  # LeRobot datasets: the Parquet reader (Thrift's compact protocol, whose headers use Boost's;
  # the page codecs) and frame-accurate video decoding through FFmpeg's libraries (AV1 by dav1d)
  libthrift-dev libboost-dev libsnappy-dev libzstd-dev zlib1g-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libdav1d6
  # policy servers (openpi's websocket protocol): Boost.Beast (in libboost-dev) and msgpack-cxx;
  # the reference server is Python (websockets, msgpack, numpy, torch)
  libmsgpack-cxx-dev python3-websockets python3-msgpack
  # simulator: MuJoCo with offscreen EGL on Mesa's software renderer (MuJoCo's CMake
  # target names the qhull headers, hence libqhull-dev)
  libmujoco-dev libqhull-dev libegl-dev libegl-mesa0 libgl1-mesa-dri
  # tests: video fixtures, interoperability with Python, a virtual display for screenshots
  ffmpeg python3 python3-torch python3-h5py python3-numpy xvfb xauth
  # fuzzing (the `fuzz` preset): clang with libFuzzer and the ASan/UBSan runtimes
  clang libclang-rt-dev
  # `--slurm` runs on Slurm's clients; the tests start a one-node cluster (daemons and munge)
  slurm-client slurmctld slurmd munge
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the independent Parquet writers that make the reader's test fixtures. A machine
# that already has node and npm (from any source) keeps them; otherwise Debian's are installed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "installer: all ${#PACKAGES[@]} packages already installed"
else
  echo "installer: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Test-only npm packages (independent Parquet writers for fixtures), pinned by the lock file.
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$here/../tests/parquet_writers"
if [ ! -d "$fixtures/node_modules" ] || [ "$fixtures/package-lock.json" -nt "$fixtures/node_modules" ]; then
  echo "installer: installing the test-only Parquet writers (npm ci in tests/parquet_writers)"
  (cd "$fixtures" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$fixtures/node_modules"
fi
