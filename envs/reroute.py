"""``mmroute/Reroute-v0``: re-route consignments through a multimodal network, one decision at
a time, while traffic, weather, disruptions and late orders unfold."""

from __future__ import annotations

import array
import bisect
import math
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from mmroute.envs.candidates import N_FEATURES, Candidate, candidates, feature_values, to_go
from mmroute.envs.checks import action_slot, reset_seed
from mmroute.envs.forecast import Forecast
from mmroute.envs.hold import HOLDS, hold_candidate
from mmroute.envs.simulator import DONE, Move, Simulator
from mmroute.envs.tables import EnvTables
from mmroute.errors import InputError
from mmroute.scenarios import Scenario, load
from mmroute.validate import is_integer
from mmroute.world.realization import Realization, realize

__all__ = ["RerouteEnv", "N_GLOBAL", "N_CONSIGNMENT", "cost_scale_cny"]

N_CONSIGNMENT = 7
N_GLOBAL = 4
CARGO = ("parts", "vehicles")


def cost_scale_cny(scenario: Scenario, tables: EnvTables | None = None) -> float:
    """The reward scale: the nominal cheapest transport cost of all scenario shipments (CNY),
    at least 1. A reward is ``-cost / cost_scale_cny``. ``tables``: the scenario's
    :class:`~mmroute.envs.tables.EnvTables` to keep the cost-to-go in."""
    total = 0.0
    for s in scenario.shipments:
        c = to_go(scenario, s.destination, tables).cost.get(s.origin, math.inf)
        total += s.quantity_teu * (c if math.isfinite(c) else 0.0)
    return max(1.0, total)


class RerouteEnv(gym.Env):
    """Multimodal rerouting of consignments under uncertainty.

    ## Description
    An episode is one realization (:func:`mmroute.envs.realize`) of a scenario: road noise,
    drifting weather cells, disruptions, realised quantities and late orders. Whenever a
    consignment is ready at a node that is not its destination — at release, after arrival,
    handling and dwell, or when its booked departure does not run — the agent chooses how it
    continues. Dynamics and costs are those of the plan MIP (see :mod:`mmroute.envs.simulator`).

    ## Action Space
    ``Discrete(n_candidates)``: slot ``j < n_candidates - 1`` is the ``j``-th best continuation
    by expected remaining cost under known conditions (a scheduled departure — the next two of
    each service, so waiting for the next one is a choice — or a road trip now or when its
    links reopen); the last slot drops the consignment (drop penalty) — with
    ``drop="last-resort"`` (default) only when every allowed move is expected to end in a drop
    (nothing else is allowed, or no move reaches the destination or a road-only way on before
    the horizon), with ``"always"`` at any decision. :meth:`action_masks` says which slots are allowed (never none); an action that is not allowed is replaced by slot 0 (and
    ``info["invalid_action"]`` is True). With ``hold="latest"`` slot 1 (``n_candidates`` >= 3)
    holds instead where it can: slot 0's move committed late — the consignment stays,
    committed to nothing, until the latest whole hour that still makes slot 0's connection
    (its departure's cut-off, or for a truck into a terminal the cut-off of the departure
    expected there, 2 h to spare: :mod:`mmroute.envs.hold`), then decides again; the other
    moves move down a slot (the last one leaves). With ``hold="reserved"`` slot 1 is the hold
    or nothing: where no hold is offered it stays empty (masked) and the other moves still
    start at slot 2, so slot 1 never carries another move.

    ## Observation Space
    ``Box(-10, 10, (n_candidates * 15 + 7 + 4,), float32)``: per candidate — allowed,
    expected remaining cost / (TEU x cost unit), expected arrival slack to due (days), CO2
    (t/TEU), transshipments, known delay share, forecast weather hits, wait until departure
    (days), is-drop, expected extra time of disruptions not seen yet (days), load share of the
    departure, mode one-hot (road, rail, sea, barge); the consignment — TEU / 10, due slack
    (days), parts, vehicles, other cargo, days since release, waiting-for-a-departure flag; the
    network — clock / horizon, share of released consignments moving, known disruptions active,
    share of released consignments done.

    ## Rewards
    ``-(cost charged since the last decision) / info["cost_scale_cny"]``; the episode's summed
    ``info["cost"]`` (CNY) is its score, the plan objective's terms exactly.

    ## Starting State
    The first decision of the realization of ``reset``'s seed (or of
    ``options["realization"]``, to replay a given realization).

    ## Episode End
    Terminated when every consignment is delivered or dropped.

    ## Arguments
    ``scenario``: a bundled name, a path, or a :class:`~mmroute.scenarios.Scenario`;
    ``n_candidates`` (>= 2); ``forecast_lead_h``; ``drop``; ``hold`` ``"off"`` (default),
    ``"latest"`` or ``"reserved"`` (a hold candidate, see Action Space); ``episode_seeds`` ``(lo, hi)``: for training,
    every episode draws its seed from ``[lo, hi)`` with the env's generator (``reset``'s seed
    then seeds that generator only), so training never sees evaluation seeds;
    ``render_mode`` ``"ansi"`` or ``"rgb_array"``.

    ## Version History
    * v0: initial version; ``hold`` added (default ``"off"``: the same spaces and
      behaviour as before); ``hold="reserved"`` added (``"off"`` and ``"latest"`` unchanged).
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, scenario: str | Path | Scenario = "tiny", *, n_candidates: int = 8,
                 forecast_lead_h: float = 48.0, episode_seeds: tuple[int, int] | None = None,
                 drop: str = "last-resort", render_mode: str | None = None,
                 hold: str = "off"):
        if isinstance(scenario, Scenario):
            self.scenario = scenario
        elif isinstance(scenario, str | Path):
            self.scenario = load(scenario)
        else:
            raise InputError(f"expected a scenario name, path or Scenario, not {type(scenario).__name__}",
                             field="scenario")
        if not self.scenario.shipments:
            raise InputError(f"scenario {self.scenario.name!r} has no shipments to route",
                             field="scenario")
        if not is_integer(n_candidates) or n_candidates < 2:
            raise InputError(f"n_candidates must be an integer >= 2, not {n_candidates!r}",
                             field="n_candidates")
        if not (isinstance(forecast_lead_h, int | float) and math.isfinite(forecast_lead_h)
                and forecast_lead_h >= 0):
            raise InputError(f"forecast_lead_h must be finite and >= 0, not {forecast_lead_h!r}",
                             field="forecast_lead_h")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise InputError(f"render_mode must be one of {self.metadata['render_modes']}, "
                             f"not {render_mode!r}", field="render_mode")
        if episode_seeds is not None:
            lo, hi = _seed_range(episode_seeds)
            episode_seeds = (lo, hi)
        self.episode_seeds = episode_seeds
        if drop not in ("last-resort", "always"):
            raise InputError(f"drop must be 'last-resort' or 'always', not {drop!r}", field="drop")
        self.drop = drop
        if hold not in HOLDS:
            raise InputError(f"hold must be one of {', '.join(map(repr, HOLDS))}, not {hold!r}",
                             field="hold")
        if hold != "off" and n_candidates < 3:
            raise InputError(f"hold={hold!r} needs n_candidates >= 3 (slot 1 holds), not "
                             f"{n_candidates}", field="n_candidates")
        self.hold = hold
        self.k = n_candidates
        self.forecast_lead_h = float(forecast_lead_h)
        self.render_mode = render_mode
        # the scenario's tables, kept across episodes (never on the frozen scenario)
        self.tables = EnvTables(self.scenario)
        self.cost_scale = cost_scale_cny(self.scenario, self.tables)
        self.cost_unit = self.cost_scale / max(1e-9, sum(s.quantity_teu for s in self.scenario.shipments))
        dim = self.k * N_FEATURES + N_CONSIGNMENT + N_GLOBAL
        self.observation_space = spaces.Box(-10.0, 10.0, (dim,), dtype=np.float32)
        self.action_space = spaces.Discrete(self.k)
        self.sim: Simulator | None = None
        self.realization: Realization | None = None
        self._slots: list[Candidate | None] = [None] * self.k
        self._masks: dict[tuple[int, bool, bool], np.ndarray] = {}  # see _advance (read only)
        self._decision = None
        # (known events, their windows, ordered, sorted starts, sorted ends): _active_events
        self._windows: tuple | None = None

    # --- Gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        seed = reset_seed(seed)
        super().reset(seed=seed)
        if options is not None and not isinstance(options, dict):
            raise InputError("options must be a dict", field="options")
        options = options or {}
        unknown = set(options) - {"realization"}
        if unknown:
            raise InputError(f"unknown reset options {sorted(unknown)}", field="options")
        r = options.get("realization")
        if r is None:
            if self.episode_seeds is not None:  # training: seed only seeds the draw of seeds
                ep_seed = int(self.np_random.integers(*self.episode_seeds))
            elif seed is not None:
                ep_seed = seed
            else:
                ep_seed = int(self.np_random.integers(0, 2**31 - 1))
            r = realize(self.scenario, ep_seed)
        elif isinstance(r, dict):
            r = Realization.from_dict(r)
        elif not isinstance(r, Realization):
            raise InputError("options['realization'] must be a Realization or its dict",
                             field="options.realization")
        self.realization = r
        self.sim = Simulator(self.scenario, r, tables=self.tables)
        # Consignment.expected_cny by index, for potential_cny
        self._expected = np.zeros(len(self.sim.consignments))
        self.forecast = Forecast(self.scenario, r, lead_h=self.forecast_lead_h,
                                 weather=self.tables.world.weather)
        self._advance()
        return self._obs(), self._info(0.0)

    def step(self, action):
        self._pending_decision()
        a = action_slot(action)
        invalid = not (0 <= a < self.k and self._slots[a] is not None)
        if invalid:
            a = next(j for j, c in enumerate(self._slots) if c is not None)
        return self._apply(self._slots[a].move, self._slots[a], invalid)

    def step_move(self, move: Move):
        """Like :meth:`step`, with any move the decision allows (see
        :meth:`~mmroute.envs.Simulator.options`), not only a candidate slot: for OR policies
        that follow a plan. :class:`InputError` if the move is not allowed."""
        self._pending_decision()
        cand = next((c for c in self._slots if c is not None and c.move == move), None)
        return self._apply(move, cand, False)

    def _pending_decision(self) -> None:
        if self.sim is None:
            raise InputError("call reset() before step()")
        if self._decision is None:
            raise InputError("the episode is over: call reset()")

    def _apply(self, move: Move, cand: Candidate | None, invalid: bool):
        """Apply ``move``, run to the next decision; the step's 5-tuple."""
        self._expect(cand)
        self.sim.apply(move, offered=cand is not None)  # a slot's move: offered, allowed
        self._advance()
        cost = self.sim.take_charged()
        terminated = self._decision is None
        info = self._info(cost)
        info["invalid_action"] = invalid
        if terminated:
            info["episode_result"] = self.sim.result().to_dict()
        return self._obs(), -cost / self.cost_scale, terminated, False, info

    @property
    def decision(self):
        """The pending :class:`~mmroute.envs.Decision` (``None`` after the end)."""
        return self._decision

    def action_masks(self) -> np.ndarray:
        """Allowed slots (at least one while the episode runs: drop, if nothing else)."""
        if self._decision is None:
            m = np.zeros(self.k, dtype=bool)
            m[self.k - 1] = True  # keeps maskable policies defined after the end
            return m
        return self._mask.copy()

    def observation(self) -> np.ndarray:
        """The observation of the current state (what the last ``reset`` / ``step`` returned)."""
        return self._obs()

    @property
    def slots(self) -> list[Candidate | None]:
        """The current decision's candidates by action slot (``None``: empty; drop last)."""
        return list(self._slots)

    def render(self):
        """The current state as the ``render_mode`` given at construction asks: ``"ansi"``
        a text table, ``"rgb_array"`` a map as an RGB array; ``None`` (the default mode) gives
        ``None``, as Gymnasium's API has it. Either shows only what the observation could
        know: released consignments, known closures, weather seen and forecast."""
        if self.render_mode is not None and self.sim is None:
            raise InputError("call reset() before render()")
        if self.render_mode == "ansi":
            from mmroute.envs.render import render_ansi

            return render_ansi(self)
        if self.render_mode == "rgb_array":
            from mmroute.envs.render import render_rgb

            return render_rgb(self)
        return None

    # --- internals -------------------------------------------------------------------------
    def _advance(self) -> None:
        d = self.sim.next_decision()
        self._decision = d
        if d is None:
            self._slots = [None] * self.k
            return
        self.forecast.issue(self.sim.now)
        cands = candidates(self.sim, d, self.k, self.forecast)  # best first, drop last
        moves = cands[:-1]
        gap = False  # hold="reserved" and no hold offered: slot 1 empty
        if self.hold != "off" and moves:  # slot 1: slot 0's move, committed late
            held = hold_candidate(self.sim, d, moves[0], self.sim.known())
            if held is not None or self.hold == "reserved":
                gap = held is None
                moves = [moves[0], held, *moves[1:]][:self.k - 1]
        drop = cands[-1] if self.drop == "always" or _hopeless(moves) else None
        self._slots = moves + [None] * (self.k - 1 - len(moves)) + [drop]
        # the allowed slots: the moves first (but slot 1 when it is a gap), then the drop if
        # allowed; one array per (moves, gap, drop allowed), the one made from such slots,
        # kept read only (action_masks copies it)
        key = (len(moves), gap, drop is not None)
        mask = self._masks.get(key)
        if mask is None:
            mask = self._masks[key] = np.array([c is not None for c in self._slots], dtype=bool)
        self._mask = mask
        # min(score of the allowed slots), as min() takes them: in their order, the first
        # kept unless a later one is smaller (drop is always allowed when no move is)
        best = moves[0].score_cny if moves else drop.score_cny
        for x in moves:
            if x is not None and x.score_cny < best:
                best = x.score_cny
        if drop is not None and drop.score_cny < best:
            best = drop.score_cny
        self._best_cny = best

    def _obs(self) -> np.ndarray:
        d = self._decision
        if d is None:
            return np.zeros(self.observation_space.shape, dtype=np.float32)
        sim = self.sim
        vals = feature_values(sim, d, self._slots, self.cost_unit)
        s = sim.consignments[d.consignment].shipment
        cargo = (s.cargo or "").lower()
        part, vehicle = "part" in cargo, "vehicle" in cargo
        vals += (s.quantity_teu / 10.0, (s.due_h - d.time_h) / 24.0,
                 float(part), float(vehicle), float(not part and not vehicle),
                 (d.time_h - s.release_h) / 24.0, float(d.lock == "yard"))
        released, moving, done = sim.released_counts()  # counts kept by the simulator
        now = sim.now
        active = self._active_events(now)
        n = max(1, released)
        vals += (now / sim.horizon_h, moving / n,
                 active / 5.0,  # of released ones: the rest is the future
                 done / n)
        return _float32_clipped(vals)

    def _active_events(self, now: float) -> int:
        """How many known closures, node closures and delays, slowdowns and weather cells
        are active (``from_h <= now < to_h``): those started by ``now`` less those ended by
        then (every event has ``from_h <= to_h``), from their sorted starts and ends, kept
        per known events: the hot-path twin of counting the windows with ``from_h <= now <
        to_h`` (the fallback below; tests/envs/test_speed_caches.py checks they agree)."""
        known = self.sim.known().events
        hit = self._windows
        if hit is None or hit[0] is not known:
            windows = [(e.from_h, e.to_h) for e in (
                *known.closures, *known.node_closures, *known.node_delays, *known.slowdowns,
                *known.weather)]
            ordered = all(a <= b for a, b in windows)
            hit = (known, windows, ordered, sorted(a for a, _ in windows),
                   sorted(b for _, b in windows))
            self._windows = hit
        if not hit[2]:  # not for validated events
            return sum(1 for a, b in hit[1] if a <= now < b)
        return bisect.bisect_right(hit[3], now) - bisect.bisect_right(hit[4], now)

    def _expect(self, cand: Candidate | None) -> None:
        """Remember what the deciding consignment is expected to cost in all (see
        :meth:`potential_cny`); a move outside the slots counts as the best slot's."""
        i = self._decision.consignment
        c = self.sim.consignments[i]
        c.expected_cny = c.objective_cny + (self._best_cny if cand is None else cand.score_cny)
        self._expected[i] = c.expected_cny

    def potential_cny(self) -> float:
        """Expected cost (CNY) still to come for the released consignments: for the one
        deciding, its best candidate's expected remaining cost; for the others, what their
        last decision expected, less what they have been charged since. A potential for
        reward shaping (:class:`~mmroute.agents.training.ShapedReward`); 0 at the end.

        The sum runs over the consignments in their order, one addition after the other, as
        the plain loop (:func:`potential_plain`) does, so the two agree to the last bit: with
        few consignments that loop, else the same additions over the simulator's
        :attr:`~mmroute.envs.Simulator.active` index in numpy (``np.add.accumulate`` adds in
        order; no scan of the consignments in Python)."""
        sim = self.sim
        d = self._decision
        if d is None:
            return 0.0
        if len(sim.consignments) <= _LOOP_MAX:
            return potential_plain(self)
        sim._note_releases()
        active, i = sim.active, d.consignment
        was, active[i] = active[i], False  # not the one deciding
        x = self._expected[active] - sim.objective_cny[active]
        active[i] = was
        if not len(x):
            return self._best_cny
        x[~(x > 0.0)] = 0.0  # max(0.0, x) as the loop takes it (nan and -0.0 give 0.0)
        x[0] += self._best_cny  # the loop starts from the best candidate's score
        return float(np.add.accumulate(x)[-1])

    def _info(self, cost: float) -> dict[str, Any]:
        d = self._decision
        info: dict[str, Any] = {"cost": cost, "cost_scale_cny": self.cost_scale,
                                "time_h": self.sim.now, "action_mask": self.action_masks(),
                                "potential_cny": self.potential_cny()}
        if d is not None:
            info["consignment"] = self.sim.consignments[d.consignment].shipment.id
            info["node"] = d.node
        return info


def _hopeless(moves: list[Candidate | None]) -> bool:
    """Whether no move is expected to reach the destination (every arrival infinite; an
    empty slot is none)."""
    for c in moves:
        if c is not None and math.isfinite(c.arrival_h):
            return False
    return True


#: Up to this many consignments :meth:`RerouteEnv.potential_cny` runs the plain loop (cheaper
#: than numpy's calls at that size; the same sum).
_LOOP_MAX = 64


def potential_plain(env: RerouteEnv) -> float:
    """:meth:`RerouteEnv.potential_cny` as a loop over the released consignments."""
    sim = env.sim
    d = env.decision
    if d is None:
        return 0.0
    total = env._best_cny
    deciding = sim.consignments[d.consignment]
    for c in sim.released_view():
        if c is not deciding and c.status not in DONE:  # not c.done, without the call
            x = c.expected_cny - c.objective_cny
            total += x if x > 0.0 else 0.0  # max(0.0, x), without the call
    return total


_LO, _HI = np.float32(-10.0), np.float32(10.0)


def _float32_clipped(vals: list[float]) -> np.ndarray:
    """Hot-path twin of ``np.clip(np.array(vals, dtype=np.float32), -10, 10)``: the same
    values (the same C cast of each double; the bounds are exact in float32), made faster
    (tests/envs/test_speed_caches.py checks they agree)."""
    obs = np.frombuffer(array.array("f", vals), dtype=np.float32)
    np.maximum(obs, _LO, out=obs)
    return np.minimum(obs, _HI, out=obs)


def _seed_range(r) -> tuple[int, int]:
    try:
        lo, hi = (int(x) for x in r)
    except (TypeError, ValueError):
        raise InputError(f"episode_seeds must be a pair (lo, hi), not {r!r}",
                         field="episode_seeds") from None
    if not 0 <= lo < hi:
        raise InputError(f"episode_seeds must have 0 <= lo < hi, not {r!r}", field="episode_seeds")
    return lo, hi
