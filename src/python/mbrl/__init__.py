"""mbrl from Python: its configs, planners, PETS loop and trained runs, over the same C++
library as the `mbrl` binary.

    import mbrl, torch
    config = mbrl.load_config("configs/pusher.yaml", ["planner.population=200"])
    config.planner.population            # 200
    planner = mbrl.make_planner("cem-gd", horizon=30, low=-torch.ones(2), high=torch.ones(2))
    plan = planner.plan(obs, lambda actions: returns_of(actions))   # [H, A]

Tensors cross into C++ as the same objects (no copy). Bad input raises ValueError with the
message the command line prints.
"""
import os

import torch  # loads LibTorch's Python bindings, which the extension's tensors go through

from . import _core
from .envs import Box, Env, make_env

__all__ = ["Agent", "Box", "Config", "Env", "Evaluation", "Model", "Planner", "Run", "load_config",
           "load_run", "make_env", "make_planner", "planner_names", "train"]

def planner_names():
    """The planners make_planner builds (the values of planner.type)."""
    return list(_core.planner_names())


def _format(value):
    """A Python value as the text of a `key=value` override."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Section:
    """One section of a Config (config.planner, ...): fields as attributes, set through the
    config so that every change is checked as --set checks it."""

    def __init__(self, config, path):
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name):
        return self._config[self._path + "." + name]

    def __setattr__(self, name, value):
        self._config[self._path + "." + name] = value

    def __repr__(self):
        return "%s: %r" % (self._path, self._config[self._path])


class Config:
    """A validated mbrl configuration. Fields read and change as attributes
    (config.planner.population = 200) or by dotted key (config["planner.population"]); every
    change is checked at once and raises ValueError naming the key, as --set does."""

    def __init__(self, core):
        object.__setattr__(self, "_core", core)

    def _lookup(self, key):
        return self._core.get(key)  # one field (a section: a dict), KeyError when there is none

    def __getitem__(self, key):
        return self._lookup(key)

    def __setitem__(self, key, value):
        self.set("%s=%s" % (key, _format(value)))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            value = self._lookup(name)
        except KeyError as e:
            raise AttributeError(str(e)) from None
        return _Section(self, name) if isinstance(value, dict) else value

    def __setattr__(self, name, value):
        self[name] = value

    def set(self, *overrides):
        """Applies "key=value" overrides in order (as --set); returns self."""
        object.__setattr__(self, "_core", self._core.with_overrides(list(overrides)))
        return self

    def to_dict(self):
        """Every field, as nested dicts."""
        return self._core.to_dict()

    def to_yaml(self):
        """Every field as YAML, as a run's config.yaml."""
        return self._core.to_yaml()

    def __repr__(self):
        return "mbrl.Config(task=%r, planner=%r)" % (self.task, self["planner.type"])


def _core_config(config):
    """The C++ config of `config` (None: the built-in defaults)."""
    return config._core if isinstance(config, Config) else _core.load_config("", [], "")


def load_config(path=None, overrides=(), planner=None):
    """Loads a YAML config (None: the built-in defaults), then `planner` (as --planner: at
    its defaults, or a configs/planner/ preset beside the file), then "key=value" overrides (as --set).
    Raises ValueError naming the file or key and what was expected."""
    return Config(_core.load_config(path or "", list(overrides), planner or ""))


class Planner:
    """An mbrl planner over action sequences [horizon, action_dim] within [low, high]."""

    def __init__(self, core):
        self._core = core

    def plan(self, obs, objective):
        """Plans from observation `obs` (any tensor the objective understands; None: none).
        objective(actions [B, H, A]) -> returns [B] is called once per batch of candidate
        sequences; for the gradient planners (grad, cem-gd, grad-mpc) it must be differentiable
        in `actions`. Returns the plan [H, A]; the next call warm starts from it."""
        return self._core.plan(obs if obs is not None else torch.zeros(0), objective)

    def reset(self):
        """Forgets the warm start (call at the start of an episode)."""
        self._core.reset()

    @property
    def horizon(self):
        return self._core.horizon

    @property
    def action_dim(self):
        return self._core.action_dim

    @property
    def last_stats(self):
        """The last plan's numbers: expected_return, and the planner's own (iterations, ...)."""
        return dict(self._core.last_stats)


def make_planner(name, horizon, low, high, seed=0, device="cpu", config=None, **settings):
    """The planner `name` (one of planner_names()) with its default settings, or `config`'s
    planner section, then `settings` as planner keys (population=200, n_r=50, ...).
    low, high: the action bounds [A] (tensors or lists)."""
    overrides = ["planner.type=%s" % name.replace("_", "-"), "agent.horizon=%d" % horizon]
    overrides += ["planner.%s=%s" % (k, _format(v)) for k, v in settings.items()]
    core_config = _core_config(config).with_overrides(overrides)  # the same type keeps its keys
    low = torch.as_tensor(low, dtype=torch.float32)
    high = torch.as_tensor(high, dtype=torch.float32)
    return Planner(_core.Planner(core_config, low, high, int(seed), str(device)))


class Agent:
    """MPC with a trained run's model: reset() at the start of an episode, then act(obs) each
    step. Planning runs in C++ with the GIL released."""

    def __init__(self, core):
        self._core = core

    def reset(self):
        """Starts an episode: no plan, no warm start."""
        self._core.reset()

    def act(self, obs):
        """The action [A] (float32) for observation obs [O]: a tensor for a tensor, a NumPy array
        for anything else (a NumPy array or a list), as Gymnasium's step takes it."""
        action = self._core.act(torch.as_tensor(obs, dtype=torch.float64))
        return action if isinstance(obs, torch.Tensor) else action.numpy()

    @property
    def obs_dim(self):
        return self._core.obs_dim

    @property
    def action_dim(self):
        return self._core.action_dim

    @property
    def episode_length(self):
        return self._core.episode_length

    @property
    def last_plan_ms(self):
        """Milliseconds the last act() spent planning."""
        return self._core.last_plan_ms


class Model:
    """A trained run's probabilistic ensemble, with its task's model inputs and targets."""

    def __init__(self, core):
        self._core = core

    def predict(self, obs, action):
        """obs [N, O], action [N, A] -> (mean, variance), each [E, N, O]: every member's
        Gaussian over the next observation."""
        return self._core.predict(torch.as_tensor(obs), torch.as_tensor(action))

    def export(self, path):
        """Writes the ensemble with its task's model inputs and next observations as one
        TorchScript file, which a Python with only torch loads: m = torch.jit.load(path);
        mean, var = m.predict(obs, action) gives what predict gives (float32). Also
        m.features(obs), m.next_obs(obs, pred), and m.task, m.obs_dim, m.action_dim,
        m.ensemble_size. Returns the path."""
        path = os.fspath(path)
        self._core.export(path)
        return path

    @property
    def ensemble_size(self):
        return self._core.ensemble_size


class Run:
    """A run directory that `mbrl train` wrote (config.yaml, model.pt, metrics.csv)."""

    def __init__(self, path):
        path = os.fspath(path)
        if not os.path.isdir(path):
            raise ValueError("load_run %s: no such run directory" % path)
        if not os.path.exists(os.path.join(path, "config.yaml")):
            raise ValueError("load_run %s: no config.yaml here (not a run directory)" % path)
        self.path = path
        # As the run ran: keys added to mbrl after it was written take the values it ran with.
        self.config = Config(_core.load_config(os.path.join(path, "config.yaml"), [], "", True))

    def _require_env(self, env, what):
        """ValueError (starting with `what`) when this run's environment is written in Python and
        `env` does not give it again."""
        if self.config.task == "python" and env is None:
            raise ValueError("%s %s: its task is an environment written in Python: pass env= and "
                             "reward= (as to train)" % (what, self.path))

    def _model_path(self, env):
        model = os.path.join(self.path, "model.pt")
        if not os.path.exists(model):
            raise ValueError("load_run %s: no trained model (model.pt) here: a run saves it after "
                             "each episode unless pets.save_model is false" % self.path)
        self._require_env(env, "load_run")
        return model

    def model(self, device="cpu", env=None, reward=None, terminated=None):
        """The run's trained ensemble (model.pt) as a Model; a run of an environment written in
        Python takes env and reward again."""
        return Model(_core.Model(self.config._core, self._model_path(env), str(device), env, reward,
                                 terminated))

    def agent(self, planner=None, seed=None, device="cpu", overrides=(), env=None, reward=None,
              terminated=None):
        """An Agent with this run's model and its planner, or `planner` (a name, as
        `mbrl eval --planner` takes it), `seed` and `overrides` ("key=value")
        as `mbrl eval` takes them; the same seed takes the same actions as `mbrl eval`. A run of
        an environment written in Python takes it again (env, reward, terminated: see train)."""
        model = self._model_path(env)
        config = _core.load_config(os.path.join(self.path, "config.yaml"), list(overrides),
                                   planner or "", True)
        if seed is not None:
            config = config.with_overrides(["seed=%d" % seed])
        return Agent(_core.Agent(config, model, str(device), env, reward, terminated))


    def evaluate(self, episodes=5, planner=None, seed=None, device=None, overrides=(), out=None,
                 video=None, video_size="640x480", fps=0.0, planner_dir="configs/planner",
                 quiet=False, env=None, reward=None, terminated=None):
        """Runs `mbrl eval` on this run: `episodes` MPC episodes with its model and its planner
        (or `planner`, `seed`, `overrides`, `device` as `mbrl eval` takes them), no training.
        Writes eval.csv, config.yaml and transitions.bin into `out` (default:
        <run>/eval/<planner>), and films them into the MP4 file `video` when given (a MuJoCo
        task). A run of an environment written in Python takes it again (env, reward,
        terminated: see train). Returns an Evaluation."""
        self._require_env(env, "eval")
        options = _core.EvalOptions()
        options.run_dir = self.path
        options.planner = planner or ""
        options.planner_dir = os.fspath(planner_dir)
        options.overrides = list(overrides)
        options.episodes = int(episodes)
        options.seed = -1 if seed is None else int(seed)
        options.device = "" if device is None else str(device)
        options.out = "" if out is None else os.fspath(out)
        options.video = "" if video is None else os.fspath(video)
        options.video_size = video_size
        options.fps = float(fps)
        out_dir, rows, frames, core = _core.evaluate(options, bool(quiet), env, reward,
                                                     terminated)
        return Evaluation(out_dir, rows, frames, Config(core))


    def diagnose(self, episodes=None, horizon=None, out=None, plots=True, env=None, reward=None,
                 terminated=None):
        """Runs `mbrl diagnose` on this run: the model that planned each chosen MPC episode
        (`episodes`: N, (first, last) or "A-B"; default every one whose model was kept) scored on
        that episode's real transitions `horizon` steps ahead (default agent.horizon), and the
        planner's predicted against real returns. Writes error.csv, calibration.csv,
        disagreement.csv, optimism.csv and summary.csv into `out` (default <run>/diagnosis) and,
        with `plots` and matplotlib, their PNG files. Returns a Diagnosis."""
        self._require_env(env, "diagnose")
        first = last = 0
        if episodes is not None:
            if isinstance(episodes, str):
                a, _, b = episodes.partition("-")
                first, last = int(a), int(b or a)
            elif isinstance(episodes, (tuple, list)):
                first, last = int(episodes[0]), int(episodes[1])
            else:
                first = last = int(episodes)
            if first < 1 or last < first:
                raise ValueError("diagnose: episodes %r: expected N, (first, last) or 'A-B' from "
                                 "1 up" % (episodes,))
        out_dir = _core.diagnose(self.path, first, last, int(horizon or 0),
                                 "" if out is None else os.fspath(out), env, reward, terminated)
        if plots:
            try:
                from . import plot_diagnosis
            except ImportError as e:  # matplotlib missing: the CSV files stand
                print("diagnose: no plots (%s); the CSV files are in %s" % (e, out_dir))
            else:
                plot_diagnosis.draw(out_dir)
        return Diagnosis(out_dir)


class Diagnosis:
    """What Run.diagnose wrote: `out` (its folder) and `tables`, {name: table} for error,
    calibration, disagreement, optimism and summary, each a pandas DataFrame when pandas is
    installed, else {column: NumPy array} (numbers as floats, other columns as strings)."""

    def __init__(self, out):
        import csv
        self.out = out
        self.tables = {}
        for name in ("error", "calibration", "disagreement", "optimism", "summary"):
            path = os.path.join(out, name + ".csv")
            try:
                import pandas
                self.tables[name] = pandas.read_csv(path)
                continue
            except ImportError:
                pass
            import numpy
            with open(path) as f:
                rows = list(csv.reader(f))
            columns = {}
            for i, column in enumerate(rows[0]):
                cells = [r[i] for r in rows[1:]]
                try:
                    columns[column] = numpy.array([float(c) if c else float("nan")
                                                   for c in cells])
                except ValueError:
                    columns[column] = numpy.array(cells)
            self.tables[name] = columns

    def __getitem__(self, name):
        return self.tables[name]

    def __repr__(self):
        return "Diagnosis(%r)" % self.out


class Evaluation:
    """What Run.evaluate did: `out` (its directory), `episodes` (one dict per episode: episode,
    return, steps, plan_ms_per_step, as eval.csv), `returns`, `frames` (of the video) and
    `config` (as run)."""

    def __init__(self, out, episodes, frames, config):
        self.out, self.episodes, self.frames, self.config = out, episodes, frames, config

    @property
    def returns(self):
        return [e["return"] for e in self.episodes]

    def __repr__(self):
        return "Evaluation(out=%r, returns=%r)" % (self.out, self.returns)


def load_run(path):
    """The run directory at `path` (ValueError when it is not one)."""
    return Run(path)


def train(config=None, *, out, resume=False, overrides=(), quiet=False, env=None, reward=None,
          terminated=None):
    """Runs PETS as `mbrl train` does, into the run directory `out`, and returns it as a Run.
    config: a Config (None: the built-in defaults). resume=True continues the run in `out` from
    its last complete episode with its own config.yaml (`mbrl train --resume out`; overrides such
    as "pets.episodes=20" extend it). One line per episode is printed unless quiet. Ctrl-C stops
    after the current step, saves the partial episode and raises KeyboardInterrupt; the run then
    resumes with resume=True.

    env: an environment written in Python instead of the config's task, with Gymnasium's
    interface (reset(seed=...) -> (obs, info); step(action) -> (obs, reward, terminated,
    truncated, info); observation_space.shape; action_space.low and .high, lists or NumPy
    arrays), called once per step; terminated or truncated ends the episode (a truncated step is
    not a terminal transition), and the config's env.episode_length is its longest episode.
    reward(obs [B, O], action [B, A], next_obs [B, O]) -> [B] is its batched reward in torch (a Python or
    TorchScript function, differentiable for the gradient planners), and terminated(next_obs)
    -> bool [B] optionally its termination. The run's task is then "python": pass env, reward
    and terminated again to resume it or to make its agent."""
    out = os.fspath(out)
    if resume:
        if config is not None:
            raise ValueError("resume: a resumed run takes its directory's own config.yaml; pass "
                             "overrides instead of config")
        core = _core.load_resume_config(out, list(overrides))
    else:
        core = _core_config(config)
        if overrides:
            core = core.with_overrides(list(overrides))
    _core.train(core, out, bool(resume), bool(quiet), env, reward, terminated)
    return Run(out)
