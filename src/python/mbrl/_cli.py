"""The `mbrl` command of a pip-installed mbrl: runs the binary built with the package."""
import os
import sys


def main():
    binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "mbrl")
    if not os.path.exists(binary):
        sys.stderr.write("error: mbrl: no binary at %s: this mbrl was not installed with pip "
                         "(the build's own is build/mbrl)\n" % binary)
        return 2
    # `mbrl eval --env` hands a run back to this Python (python -m mbrl eval).
    os.environ["MBRL_PYTHON"] = sys.executable
    os.execv(binary, [binary] + sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
