// A trained mbrl model and a planner inside another C++ program: load a run directory, then
// return an action for an observation, as a robot's control loop would each step.
//   embed_planner RUN_DIR OBS_1 OBS_2 ... OBS_O
#include <mbrl/algorithms/stack.h>
#include <mbrl/config/loader.h>
#include <mbrl/models/gaussian_ensemble.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s RUN_DIR OBS...\n", argv[0]);
    return 2;
  }
  const std::string run_dir = argv[1];
  const mbrl::config::Config config = mbrl::config::LoadConfig({run_dir + "/config.yaml"});
  mbrl::algorithms::Stack stack = mbrl::algorithms::BuildStack(config, torch::kCPU);
  mbrl::models::LoadEnsemble(stack.model, run_dir + "/model.pt");  // the trained weights
  std::vector<double> obs;
  for (int i = 2; i < argc; ++i) obs.push_back(std::atof(argv[i]));
  if (static_cast<int>(obs.size()) != stack.env->ObsDim()) {
    std::fprintf(stderr, "expected %d observation values for %s, got %zu\n", stack.env->ObsDim(),
                 config.task.c_str(), obs.size());
    return 2;
  }
  const std::vector<double> action = stack.agent->Act(obs);  // plans with the run's planner
  for (double a : action) std::printf("%.6f ", a);
  std::printf("\n");
  return 0;
}
