"""Generate crates/engine/src/kubectl/explain_data.json: the API documentation `kubectl explain` prints.

Usage: .venv-validate/bin/python scripts/gen_explain_data.py [--check]   (venv from scripts/lib.sh)
  --check: write nothing, fail if the committed file differs from what would be generated.

Source: the Kubernetes schemas that the PyPI package kubernetes-validate ships, for the version the
simulated API server reports (KUBERNETES_VERSION in crates/engine/src/bootstrap.rs), limited to the
kinds in the engine's kind table (crates/engine/src/api/kinds.rs) and the types they reach.

Output, compact JSON (one line):
  {"version": V, "strings": [text...], "kinds": {Kind: def}, "defs": [[name, desc, type, required, fields]]}
  desc is an index into strings (-1: none); type is the OpenAPI type ("" when the schema has none,
  as for Quantity and IntOrString); fields are [name, desc, shape] or [name, desc, shape, enum].
  A shape is a primitive type, "#N" (definition N), "[]" + shape (array) or "{}" + shape (map).
Descriptions are stored once. The field order is the schema's sorted order, as kubectl prints it.

The package reshapes a few things the API server's OpenAPI v3 document has: it adds an enum with the
one apiVersion and kind to every kind (dropped here) and replaces Quantity and IntOrString with
description-less oneOf schemas (their upstream descriptions are restored below). Enum values are
kept wherever the schemas carry them; the published snapshots are made with OpenAPIEnums off.
"""

import json
import pathlib
import re
import sys

import kubernetes_validate

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "crates/engine/src/kubectl/explain_data.json"

# Upstream descriptions (k8s.io/apimachinery) that the package's oneOf schemas lost.
RESTORED = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": (
        "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML "
        "marshalling and unmarshalling, it produces or consumes the inner type.  This allows you "
        "to have, for example, a JSON field that can accept a name or number."
    ),
    "io.k8s.apimachinery.pkg.api.resource.Quantity": (
        "Quantity is a fixed-point representation of a number. It provides convenient "
        "marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors."
        "\n\nThe serialization format is:\n\n<quantity>        ::= <signedNumber><suffix>\n"
        "  (Note that <suffix> may be empty, from the \"\" case in <decimalSI>.)\n"
        "<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> "
        "<number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> "
        "<sign>            ::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> "
        "<suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> "
        "<binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n"
        "  (International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n"
        "<decimalSI>       ::= m | \"\" | k | M | G | T | P | E\n"
        "  (Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n"
        "<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber>\n\n"
        "No matter which of the three exponent forms is used, no quantity may represent a number "
        "greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers "
        "larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) "
        "This may be extended in the future if we require larger or smaller quantities.\n\n"
        "When a Quantity is parsed from a string, it will remember the type of suffix it had, and "
        "will use the same type again when it is serialized.\n\n"
        "Before serializing, Quantity will be put in \"canonical form\". This means that "
        "Exponent/suffix will be adjusted up or down (with a corresponding increase or decrease in "
        "Mantissa) such that:\n  a. No precision is lost\n  b. No fractional digits will be "
        "emitted\n  c. The exponent (or suffix) is as large as possible.\nThe sign will be omitted "
        "unless the number is negative.\n\nExamples:\n  1.5 will be serialized as \"1500m\"\n  "
        "1.5Gi will be serialized as \"1536Mi\"\n\nNote that the quantity will NEVER be internally "
        "represented by a floating point number. That is the whole point of this exercise.\n\n"
        "Non-canonical values will still parse as long as they are well formed, but will be "
        "re-emitted in their canonical form. (So always use canonical form, or don't diff.)\n\n"
        "This format is intended to make it difficult to use these numbers without writing some "
        "sort of special handling code in the hopes that that will cause implementors to also use "
        "a fixed point implementation."
    ),
}


def server_version() -> str:
    text = (ROOT / "crates/engine/src/bootstrap.rs").read_text()
    m = re.search(r'KUBERNETES_VERSION: &str = "v(\d+\.\d+)\.\d+"', text)
    if not m:
        sys.exit("KUBERNETES_VERSION not found in bootstrap.rs")
    return m.group(1) + ".0"


def kind_table() -> dict:
    """Kind -> OpenAPI definition name, from the kinds! table."""
    text = (ROOT / "crates/engine/src/api/kinds.rs").read_text()
    kinds = {}
    for kind, ty, group, version in re.findall(
        r'(\w+) => \w+::(\w+) \{ group: "([^"]*)", version: "(\w+)"', text
    ):
        package = group.split(".")[0] if group else "core"
        kinds[kind] = f"io.k8s.api.{package}.{version}.{ty}"
    if len(kinds) < 10:
        sys.exit(f"kind table not understood: {kinds}")
    return kinds


def primitive(schema: dict) -> str:
    t = schema.get("type", "")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "")
    return t


def main() -> None:
    version = server_version()
    package = pathlib.Path(kubernetes_validate.__file__).parent
    source = package / "kubernetes-json-schema" / f"v{version}-local" / "_definitions.json"
    schemas = json.loads(source.read_text())["$defs"]
    kinds = kind_table()

    order, index = [], {}

    def reach(name: str) -> int:
        if name not in index:
            if name not in schemas:
                sys.exit(f"no schema {name}")
            index[name] = len(order)
            order.append(name)
        return index[name]

    strings, string_index = [], {}

    def text(s) -> int:
        if not s:
            return -1
        if s not in string_index:
            string_index[s] = len(strings)
            strings.append(s)
        return string_index[s]

    def shape(schema: dict) -> str:
        if "$ref" in schema:
            return "#" + str(reach(schema["$ref"].rsplit("/", 1)[-1]))
        if "items" in schema:
            return "[]" + shape(schema["items"])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return "{}" + shape(extra)
        return primitive(schema)

    kind_defs = {kind: reach(name) for kind, name in sorted(kinds.items())}
    defs, done = [], 0
    while done < len(order):
        name = order[done]
        schema = schemas[name]
        if "items" in schema or isinstance(schema.get("additionalProperties"), dict):
            sys.exit(f"{name}: a top-level array or map schema is not supported")
        description = RESTORED.get(name, schema.get("description"))
        fields = []
        for field, sub in sorted(schema.get("properties", {}).items()):
            entry = [field, text(sub.get("description")), shape(sub)]
            enum = sub.get("enum")
            # The package pins apiVersion and kind to one value; the API server's schema does not.
            if enum and not (name in kinds.values() and field in ("apiVersion", "kind")):
                entry.append(enum)
            fields.append(entry)
        defs.append([name, text(description), primitive(schema), schema.get("required", []), fields])
        done += 1

    data = {"version": version, "strings": strings, "kinds": kind_defs, "defs": defs}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text() != text:
            sys.exit(f"{OUT.relative_to(ROOT)} is stale: run scripts/gen_explain_data.py")
        print(f"{OUT.relative_to(ROOT)}: up to date")
        return
    OUT.write_text(text)
    print(f"{OUT.relative_to(ROOT)}: {len(defs)} definitions, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
