"""Validate lesson manifests against the Kubernetes JSON schemas that kubernetes-validate ships.

Usage: validate_manifests.py DIR   (DIR/valid/* must pass, DIR/invalid/* are reported only)

Strict: unknown fields fail, and so does a kind/apiVersion with no schema in the newest Kubernetes
version the package knows (the plain CLI only warns about that, which would let a removed API
version such as apps/v1beta2 through). Needs no network: the schemas are inside the package.
"""

import pathlib
import sys

from kubernetes_validate import utils


def problems(path: pathlib.Path, version: str) -> list:
    found = []
    docs = [d for d in utils.resources_from_file(str(path)) if d is not None]
    if not docs:
        return ["no YAML document"]
    for doc in docs:
        if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
            found.append("a document without kind or apiVersion")
            continue
        try:
            utils.validate(doc, version, strict=True)
        except utils.SchemaNotFoundError:
            found.append(f"no schema for kind {doc['kind']} in {doc['apiVersion']} (removed or unknown API version?)")
        except utils.ValidationError as e:
            where = ".".join(str(p) for p in e.path) or "(top level)"
            found.append(f"{where}: {e.message}")
    return found


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    version = utils.latest_version()
    failed = 0
    valid = sorted((root / "valid").glob("*"))
    for path in valid:
        found = problems(path, version)
        if found:
            failed += 1
            for p in found:
                print(f"    {path.name}: FAILED: {p}")
        else:
            print(f"    {path.name}: valid for Kubernetes {version}")
    for path in sorted((root / "invalid").glob("*")):
        found = problems(path, version)
        verdict = "rejected: " + "; ".join(found) if found else "passes the schema (the engine rejects it)"
        print(f"    {path.name}: marked invalid; {verdict}")
    print(f"    {len(valid) - failed} valid, {failed} failed (kubernetes-validate, strict, Kubernetes {version})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
