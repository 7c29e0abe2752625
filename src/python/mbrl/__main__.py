"""python3 -m mbrl eval RUN_DIR --env SPEC --reward SPEC [mbrl eval's options]

`mbrl eval` for a run whose environment is written in Python (task "python"): the binary cannot
step a Python object, so this takes the environment and its reward again and runs the same
evaluation (Run.evaluate: the same episodes, eval.csv, config.yaml and transitions.bin). SPEC is
FILE.py:NAME or MODULE:NAME. The environment's NAME is called with no arguments to make it (a
class or a factory); the reward's and terminated's NAME is the function itself. Runs of built-in
and file-defined tasks take no --env and evaluate as with `mbrl eval`.
"""
import argparse
import importlib
import importlib.util
import math
import os
import sys

import mbrl


def _load(spec, flag):
    """The object NAME of FILE.py:NAME or MODULE:NAME (ValueError naming the flag)."""
    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name:
        raise ValueError("%s %s: expected FILE.py:NAME or MODULE:NAME" % (flag, spec))
    if where.endswith(".py"):
        if not os.path.isfile(where):
            raise ValueError("%s %s: no such file %s" % (flag, spec, where))
        module_name = "_mbrl_spec_" + os.path.splitext(os.path.basename(where))[0]
        loader = importlib.util.spec_from_file_location(module_name, where)
        module = importlib.util.module_from_spec(loader)
        sys.path.insert(0, os.path.dirname(os.path.abspath(where)))
        try:
            loader.loader.exec_module(module)
        finally:
            sys.path.pop(0)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as e:
            raise ValueError("%s %s: cannot import %s (%s)" % (flag, spec, where, e))
    try:
        return getattr(module, name)
    except AttributeError:
        raise ValueError("%s %s: %s has no %s" % (flag, spec, where, name))


def _parser():
    parser = argparse.ArgumentParser(
        prog="python3 -m mbrl",
        description="mbrl's commands that need Python: eval for a run of an environment written "
                    "in Python.")
    commands = parser.add_subparsers(dest="command", required=True)
    ev = commands.add_parser(
        "eval", help="MPC episodes with a saved run's model and any planner (no training)",
        description="As `mbrl eval`, for a run whose environment is written in Python.")
    ev.add_argument("run_dir", help="the run directory (config.yaml, model.pt)")
    ev.add_argument("--env", help="FILE.py:NAME or MODULE:NAME: NAME() makes the environment")
    ev.add_argument("--reward", help="FILE.py:NAME or MODULE:NAME: its batched reward(obs, "
                                     "action, next_obs) -> [B]")
    ev.add_argument("--terminated", help="FILE.py:NAME or MODULE:NAME: its terminated(next_obs)")
    ev.add_argument("-p", "--planner", help="planner NAME at its defaults, or <planner-dir>/NAME.yaml "
                                            "(default: the run's own planner)")
    ev.add_argument("--planner-dir", default="configs/planner", help="where NAME.yaml files are")
    ev.add_argument("-s", "--set", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                    help="override a config field, repeatable")
    ev.add_argument("-n", "--episodes", type=int, default=5, help="episodes to run")
    ev.add_argument("--seed", type=int, help="seed for the env resets and the planner")
    ev.add_argument("-d", "--device", choices=["cpu", "cuda"], help="cpu or cuda")
    ev.add_argument("-q", "--quiet", action="store_true", help="no live step counter")
    ev.add_argument("-o", "--out", help="where eval.csv and config.yaml go (default: "
                                        "RUN_DIR/eval/<planner name>)")
    ev.add_argument("--video", help="film the episodes into this MP4 file (MuJoCo tasks)")
    ev.add_argument("--video-size", default="640x480", help="video frame size, WIDTHxHEIGHT")
    ev.add_argument("--fps", type=float, default=0.0, help="video frame rate")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        env = reward = terminated = None
        if args.env:
            make = _load(args.env, "--env")
            try:
                env = make() if callable(make) else make
            except Exception as e:
                raise ValueError("--env %s: calling it with no arguments failed (%s: %s); name a "
                                 "class or factory that needs none" % (args.env, type(e).__name__, e))
        elif args.reward or args.terminated:
            raise ValueError("--reward and --terminated go with --env")
        if args.reward:
            reward = _load(args.reward, "--reward")
        if args.terminated:
            terminated = _load(args.terminated, "--terminated")
        run = mbrl.load_run(args.run_dir)
        if run.config.task == "python" and env is None:
            raise ValueError("eval %s: its task is an environment written in Python: pass --env "
                             "and --reward (FILE.py:NAME or MODULE:NAME)" % args.run_dir)
        result = run.evaluate(episodes=args.episodes, planner=args.planner, seed=args.seed,
                              device=args.device, overrides=args.set, out=args.out,
                              video=args.video, video_size=args.video_size, fps=args.fps,
                              planner_dir=args.planner_dir, quiet=args.quiet, env=env,
                              reward=reward, terminated=terminated)
    except ValueError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    returns = result.returns
    for e in result.episodes:
        print("episode %d: return %.2f, %d steps, plan %.1f ms/step"
              % (e["episode"], e["return"], e["steps"], e["plan_ms_per_step"]))
    mean = sum(returns) / len(returns)
    std = math.sqrt(sum((r - mean) ** 2 for r in returns) / len(returns))
    print("%s on %s: return %.2f ± %.2f over %d episodes (seed %d) -> %s/eval.csv"
          % (result.config.planner.type, result.config.task, mean, std, len(returns),
             result.config.seed, result.out))
    if args.video:
        print("video: %d frames -> %s" % (result.frames, args.video))
    return 0


if __name__ == "__main__":
    sys.exit(main())
