"""Pipelines load from TOML with every setting stated; anything unknown or missing fails clearly."""

from __future__ import annotations

import copy

import pytest

from batch_stages import kill_pipeline
from conftest import ROOT
from textpipe import ConfigError, Pipeline
from textpipe.pipeline import shipped_pipelines
from textpipe.resources import load_package_toml, package_path


@pytest.fixture()
def config():
    return copy.deepcopy(load_package_toml("pipelines", "default.toml"))


def test_default_ships_in_the_package_and_is_the_repositorys_file():
    assert "default" in shipped_pipelines()
    assert (ROOT / "pipelines" / "default.toml").read_bytes() == package_path("pipelines", "default.toml").read_bytes()


def test_load_by_name_and_by_path():
    by_name = Pipeline.load("default")
    by_path = Pipeline.load(str(ROOT / "pipelines" / "default.toml"))
    assert [s.name for s in by_name.stages] == [s.name for s in by_path.stages]
    assert [s.name for s in by_name.stages] == ["read", "blocks", "boilerplate", "languages", "names", "transliteration", "write"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["pipeline"]["stages"].insert(2, "dedupe"), "unknown stage 'dedupe'"),
        (lambda c: c["boilerplate"].update(threshold=0.5), "unknown setting(s) threshold"),
        (lambda c: c["languages"].pop("seed"), "missing setting(s) seed"),
        (lambda c: c["names"].update(max_words="six"), "'max_words' = 'six' is not of type int"),
        (lambda c: c["names"].update(scope="everywhere"), "'scope' = 'everywhere'"),
        (lambda c: c["pipeline"]["stages"].remove("names"), "settings for stage(s) not in the pipeline: names"),
        (lambda c: c["pipeline"]["stages"].reverse(), "starts with the 'read' stage"),
        (lambda c: c["transliteration"]["schemes"]["ru"].append("gost_1876"), "language 'ru' has schemes"),
        (lambda c: c.pop("pipeline"), "[pipeline] table"),
        (lambda c: c["pipeline"]["stages"].insert(2, "no_such_module:Stage"), "cannot import no_such_module"),
        (lambda c: c["pipeline"]["stages"].insert(2, "batch_stages:KillConfig"), "not a processing Stage subclass"),
        (lambda c: c["pipeline"]["stages"].insert(2, "textpipe.stages:Write"), "not a processing Stage subclass"),
        (lambda c: c["pipeline"]["stages"].insert(2, "batch_stages:KillWorker"), "stage 'batch_stages:KillWorker': missing setting(s) marker"),
    ],
)
def test_bad_configs_fail_at_load_with_a_clear_message(config, edit, message):
    edit(config)
    with pytest.raises(ConfigError) as caught:
        Pipeline.from_dict(config)
    assert message in str(caught.value)


def test_unknown_pipeline_name_lists_the_shipped_ones():
    with pytest.raises(ConfigError, match="shipped pipelines: .*default"):
        Pipeline.load("no-such-pipeline")


def test_a_pipeline_without_later_stages_still_runs(config):
    config["pipeline"]["stages"] = ["read", "blocks", "write"]
    for stage in ("boilerplate", "languages", "names", "transliteration"):
        config.pop(stage)
    doc = Pipeline.from_dict(config)("One line.\n\nAnother line.")
    assert len(doc.blocks) == 2 and doc.segments == [] and doc.lang == "und"


def test_a_stage_of_ones_own_by_module_and_class():
    config = kill_pipeline("never in these texts")
    pipe = Pipeline.from_dict(config)
    assert [s.name for s in pipe.stages] == ["read", "blocks", "kill_worker", "write"]
    assert len(pipe("One line.\n\nAnother line.").blocks) == 2
