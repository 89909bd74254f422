"""Every import statement of a parsed module, lazy ones included (the layer and network tests)."""

from __future__ import annotations

import ast
from collections.abc import Iterator


def imports_in(tree: ast.AST) -> Iterator[tuple[ast.stmt, list[str]]]:
    """(statement, names) for each `import a.b` (names ['a.b']) and absolute `from a import b`
    (names ['a', 'a.b']: the module, and the name as a module in case it is one)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node, [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node, [node.module] + [f"{node.module}.{a.name}" for a in node.names]
