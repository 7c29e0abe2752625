#!/usr/bin/env bash
# The whole suite against LibTorch 2.x on a CPU machine: a Debian release's libtorch-dev in a
# root made by debootstrap (needs root, the Debian mirror, 3-5 GB of disk). The working tree
# (tracked and untracked files that git does not ignore) is copied in, built in Release and
# tested with ctest; the root is kept, so a second call only copies, rebuilds and tests.
#   scripts/libtorch2_check.sh [--suite trixie|sid] [--cuda] [--root DIR] [--jobs N] [-- CTEST_ARGS...]
# --suite: trixie (default: LibTorch 2.6, g++ 14) or sid (the newest Debian has; LibTorch 2.14,
#          g++ 16, CMake 4, and no OSMesa, so the Render/Video tests skip themselves there)
# --cuda:  trixie's LibTorch 2.6 built with CUDA 12.4 (contrib's libtorch-cuda-dev, non-free's
#          nvidia-cuda-toolkit; about 13 GB): the CUDA-only sources are compiled and linked against
#          a real CUDA LibTorch and the suite runs on its CPU side; the cuda tests skip themselves
#          (no GPU). cuDNN comes only through a downloader from NVIDIA, so the root gets a stand-in
#          libcudnn.so.9 whose entry points fail (LibTorch calls none without a GPU).
# --root DIR: where the root lives (default /var/tmp/mbrl-SUITE, /var/tmp/mbrl-trixie-cuda)
# Output: the build and ctest log on stdout; exit status is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=trixie
cuda=0
root=""
jobs="$(nproc 2>/dev/null || echo 2)"
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite="$2"; shift 2 ;;
    --cuda) cuda=1; shift ;;
    --root) root="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "libtorch2_check.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$suite" in
  trixie|sid) ;;
  *) echo "libtorch2_check.sh: --suite must be trixie or sid, not '$suite'" >&2; exit 2 ;;
esac
if [ "$cuda" = 1 ] && [ "$suite" != trixie ]; then
  echo "libtorch2_check.sh: --cuda needs --suite trixie (its CUDA LibTorch and toolkit match)" >&2
  exit 2
fi
if [ -z "$root" ]; then
  root="/var/tmp/mbrl-$suite"
  [ "$cuda" = 1 ] && root="$root-cuda"
fi
[ "$(id -u)" -eq 0 ] || { echo "libtorch2_check.sh: needs root (debootstrap, chroot)" >&2; exit 2; }

# The packages of scripts/setup.sh, as these releases name them. Mesa 25.1 dropped OSMesa, so
# sid has no libosmesa6: it is installed where the release still has it. MuJoCo's CMake config
# asks for OpenGL's headers and libraries. A CUDA LibTorch's CMake config needs nvcc.
torch_package=libtorch-dev
[ "$cuda" = 1 ] && torch_package=libtorch-cuda-dev
packages=(cmake g++ make ccache git ca-certificates python3 python3-matplotlib
          "$torch_package" libopenblas0-pthread libmujoco-dev libqhull-dev libyaml-cpp-dev
          libspdlog-dev libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
          ffmpeg libgl-dev libglx-dev libopengl-dev
          # the Python module, its tests and its pip install (Build.PipInstall...)
          pybind11-dev python3-dev python3-pytest python3-venv python3-pip python3-setuptools
          python3-wheel)
[ "$suite" = trixie ] && packages+=(libosmesa6)
if [ "$cuda" = 1 ]; then packages+=(python3-torch-cuda nvidia-cuda-toolkit); else packages+=(python3-torch); fi

if [ ! -f "$root/etc/debian_version" ]; then
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
  echo "libtorch2_check: debootstrap $suite into $root (a few minutes)"
  mkdir -p "$root"
  debootstrap --variant=minbase --components=main,contrib,non-free "$suite" "$root" \
    http://deb.debian.org/debian > "$root.debootstrap.log" 2>&1 ||
    { echo "libtorch2_check: debootstrap failed (log: $root.debootstrap.log)" >&2; exit 1; }
fi

mounted=()
cleanup() {
  local m
  for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
for m in proc sys dev; do
  if ! mountpoint -q "$root/$m"; then
    if [ "$m" = proc ]; then mount -t proc proc "$root/proc"; else mount --bind "/$m" "$root/$m"; fi
    mounted=("$root/$m" "${mounted[@]}")
  fi
done
# A CUDA toolkit on this machine (headers only will do) is lent to the root read-only, so that
# Build.CudaOnlySourcesParseAgainstLibTorchsCudaHeaders parses against its real runtime headers.
# (A CUDA root has the toolkit its LibTorch was built with.)
if [ "$cuda" = 0 ] && [ -d /usr/local/cuda/include ]; then
  mkdir -p "$root/usr/local/cuda"
  if ! mountpoint -q "$root/usr/local/cuda"; then
    mount --bind -o ro /usr/local/cuda "$root/usr/local/cuda"
    mounted=("$root/usr/local/cuda" "${mounted[@]}")
  fi
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

stamp="$root/.mbrl-packages"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${packages[*]}" ]; then
  echo "libtorch2_check: installing ${#packages[@]} packages in the $suite root"
  if [ "$cuda" = 1 ] && ! chroot "$root" dpkg-query -W nvidia-cudnn >/dev/null 2>&1; then
    # libtorch-cuda needs nvidia-cudnn, whose installer downloads cuDNN from NVIDIA: an empty
    # package of that name and version stands in for it (the library comes after apt, below).
    mkdir -p "$root/tmp/nvidia-cudnn/DEBIAN"
    printf '%s\n' "Package: nvidia-cudnn" "Version: 9.0.0.312~cuda12" "Architecture: amd64" \
      "Maintainer: mbrl <none@example.invalid>" \
      "Description: stand-in for the cuDNN downloader (scripts/libtorch2_check.sh --cuda)" \
      > "$root/tmp/nvidia-cudnn/DEBIAN/control"
    chroot "$root" /bin/bash -c "dpkg-deb --build /tmp/nvidia-cudnn /tmp/nvidia-cudnn.deb && \
      dpkg -i /tmp/nvidia-cudnn.deb && apt-mark hold nvidia-cudnn" > "$root.cudnn.log" 2>&1 ||
      { echo "libtorch2_check: the cuDNN stand-in package failed (log: $root.cudnn.log)" >&2; exit 1; }
  fi
  # A mirror that is a snapshot serves sid's Release past its Valid-Until date: accept it (this
  # root only builds and tests).
  chroot "$root" /bin/bash -c "apt-get -o Acquire::Check-Valid-Until=false update -qq && \
    DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends ${packages[*]}" > "$root.apt.log" 2>&1 ||
    { echo "libtorch2_check: apt-get failed in the root (log: $root.apt.log)" >&2; exit 1; }
  if [ "$cuda" = 1 ]; then
    # The stand-in libcudnn.so.9: every cudnn* function that LibTorch (and PyTorch's
    # libtorch_python, which gpu_check.sh imports) asks for, each returning a
    # cuDNN error code, in the symbol version LibTorch asks for.
    chroot "$root" /bin/bash -c 'set -e; cd /usr/lib/x86_64-linux-gnu; mkdir -p /tmp/cudnn-stub
      nm -D --undefined-only libtorch_cuda.so libtorch_python.so 2>/dev/null | awk "{print \$2}" |
        sed -n "s/@libcudnn.so.9\$//p" |
        sort -u | sed "s/.*/long &(void) { return 1001; }/" > /tmp/cudnn-stub/stub.c
      echo "libcudnn.so.9 { global: *; };" > /tmp/cudnn-stub/version.map
      gcc -shared -fPIC -o libcudnn.so.9 -Wl,-soname,libcudnn.so.9 \
        -Wl,--version-script=/tmp/cudnn-stub/version.map /tmp/cudnn-stub/stub.c
      ldconfig; if ldd libtorch_cuda.so | grep "not found"; then exit 1; fi
      python3 -c "import torch"' \
      > "$root.cudnn.log" 2>&1 ||
      { echo "libtorch2_check: the cuDNN stand-in library failed (log: $root.cudnn.log)" >&2; exit 1; }
  fi
  echo "${packages[*]}" > "$stamp"
fi

src="$root/src/mbrl"
mkdir -p "$src"
# The working tree as it is (uncommitted changes too); build/ in the root is kept. Only files
# whose content differs are written, and they get the time of copying: a file edited before the
# root's last build but copied after it must still look newer than that build's objects.
incoming="$root/src/.incoming"
rm -rf "$incoming" && mkdir -p "$incoming"
while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
  < <(git ls-files -z --cached --others --exclude-standard) | tar --null -T - -cf - | tar -xf - -C "$incoming"
(cd "$incoming" && find . -type f -print0) | while IFS= read -r -d '' f; do
  if ! cmp -s "$incoming/$f" "$src/$f"; then
    mkdir -p "$(dirname "$src/$f")" && cp "$incoming/$f" "$src/$f"
  fi
done
rm -rf "$incoming"
echo "libtorch2_check: $(chroot "$root" dpkg-query -W -f='${Package} ${Version}' "$torch_package")," \
     "$(chroot "$root" g++ --version | head -1)"
if ! chroot "$root" /bin/bash -c "cd /src/mbrl && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
       && cmake --build build -j$jobs" > "$root.build.log" 2>&1; then
  tail -40 "$root.build.log"
  echo "libtorch2_check: the build failed (log: $root.build.log)" >&2
  exit 1
fi
echo "libtorch2_check: built (log: $root.build.log)"
start=$(date +%s)
status=0
quoted=""
[ "${#ctest_args[@]}" -gt 0 ] && quoted="$(printf ' %q' "${ctest_args[@]}")"
chroot "$root" /bin/bash -c "cd /src/mbrl/build && ctest -j$jobs --output-on-failure$quoted" ||
  status=$?
what="CPU"
[ "$cuda" = 1 ] && what="CUDA LibTorch, run on the CPU"
echo "libtorch2_check: ctest exit $status after $(( $(date +%s) - start )) s (LibTorch 2.x, $what)"
exit "$status"
