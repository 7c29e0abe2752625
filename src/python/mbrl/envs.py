"""mbrl's tasks as environments with Gymnasium's interface (make_env), and the box space they
use. Gymnasium is not needed: where it is installed, the spaces are gymnasium.spaces.Box."""
import os

from . import _core


class Box:
    """A box in R^n with Gymnasium's spaces.Box attributes: low, high (NumPy arrays), shape,
    dtype; sample() and contains(x)."""

    def __init__(self, low, high, shape=None, dtype=None, seed=None):
        import numpy as np
        self.dtype = np.dtype(dtype if dtype is not None else np.float32)
        if shape is None:
            shape = np.shape(low) if np.ndim(low) else np.shape(high)
        self.shape = tuple(int(n) for n in shape)
        self.low = np.broadcast_to(np.asarray(low, dtype=self.dtype), self.shape).copy()
        self.high = np.broadcast_to(np.asarray(high, dtype=self.dtype), self.shape).copy()
        self._rng = np.random.default_rng(seed)

    def seed(self, seed=None):
        import numpy as np
        self._rng = np.random.default_rng(seed)
        return [seed]

    def sample(self):
        """A uniform sample of a bounded box (each unbounded entry: a standard normal)."""
        import numpy as np
        bounded = np.isfinite(self.low) & np.isfinite(self.high)
        x = self._rng.standard_normal(self.shape)
        u = self._rng.uniform(np.where(bounded, self.low, 0), np.where(bounded, self.high, 1))
        return np.where(bounded, u, x).astype(self.dtype)

    def contains(self, x):
        import numpy as np
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all(x >= self.low) and np.all(x <= self.high))

    __contains__ = contains

    def __repr__(self):
        return "Box(%s, %s, %s, %s)" % (self.low.min(), self.high.max(), self.shape, self.dtype)


def _box(low, high, dtype):
    try:
        from gymnasium.spaces import Box as GymBox  # other libraries' agents check for it
    except ImportError:
        return Box(low, high, dtype=dtype)
    return GymBox(low, high, dtype=dtype)


class Env:
    """An mbrl task with Gymnasium's interface: reset(seed=...) -> (obs, info),
    step(action) -> (obs, reward, terminated, truncated, info), render() -> RGB array
    [H, W, 3] (render_mode "rgb_array", a MuJoCo task). Observations are float64 NumPy arrays,
    actions float32 within action_space. The dynamics, rewards and resets are those `mbrl train`
    steps: reset(seed=s) gives the first episode of a run with seed s, and each reset() without
    a seed the next one. An episode is truncated at the config's episode length
    (env.episode_length, or the task's own). Make it with make_env."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": None}

    def __init__(self, core, render_mode=None, width=640, height=480):
        import numpy as np
        self._core = core
        self._np = np
        self.render_mode = render_mode
        if render_mode not in (None, "rgb_array"):
            raise ValueError("make_env: render_mode %r: expected None or \"rgb_array\""
                             % (render_mode,))
        self._size = (int(height), int(width))
        if render_mode == "rgb_array":
            fps = 1.0 / core.open_renderer(int(width), int(height))
            self.metadata = dict(Env.metadata, render_fps=fps)
        self.observation_space = _box(np.full(core.obs_dim, -np.inf),
                                      np.full(core.obs_dim, np.inf), np.float64)
        self.action_space = _box(np.asarray(core.action_low), np.asarray(core.action_high),
                                 np.float32)
        self.spec = None

    @property
    def unwrapped(self):
        return self

    @property
    def name(self):
        """The task's name (a task from files: its model file's stem)."""
        return self._core.name

    @property
    def episode_length(self):
        """Steps after which an episode is truncated."""
        return self._core.episode_length

    def reset(self, *, seed=None, options=None):
        obs = self._core.reset(-1 if seed is None else int(seed))
        return self._np.asarray(obs, dtype=self._np.float64), {}

    def step(self, action):
        a = self._np.asarray(action, dtype=self._np.float64).reshape(-1)
        obs, reward, terminated, truncated = self._core.step(a.tolist())
        return self._np.asarray(obs, dtype=self._np.float64), reward, terminated, truncated, {}

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        pixels = self._np.frombuffer(self._core.render(), dtype=self._np.uint8)
        return pixels.reshape(self._size + (3,))

    def close(self):
        pass

    def __repr__(self):
        return "mbrl.Env(%r, episode_length=%d)" % (self.name, self.episode_length)


def make_env(task="cartpole_swingup", overrides=(), render_mode=None, width=640, height=480):
    """An mbrl task as a Gymnasium-style environment (see Env). task: a task name
    ("half_cheetah"), a YAML config file (a task from files too) or a Config; overrides:
    "key=value" as --set ("env.episode_length=200", "seed=3")."""
    from . import Config, load_config
    if isinstance(task, Config):
        config = Config(task._core.with_overrides(list(overrides)))  # the caller's is unchanged
    elif isinstance(task, (str, os.PathLike)) and (os.fspath(task).endswith((".yaml", ".yml"))
                                                   or os.path.sep in os.fspath(task)):
        config = load_config(task, list(overrides))
    else:
        config = load_config(None, ["task=%s" % task] + list(overrides))
    return Env(_core.TaskEnv(config._core), render_mode, width, height)
