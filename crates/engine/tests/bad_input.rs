//! Bad input never panics and never changes the cluster: each row is applied to a fresh cluster,
//! must fail with kubectl's words, and must leave every object as it was.

use kubeplay_engine::{Sim, SimConfig};

fn state(sim: &mut Sim) -> String {
    // Everything a user can list, events aside (a failed request records none anyway).
    let out = sim.run("kubectl get all,ns,nodes,cm,sa -A -o yaml");
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    out.stdout
}

fn alias_bomb() -> String {
    let mut s = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 8].join(",");
        s.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    s
}

fn rows() -> Vec<(&'static str, String, &'static str)> {
    let pod = |extra: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kubia\nspec:\n  containers:\n  - name: kubia\n    image: luksa/kubia\n{extra}"
        )
    };
    vec![
        ("malformed yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   bad: [\n".into(), "error converting YAML to JSON: yaml: line"),
        ("tab indentation", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: a\n".into(), "error converting YAML to JSON"),
        ("alias bomb", alias_bomb(), "error"),
        ("deep nesting", format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: a}}\nspec: {}1{}\n", "[".repeat(500), "]".repeat(500)), "error"),
        ("10 MB document", format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  k: \"{}\"\n", "x".repeat(10 * 1024 * 1024)), "Request entity too large: limit is 3145728"),
        ("unknown kind", "apiVersion: v1\nkind: Pdo\nmetadata: {name: a}\n".into(), "no matches for kind \"Pdo\" in version \"v1\""),
        ("removed version", "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n".into(), "no matches for kind \"Deployment\" in version \"extensions/v1beta1\""),
        ("no kind", "apiVersion: v1\nmetadata: {name: a}\n".into(), "[kind not set]"),
        ("unknown field", pod("    imagee: x\n"), "strict decoding error: unknown field \"spec.containers[0].imagee\""),
        ("wrong type", pod("    ports:\n    - containerPort: http\n"), "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"),
        ("invalid name", "apiVersion: v1\nkind: Pod\nmetadata: {name: Kubia}\nspec: {containers: [{name: a, image: b}]}\n".into(), "metadata.name: Invalid value: \"Kubia\": a lowercase RFC 1123 subdomain"),
        ("missing name", "apiVersion: v1\nkind: Pod\nmetadata: {}\nspec: {containers: [{name: a, image: b}]}\n".into(), "metadata.name: Required value: name or generateName is required"),
        ("no containers", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n".into(), "spec.containers: Required value"),
        ("port out of range", pod("    ports:\n    - containerPort: 70000\n"), "must be between 1 and 65535, inclusive"),
        ("bad restart policy", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {restartPolicy: Sometimes, containers: [{name: a, image: b}]}\n".into(), "spec.restartPolicy: Unsupported value: \"Sometimes\""),
        ("liveness success threshold", pod("    livenessProbe:\n      httpGet: {port: 8080}\n      successThreshold: 2\n"), "livenessProbe.successThreshold: Invalid value: 2: must be 1"),
        ("unknown namespace", "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: nope}\nspec: {containers: [{name: a, image: b}]}\n".into(), "namespaces \"nope\" not found"),
        ("binary garbage", "\u{0}\u{1}\u{2}\u{fffd}".into(), "error"),
        ("empty", "".into(), "no objects passed to apply"),
        ("scalar document", "42\n".into(), "error"),
    ]
}

#[test]
fn every_bad_manifest_gets_a_clear_error_and_changes_nothing() {
    for (name, manifest, expected) in rows() {
        let mut sim = Sim::new(SimConfig::default());
        let before = state(&mut sim);
        sim.write_file("bad.yaml", &manifest);
        let out = sim.run("kubectl apply -f bad.yaml");
        assert_ne!(out.exit_code, 0, "{name}: should fail");
        assert!(out.stderr.contains(expected), "{name}: expected {expected:?} in {:?}", out.stderr);
        assert!(out.stdout.is_empty(), "{name}: printed {:?}", out.stdout);
        assert_eq!(state(&mut sim), before, "{name}: the cluster changed");
    }
}

#[test]
fn hostile_command_lines_fail_cleanly() {
    let mut sim = Sim::new(SimConfig::default());
    let before = state(&mut sim);
    let long = format!("kubectl get pods {}", "x".repeat(100_000));
    for line in [
        long.as_str(),
        "kubectl get pods -o jsonpath={.items[",
        "kubectl get pods -o custom-columns=A",
        "kubectl get pods -l 'a in (b'",
        "kubectl get pods -l ===",
        "kubectl exec -- ls",
        "kubectl logs",
        "kubectl run x",
        "kubectl label pod",
        "kubectl delete",
        "kubectl get pods --sort-by={.x[",
        "sim kill",
        "sleep forever",
        "\"unterminated",
        "kubectl get pods -n",
        "for",
        "for i in; do; done",
        "while",
        "while true; do",
        "done",
        "for i in {1..99999999999999999999}; do kubectl get pod $i; done",
        "for i in 1 2; do for j in 1; do echo; done; done",
        "kubectl get pods -A | grep -A 99999999999999999999999 x",
        "kubectl get pods -A | grep -E '((((((((((a*)*)*)*)*)*)*)*)*)*)*{1000}{1000}'",
        "kubectl get pods -A | grep",
        "seq 1 0 5",
        "; ;",
        "kubectl get pods -A | awk '{print $'",
        "kubectl get pods -A | awk '{print $999999999999999999999}'",
        "kubectl get pods -A -o name | xargs -n 0 echo",
        "kubectl get pods -A -o name | xargs -I",
    ] {
        let out = sim.run(line);
        assert_ne!(out.exit_code, 0, "{line:?} should fail: {out:?}");
        assert!(!out.stderr.is_empty(), "{line:?} should explain itself");
    }
    assert_eq!(state(&mut sim), before);
}
