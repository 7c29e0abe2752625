#!/usr/bin/env bash
# Set-up: installs the Debian packages mbrl needs (only those missing), then configures and builds
# in Release into build/. Idempotent: a second call installs nothing and rebuilds incrementally.
#   scripts/setup.sh            install what is missing, configure, build
#   scripts/setup.sh --deps     install what is missing, nothing else
#   scripts/setup.sh --test     also install what only the tests use: Slurm and munge, whose
#                               daemons the Slurm launcher's test starts on localhost
#   scripts/setup.sh --download-debs DIR
#                               download (not install) the .deb files of every non-LibTorch
#                               dependency and their libraries into DIR, for a GPU machine without
#                               a package registry: scripts/gpu_check.sh --debs DIR builds from them
set -euo pipefail
cd "$(dirname "$0")/.."

deps_only=0
test_deps=0
debs_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --deps) deps_only=1; shift ;;
    --test) test_deps=1; shift ;;
    --download-debs)
      [ $# -ge 2 ] || { echo "setup.sh: --download-debs needs a directory" >&2; exit 2; }
      debs_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$1' (expected --deps, --test, --download-debs DIR)" >&2
       exit 2 ;;
  esac
done

if [ -n "$debs_dir" ]; then
  # What the build needs besides LibTorch (the GPU machine's PyTorch brings its own), with the
  # libraries they load; MuJoCo's CMake config also asks for OpenGL's headers and libraries.
  wanted=(libmujoco-dev libqhull-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
          nlohmann-json3-dev libgtest-dev libgmock-dev
          libgl-dev libglx-dev libopengl-dev libgl1 libglx0 libopengl0 libglvnd0)
  # Left to the host: the C and C++ runtimes, and the Mesa drivers and LLVM that a GL context
  # would load (nothing here creates one).
  host='^(libc6|libc6-dev|libgcc-s1|libstdc\+\+6|gcc-[0-9]+-base|libgl1-mesa-dri|libglx-mesa0|libllvm[0-9]+|libz3-4|libdrm.*|libicu[0-9]+|libxml2|libsensors.*|libelf1|libedit2|libpciaccess0|libtinfo6|zlib1g|liblzma5|libzstd1|libffi8|libexpat1|libbsd0|libmd0|catch2)$'
  command -v apt-get >/dev/null || { echo "setup.sh: --download-debs needs apt (Debian bookworm)" >&2; exit 2; }
  mkdir -p "$debs_dir"
  mapfile -t all < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
      --no-breaks --no-replaces --no-enhances "${wanted[@]}" | grep '^[a-z0-9]' | sort -u |
      grep -Ev "$host")
  echo "setup: downloading ${#all[@]} packages into $debs_dir"
  (cd "$debs_dir" && apt-get download -qq "${all[@]}")
  printf '%s\n' "${all[@]}" > "$debs_dir/packages.txt"
  echo "setup: $(ls "$debs_dir"/*.deb | wc -l) .deb files in $debs_dir (list: $debs_dir/packages.txt)"
  echo "setup: on the GPU machine: scripts/gpu_check.sh --debs $debs_dir"
  exit 0
fi

packages=(
  cmake g++ make ccache
  libtorch-dev libopenblas0-pthread      # LibTorch 1.13 (CPU); OpenBLAS or BLAS is ~30x slower
  libmujoco-dev libqhull-dev             # MuJoCo 2.2.2; its CMake config needs qhull's headers
  libyaml-cpp-dev libspdlog-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libbenchmark-dev
  python3-matplotlib python3-yaml       # plot and results scripts (run with /usr/bin/python3)
  libosmesa6 ffmpeg                      # mbrl eval --video: offscreen rendering, encoding
  python3-torch                          # a task's TorchScript functions (task.py), the PyTorch benches
  pybind11-dev python3-dev python3-pytest   # the Python module mbrl (import mbrl) and its tests
  python3-venv python3-pip python3-setuptools python3-wheel   # pip install --no-build-isolation .
)
# Not for every user: slurm-wlm brings Slurm's daemons, which a system with systemd would enable.
if [ "$test_deps" = 1 ]; then packages+=(slurm-wlm munge); fi

missing=()
for p in "${packages[@]}"; do
  case "$p" in \#*) continue ;; esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  # Slurm's and munge's packages start their daemons on installation, which fails (no
  # slurm.conf) or leaves daemons running; the tests start their own. Where no policy says
  # otherwise, service starts are declined while these packages install.
  policy=""
  case " ${missing[*]} " in
    *" slurm-wlm "*|*" munge "*)
      if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" > /dev/null
        $sudo chmod +x "$policy"
        trap '$sudo rm -f "$policy"' EXIT
      fi ;;
  esac
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  if [ -n "$policy" ]; then $sudo rm -f "$policy"; fi
else
  echo "setup: all packages present"
fi
[ "$deps_only" = 1 ] && exit 0

jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
echo "setup: built build/mbrl"
