#!/usr/bin/env bash
# The whole suite against LibTorch 2.x on a CPU machine: Debian trixie's libtorch-dev (2.6) in a
# trixie root made by debootstrap (needs root, the Debian mirror, ~3 GB of disk). The working
# tree (tracked and untracked files that git does not ignore) is copied in, built in Release and
# tested with ctest; the root is kept, so a second call only copies, rebuilds and tests.
#   scripts/libtorch2_check.sh [--root DIR] [--jobs N] [-- CTEST_ARGS...]
# --root DIR: where the trixie root lives (default /var/tmp/mbrl-trixie)
# Output: the build and ctest log on stdout; exit status is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
root=/var/tmp/mbrl-trixie
jobs="$(nproc 2>/dev/null || echo 2)"
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "libtorch2_check.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "libtorch2_check.sh: needs root (debootstrap, chroot)" >&2; exit 2; }

# The packages of scripts/setup.sh, as trixie names them (libtorch-dev is 2.6 there).
packages=(cmake g++ make ccache git ca-certificates python3 python3-matplotlib
          libtorch-dev libopenblas0-pthread libmujoco-dev libqhull-dev libyaml-cpp-dev
          libspdlog-dev libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
          libosmesa6 ffmpeg)

if [ ! -f "$root/etc/debian_version" ]; then
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
  echo "libtorch2_check: debootstrap trixie into $root (a few minutes)"
  mkdir -p "$root"
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian > "$root.debootstrap.log" 2>&1 ||
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
cp /etc/resolv.conf "$root/etc/resolv.conf"

stamp="$root/.mbrl-packages"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${packages[*]}" ]; then
  echo "libtorch2_check: installing ${#packages[@]} packages in the trixie root"
  chroot "$root" /bin/bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends ${packages[*]}" > "$root.apt.log" 2>&1 ||
    { echo "libtorch2_check: apt-get failed in the root (log: $root.apt.log)" >&2; exit 1; }
  echo "${packages[*]}" > "$stamp"
fi

src="$root/src/mbrl"
mkdir -p "$src"
# The working tree as it is (uncommitted changes too); build/ in the root is kept.
while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
  < <(git ls-files -z --cached --others --exclude-standard) | tar --null -T - -cf - | tar -xf - -C "$src"
echo "libtorch2_check: $(chroot "$root" dpkg-query -W -f='libtorch-dev ${Version}' libtorch-dev)," \
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
echo "libtorch2_check: ctest exit $status after $(( $(date +%s) - start )) s (LibTorch 2.x, CPU)"
exit "$status"
