"""A graph runner that calls the model's nodes in a fixed order, without dask.

Rasa runs its NLU and policy graphs through `dask.get` three times a turn (parse, then one
prediction per action). For our graphs of a handful of nodes, dask's scheduling (ordering the
graph, task bookkeeping, rebuilding the minimal schema on every call) was about 9% of the Rasa
server's CPU with 20 users (py-spy). Nodes run one at a time either way; here the order for
each set of targets is worked out once and reused. Inputs and outputs are those of
`DaskGraphRunner`: every node receives and returns `(node_name, value)` pairs.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

Step = Tuple[Text, Tuple[Text, ...]]


def execution_order(schema: GraphSchema, targets: List[Text]) -> List[Step]:
    """Each node the targets depend on, after everything it needs (depth-first, each once)."""
    order: List[Step] = []
    done: set = set()

    def visit(name: Text, path: Tuple[Text, ...]) -> None:
        if name in done or name not in schema.nodes:  # not a node: an input placeholder
            return
        if name in path:
            raise GraphRunError(f"The graph has a cycle through '{name}'.")
        needs = tuple(schema.nodes[name].needs.values())
        for need in needs:
            visit(need, path + (name,))
        done.add(name)
        order.append((name, needs))

    for target in targets:
        visit(target, ())
    return order


class SequentialGraphRunner(DaskGraphRunner):
    """`DaskGraphRunner` with the same nodes and results, run in a precomputed order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orders: Dict[Tuple[Text, ...], Tuple[List[Step], frozenset]] = {}

    def _order(self, targets: List[Text]) -> Tuple[List[Step], frozenset]:
        key = tuple(targets)
        if key not in self._orders:
            order = execution_order(self._graph_schema, targets)
            outside = {need for _, needs in order for need in needs if need not in self._graph_schema.nodes}
            outside |= {target for target in targets if target not in self._graph_schema.nodes}
            self._orders[key] = (order, frozenset(outside))
        return self._orders[key]

    def run(self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        """Runs the graph (see `GraphRunner.run`)."""
        run_targets = list(targets) if targets else self._graph_schema.target_names
        order, needed_inputs = self._order(run_targets)
        inputs = inputs or {}
        for name, value in inputs.items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of the "
                                    f"input names passed to the `run` method are the same as node names in the graph schema.")
        missing = needed_inputs.difference(inputs)
        if missing:
            raise GraphRunError(f"The graph needs the inputs {sorted(missing)}, which were not given.")

        values: Dict[Text, Any] = {name: (name, value) for name, value in inputs.items()}
        try:
            for name, needs in order:
                values[name] = self._instantiated_nodes[name](*[values[need] for need in needs])
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(values[target] for target in run_targets)
