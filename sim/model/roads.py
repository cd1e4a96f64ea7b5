"""Road checks on route segments: checkpoints stand on the roads leading out of a city, and the
chance of stopping a passing criminal vehicle is the checkpoint's capacity against the traffic
on that segment.

A segment is a road edge of the route graph (both directions together). Its traffic is the
segment's road-class rule (`road_vehicles_per_day`, an assumption for motorways and other
roads) plus the published daily vehicles of the border crossings at its ends (`crossings.csv`):
border traffic drives on to the next city. A city's road-checkpoint officers on duty are spread
evenly over its road segments; their capacity (`checkpoint_time_share` of their time,
`road_check_officer_minutes` per stop) against the segment's traffic in the hour gives the share
of passing vehicles stopped; the rest of their time is booked as idle
(`officer_hours_idle_road_checkpoint`). A criminal vehicle driving a checked segment is picked
with that share (then the targeting rule applies) when it reaches the segment's far end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms import check_capacity

if TYPE_CHECKING:
    from sim.model import JointActionModel

CHECKPOINT_KINDS = ("hub", "destination")


class RoadSegments:
    """Every road segment's traffic, its checkpoint officers and this hour's share checked."""

    def __init__(self, model: JointActionModel):
        self.model = model
        graph, index = model.graph, model.place_index
        parameters = model.parameters
        pairs: dict[tuple[str, str], dict] = {}
        for u, v, data in graph.edges(data=True):
            if data["mode"] == "road":
                pairs.setdefault(tuple(sorted((u, v))), data)
        self.segments = sorted(pairs)
        self.segment_index = {pair: i for i, pair in enumerate(self.segments)}
        crossing_vehicles = {n: float(a.get("vehicles_per_day", 0.0) or 0.0)
                             for n, a in graph.nodes(data=True) if a["kind"] == "crossing"}
        self.traffic_per_day = np.array([
            parameters.road_vehicles_per_day[pairs[pair]["road"]]
            + sum(crossing_vehicles.get(end, 0.0) for end in pair)
            for pair in self.segments])
        # spread[p, s]: the share of city p's checkpoint officers standing on segment s
        self.spread = np.zeros((len(model.place_ids), len(self.segments)))
        for s, pair in enumerate(self.segments):
            for end in pair:
                if graph.nodes[end]["kind"] in CHECKPOINT_KINDS:
                    self.spread[index[end], s] = 1.0
        degree = self.spread.sum(axis=1, keepdims=True)
        self.spread = np.divide(self.spread, degree, out=np.zeros_like(self.spread),
                                where=degree > 0)
        self.share = np.zeros(len(self.segments))
        # lookups for the movements: road edge (either way) -> segment, and each segment's
        # checkpoint cities (place, index, share of its officers) in the segment's order
        self.road_edges = {(u, v): self.segment_index[(u, v) if u < v else (v, u)]
                           for u, v, data in graph.edges(data=True) if data["mode"] == "road"}
        self.ends = [[(p, index[p], float(self.spread[index[p], s])) for p in pair
                      if self.spread[index[p], s] > 0] for s, pair in enumerate(self.segments)]
        # this tick's checkpoint city by road edge (post strengths change only between hours)
        self._checkpoints: dict[tuple[str, str], str] = {}
        self._checkpoints_tick = -1

    def hour(self, hour_of_day: int) -> np.ndarray:
        """Road checks by place this hour; leaves each segment's share of traffic checked and
        books the checkpoint officers' hours not spent stopping vehicles as idle."""
        self.share, checks = self.checked(hour_of_day)
        self._checkpoints.clear()  # post strengths may have changed since the last hour
        model = self.model
        officers = model.on_duty["road_checkpoint"][:, hour_of_day]
        stopping = checks * model.parameters.road_check_officer_minutes / 60.0
        model.tally.add_vector("officer_hours_idle_road_checkpoint", model.day,
                               np.maximum(officers - stopping, 0.0))
        return checks

    def checked(self, hour_of_day: int) -> tuple[np.ndarray, np.ndarray]:
        """(share of each segment's traffic checked, checks by place) at an hour of the day."""
        model, parameters = self.model, self.model.parameters
        officers = (model.on_duty["road_checkpoint"][:, hour_of_day]
                    * parameters.checkpoint_time_share)
        capacity = check_capacity(officers, parameters.road_check_officer_minutes)
        pieces = self.spread * capacity[:, None]          # checks each city can do per segment
        offered = pieces.sum(axis=0)
        traffic = self.traffic_per_day * model.daily_rhythm[hour_of_day]
        done = np.minimum(offered, traffic)
        with np.errstate(divide="ignore", invalid="ignore"):
            used = np.where(offered > 0, done / offered, 0.0)
            share = np.where(traffic > 0, done / traffic, 0.0)
        return share, pieces @ used

    def edge_share(self, start: str, end: str) -> float:
        """Share of vehicles checked this hour on the road edge `start` -> `end` (0: none, or
        not a road)."""
        s = self.road_edges.get((start, end))
        return 0.0 if s is None else float(self.share[s])

    def checkpoint_place(self, start: str, end: str) -> str:
        """The city whose officers stand on the segment (the one with more of them now; the
        first of `start`, `end` on a tie)."""
        model = self.model
        if self._checkpoints_tick != model.tick:
            self._checkpoints.clear()
            self._checkpoints_tick = model.tick
        place = self._checkpoints.get((start, end))
        if place is None:
            s = self.segment_index[(start, end) if start < end else (end, start)]
            ends = self.ends[s] if start < end else self.ends[s][::-1]
            on_duty = model.on_duty["road_checkpoint"][:, model.hour_of_day]
            place = max(ends, key=lambda e: on_duty[e[1]] * e[2])[0]
            self._checkpoints[start, end] = place
        return place
