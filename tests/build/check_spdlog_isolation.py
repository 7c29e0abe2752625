#!/usr/bin/env python3
"""Checks that spdlog stays inside src/core/logging.cc and that this file is compiled without
LibTorch's include directories (a PyTorch install's LibTorch ships its own fmt headers, which must
not replace the fmt spdlog was built against).

Usage: check_spdlog_isolation.py SOURCE_DIR COMPILE_COMMANDS_JSON
"""
import json
import os
import re
import sys


def main():
    source_dir, commands_path = sys.argv[1], sys.argv[2]
    failures = []
    # 1. No other source or header includes spdlog.
    allowed = os.path.join(source_dir, "src", "core", "logging.cc")
    for top in ("src", "include", "tests", "examples"):
        for root, _, files in os.walk(os.path.join(source_dir, top)):
            for name in files:
                if not name.endswith((".cc", ".h", ".cpp", ".hpp")):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    if re.search(r"#\s*include\s*[<\"]spdlog/", f.read()) and path != allowed:
                        failures.append(f"{path}: includes spdlog (only src/core/logging.cc may)")
    # 2. logging.cc's compile command has no LibTorch include directory and no precompiled header.
    with open(commands_path, encoding="utf-8") as f:
        commands = json.load(f)
    entries = [c for c in commands if os.path.realpath(c["file"]) == os.path.realpath(allowed)]
    if not entries:
        failures.append(f"{commands_path}: no compile command for {allowed}")
    for entry in entries:
        command = entry.get("command") or " ".join(entry.get("arguments", []))
        for flag in re.findall(r"-(?:I|isystem)\s*(\S+)", command):
            if os.path.isfile(os.path.join(flag, "torch", "torch.h")) or os.path.isdir(
                    os.path.join(flag, "torch", "csrc", "api")):
                failures.append(f"logging.cc is compiled with LibTorch's include directory {flag}")
        if "cmake_pch" in command:
            failures.append("logging.cc is compiled with the LibTorch precompiled header")
    for line in failures:
        print("error: " + line)
    if not failures:
        print(f"ok: spdlog only in {allowed}, compiled without LibTorch's include directories")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
