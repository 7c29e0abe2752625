# Sourced by scripts/paper_figures.sh and scripts/learn_check.sh: the CEM-GD paper's Figure 3 cell
# settings at this machine's scale (results/fig3/README.md says where and why they differ).
# The paper's four planners (configs/bench/labels: its N, N_init, N_r, k, G, eta, rho, J) and its
# horizon 45. Per task: the random episodes that stand in for the paper's pretraining on 500
# random rollouts (pusher and half-cheetah about 3000 transitions: with one random episode their
# first models' 45-step rollouts diverge; cartpole's and humanoid's sweeps ran with one), the
# episodes in all and, where the budget forces it, a shorter episode.
fig3_planners=cem50,cem500,cem_gd,grad
fig3_tasks="cartpole_swingup pusher half_cheetah humanoid_standup"
fig3_sets() {
  case "$1" in
    cartpole_swingup) echo "--set agent.horizon=45 --set pets.episodes=10" ;;
    pusher)           echo "--set agent.horizon=45 --set pets.seed_episodes=20 --set pets.episodes=25" ;;
    half_cheetah)     echo "--set agent.horizon=45 --set pets.seed_episodes=15 --set pets.episodes=19 --set env.episode_length=200" ;;
    humanoid_standup) echo "--set agent.horizon=45 --set pets.episodes=6" ;;
    *) echo "no Figure 3 settings for task '$1' (one of: $fig3_tasks)" >&2; return 2 ;;
  esac
}
