"""mbrl.train: the PETS loop from Python, resumable, stopped by Ctrl-C as the CLI is."""
import csv
import os
import signal
import subprocess
import threading

import pytest
import torch

import mbrl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MBRL = os.environ.get("MBRL_BINARY", os.path.join(ROOT, "build", "mbrl"))
TINY = ["env.episode_length=10", "model.hidden_size=16", "planner.population=20",
        "agent.horizon=5", "trainer.max_epochs=2", "pets.seed_episodes=1"]


def rows(run_dir):
    with open(os.path.join(run_dir, "metrics.csv")) as f:
        return list(csv.DictReader(f))


def test_train_writes_a_run_that_mbrl_eval_reads_and_resume_extends(tmp_path, capsys):
    config = mbrl.load_config(None, TINY + ["pets.episodes=2"])
    run = mbrl.train(config, out=tmp_path / "a")
    assert isinstance(run, mbrl.Run)
    assert [r["episode"] for r in rows(run.path)] == ["1", "2"]
    assert "episode 2/2" in capsys.readouterr().out
    subprocess.run([MBRL, "eval", run.path, "--episodes", "1", "--quiet"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    mbrl.train(out=run.path, resume=True, overrides=["pets.episodes=3"], quiet=True)
    assert [r["episode"] for r in rows(run.path)] == ["1", "2", "3"]


def test_the_same_seed_gives_the_returns_of_mbrl_train(tmp_path):
    mbrl.train(mbrl.load_config(None, TINY + ["pets.episodes=2"]), out=tmp_path / "py", quiet=True)
    subprocess.run([MBRL, "train", "--quiet", "--out", str(tmp_path / "cli")] +
                   [a for o in TINY + ["pets.episodes=2"] for a in ("--set", o)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    assert [r["return"] for r in rows(tmp_path / "py")] == [r["return"] for r in rows(tmp_path / "cli")]


def interrupt_after_the_first_episode(run_dir, stop):
    """Ctrl-C (SIGINT to this process) once run_dir's metrics.csv holds an episode: mid-run
    whatever the machine's speed, with 3 of the 4 episodes still to go."""
    while not stop.is_set():
        if os.path.exists(os.path.join(run_dir, "metrics.csv")) and rows(run_dir):
            os.kill(os.getpid(), signal.SIGINT)
            return
        stop.wait(0.01)


def test_ctrl_c_saves_the_partial_episode_raises_and_the_run_resumes(tmp_path):
    config = mbrl.load_config(None, TINY + ["pets.episodes=4", "env.episode_length=200"])
    stop = threading.Event()
    watcher = threading.Thread(target=interrupt_after_the_first_episode,
                               args=(tmp_path / "b", stop))
    watcher.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            mbrl.train(config, out=tmp_path / "b", quiet=True)
    finally:
        stop.set()
        watcher.join()
    partial = rows(tmp_path / "b")
    assert partial and partial[-1]["interrupted"] == "1"
    mbrl.train(out=tmp_path / "b", resume=True, quiet=True)
    done = rows(tmp_path / "b")
    assert [r["episode"] for r in done] == ["1", "2", "3", "4"]
    assert all(r["interrupted"] == "0" for r in done)


def test_bad_input(tmp_path):
    mbrl.train(mbrl.load_config(None, TINY + ["pets.episodes=1"]), out=tmp_path / "c", quiet=True)
    with pytest.raises(ValueError, match=r"already holds a run"):
        mbrl.train(mbrl.load_config(None, TINY), out=tmp_path / "c")
    with pytest.raises(TypeError, match=r"out"):  # out is a keyword, and needed
        mbrl.train(mbrl.load_config())
    with pytest.raises(TypeError):
        mbrl.train(mbrl.load_config(None, TINY), tmp_path / "e")
    with pytest.raises(ValueError, match=r"task"):
        mbrl.train(mbrl.load_config(None, ["task=nope"]), out=tmp_path / "d")


def test_a_run_that_another_process_writes_is_refused_with_the_clis_message(tmp_path):
    run_dir = str(tmp_path / "held")
    sets = [x for s in TINY + ["pets.episodes=500"] for x in ("--set", s)]
    writer = subprocess.Popen([MBRL, "train", "--quiet", "--out", run_dir] + sets, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if os.path.exists(os.path.join(run_dir, "checkpoint", "LATEST")):
                break
            writer.poll()
            assert writer.returncode is None, "the writer ended early"
            threading.Event().wait(0.1)
        message = r"another process is writing this run \(.*pid %d" % writer.pid
        with pytest.raises(ValueError, match=message):
            mbrl.train(out=run_dir, resume=True, overrides=["pets.episodes=600"], quiet=True)
        with pytest.raises(ValueError, match=message):
            mbrl.load_run(run_dir).evaluate(episodes=1, quiet=True)
    finally:
        writer.kill()
        writer.wait()
    assert not os.path.exists(os.path.join(run_dir, "eval"))


class _Reward(torch.nn.Module):
    @torch.jit.export
    def reward(self, obs, action, next_obs):
        return -next_obs.square().sum(1) - 0.01 * action.square().sum(1)


def test_a_model_file_unstable_from_its_first_steps_is_refused_before_the_run_exists(tmp_path):
    with open(os.path.join(ROOT, "examples", "tasks", "reacher", "reacher.xml")) as f:
        xml = f.read()
    axis = 'name="elbow" type="hinge" axis="0 0 1"'
    assert axis in xml
    (tmp_path / "nan_axis.xml").write_text(xml.replace(axis, axis.replace("0 0 1", "0 0 nan")))
    torch.jit.script(_Reward()).save(str(tmp_path / "task.pt"))
    config = mbrl.load_config(None, ["task=mjcf", "env.model=%s" % (tmp_path / "nan_axis.xml"),
                                     "env.functions=%s" % (tmp_path / "task.pt"),
                                     "env.episode_length=20"])
    with pytest.raises(ValueError, match=r"env\.model: .*nan_axis\.xml: the simulation is unstable"
                                         r".*MuJoCo: Nan, Inf or huge value"):
        mbrl.train(config, out=tmp_path / "run", quiet=True)
    assert not os.path.exists(tmp_path / "run")


def test_a_runs_config_reads_as_the_run_ran_with_keys_added_later(tmp_path):
    mbrl.train(mbrl.load_config(None, TINY + ["pets.episodes=1"]), out=tmp_path / "old", quiet=True)
    path = tmp_path / "old" / "config.yaml"
    text = path.read_text()
    assert "min_updates" in text
    # A config.yaml written before trainer.min_updates existed ran without the floor.
    path.write_text("".join(l for l in text.splitlines(True) if "min_updates" not in l))
    assert mbrl.load_run(tmp_path / "old").config.trainer.min_updates == 0
    assert mbrl.load_config(str(path)).trainer.min_updates == 1000  # a config file: the default
