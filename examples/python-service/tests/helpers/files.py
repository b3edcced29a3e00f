"""A pytest plugin (loaded through ``pytest_plugins``) with fixtures that write scratch files."""

import json

import pytest


@pytest.fixture
def write_json(tmp_path):
    """Write a JSON document under the test's temp dir and return its path."""

    def write(name, document):
        path = tmp_path / name
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_text(tmp_path):
    def write(name, text):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
