"""Prints every public declaration that has no doc comment, from the symbol graphs in a folder, and exits 1 if there
is one. Only declarations in files under the repository (argument 1) count: members a protocol's extension in
Foundation or the standard library gives a type are documented there."""
import json
import pathlib
import sys

root, folder = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2])
missing = []
for graph in sorted(folder.glob("*.symbols.json")):
    for symbol in json.loads(graph.read_text())["symbols"]:
        location = symbol.get("location")
        if symbol["accessLevel"] not in ("public", "open") or not location or symbol.get("docComment"):
            continue
        path = pathlib.Path(location["uri"].removeprefix("file://"))
        if root not in path.parents:
            continue
        line = location["position"]["line"] + 1
        missing.append(f"{path.relative_to(root)}:{line}: {'.'.join(symbol['pathComponents'])} has no doc comment")
print("\n".join(missing), end="\n" if missing else "")
sys.exit(1 if missing else 0)
