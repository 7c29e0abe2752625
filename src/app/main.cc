// mbrl: model-based RL from the command line.
#include <c10/util/Exception.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "mbrl/core/blas_threads.h"
#include "mbrl/core/error.h"
#include "mbrl/core/memory.h"
#include "mbrl/core/process.h"
#include "commands.h"

int main(int argc, char** argv) {
  // An OpenBLAS older than this CPU runs its generic kernels, several times slower: start again
  // with the kernel set the CPU supports (OPENBLAS_CORETYPE is read when OpenBLAS loads).
  const std::string better_core = mbrl::BetterBlasCore();
  if (!better_core.empty()) {
    std::fprintf(stderr,
                 "note: OpenBLAS does not recognise this CPU and chose its generic %s kernels; "
                 "running with OPENBLAS_CORETYPE=%s (set OPENBLAS_CORETYPE to choose yourself)\n",
                 mbrl::BlasCoreName().c_str(), better_core.c_str());
    setenv("OPENBLAS_CORETYPE", better_core.c_str(), 1);
    mbrl::ReExecSelf(argv);  // returns only on failure: then go on as we are
  }
  mbrl::KeepFreedMemoryForReuse();
  mbrl::LimitIntraOpThreadsBesideOpenBlas();
  CLI::App app{"mbrl: PETS-style model-based reinforcement learning (LibTorch + MuJoCo)"};
  app.require_subcommand(1);
  auto run_train = mbrl::app::AddTrainCommand(app);
  auto run_eval = mbrl::app::AddEvalCommand(app);
  auto run_sweep = mbrl::app::AddSweepCommand(app);
  auto run_toy = mbrl::app::AddToyCommand(app);
  auto run_tasks = mbrl::app::AddTasksCommand(app);
  auto run_bench = mbrl::app::AddBenchCommand(app);
  auto run_diagnose = mbrl::app::AddDiagnoseCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2, like config errors
  }
  try {
    if (app.got_subcommand("train")) return run_train();
    if (app.got_subcommand("eval")) return run_eval();
    if (app.got_subcommand("sweep")) return run_sweep();
    if (app.got_subcommand("toy")) return run_toy();
    if (app.got_subcommand("tasks")) return run_tasks();
    if (app.got_subcommand("bench")) return run_bench();
    if (app.got_subcommand("diagnose")) return run_diagnose();
  } catch (const mbrl::ConfigError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const mbrl::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "error (torch): %s\n", e.what_without_backtrace());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
