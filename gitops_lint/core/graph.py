"""Cycles in directed graphs (Flux dependsOn chains, the package's own import graph)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping


def cycle_path(edges: Mapping, start: Hashable, component: set) -> list:
    """The nodes of a cycle in `component`, from `start`, always following the smallest next node."""
    order, current = [start], start
    while True:
        current = next(t for t in sorted(edges[current]) if t in component)
        if current in order:
            return order
        order.append(current)


def cyclic_components(edges: Mapping) -> list[set]:
    """Strongly connected components of a graph (`edges`: node -> its successors) that form a cycle
    (size > 1 or a self-loop); Tarjan's algorithm, iterative, visiting nodes in sorted order."""
    index_of: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    result: list[set] = []
    counter = 0
    for start in sorted(edges):
        if start in index_of:
            continue
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index_of[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index_of[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index_of[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, {}):
                    result.append(component)
    return result
