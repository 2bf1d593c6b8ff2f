"""mmroute.routing"""

# truck / container loading (issue 3); re-exported names, hence F401
from mmroute.routing.loading import (  # noqa: F401
    BoxType,
    Container,
    LoadingInstance,
    Packing,
    Placement,
    check_packing,
    read_thpack,
    solve_loading,
)

# loading-aware routing (issue 3, item 6); re-exported names, hence F401
from mmroute.routing.loadroute import (  # noqa: F401
    LoadingAwareParams,
    LoadingAwareResult,
    RouteLoading,
    RouteLoadingReport,
    check_route_loading,
    solve_loading_aware,
)

# multimodal plan (issue 4); re-exported names, hence F401
from mmroute.routing.plan import (  # noqa: F401
    KnownEvents,
    Plan,
    PlanState,
    Position,
    check_plan,
    pareto_front,
    replan,
    solve_hindsight,
    solve_plan,
    state_at,
)

# vehicle routing (issue 5); re-exported names, hence F401
from mmroute.routing.vrp import (  # noqa: F401
    CheckReport,
    Route,
    VehicleType,
    VRPProblem,
    VRPSolution,
    check_vrp,
    from_scenario_fleet,
    read_instance,
    read_sol_file,
    solve_vrp,
    solve_vrp_exact,
)
