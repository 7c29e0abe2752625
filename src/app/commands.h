#pragma once
// CLI sub-commands of the mbrl binary.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace mbrl::app {

/// Registers `train` on `app`; the returned function runs it (exit code) when it was chosen.
std::function<int()> AddTrainCommand(CLI::App& app);
/// Registers `eval` (a saved run's model with any planner).
std::function<int()> AddEvalCommand(CLI::App& app);
/// Registers `sweep` (a grid of training runs as child processes).
std::function<int()> AddSweepCommand(CLI::App& app);
/// Registers `tasks` (list the tasks).
std::function<int()> AddTasksCommand(CLI::App& app);
/// Registers `toy` (the toy-barrier study).
std::function<int()> AddToyCommand(CLI::App& app);
/// Registers `diagnose` (a run's model errors, calibration and the planner's optimism).
std::function<int()> AddDiagnoseCommand(CLI::App& app);
/// The folder holding this build's package mbrl: build/python beside build/mbrl, the install's
/// site-packages beside bin/, or the package a pip install put this binary in (mbrl/bin/mbrl);
/// empty when none has it.
std::string PythonModuleDir();
/// Registers `bench` (planner timing and memory tables; forward-pass GFLOP/s).
std::function<int()> AddBenchCommand(CLI::App& app);

}  // namespace mbrl::app
