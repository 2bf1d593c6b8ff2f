"""Batched sweeps of the plan's arc elimination give what shipment-by-shipment passes give.

The plan MIP's elimination (usable arcs, greedy incumbent, bound-based pruning) runs in
numpy passes over chunks of shipments (:mod:`mmroute.routing.plan.sweep`) once a scenario has
:data:`BATCH_MIN_SHIPMENTS` of them. These tests hold them to the per-shipment results, bit for
bit, on bundled scenarios and on a month of many identical consignments, and hold the plans
with and without elimination to the same optimum.
"""

from __future__ import annotations

import numpy as np
import pytest

from mmroute.routing.plan import PlanParams, expand, solve_plan
from mmroute.routing.plan.greedy import greedy_flows
from mmroute.routing.plan.prune import ArcArrays, prune
from mmroute.routing.plan.solve import _extract, _total
from mmroute.routing.plan.sweep import Sweeps
from mmroute.scenarios import Scenario, load, parse
from mmroute.world.check import check_plan

#: (origin, destination, lead time h) of the tiny network's lanes
LANES = (("LZ", "HPH", 72.0), ("LZ", "QZ", 36.0))


def many_identical(n: int = 200, seed: int = 0) -> Scenario:
    """The tiny network with ``n`` consignments of 1-3 TEU released at five hours: most
    consignments have an identical twin; rail and sea capacities bind."""
    rng = np.random.default_rng(seed)
    data = load("tiny").to_dict()
    ships = []
    for i in range(n):
        o, d, lead = LANES[int(rng.integers(len(LANES)))]
        release = float(12 * rng.integers(5))
        ships.append({"id": f"C{i:03d}", "origin": o, "destination": d,
                      "quantity_teu": float(rng.integers(1, 4)), "release_h": release,
                      "due_h": release + lead, "lateness_penalty_cny_per_teu_h": 50.0})
    data["shipments"] = ships
    data["name"] = f"tiny-identical-{n}"
    return parse(data)


@pytest.fixture(scope="module")
def identical() -> Scenario:
    """200 consignments on the tiny network, most of them with identical twins."""
    return many_identical()


def reachable_arcs(net, k: int, splittable: bool) -> list[int]:
    """Arcs on a source-to-sink path of demand ``k``, by a plain search (the reference)."""
    d = net.demands[k]
    ok = [(a.shipment in (None, d.shipment)) and (splittable or min(
        (net.capacity[r] for r in a.resources), default=np.inf) >= d.quantity_teu - 1e-9)
        for a in net.arcs]

    def search(start, step):
        seen, stack = {start}, [start]
        while stack:
            v = stack.pop()
            for i, a in enumerate(net.arcs):
                w = step(a, v)
                if ok[i] and w is not None and w not in seen:
                    seen.add(w)
                    stack.append(w)
        return seen

    fwd = search(net.source[d.shipment], lambda a, v: a.head if a.tail == v else None)
    bwd = search(net.sink[d.destination], lambda a, v: a.tail if a.head == v else None)
    return [i for i, a in enumerate(net.arcs) if ok[i] and a.tail in fwd and a.head in bwd]


@pytest.mark.parametrize("splittable", [False, True])
def test_batched_usable_arcs_are_the_arcs_on_some_source_to_sink_path(identical, splittable):
    net = expand(identical, splittable=splittable)
    for k in (0, 1, 57, 199):
        assert net.usable[net.demands[k].shipment].tolist() == reachable_arcs(net, k, splittable)
    sets = Sweeps.of(net).usable(splittable)
    assert [s.tolist() for s in sets] == [net.usable[d.shipment].tolist() for d in net.demands]


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean", "identical"])
@pytest.mark.parametrize("minimize", ["objective", "co2"])
def test_batched_pruning_keeps_the_same_arcs_and_bound_as_shipment_by_shipment(
        name, minimize, identical):
    sc = identical if name == "identical" else load(name)
    price = sc.objective.co2_price_cny_per_t
    nets = [expand(sc), expand(sc)]
    arr = ArcArrays.of(nets[0])
    ub = _total(_extract(sc, nets[0], greedy_flows(sc, nets[0], price, arr), price, False))
    ub = ub if minimize == "objective" else 1e12
    lbs = [prune(net, arr, sc.objective, price, ub, minimize=minimize, batched=b)
           for net, b in zip(nets, (True, False))]
    assert lbs[0] == lbs[1]  # bit for bit
    for d in nets[0].demands:
        assert nets[0].usable[d.shipment].tolist() == nets[1].usable[d.shipment].tolist()


@pytest.mark.parametrize("minimize", ["objective", "co2"])
def test_batched_greedy_plan_is_the_shipment_by_shipment_greedy_plan(identical, minimize):
    net = expand(identical)
    price = identical.objective.co2_price_cny_per_t
    flows = [greedy_flows(identical, net, price, minimize=minimize, batched=b)
             for b in (True, False)]
    assert flows[0] == flows[1]
    assert len({s for s, _ in flows[0]}) == len(identical.shipments)


def test_a_month_of_identical_consignments_has_one_optimum_with_or_without_elimination():
    identical = many_identical(n=120)  # above BATCH_MIN_SHIPMENTS; the MIP without elimination is slow above
    plans = [solve_plan(identical, time_limit_s=60, seed=0, params=PlanParams(eliminate=e))
             for e in (True, False)]
    for plan in plans:
        assert plan.status == "optimal"
        assert sorted(it.shipment for it in plan.itineraries) == sorted(
            s.id for s in identical.shipments)  # one itinerary per consignment
        check_plan(identical, plan)
    assert plans[0].objective == pytest.approx(plans[1].objective, rel=1e-9)
    assert plans[0].gap <= 1e-6


def test_a_greedy_plan_that_meets_the_elimination_bound_is_optimal_without_a_mip():
    # one consignment, no capacity: its cheapest path is the optimum and the bound
    sc = many_identical(n=1)
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    assert plan.status == "optimal"
    assert plan.bound == plan.objective
    assert plan.objective == pytest.approx(solve_plan(
        sc, time_limit_s=10, seed=0, params=PlanParams(eliminate=False)).objective, rel=1e-12)
