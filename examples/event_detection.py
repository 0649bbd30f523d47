"""A computed pipeline: detect events in generated signals (runs on SQLite with no setup).

    python examples/event_detection.py

Recording (Manual) holds the parameters of a noisy signal; Detection (Computed)
generates the signal in make(), finds threshold crossings and stores each one in
its Part table Detection.Event.  populate() computes what is missing; a second
call does nothing; a new recording is picked up by the next populate().  Rhythm
(Computed) measures the intervals between events with a three-part make
(make_fetch / make_compute / make_insert), populated through its jobs table.
"""

from __future__ import annotations

import pathlib
import tempfile

import numpy as np

import datajoint_sa as dj

dj.config["database.url"] = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'events.db'}"
dj.config["safemode"] = False

schema = dj.Schema("event_detection")


@schema
class Recording(dj.Manual):
    definition = """
    # a simulated recording: a noisy sine wave
    recording_id : int16
    ---
    frequency : float64        # Hz
    noise : float64            # standard deviation of the noise
    duration = 10.0 : float64  # seconds
    """


@schema
class Threshold(dj.Lookup):
    definition = """
    threshold : float64    # crossing level
    """
    contents = [(0.5,), (0.9,)]


@schema
class Detection(dj.Computed):
    definition = """
    # upward threshold crossings of one recording at one threshold
    -> Recording
    -> Threshold
    ---
    event_count : int32
    """

    class Event(dj.Part):
        definition = """
        -> master
        event_no : int32
        ---
        time : float64    # seconds from the start
        """

    def make(self, key):
        frequency, noise, duration = (Recording & key).fetch1("frequency", "noise", "duration")
        rate = 200.0
        t = np.arange(0, duration, 1 / rate)
        rng = np.random.default_rng(key["recording_id"])
        signal = np.sin(2 * np.pi * frequency * t) + rng.normal(0, noise, t.size)
        above = signal > key["threshold"]
        onsets = np.flatnonzero(above[1:] & ~above[:-1]) + 1
        self.insert1(dict(key, event_count=len(onsets)))
        self.Event.insert([dict(key, event_no=i, time=float(t[j])) for i, j in enumerate(onsets)])


@schema
class Rhythm(dj.Computed):
    definition = """
    # regularity of the detected events: the three-part make computes outside the transaction
    -> Detection
    ---
    mean_interval = null : float64   # seconds between events
    jitter = null : float64          # standard deviation of the intervals
    """

    def make_fetch(self, key):
        return ((Detection.Event & key).to_arrays("time", order_by="event_no"),)

    def make_compute(self, key, times):
        intervals = np.diff(times)
        if intervals.size == 0:
            return None, None
        return float(intervals.mean()), float(intervals.std())

    def make_insert(self, key, mean_interval, jitter):
        self.insert1(dict(key, mean_interval=mean_interval, jitter=jitter))


def main() -> None:
    Recording.insert([(1, 0.5, 0.1, 10.0), (2, 1.0, 0.3, 10.0), (3, 2.0, 0.05, 5.0)])
    print("to compute (remaining, total):", Detection.progress())
    result = Detection.populate(display_progress=False)
    print("populate:", result["success_count"], "made,", len(result["error_list"]), "errors")
    print(Detection())
    print("events of recording 2 at 0.9:", len(Detection.Event & {"recording_id": 2, "threshold": 0.9}))
    print("populate again:", Detection.populate()["success_count"], "made")
    Recording.insert1((4, 0.25, 0.2, 20.0))
    print("after a new recording:", Detection.progress(), "->", Detection.populate()["success_count"], "made")
    print("events in total:", len(Detection.Event()))
    # Through the jobs table, as workers on several machines would share the work.
    result = Rhythm.populate(reserve_jobs=True)
    print("rhythm with jobs:", result["success_count"], "made; jobs left:", Rhythm.jobs.progress()["total"])
    slowest = (Rhythm & {"recording_id": 4, "threshold": 0.5}).fetch1("mean_interval")
    print(f"recording 4 at 0.5: one event every {slowest:.1f} s")


if __name__ == "__main__":
    main()
