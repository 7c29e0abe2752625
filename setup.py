"""Builds mbrl's Python module (mbrl._core) and the `mbrl` binary with CMake against the torch of
the Python that runs pip, and packages both with src/python/mbrl/:

    pip install --no-build-isolation .        # or -e . for development

MBRL_BUILD_DIR: the CMake build directory (default build/pip-<python>-<torch>; an existing one is
reused and rebuilt incrementally). MBRL_BUILD_JOBS: parallel jobs (default: the CPU count).
"""
import glob
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))

# CMake packages mbrl needs, and what provides each.
PROVIDERS = {
    "Torch": "PyTorch (pip install torch; Debian: apt install libtorch-dev beside python3-torch)",
    "mujoco": "MuJoCo (Debian: apt install libmujoco-dev libqhull-dev)",
    "yaml-cpp": "yaml-cpp (Debian: apt install libyaml-cpp-dev)",
    "spdlog": "spdlog (Debian: apt install libspdlog-dev)",
    "CLI11": "CLI11 (Debian: apt install libcli11-dev)",
    "nlohmann_json": "nlohmann-json (Debian: apt install nlohmann-json3-dev)",
    "pybind11": "pybind11 (pip install pybind11; Debian: apt install pybind11-dev)",
}


def fail(message):
    sys.stderr.write("error: mbrl: %s\n" % message)
    raise SystemExit(1)


def run(cmd, what):
    """Runs cmd, its output passed on line by line (pip -v shows it); on failure, one line naming
    what is missing and the package that provides it, or what failed."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    if proc.wait() == 0:
        return
    output = "".join(lines[-400:])
    missing = re.search(r'provided by\s+"([A-Za-z0-9_+-]+)"', output)
    mbrl_line = re.search(r"mbrl Python module: .*", output)
    if missing and missing.group(1) in PROVIDERS:
        fail("%s failed: %s not found: %s" % (what, missing.group(1), PROVIDERS[missing.group(1)]))
    if mbrl_line:
        fail("%s failed: %s" % (what, mbrl_line.group(0).strip()))
    fail("%s failed (exit %d); its output is above" % (what, proc.returncode))


try:
    import wheel  # noqa: F401  (setuptools builds the wheel with it)
except ImportError:
    fail("%s has no package 'wheel', which setuptools needs to build mbrl: pip install wheel "
         "(Debian: apt install python3-wheel), then pip install --no-build-isolation ."
         % sys.executable)


class CMakeBuild(build_ext):
    def run(self):
        try:
            import torch
        except ImportError:
            fail("%s cannot import torch: install PyTorch first (pip install torch; Debian: apt "
                 "install python3-torch), then pip install --no-build-isolation ." % sys.executable)
        cmake = shutil.which("cmake")
        if cmake is None:
            fail("cmake not found (pip install cmake; Debian: apt install cmake)")
        if shutil.which(os.environ.get("CXX", "c++")) is None and shutil.which("g++") is None:
            fail("no C++ compiler (c++ or g++; Debian: apt install g++)")
        version = torch.__version__.split("+")[0]
        build_dir = os.environ.get("MBRL_BUILD_DIR") or os.path.join(
            ROOT, "build", "pip-py%d.%d-torch%s" % (sys.version_info[:2] + (version,)))
        if os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
            self.reuse(cmake, build_dir, torch.__version__)
        else:
            self.configure(cmake, build_dir, torch)
        jobs = os.environ.get("MBRL_BUILD_JOBS") or str(os.cpu_count() or 2)
        print("mbrl: building mbrl_python and mbrl with %s jobs (minutes)" % jobs, flush=True)
        run([cmake, "--build", build_dir, "--target", "mbrl_python", "mbrl", "-j", jobs],
            "cmake build")
        module = glob.glob(os.path.join(build_dir, "python", "mbrl", "_core*.so"))
        if not module:
            fail("the build made no module in %s/python/mbrl" % build_dir)
        target = self.get_ext_fullpath("mbrl._core")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(module[0], target)
        binary = os.path.join(os.path.dirname(target), "bin", "mbrl")
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        shutil.copy2(os.path.join(build_dir, "mbrl"), binary)

    @staticmethod
    def reuse(cmake, build_dir, torch_version):
        """An existing CMake tree keeps its own settings: its module must be for this torch."""
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            found = re.search(r"^MBRL_PYTHON_EXECUTABLE:[A-Z]*=(.*)$", f.read(), re.M)
        python = found.group(1) if found else ""
        probe = subprocess.run([python, "-c", "import torch; print(torch.__version__)"],
                               stdout=subprocess.PIPE, text=True) if python else None
        if probe is None or probe.returncode != 0 or probe.stdout.strip() != torch_version:
            fail("MBRL_BUILD_DIR=%s was configured for %s, whose torch is not this Python's "
                 "(%s): use another MBRL_BUILD_DIR" % (build_dir, python or "no Python",
                                                       torch_version))
        print("mbrl: reusing the CMake tree %s (its Python: %s)" % (build_dir, python), flush=True)

    @staticmethod
    def configure(cmake, build_dir, torch):
        args = [cmake, "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                "-DMBRL_PYTHON_EXECUTABLE=" + sys.executable, "-DMBRL_PYTHON_REQUIRED=ON",
                "-DMBRL_BUILD_TESTS=OFF"]
        # A PyTorch wheel carries LibTorch's CMake package; Debian's python3-torch does not
        # (LibTorch is then libtorch-dev's, the same version).
        if os.path.exists(os.path.join(torch.utils.cmake_prefix_path, "Torch", "TorchConfig.cmake")):
            args.append("-DMBRL_TORCH_FROM_PYTHON=" + sys.executable)
        try:
            import pybind11
            args.append("-Dpybind11_DIR=" + pybind11.get_cmake_dir())
        except ImportError:
            pass  # CMake finds Debian's pybind11-dev, or says which is missing
        if shutil.which("ninja"):
            args += ["-G", "Ninja"]
        print("mbrl: configuring in %s" % build_dir, flush=True)
        run(args, "cmake configure")


setup(
    # setuptools' own build directory, apart from CMake's trees in build/
    options={"build": {"build_base": os.path.join("build", "setuptools")}},
    package_dir={"": "src/python"},
    packages=["mbrl"],
    package_data={"mbrl": ["__init__.pyi", "py.typed", "bin/mbrl"]},
    ext_modules=[Extension("mbrl._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
