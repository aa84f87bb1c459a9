//! The bash around kubectl: `cmd1; cmd2` lists and `for` loops, the way the book watches a
//! rolling update from outside the cluster (`curl` over and over while the pods change).

use kubeplay_engine::{Sim, SimConfig};

fn sim_with(lines: &[&str]) -> Sim {
    let mut sim = Sim::new(SimConfig { seed: 5, worker_nodes: 2 });
    for line in lines {
        let out = sim.run(line);
        assert_eq!(out.exit_code, 0, "{line}: {out:?}");
    }
    sim
}

#[test]
fn a_curl_loop_sees_the_rolling_update_switch_versions() {
    let mut sim = sim_with(&[
        "kubectl create deployment kubia --image=luksa/kubia:v1 --replicas=3",
        "kubectl expose deployment kubia --port=80 --target-port=8080 --type=LoadBalancer",
        "sleep 20s",
        "kubectl set image deployment kubia kubia=luksa/kubia:v2",
    ]);
    let ip = sim.run("kubectl get svc kubia -o jsonpath={.status.loadBalancer.ingress[0].ip}").stdout;
    let out = sim.run(&format!("for i in $(seq 1 12); do curl -s http://{ip}; sleep 5; done"));
    let answers: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(answers.len(), 12, "{out:?}");
    let first_v2 = answers.iter().position(|a| a.starts_with("This is v2")).expect("v2 answers");
    assert!(first_v2 > 0, "v1 answers first: {answers:?}");
    assert!(answers[..first_v2].iter().all(|a| a.starts_with("This is v1")), "{answers:?}");
    assert!(answers.last().is_some_and(|a| a.starts_with("This is v2")), "{answers:?}");
    // The loop took its sleeps in virtual time: the rollout is over.
    let status = sim.run("kubectl rollout status deployment kubia --timeout=1s");
    assert_eq!(status.stdout, "deployment \"kubia\" successfully rolled out\n");
}

#[test]
fn loop_variables_lists_and_pipes_behave_as_in_bash() {
    let mut sim = sim_with(&["kubectl create deployment web --image=nginx:1.27 --replicas=2"]);
    let out = sim.run("for name in a b; do kubectl run $name --image=nginx:1.27; done");
    assert_eq!(out.stdout, "pod/a created\npod/b created\n");
    let out = sim.run("for p in $(kubectl get pods -o name); do echo '$p' $p; done | grep -c 'pod/'");
    assert_eq!(out.stdout, "4\n");
    assert_eq!(sim.run("for i in {3..1}; do echo $i; done").stdout, "3\n2\n1\n");
    // A list runs every command; its status is the last one's.
    let out = sim.run("kubectl get pod nope; echo after");
    assert_eq!((out.stdout.as_str(), out.exit_code), ("after\n", 0));
    assert!(out.stderr.contains("pods \"nope\" not found"), "{out:?}");
    assert_eq!(sim.run("echo a; false").exit_code, 1);
}

#[test]
fn endless_and_broken_loops_are_refused_and_long_ones_capped() {
    let mut sim = sim_with(&[]);
    let out = sim.run("while true; do curl http://172.18.255.200; done");
    assert_eq!(out.exit_code, 2);
    assert!(out.stderr.contains("for i in $(seq 1 20)"), "{out:?}");
    let out = sim.run("for i in 1 2; do echo $i");
    assert_eq!(out.stderr, "bash: syntax error: unexpected end of file\n");
    let out = sim.run("for i in $(seq 1 2000); do echo $i; done");
    assert_eq!(out.stdout.lines().count(), 1000);
    assert_eq!(out.stderr, "kubeplay: loop stopped after 1000 commands\n");
    let before = sim.now_ms();
    let out = sim.run("for i in 1 2 3; do sleep 20h; done");
    assert_eq!(out.stderr, "kubeplay: loop stopped after 24h of virtual time\n");
    assert_eq!(sim.now_ms() - before, 40 * 60 * 60 * 1000);
}
