"""mbrl.load_config and mbrl.Config: the CLI's configs and its errors, from Python."""
import os

import pytest

import mbrl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_loads_a_file_with_overrides_and_reads_fields_as_attributes():
    config = mbrl.load_config(os.path.join(ROOT, "configs/pusher.yaml"), ["planner.population=200"])
    assert config.task == "pusher"
    assert config.planner.population == 200
    assert config["planner.population"] == 200
    assert isinstance(config.trainer.learning_rate, float)


def test_setting_a_field_is_checked_at_once():
    config = mbrl.load_config()
    config.planner.population = 123
    assert config.planner.population == 123
    config.agent.horizon = 7
    assert config.to_dict()["agent"]["horizon"] == 7
    with pytest.raises(ValueError, match=r"planner\.population: expected an integer"):
        config.planner.population = 1
    assert config.planner.population == 123  # unchanged by the refused value


def test_a_new_planner_type_starts_from_its_defaults():
    config = mbrl.load_config()
    config.planner.type = "cem-gd"
    assert config.planner.n_r == 50


def test_errors_are_the_clis_as_value_errors():
    with pytest.raises(ValueError, match=r"no_such\.yaml: cannot open config file"):
        mbrl.load_config("no_such.yaml")
    with pytest.raises(ValueError, match=r"planner\.no_such_key: unknown key"):
        mbrl.load_config(None, ["planner.no_such_key=3"])
    with pytest.raises(ValueError, match=r"expected key=value"):
        mbrl.load_config(None, ["planner.population"])
    with pytest.raises(ValueError, match=r"--planner: unknown planner 'nope'"):
        mbrl.load_config(os.path.join(ROOT, "configs/pusher.yaml"), planner="nope")
    with pytest.raises(AttributeError):
        mbrl.load_config().no_such_section


def test_to_yaml_is_what_load_config_reads_back(tmp_path):
    config = mbrl.load_config(None, ["seed=5", "planner.population=77"])
    path = tmp_path / "c.yaml"
    path.write_text(config.to_yaml())
    again = mbrl.load_config(str(path))
    assert again.to_dict() == config.to_dict()


def test_reading_a_field_reads_it_alone():
    config = mbrl.load_config(None, ["planner.population=123"])
    assert config.planner.population == 123
    assert config["planner"]["population"] == 123
    assert config._core.get("trainer.min_updates") == config.to_dict()["trainer"]["min_updates"]
    with pytest.raises(KeyError, match=r"config has no key 'planner.nope'"):
        config["planner.nope"]
    with pytest.raises(AttributeError):
        config.nope
