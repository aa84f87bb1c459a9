//! `$(command)` in a terminal line: the substitution ends at its own closing parenthesis, not at
//! one inside quotes or a nested group, as in a shell.

use kubeplay_engine::{Sim, SimConfig};

#[test]
fn substitution_skips_parentheses_inside_quotes() {
    let mut sim = Sim::new(SimConfig { seed: 3, worker_nodes: 2 });
    for line in
        ["kubectl run a --image=luksa/kubia", "kubectl run b --image=luksa/kubia:v3", "sleep 10s"]
    {
        assert_eq!(sim.run(line).exit_code, 0, "{line}");
    }
    // A JSONPath filter has parentheses of its own, inside single quotes.
    let out = sim.run(
        "kubectl get pod $(kubectl get pods -o jsonpath='{.items[?(@.spec.containers[0].image==\"luksa/kubia:v3\")].metadata.name}') -o name",
    );
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.exit_code), ("pod/b\n", "", 0));
    // The same inside double quotes.
    let out = sim.run(
        "kubectl get pod $(kubectl get pods -o jsonpath=\"{.items[?(@.metadata.name=='a')].metadata.name}\") -o name",
    );
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.exit_code), ("pod/a\n", "", 0));
    // A `)` inside quotes does not close it: this one never ends, a shell error.
    let out = sim.run("kubectl get pod $(kubectl get pods -o jsonpath='{.items[0])}'");
    assert_eq!(out.exit_code, 2, "{out:?}");
}
