//! The bash around kubectl: `cmd1; cmd2` lists, aliases and loops, the way the book watches a
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
    let ip =
        sim.run("kubectl get svc kubia -o jsonpath={.status.loadBalancer.ingress[0].ip}").stdout;
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
    let out =
        sim.run("for p in $(kubectl get pods -o name); do echo '$p' $p; done | grep -c 'pod/'");
    assert_eq!(out.stdout, "4\n");
    assert_eq!(sim.run("for i in {3..1}; do echo $i; done").stdout, "3\n2\n1\n");
    // A list runs every command; its status is the last one's.
    let out = sim.run("kubectl get pod nope; echo after");
    assert_eq!((out.stdout.as_str(), out.exit_code), ("after\n", 0));
    assert!(out.stderr.contains("pods \"nope\" not found"), "{out:?}");
    assert_eq!(sim.run("echo a; false").exit_code, 1);
    // The terminal shows each command's text in turn, errors included.
    let out = sim.run("kubectl get pod nope; echo $?");
    assert_eq!(out.terminal_text(), "Error from server (NotFound): pods \"nope\" not found\n1\n");
    let out = sim.run("for i in 1 2; do kubectl get pod nope$i; echo $i; done");
    assert_eq!(
        out.terminal_text(),
        "Error from server (NotFound): pods \"nope1\" not found\n1\nError from server (NotFound): pods \"nope2\" not found\n2\n"
    );
    // `$?` is the status of the command before, in a list, a loop, or on the line before.
    sim.run("kubectl get pod nope");
    assert_eq!(sim.run("echo $?").stdout, "1\n");
    assert_eq!(
        sim.run("for i in 1 2; do true; echo $?; false; done; echo $? '$?'").stdout,
        "0\n0\n1 $?\n"
    );
}

#[test]
fn the_books_endless_curl_loop_prints_as_time_runs_until_stopped() {
    let setup = [
        "kubectl create deployment kubia --image=luksa/kubia:v1 --replicas=3",
        "kubectl expose deployment kubia --port=80 --target-port=8080 --type=LoadBalancer",
        "sleep 20s",
    ];
    let looped = "while true; do curl -s http://172.18.255.200; sleep 1; done";
    let mut live = sim_with(&setup);
    live.run("kubectl set image deployment kubia kubia=luksa/kubia:v2");
    let started = live.start(looped, None);
    assert!(started.waiting, "the loop runs in the foreground");
    let mut shown = started.output.stdout;
    let mut counts = Vec::new();
    for _ in 0..6 {
        live.advance(10_000);
        shown.push_str(&live.take_output());
        counts.push(shown.lines().count());
    }
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "lines come in as time runs: {counts:?}");
    assert!(shown.contains("This is v1") && shown.contains("This is v2"), "{shown}");
    let end = live.interrupt().expect("Ctrl-C ends it");
    assert_eq!(end.elapsed_ms, 60_000);

    // The recorded form of that Ctrl-C replays to the same lines and the same cluster.
    let mut replay = sim_with(&setup);
    replay.run("kubectl set image deployment kubia kubia=luksa/kubia:v2");
    let out = replay.run(&format!("timeout -s INT 60s {looped}"));
    assert_eq!((out.stdout.as_str(), out.exit_code), (shown.as_str(), 124));
    assert_eq!(
        replay.run("kubectl get pods -o wide").stdout,
        live.run("kubectl get pods -o wide").stdout
    );

    // In the background, `kill %1` ends it.
    let mut background = sim_with(&setup);
    background.start("while true; do curl -s http://172.18.255.200; sleep 2; done &", None);
    background.advance(10_000);
    // A curl at 0 s, 2.05 s, 4.1 s, ...: each command takes its 50 ms.
    assert_eq!(background.take_output().lines().count(), 5);
    background.run("kill %1");
    background.advance(10_000);
    assert_eq!(background.take_output(), "");
}

#[test]
fn endless_and_broken_loops_are_refused_and_long_ones_capped() {
    let mut sim = sim_with(&[]);
    let before = sim.now_ms();
    let out = sim.run("while :; do echo x; done");
    assert_eq!(out.stdout.lines().count(), 10_000);
    assert_eq!(out.stderr, "kubeplay: loop stopped after 10000 commands\n");
    // Each command took its 50 ms.
    assert_eq!(sim.now_ms() - before, 10_000 * 50);
    let out = sim.run("while kubectl get pods; do echo x; done");
    assert_eq!(out.exit_code, 2);
    assert!(out.stderr.contains("while true"), "{out:?}");
    let out = sim.run("for i in 1 2; do echo $i");
    assert_eq!(out.stderr, "bash: syntax error: unexpected end of file\n");
    let out = sim.run("for i in 1 2; do for j in 1 2; do echo $j; done; done");
    assert_eq!(out.stderr, "kubeplay: a loop inside a loop is not run here\n");
    let before = sim.now_ms();
    let out = sim.run("for i in 1 2 3; do sleep 20h; done");
    assert_eq!(out.stderr, "kubeplay: loop stopped after 24h of virtual time\n");
    assert_eq!(sim.now_ms() - before, 40 * 60 * 60 * 1000);
}

#[test]
fn an_alias_stands_for_its_command_in_lists_pipes_and_loops() {
    let mut sim = sim_with(&["alias k=kubectl", "alias kgp='kubectl get pods'"]);
    assert_eq!(sim.run("k run web --image=nginx:1.27").stdout, "pod/web created\n");
    assert_eq!(sim.run("kgp -o name | grep -c web").stdout, "1\n");
    assert_eq!(
        sim.run("for i in 1 2; do k get pod web -o name; done").stdout,
        "pod/web\npod/web\n"
    );
    assert_eq!(sim.run("alias").stdout, "alias k='kubectl'\nalias kgp='kubectl get pods'\n");
    // As in bash, `timeout` runs programs, not aliases.
    assert_eq!(sim.run("timeout 5s k get pods").exit_code, 127);
    sim.run("unalias k");
    assert_eq!(sim.run("k get pods").stderr, "bash: k: command not found\n");
}

#[test]
fn xargs_and_awk_take_names_from_a_table() {
    let mut sim =
        sim_with(&["kubectl run a --image=nginx:1.27", "kubectl run b --image=nginx:1.27"]);
    assert_eq!(sim.run("kubectl get pods | awk 'NR>1 {print $1}'").stdout, "a\nb\n");
    let out =
        sim.run("kubectl get pods | awk 'NR>1 {print $1}' | xargs kubectl delete pod --wait=false");
    assert_eq!(
        out.stdout,
        "pod \"a\" deleted from default namespace\npod \"b\" deleted from default namespace\n"
    );
    sim.run("sleep 40s");
    // Nothing left: xargs still runs its command once, unless -r.
    let out = sim.run("kubectl get pods -o name | xargs kubectl delete");
    assert!(out.stderr.contains("You must provide one or more resources"), "{out:?}");
    assert_eq!(out.exit_code, 123);
    assert_eq!(sim.run("kubectl get pods -o name | xargs -r kubectl delete").exit_code, 0);
    assert_eq!(sim.run("echo a b c | xargs -n 2 echo run").stdout, "run a b\nrun c\n");
    let out = sim.run("echo a | xargs nosuch");
    assert_eq!(
        (out.stderr.as_str(), out.exit_code),
        ("xargs: nosuch: No such file or directory\n", 127)
    );
}
