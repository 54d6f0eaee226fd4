"""docs/dev/architecture.md matches the code it maps.

- its Layout lists every piece of plugins/module_utils/ and no other;
- its ``imports`` block is the import graph of plugins/module_utils/, read from the code;
- every call it gives of a function (or class) of the pieces a section is about names the
  parameters that function takes: none it does not have, and every one it requires.
"""
import ast
import re
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple


REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "dev" / "architecture.md"
MODULE_UTILS = REPO / "plugins" / "module_utils"
PACKAGE = "ansible_collections.rackspace.cloudbackup.plugins.module_utils"
CODE_BLOCK = re.compile(r"^```(?P<kind>\w*)[ \t]*\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
SECTION = re.compile(r"^## ", re.MULTILINE)
PIECE = re.compile(r"`(?P<name>_\w+)\.py`")
CALL = re.compile(r"(?<![\w.])(?P<name>[A-Za-z_]\w*)\(")
IDENTIFIER = re.compile(r"^\*{0,2}[A-Za-z_]\w*$")


def doc() -> str:
    return DOC.read_text()


def pieces() -> Dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text()) for path in sorted(MODULE_UTILS.glob("_*.py"))}


def imports_of(tree: ast.Module) -> Set[str]:
    """The pieces of module_utils a piece imports."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(PACKAGE + "._"):
                found.add(node.module.rsplit(".", 1)[1])
            elif node.module == PACKAGE:
                found |= {alias.name for alias in node.names}
    return found


def documented_imports() -> Dict[str, Set[str]]:
    blocks = [match.group("body") for match in CODE_BLOCK.finditer(doc()) if match.group("kind") == "imports"]
    assert len(blocks) == 1, "architecture.md has one imports block"
    graph = {}
    for line in blocks[0].strip().splitlines():
        piece, imported = line.split("->")
        graph[piece.strip()] = set(imported.split()) - {"(nothing)"}
    return graph


def test_the_layout_lists_every_piece_of_module_utils():
    layout = next(match.group("body") for match in CODE_BLOCK.finditer(doc()) if "plugins/module_utils/" in match.group("body"))
    listed = set(re.findall(r"^  (_\w+)\.py", layout, re.MULTILINE))
    assert listed == set(pieces())


def test_the_imports_block_is_the_import_graph_of_the_code():
    actual = {name: imports_of(tree) for name, tree in pieces().items()}
    assert documented_imports() == actual


# --- the calls each section gives ---------------------------------------------------------

def sections() -> Iterator[Tuple[Set[str], str]]:
    """Each section about pieces of module_utils: the pieces its title names, its code blocks' text."""
    for section in SECTION.split(doc())[1:]:
        title = section.splitlines()[0]
        named = {match.group("name") for match in PIECE.finditer(title)}
        if named:
            yield named, "\n".join(match.group("body") for match in CODE_BLOCK.finditer(section))


def definitions(tree: ast.Module) -> Dict[str, ast.arguments]:
    """The top-level functions and classes (by their __init__) of a piece, and their parameters."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node.args
        elif isinstance(node, ast.ClassDef):
            init = next((item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__"), None)
            if init is not None:
                found[node.name] = init.args
    return found


def parameters(arguments: ast.arguments) -> Tuple[List[str], Set[str]]:
    """A definition's parameter names (without self) and those it requires."""
    positional = [arg.arg for arg in arguments.posonlyargs + arguments.args if arg.arg != "self"]
    required = set(positional[:len(positional) - len(arguments.defaults)])
    required |= {arg.arg for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults) if default is None}
    rest = [arg.arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
    return positional + [arg.arg for arg in arguments.kwonlyargs] + rest, required


def call_arguments(text: str, start: int) -> Optional[List[str]]:
    """The names a documented call gives, from the "(" at ``start``; None when it is prose, not names."""
    depth, end = 0, start
    for end in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            break
    inside = text[start + 1:end]
    names = [part.split("=")[0].strip() for part in inside.split(",") if part.strip()]
    if not all(IDENTIFIER.match(name) for name in names):
        return None
    return [name.lstrip("*") for name in names]


def documented_calls() -> Iterator[Tuple[str, str, List[str], ast.arguments]]:
    trees = pieces()
    for named, code in sections():
        defined = {name: args for piece in named if piece in trees for name, args in definitions(trees[piece]).items()}
        for match in CALL.finditer(code):
            if match.group("name") in defined:
                given = call_arguments(code, match.end() - 1)
                if given is not None:
                    yield ", ".join(sorted(named)), match.group("name"), given, defined[match.group("name")]


def test_every_documented_call_names_the_parameters_its_function_takes():
    problems = []
    for where, name, given, arguments in documented_calls():
        taken, required = parameters(arguments)
        unknown, missing = [one for one in given if one not in taken], sorted(required - set(given))
        if unknown or missing:
            problems.append("%s: %s(%s): %s%s" % (where, name, ", ".join(given),
                                                  "no parameter %s; " % unknown if unknown else "",
                                                  "leaves out %s" % missing if missing else ""))
    assert problems == []


def test_the_checks_see_what_they_check():
    """Checks that find nothing cannot fail."""
    assert len(list(documented_calls())) >= 30
    assert len(documented_imports()) >= 20
