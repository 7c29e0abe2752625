#!/usr/bin/env bash
# One command for a GPU machine: builds mbrl against the CUDA LibTorch of the machine's PyTorch,
# runs the whole test suite and the `cuda` tests, times the planners and the ensemble forward on
# CUDA next to the PyTorch reference on CUDA, and writes results/bench/gpu/planners_cuda.{csv,md},
# results/bench/gpu/forward_cuda.md and results/bench/gpu/gpu_check.md (a summary, rewritten after every
# stage, so that a run stopped part-way leaves one); the whole output goes to
# results/bench/gpu/gpu_check.log as well. The PyTorch reference runs right after the main bench.
#   scripts/gpu_check.sh [--debs DIR] [--python PY] [--steps N] [--tasks a,b] [--build-dir DIR]
#                        [--skip-tests]
# --debs DIR: the .deb files of scripts/setup.sh --download-debs DIR (made on a Debian bookworm
#   machine), for a GPU machine without MuJoCo, yaml-cpp, spdlog, CLI11, nlohmann-json and
#   GoogleTest: they are unpacked with `dpkg -x` into DIR/root (never into /) and the build uses
#   that prefix. Without --debs the libraries must be installed.
# --python PY: the interpreter whose PyTorch provides LibTorch (default: python3 on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
debs=""
py="$(command -v python3 || true)"
steps=5
tasks="cartpole_swingup,half_cheetah,humanoid_standup,pusher"
build_dir="build-cuda"
skip_tests=0
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) debs="$2"; shift 2 ;;
    --python) py="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --tasks) tasks="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --skip-tests) skip_tests=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "gpu_check.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p results/bench/gpu
log=results/bench/gpu/gpu_check.log
summary=results/bench/gpu/gpu_check.md
exec > >(tee "$log") 2>&1
start=$(date +%s)
last_stage="start"
stamp() {
  echo "[gpu_check $(( $(date +%s) - start )) s] $*"
  write_summary
  last_stage="$*"
}

[ -n "$py" ] || { echo "gpu_check.sh: no python3 found; give --python PY" >&2; exit 2; }
if ! "$py" -c "import torch" 2>/dev/null; then
  echo "gpu_check.sh: $py cannot import torch (give --python with a PyTorch install)" >&2; exit 2
fi
# PyTorch asked once (each import takes seconds): CUDA or not, the device, the version.
{ read -r cuda_available; read -r device_name; read -r torch_line; } < <("$py" -c "import torch
ok = torch.cuda.is_available()
print(int(ok))
print(torch.cuda.get_device_name(0) if ok else 'no CUDA device')
print(torch.__version__, 'CUDA', torch.version.cuda)")
echo "torch $torch_line; $device_name"

# The summary is rewritten after every stage, so that a run stopped part-way (a time limit) still
# leaves one for what it finished.
tests_line="not run yet"
cuda_line="not run yet"
ref_rows=""
write_summary() {
  {
    echo "# gpu_check: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo 'unknown (not a git checkout)')"
    echo
    echo "- device: $device_name"
    echo "- torch: $torch_line"
    if [ -n "$debs" ]; then echo "- libraries: unpacked from $debs"; else echo "- libraries: installed"; fi
    echo "- test suite (ctest -LE cuda): $tests_line"
    echo "- cuda tests (ctest -L cuda): $cuda_line"
    echo "- $(( $(date +%s) - start )) s so far, after: $last_stage; log: $log"
    echo
    echo "## mbrl bench planners --device cuda --planner-dir configs/paper/planners --steps $steps (CUDA graphs: planner.cuda_graph auto)"
    echo
    cat results/bench/gpu/planners_cuda.md 2>/dev/null || echo "(no table: see the log)"
    echo
    echo "## PyTorch reference (scripts/reference/pets_planners.py --device cuda --mode eager|graph)"
    echo
    echo "| label | mode | result |"
    echo "|---|---|---|"
    printf '%s' "$ref_rows"
    echo
    echo "## mbrl bench forward --device cuda --tasks cartpole_swingup --gemm 8192"
    echo
    cat results/bench/gpu/forward_cuda.md 2>/dev/null || echo "(not run)"
    echo
    echo "## mbrl bench planners --device cuda --planner-dir configs/paper/planners --set planner.cuda_graph=off"
    echo
    cat results/bench/gpu/cuda_nograph/planners_cuda.md 2>/dev/null || echo "(not run)"
    echo
    echo "## mbrl bench planners --device cuda --planner-dir configs/paper/planners --set planner.capture_ready=off"
    echo
    cat results/bench/gpu/cuda_eager/planners_cuda.md 2>/dev/null || echo "(not run)"
    echo
    echo "## mbrl bench planners --device cuda --planner-dir configs/paper/planners --planners cem-gd --set rollout.block_rows=4096"
    echo
    cat results/bench/gpu/cuda_block4096/planners_cuda.md 2>/dev/null || echo "(not run)"
    echo
  } > "$summary"
}

cmake_args=(-DCMAKE_BUILD_TYPE=Release -DMBRL_TORCH_FROM_PYTHON="$py")
command -v ninja >/dev/null && cmake_args+=(-G Ninja)
if [ -n "$debs" ]; then
  [ -d "$debs" ] || { echo "gpu_check.sh: --debs $debs: no such directory" >&2; exit 2; }
  prefix="$(cd "$debs" && pwd)/root"
  if [ ! -f "$prefix/.unpacked" ]; then
    stamp "unpacking $(ls "$debs"/*.deb | wc -l) packages into $prefix"
    rm -rf "$prefix" && mkdir -p "$prefix"
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$prefix"; done
    # CMake configs that name system paths literally (MuJoCo's names /usr/include/libqhull_r/)
    # point into the prefix instead.
    grep -rlI --include='*.cmake' '/usr/' "$prefix/usr/lib" "$prefix/usr/share" 2>/dev/null |
      while read -r f; do sed -i "s#\([\" ;(]\)/usr/#\1$prefix/usr/#g" "$f"; done
    touch "$prefix/.unpacked"
  fi
  multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
  cmake_args+=("-DCMAKE_PREFIX_PATH=$prefix/usr;$prefix/usr/lib/$multiarch/cmake;$prefix/usr/share/cmake"
               "-DCMAKE_INCLUDE_PATH=$prefix/usr/include"
               "-DCMAKE_LIBRARY_PATH=$prefix/usr/lib/$multiarch"
               # The programs find the prefix's libraries by themselves, also those loaded by
               # other libraries (spdlog's fmt, MuJoCo's tinyxml2 and lodepng): an RPATH, which
               # unlike a RUNPATH also serves indirect dependencies.
               "-DCMAKE_BUILD_RPATH=$prefix/usr/lib/$multiarch"
               "-DCMAKE_EXE_LINKER_FLAGS=-Wl,--disable-new-dtags")
  # For the tests' own builds (the embedding example) and tools they start.
  export LD_LIBRARY_PATH="$prefix/usr/lib/$multiarch:$prefix/usr/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

stamp "configure and build ($build_dir)"
cmake -S . -B "$build_dir" "${cmake_args[@]}"
cmake --build "$build_dir" -j"$(nproc)"
echo "$build_dir/mbrl built"
if ! env -u LD_LIBRARY_PATH "$build_dir/mbrl" --help > /dev/null 2>&1; then
  echo "gpu_check.sh: warning: $build_dir/mbrl does not start without LD_LIBRARY_PATH:"
  env -u LD_LIBRARY_PATH ldd "$build_dir/mbrl" | grep 'not found' || true
fi

if [ "$skip_tests" = 1 ]; then
  tests_line="not run (--skip-tests)"
  cuda_line="not run (--skip-tests)"
else
  stamp "test suite (CPU side of this LibTorch)"
  # Several test processes at once, each limited to 2 threads: a LibTorch wheel's OpenMP and MKL
  # otherwise start one thread per core in every process (16 processes x 16 threads on a 16-core
  # machine made the suite crawl).
  if (cd "$build_dir" && OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
        ctest -j"$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))" -LE cuda \
        --output-on-failure --timeout 600); then tests_line="passed"; else tests_line="FAILED"; fi
  stamp "cuda tests"
  if (cd "$build_dir" && ctest -L cuda --output-on-failure --timeout 600); then
    cuda_line="passed"; else cuda_line="FAILED"; fi
  if [ "$cuda_line" = passed ] && [ "$cuda_available" = 0 ]; then
    cuda_line="skipped: no CUDA device (the tests skip themselves)"
  fi
fi

if [ "$cuda_available" = 1 ]; then
  # This run's tables only: a summary written part-way must not show an earlier run's.
  rm -rf results/bench/gpu/planners_cuda.csv results/bench/gpu/planners_cuda.md results/bench/gpu/cuda_nograph \
         results/bench/gpu/cuda_eager results/bench/gpu/cuda_block4096 results/bench/gpu/forward_cuda.md
  stamp "bench planners on CUDA (capture-ready with CUDA graphs, the CUDA default)"
  "$build_dir/mbrl" bench planners --device cuda --planner-dir configs/paper/planners --tasks "$tasks" --steps "$steps" --quiet \
    --out results/bench/gpu || true
  stamp "PyTorch reference on CUDA (eager, and one CUDA graph per later step), cartpole-sized, horizon 45"
  for label in cem50 cem500 cem5000 cem-gd; do
    for mode in eager graph; do
      if out="$("$py" scripts/reference/pets_planners.py --planner "$label" --steps "$steps" \
                  --device cuda --mode "$mode" 2>&1)"; then
        line="$(tail -1 <<<"$out")"
      else
        line="failed: $(tail -1 <<<"$out")"
      fi
      echo "$label $mode: $line"
      ref_rows+="| $label | $mode | \`$line\` |"$'\n'
    done
  done
  stamp "bench planners on CUDA, capture-ready without CUDA graphs (planner.cuda_graph=off)"
  "$build_dir/mbrl" bench planners --device cuda --planner-dir configs/paper/planners --tasks "$tasks" --steps "$steps" --quiet \
    --set planner.cuda_graph=off --out results/bench/gpu/cuda_nograph || true
  stamp "bench planners on CUDA with planner.capture_ready=off (early exits, host reads)"
  "$build_dir/mbrl" bench planners --device cuda --planner-dir configs/paper/planners --tasks "$tasks" --steps "$steps" --quiet \
    --set planner.capture_ready=off --out results/bench/gpu/cuda_eager || true
  stamp "cem-gd on CUDA with rollout.block_rows=4096 (peak memory against t = 0 time)"
  "$build_dir/mbrl" bench planners --device cuda --planner-dir configs/paper/planners --tasks "$tasks" --planners cem-gd \
    --steps "$steps" --quiet --set rollout.block_rows=4096 --out results/bench/gpu/cuda_block4096 \
    || true
  stamp "ensemble forward on CUDA"
  "$build_dir/mbrl" bench forward --device cuda --tasks cartpole_swingup --gemm 8192 \
    > results/bench/gpu/forward_cuda.md 2>&1 || true
  cat results/bench/gpu/forward_cuda.md
else
  stamp "no CUDA device: the CUDA bench and the PyTorch reference are skipped"
fi

stamp "done"
write_summary
cat "$summary"
