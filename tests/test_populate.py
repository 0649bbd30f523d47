"""make, populate, progress, key_source and jobs, on every backend."""

from __future__ import annotations

import copy
import logging
import os
import platform
import signal
import threading
import time

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError
from datajoint_sa.populate.runner import JOBS, fingerprint

CALLS: list[tuple] = []


@pytest.fixture
def pipeline(schema):
    CALLS.clear()
    broken: set[int] = set()

    @schema
    class Station(dj.Manual):
        definition = """
        station : int16
        """

    @schema
    class Sensor(dj.Lookup):
        definition = """
        sensor : varchar(8)
        """
        contents = [("thermo",), ("baro",)]

    @schema
    class Reading(dj.Manual):
        definition = """
        -> Station
        -> Sensor
        reading : int16
        ---
        value : float64
        """

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Station
        -> Sensor
        ---
        n : int32
        """

        class Extreme(dj.Part):
            definition = """
            -> master
            kind : enum('low', 'high')
            ---
            value : float64
            """

        def make(self, key):
            CALLS.append(("Summary", key["station"], key["sensor"]))
            values = sorted((Reading & key).to_arrays("value").tolist())
            self.insert1(dict(key, n=len(values)))
            if key["station"] in broken:  # fails after inserting the master row
                raise RuntimeError("broken station")
            self.Extreme.insert([dict(key, kind="low", value=values[0]), dict(key, kind="high", value=values[-1])])

    @schema
    class Spread(dj.Computed):
        definition = """
        -> Station
        ---
        spread : float64
        """

        def make_fetch(self, key):
            return ((Reading & key).to_arrays("value").tolist(),)

        def make_compute(self, key, values):
            CALLS.append(("compute", key["station"]))
            return (max(values) - min(values),)

        def make_insert(self, key, spread):
            self.insert1(dict(key, spread=spread))

    Station.insert([(1,), (2,), (3,)])
    Reading.insert([(s, sensor, r, float(s * 10 + r)) for s in (1, 2, 3) for sensor in ("thermo", "baro") for r in (1, 2)])
    return dict(Station=Station, Sensor=Sensor, Reading=Reading, Summary=Summary, Spread=Spread, broken=broken)


def test_key_source_and_progress(pipeline):
    summary = pipeline["Summary"]
    assert len(summary.key_source) == 6
    assert summary.key_source.heading.names == ["station", "sensor"] or set(summary.key_source.heading.names) == {"station", "sensor"}
    assert summary.progress() == (6, 6)
    assert summary.progress({"station": 1}) == (2, 2)


def test_populate_makes_missing_keys_with_parts(pipeline):
    summary = pipeline["Summary"]
    result = summary.populate({"station": 1})
    assert result == {"success_count": 2, "error_list": []}
    assert len(summary()) == 2 and len(summary.Extreme()) == 4
    assert summary.populate()["success_count"] == 4
    assert summary.populate() == {"success_count": 0, "error_list": []}
    assert summary.progress() == (0, 6)
    assert (summary.Extreme & {"station": 2, "sensor": "baro", "kind": "high"}).fetch1("value") == 22.0


def test_failed_make_leaves_nothing_and_errors_are_reported(pipeline):
    summary, broken = pipeline["Summary"], pipeline["broken"]
    broken.add(2)
    with pytest.raises(RuntimeError, match="broken station"):
        summary.populate({"station": 2})
    assert len(summary & {"station": 2}) == 0  # the master row inserted before the error was rolled back
    result = summary.populate(suppress_errors=True)
    assert result["success_count"] == 4
    assert sorted(k["sensor"] for k, _ in result["error_list"]) == ["baro", "thermo"]
    assert all(message.startswith("RuntimeError: broken station") for _, message in result["error_list"])
    objects = summary.populate(suppress_errors=True, return_exception_objects=True)
    assert all(isinstance(e, RuntimeError) for _, e in objects["error_list"])
    broken.clear()
    assert summary.populate()["success_count"] == 2


def test_max_calls_order_and_restricted_table_error(pipeline):
    summary = pipeline["Summary"]
    assert summary.populate(max_calls=1)["success_count"] == 1
    summary.populate(order="reverse", max_calls=2)
    assert [c[1:] for c in CALLS[1:]] == [(3, "thermo"), (3, "baro")]
    summary.populate(order="random")
    assert len(summary()) == 6
    with pytest.raises(DataJointError, match="restrictions as arguments"):
        (summary & {"station": 1}).populate()
    with pytest.raises(DataJointError, match="order"):
        summary.populate(order="sideways")


def test_direct_insert_refused_outside_make(pipeline):
    summary = pipeline["Summary"]
    with pytest.raises(DataJointError, match="allow_direct_insert"):
        summary.insert1({"station": 1, "sensor": "thermo", "n": 0})
    with pytest.raises(dj.errors.IntegrityError, match="summary"):  # a part row without its master row
        summary.Extreme.insert1({"station": 1, "sensor": "thermo", "kind": "low", "value": 0.0})
    summary.insert1({"station": 1, "sensor": "thermo", "n": 0}, allow_direct_insert=True)
    with pytest.raises(DataJointError, match="allow_direct_insert"):
        summary.Extreme.insert1({"station": 1, "sensor": "thermo", "kind": "low", "value": 0.0})
    assert summary.progress() == (5, 6)


def test_three_part_make(pipeline):
    spread = pipeline["Spread"]
    assert spread.populate()["success_count"] == 3
    assert (spread & {"station": 2}).fetch1("spread") == 1.0
    assert [c for c in CALLS if c[0] == "compute"] == [("compute", 1), ("compute", 2), ("compute", 3)]


def test_three_part_make_detects_changed_inputs(pipeline):
    spread, reading = pipeline["Spread"], pipeline["Reading"]
    original = spread.__dict__["make_compute"]

    def compute_while_inputs_change(self, key, values):
        reading.insert1({"station": key["station"], "sensor": "thermo", "reading": 99, "value": 1000.0})
        return original(self, key, values)

    spread.make_compute = compute_while_inputs_change
    try:
        result = spread.populate({"station": 1}, suppress_errors=True)
    finally:
        spread.make_compute = original
    assert result["success_count"] == 0
    assert "changed" in result["error_list"][0][1]
    assert len(spread()) == 0


def test_generator_make(schema):
    @schema
    class Number(dj.Lookup):
        definition = """
        number : int16
        """
        contents = [(1,), (2,)]

    @schema
    class Double(dj.Computed):
        definition = """
        -> Number
        ---
        double : int32
        """

        def make(self, key):
            fetched = (Number & key).fetch1("number")
            computed = yield (fetched,)
            if computed is None:
                computed = (fetched * 2,)
                yield computed
            self.insert1(dict(key, double=computed[0]))
            yield

    assert Double.populate()["success_count"] == 2
    assert Double.to_dicts(order_by="KEY") == [{"number": 1, "double": 2}, {"number": 2, "double": 4}]


def test_jobs_record_errors_and_skip_them(pipeline):
    summary, broken = pipeline["Summary"], pipeline["broken"]
    broken.add(3)
    result = summary.populate(reserve_jobs=True, suppress_errors=True)
    assert result["success_count"] == 4 and len(result["error_list"]) == 2
    progress = summary.jobs.progress()
    assert progress == {"pending": 0, "reserved": 0, "success": 0, "error": 2, "ignore": 0, "total": 2}
    errors = summary.jobs.errors.to_dicts(order_by="KEY")
    assert [(e["station"], e["sensor"]) for e in errors] == [(3, "baro"), (3, "thermo")]
    assert all(e["error_message"].startswith("RuntimeError") for e in errors)
    assert "Traceback" in (summary.jobs.errors & {"sensor": "baro"}).fetch1("error_stack")
    broken.clear()
    assert summary.populate(reserve_jobs=True) == {"success_count": 0, "error_list": []}  # errors are skipped
    summary.jobs.errors.delete()
    assert summary.jobs.progress()["total"] == 0
    assert summary.populate(reserve_jobs=True)["success_count"] == 2
    assert summary.progress() == (0, 6)


def test_jobs_ignore_and_refresh(pipeline):
    summary, station = pipeline["Summary"], pipeline["Station"]
    summary.jobs.ignore({"station": 1, "sensor": "baro"})
    assert summary.jobs.refresh()["added"] == 5
    assert summary.populate(reserve_jobs=True, refresh=False)["success_count"] == 5
    assert summary.progress() == (1, 6)
    assert len(summary.jobs.ignored) == 1
    station.insert1((4,))
    pipeline["Reading"].insert1((4, "thermo", 1, 1.0))
    assert summary.jobs.refresh()["added"] == 2
    (pipeline["Reading"] & {"station": 4}).delete(prompt=False)
    (station & {"station": 4}).delete(prompt=False)
    assert summary.jobs.refresh()["removed"] == 0  # pending jobs of vanished keys go once stale
    time.sleep(0.01)
    assert summary.jobs.refresh(stale_timeout=0.005)["removed"] == 2


def test_reservation_is_exclusive(pipeline):
    summary = pipeline["Summary"]
    summary.jobs.refresh()
    key = {"station": 1, "sensor": "thermo"}
    assert summary.jobs.reserve(key) is True
    assert summary.jobs.reserve(key) is False
    assert summary.populate(reserve_jobs=True, refresh=False)["success_count"] == 5  # the reserved key is not made


def test_processes_pool(pipeline, backend):
    summary = pipeline["Summary"]
    assert summary.populate({"station": 1}, processes=2, reserve_jobs=True) == {"success_count": 2, "error_list": []}
    assert summary.populate(processes=2) == {"success_count": 4, "error_list": []}
    assert len(summary.Extreme()) == 12 and summary.jobs.progress()["total"] == 0


def test_progress_display(pipeline, caplog):
    with caplog.at_level("INFO", logger="datajoint_sa"):
        assert pipeline["Summary"].progress(display=True) == (6, 6)
    assert "Summary              Completed 0 of 6 (0.0%)" in caplog.text


def test_error_message_is_class_name_when_the_exception_has_no_text(pipeline):
    summary = pipeline["Summary"]
    original = summary.__dict__["make"]

    def bare_error(self, key):
        raise ValueError()

    summary.make = bare_error
    try:
        result = summary.populate({"station": 1}, suppress_errors=True)
    finally:
        summary.make = original
    assert [message for _, message in result["error_list"]] == ["ValueError", "ValueError"]


def test_populate_refused_inside_a_transaction(pipeline, connection):
    with connection.transaction, pytest.raises(DataJointError, match="transaction"):
        pipeline["Summary"].populate()


def test_key_source_override_class_and_mismatch(schema, pipeline):
    station, reading = pipeline["Station"], pipeline["Reading"]
    pipeline["Station"].insert1((9,))  # a station without readings

    @schema
    class Report(dj.Computed):
        definition = """
        -> Station
        ---
        n : int32
        """

        @property
        def key_source(self):
            return station & reading

        def make(self, key, scale=1):
            self.insert1(dict(key, n=scale * len(reading & key)))

    assert Report.progress() == (3, 3)
    assert Report.populate(make_kwargs={"scale": 10})["success_count"] == 3
    assert Report.to_dicts(order_by="KEY")[0] == {"station": 1, "n": 40}

    @schema
    class Whole(dj.Computed):
        definition = """
        -> Station
        """
        key_source = station  # a class works as well as an expression

        def make(self, key):
            self.insert1(key)

    assert Whole.populate()["success_count"] == 4

    @schema
    class Misfit(dj.Computed):
        definition = """
        -> Station
        """
        key_source = pipeline["Sensor"]

        def make(self, key):
            raise AssertionError("never called")

    with pytest.raises(DataJointError, match="sensor"):
        Misfit.populate()


def test_keep_completed_and_re_pend(pipeline):
    summary = pipeline["Summary"]
    with dj.config.override(jobs__keep_completed=True):
        assert summary.populate({"station": 1}, reserve_jobs=True)["success_count"] == 2
        done = summary.jobs.completed.to_dicts(order_by="KEY")
        assert [(j["station"], j["sensor"], j["status"]) for j in done] == [(1, "baro", "success"), (1, "thermo", "success")]
        assert all(j["duration"] is not None and j["completed_time"] is not None for j in done)
        (summary & {"station": 1, "sensor": "baro"}).delete(prompt=False)
        assert summary.jobs.refresh({"station": 1})["re_pended"] == 1
        assert summary.populate({"station": 1}, reserve_jobs=True)["success_count"] == 1
    assert summary.progress({"station": 1}) == (0, 2)


def test_refresh_removes_error_entries_of_vanished_keys(pipeline):
    summary, broken = pipeline["Summary"], pipeline["broken"]
    broken.add(3)
    assert len(summary.populate({"station": 3}, reserve_jobs=True, suppress_errors=True)["error_list"]) == 2
    (pipeline["Reading"] & {"station": 3}).delete(prompt=False)
    (pipeline["Station"] & {"station": 3}).delete(prompt=False)
    assert summary.jobs.refresh()["removed"] == 2
    assert summary.jobs.progress()["total"] == 4  # the pending jobs of stations 1 and 2


def test_orphaned_reservation_is_handed_back(pipeline):
    summary = pipeline["Summary"]
    summary.jobs.refresh()
    key = {"station": 2, "sensor": "baro"}
    assert summary.jobs.reserve(key)
    assert summary.jobs.refresh()["orphaned"] == 0  # no orphan timeout by default
    time.sleep(0.02)
    assert summary.jobs.refresh(orphan_timeout=0.01)["orphaned"] == 1
    assert (summary.jobs & key).fetch1("status") == "pending"
    with dj.config.override(jobs__orphan_timeout=3600):
        assert summary.jobs.reserve(key)
        assert summary.jobs.refresh()["orphaned"] == 0
    assert summary.populate(reserve_jobs=True, refresh=False)["success_count"] == 5  # the reserved key is skipped


def test_priority_and_order_of_jobs(pipeline):
    summary = pipeline["Summary"]
    summary.jobs.refresh({"station": 3}, priority=1)
    summary.jobs.refresh()
    assert summary.populate(reserve_jobs=True, priority=1)["success_count"] == 2
    assert [c[1] for c in CALLS] == [3, 3]
    summary.populate(reserve_jobs=True, order="reverse", max_calls=1)
    assert CALLS[-1][1:] == (2, "thermo")
    assert summary.populate(reserve_jobs=True)["success_count"] == 3


def test_job_entries_record_the_worker(pipeline, backend):
    summary = pipeline["Summary"]
    original = summary.__dict__["make"]

    def long_error(self, key):
        raise RuntimeError("x" * 3000)

    summary.make = long_error
    try:
        summary.populate({"station": 1, "sensor": "baro"}, reserve_jobs=True, suppress_errors=True)
    finally:
        summary.make = original
    entry = summary.jobs.errors.fetch1()
    assert entry["pid"] == os.getpid() and entry["host"] == platform.node()
    assert len(entry["error_message"]) == 2047 and entry["error_message"].endswith("...truncated")
    assert entry["reserved_time"] <= entry["completed_time"]
    assert entry["user"]
    if backend != "sqlite":
        assert entry["connection_id"] > 0


def test_one_log_line_per_key_outcome(pipeline, caplog):
    summary, broken = pipeline["Summary"], pipeline["broken"]
    broken.add(1)
    with caplog.at_level(JOBS, logger="datajoint_sa"):
        summary.populate(suppress_errors=True)
    made = [r for r in caplog.records if "made {" in r.getMessage()]
    failed = [r for r in caplog.records if "failed: RuntimeError: broken station" in r.getMessage()]
    assert len(made) == 4 and all(r.levelno == JOBS for r in made)
    assert len(failed) == 2 and all(r.levelname == "ERROR" for r in failed)


def test_display_progress_shows_a_bar(pipeline, capsys):
    assert pipeline["Summary"].populate(display_progress=True)["success_count"] == 6
    err = capsys.readouterr().err
    assert "Summary" in err and "6/6" in err


def test_three_part_make_with_jobs_and_pool(pipeline):
    spread = pipeline["Spread"]
    assert spread.populate(reserve_jobs=True, processes=2) == {"success_count": 3, "error_list": []}
    assert spread.jobs.progress()["total"] == 0
    assert len(spread()) == 3


def test_pool_reports_or_raises_errors(pipeline):
    summary, broken = pipeline["Summary"], pipeline["broken"]
    broken.add(2)
    result = summary.populate(processes=2, suppress_errors=True, return_exception_objects=True)
    assert result["success_count"] == 4
    assert sorted(k["sensor"] for k, _ in result["error_list"]) == ["baro", "thermo"]
    assert all(isinstance(e, RuntimeError) for _, e in result["error_list"])
    with pytest.raises(RuntimeError, match="broken station"):
        summary.populate(processes=2)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
                    max_leaves=12))
def test_fingerprint_is_equal_for_equal_data(value):
    assert fingerprint(value) == fingerprint(copy.deepcopy(value))
    assert fingerprint(value) != fingerprint([value, 1])


def test_fingerprint_tells_arrays_apart():
    a = np.arange(6.0)
    assert fingerprint((a,)) == fingerprint((a.copy(),))
    assert fingerprint((a,)) != fingerprint((a.reshape(2, 3),))
    assert fingerprint((a,)) != fingerprint((a.astype("float32"),))
    b = a.copy()
    b[3] = 99
    assert fingerprint((a,)) != fingerprint((b,))


def test_own_key_attributes_of_computed_tables_are_declared_with_a_warning(schema, pipeline, caplog):
    class Binned(dj.Computed):
        definition = """
        -> Station
        bin : int16
        ---
        n : int32
        """

        def make(self, key):
            self.insert([dict(key, bin=b, n=b) for b in range(3)])

    with caplog.at_level(logging.WARNING, logger="datajoint_sa"):
        schema(Binned, context={"Station": pipeline["Station"]})  # declared, as DataJoint 2.3.5 declares it
    assert any("bin" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert Binned.populate(reserve_jobs=True)["success_count"] == 3
    assert len(Binned()) == 9 and Binned.jobs.heading.primary_key == ["station"]


def test_schema_lists_existing_jobs_tables(schema, pipeline):
    assert schema.jobs == []
    pipeline["Spread"].jobs.refresh()
    assert [j.target.table_name for j in schema.jobs] == [pipeline["Spread"].table_name]
    assert schema.jobs[0].progress()["pending"] == 3


def test_stopped_run_leaves_no_reservation_behind(pipeline):
    summary, broken = pipeline["Summary"], pipeline["broken"]
    broken.add(2)
    with pytest.raises(RuntimeError, match="broken station"):
        summary.populate(reserve_jobs=True)
    assert summary.jobs.progress() == {"pending": 3, "reserved": 0, "success": 0, "error": 1, "ignore": 0, "total": 4}
    key = {"station": 3, "sensor": "baro"}
    assert summary.jobs.reserve(key) and summary.jobs.release(key)
    assert not summary.jobs.release(key)
    assert (summary.jobs & key).fetch1("status") == "pending"


def test_pool_raises_when_a_worker_dies(pipeline):
    """A worker killed mid-make breaks the pool: an error, not a wait forever for its key."""
    summary = pipeline["Summary"]
    outcome, original_make = [], summary.__dict__["make"]

    def die_on_station_2(self, key):
        if key["station"] == 2:
            os._exit(9)  # as the out-of-memory killer would end it
        self.insert1(dict(key, n=0))
        self.Extreme.insert([dict(key, kind="low", value=0.0), dict(key, kind="high", value=0.0)])

    summary.make = die_on_station_2

    def run():
        try:
            summary.populate(processes=2, order="original")
        except Exception as err:  # noqa: BLE001 - inspected below
            outcome.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "populate(processes=2) hung after a worker died"
    assert len(outcome) == 1 and isinstance(outcome[0], DataJointError) and "died" in str(outcome[0])
    assert not (summary & {"station": 2})  # nothing of the dead worker's key was committed
    summary.make = original_make
    missing = len(summary.key_source) - len(summary())
    assert missing >= 2 and summary.populate() == {"success_count": missing, "error_list": []}


def test_sigterm_raises_system_exit_in_populate_and_ends_processes_forked_meanwhile():
    from datajoint_sa.populate.autopopulate import _terminate_as_exit

    with _terminate_as_exit(True):
        with pytest.raises(SystemExit, match="SIGTERM"):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        pid = os.fork()  # as the pool forks its workers
        if pid == 0:
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
            finally:
                os._exit(3)  # reached only if SIGTERM raised SystemExit here too
        _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM


def test_legacy_make_tuples_is_the_make(schema):
    """A class of DataJoint 0.x that defines ``_make_tuples`` instead of ``make`` populates with it."""

    @schema
    class Source(dj.Lookup):
        definition = """
        source_id : int16
        """
        contents = [(1,), (2,)]

    @schema
    class Legacy(dj.Computed):
        definition = """
        -> Source
        copy_id : int16
        ---
        doubled : int32
        """

        def _make_tuples(self, key):
            self.insert(dict(key, copy_id=i, doubled=2 * key["source_id"]) for i in range(2))

    result = Legacy.populate()
    assert result["success_count"] == 2
    assert sorted(Legacy.to_arrays("doubled").tolist()) == [2, 2, 4, 4]
    assert Legacy.progress() == (0, 2)


def test_processes_none_means_one_worker_per_core(pipeline):
    """``processes=None`` (DataJoint 2.x's spelling for 'as many as there are cores') makes every key."""
    summary = pipeline["Summary"]
    assert summary.populate(processes=None) == {"success_count": 6, "error_list": []}
    assert len(summary()) == 6


def test_upstream_outside_make_raises(pipeline):
    summary = pipeline["Summary"]
    with pytest.raises(DataJointError, match="only available inside make"):
        _ = summary().upstream


def test_upstream_inside_make_is_the_keys_trace(schema):
    """``self.upstream[T]`` inside make() is T restricted to the rows the key derives from (one or two parents)."""
    seen = []

    @schema
    class Animal(dj.Manual):
        definition = """
        animal : int16
        ---
        name : varchar(16)
        """

    @schema
    class Day(dj.Lookup):
        definition = """
        day : int16
        """
        contents = [{"day": 1}, {"day": 2}]

    @schema
    class Visit(dj.Computed):
        definition = """
        -> Animal
        -> Day
        ---
        label : varchar(32)
        """

        def make(self, key):
            name = self.upstream[Animal].fetch1("name")
            day = self.upstream[Day].fetch1("day")
            seen.append(id(self.upstream))
            seen.append(id(self.upstream))
            with pytest.raises(DataJointError):
                self.upstream[Unrelated]
            self.insert1({**key, "label": f"{name}-{day}"})

    @schema
    class Unrelated(dj.Manual):
        definition = """
        unrelated : int16
        """

    Animal.insert([{"animal": 1, "name": "ann"}, {"animal": 2, "name": "bob"}])
    assert Visit.populate()["success_count"] == 4
    assert sorted(Visit.to_arrays("label").tolist()) == ["ann-1", "ann-2", "bob-1", "bob-2"]
    assert all(seen[i] == seen[i + 1] for i in range(0, len(seen), 2))  # one trace per key, memoized
