//! Commands that wait, as the browser's terminal runs them (started, polled while time advances
//! in whatever chunks the play loop makes, ended with Ctrl-C) and as a script replays them
//! (`timeout`, `&`, `kill %N`): the same bytes, the same cluster.

use kubeplay_engine::{Sim, SimConfig, jobs, script};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
";

fn sim() -> Sim {
    let mut sim = Sim::new(SimConfig { seed: 7, ..SimConfig::default() });
    sim.write_file("web.yaml", DEPLOYMENT);
    sim
}

/// Runs a script; the transcript without the `$ ` lines: what the terminal showed.
fn replay(sim: &mut Sim, text: &str) -> (String, Vec<i32>) {
    let steps = script::run(sim, &script::parse(text).unwrap());
    let shown = steps.iter().map(|s| s.text.as_str()).collect();
    (shown, steps.iter().map(|s| s.output.exit_code).collect())
}

/// The cluster as a learner would compare it.
fn pods(sim: &mut Sim) -> String {
    sim.run("kubectl get pods -o wide").stdout
}

const CHUNKS_MS: [u64; 7] = [137, 1_000, 3, 2_500, 0, 7_777, 400];

#[test]
fn an_interrupted_watch_prints_what_its_timeout_replay_prints() {
    let mut live = sim();
    live.start("kubectl apply -f web.yaml", None);
    let started = live.start("kubectl get pods -w", None);
    assert!(started.waiting);
    let mut shown = started.output.stdout + &started.output.stderr;
    let mut seen = Vec::new();
    for ms in CHUNKS_MS {
        live.advance(ms);
        shown.push_str(&live.take_output());
        seen.push(shown.lines().count());
        assert_eq!(live.foreground_end(), None, "a watch does not end by itself");
    }
    // Lines came in as time ran, not all at once.
    assert!(seen[0] < seen[seen.len() - 1], "{seen:?}\n{shown}");
    let end = live.interrupt().unwrap();
    assert_eq!(end.elapsed_ms, CHUNKS_MS.iter().sum::<u64>());
    assert_eq!(end.exit_code, jobs::INTERRUPTED_STATUS);
    assert!(shown.contains("ContainerCreating") && shown.contains("Running"), "{shown}");

    let mut again = sim();
    let script = format!(
        "kubectl apply -f web.yaml\ntimeout -s INT {} kubectl get pods -w\n",
        jobs::seconds(end.elapsed_ms)
    );
    let (replayed, codes) = replay(&mut again, &script);
    let applied = "deployment.apps/web created\n";
    assert_eq!(replayed, format!("{applied}{shown}"));
    assert_eq!(codes, [0, jobs::TIMED_OUT_STATUS]);
    assert_eq!(again.now_ms(), live.now_ms());
    assert_eq!(pods(&mut again), pods(&mut live));
}

#[test]
fn a_watch_sees_what_happens_while_it_runs_and_replays_in_the_background() {
    let mut live = sim();
    let started = live.start("kubectl get pods -w", None);
    // Nothing yet: kubectl says so on stderr, then waits.
    assert_eq!(started.output.stderr, "No resources found in default namespace.\n");
    let mut before = started.output.stderr.clone();
    live.advance(700);
    before.push_str(&live.take_output());
    // The editor's Apply, while the watch runs (another terminal, as it were).
    let applied = live.start("kubectl apply -f web.yaml", None);
    assert!(!applied.waiting);
    assert_eq!(applied.output.stdout, "deployment.apps/web created\n");
    let mut after = live.take_output();
    for ms in CHUNKS_MS {
        live.advance(ms);
        after.push_str(&live.take_output());
    }
    assert!(live.interrupt().is_some());
    live.advance(5_000);
    assert_eq!(live.take_output(), "", "nothing after Ctrl-C");
    // The first row brings the header, as nothing was listed when the watch began.
    assert!(after.starts_with("NAME "), "{after}");
    let creating: Vec<&str> = after.lines().skip(1).take(3).collect();
    assert!(creating.iter().all(|l| l.contains("ContainerCreating")), "{after}");
    assert!(after.contains("Running"), "{after}");

    let mut again = sim();
    let rest: u64 = CHUNKS_MS.iter().sum();
    let script = format!(
        "kubectl get pods -w &\nsleep 700ms\nkubectl apply -f web.yaml\nsleep {rest}ms\nkill %1\nsleep 5s\n"
    );
    let (replayed, codes) = replay(&mut again, &script);
    assert_eq!(replayed, format!("{before}deployment.apps/web created\n{after}"));
    assert_eq!(codes, [0; 6]);
    assert_eq!(again.now_ms(), live.now_ms());
    assert_eq!(pods(&mut again), pods(&mut live));
    assert_eq!(again.background_jobs(), 0);
}

#[test]
fn ctrl_c_before_any_time_passed_replays_as_a_killed_background_job() {
    let mut live = sim();
    live.start("kubectl apply -f web.yaml", None);
    let started = live.start("kubectl get deploy -w", None);
    assert_eq!(live.interrupt().map(|e| e.elapsed_ms), Some(0));
    live.advance(20_000);
    let mut again = sim();
    let (replayed, _) = replay(
        &mut again,
        "kubectl apply -f web.yaml\nkubectl get deploy -w &\nkill %1\nsleep 20s\n",
    );
    assert_eq!(replayed, format!("deployment.apps/web created\n{}", started.output.stdout));
    assert_eq!(pods(&mut again), pods(&mut live));
}

#[test]
fn rollout_status_streams_a_line_per_change_and_ends_by_itself() {
    let mut live = sim();
    live.start("kubectl apply -f web.yaml", None);
    live.advance(60_000);
    live.start("kubectl set image deployment/web web=nginx:1.28", None);
    let started = live.start("kubectl rollout status deployment/web", None);
    assert!(started.waiting);
    let mut shown = started.output.stdout.clone();
    let mut counts = Vec::new();
    let mut end = None;
    while end.is_none() && counts.len() < 1_000 {
        live.advance(250);
        shown.push_str(&live.take_output());
        counts.push(shown.lines().count());
        end = live.foreground_end();
    }
    let end = end.expect("the rollout completes");
    assert_eq!(end.exit_code, 0);
    assert!(shown.ends_with("deployment \"web\" successfully rolled out\n"), "{shown}");
    assert!(counts.windows(2).any(|w| w[0] < w[1]) && counts[0] < counts[counts.len() - 1]);
    let waiting = shown.lines().filter(|l| l.starts_with("Waiting for deployment")).count();
    assert!(waiting >= 3, "a line per change:\n{shown}");
    // The same command in a script prints the same lines and ends at the same instant.
    let mut again = sim();
    let (replayed, codes) = replay(
        &mut again,
        "kubectl apply -f web.yaml\nsleep 60s\nkubectl set image deployment/web web=nginx:1.28\nkubectl rollout status deployment/web\n",
    );
    assert!(replayed.ends_with(&shown), "{replayed}\n---\n{shown}");
    assert_eq!(codes[3], 0);
    assert_eq!(again.now_ms(), end.at_ms);
}

#[test]
fn rollout_status_ends_with_its_error_when_the_object_goes() {
    let mut live = sim();
    live.start("kubectl apply -f web.yaml", None);
    assert!(live.start("kubectl rollout status deploy/web", None).waiting);
    live.advance(1_000);
    live.start("kubectl delete deploy web --wait=false", None);
    live.advance(100);
    let shown = live.take_output();
    assert!(shown.ends_with("error: object has been deleted\n"), "{shown}");
    assert_eq!(live.foreground_end().map(|e| e.exit_code), Some(1));
    assert_eq!(live.foreground_started_ms(), None);
}

#[test]
fn timeout_bounds_commands_in_virtual_time_as_coreutils_does() {
    let mut sim = sim();
    let t0 = sim.now_ms();
    let out = sim.run("timeout 5s kubectl get pods -w");
    assert_eq!(out.exit_code, 124);
    assert_eq!(sim.now_ms() - t0, 5_000);
    let out = sim.run("timeout --preserve-status -s INT 1.5 kubectl get pods --watch-only");
    assert_eq!((out.stdout.as_str(), out.exit_code), ("", 130));
    assert_eq!(sim.now_ms() - t0, 6_500);
    let out = sim.run("timeout 2s sleep 10");
    assert_eq!(out.exit_code, 124);
    let out = sim.run("timeout 10s sleep 2");
    assert_eq!(out.exit_code, 0);
    assert_eq!(sim.now_ms() - t0, 10_500);
    // A command that does not wait is not touched.
    let out = sim.run("timeout 1s kubectl get nodes -o name");
    assert_eq!((out.stdout.lines().count(), out.exit_code), (4, 0));
    let out = sim.run("timeout -v 1s kubectl get pods -w");
    assert_eq!(
        out.stderr.lines().last(),
        Some("timeout: sending signal TERM to command 'kubectl'")
    );
    let try_help = "Try 'timeout --help' for more information.\n";
    for (line, stderr, code) in [
        ("timeout x kubectl get pods -w", "timeout: invalid time interval 'x'\n", 125),
        ("timeout 5ms kubectl get pods -w", "timeout: invalid time interval '5ms'\n", 125),
        ("timeout", "", 125),
        ("timeout 5s", "", 125),
        ("timeout -s NOPE 5s kubectl", "timeout: 'NOPE': invalid signal\n", 125),
    ] {
        let out = sim.run(line);
        assert_eq!((out.stderr, out.exit_code), (format!("{stderr}{try_help}"), code), "{line}");
    }
    let out = sim.run("timeout 5s nope");
    assert_eq!(
        (out.stderr.as_str(), out.exit_code),
        ("timeout: failed to run command 'nope': No such file or directory\n", 127)
    );
    assert_eq!(sim.now_ms() - t0, 11_500, "failures take no time");
    // 0 disables the timeout: the watch runs to the API server's watch timeout.
    sim.run("timeout 0 kubectl get pods -w");
    assert_eq!(sim.now_ms() - t0, 11_500 + 30 * 60_000);
}

#[test]
fn background_jobs_are_numbered_killed_and_bounded() {
    let mut sim = sim();
    let (shown, codes) = replay(
        &mut sim,
        "kubectl get deploy -w &\nkubectl apply -f web.yaml\nkill %2\nkill -INT %1\nkill %1\nkill\nkill 4242\nsleep 3 &\n",
    );
    let created = "No resources found in default namespace.\ndeployment.apps/web created\nNAME ";
    assert!(shown.starts_with(created), "{shown}");
    assert!(shown.contains("bash: kill: %2: no such job\n"), "{shown}");
    assert!(shown.contains("bash: kill: %1: no such job\n"), "{shown}");
    assert!(shown.contains("bash: kill: usage: kill "), "{shown}");
    assert!(shown.contains("bash: kill: (4242) - No such process\n"), "{shown}");
    assert_eq!(codes, [0, 0, 1, 0, 1, 2, 1, 0]);
    for _ in 0..jobs::MAX_BACKGROUND_JOBS {
        assert_eq!(sim.start("kubectl get pods -w &", None).output.exit_code, 0);
    }
    let out = sim.start("kubectl get pods -w &", None).output;
    assert_eq!(out.exit_code, 254);
    assert_eq!(sim.background_jobs(), jobs::MAX_BACKGROUND_JOBS);
    // They all end at the watch timeout; nothing waits forever.
    sim.advance(30 * 60_000);
    assert_eq!(sim.background_jobs(), 0);
}

#[test]
fn logs_follow_prints_lines_as_they_are_written_until_the_container_exits() {
    let script = "kubectl run batch --image=luksa/batch-job --restart=Never\nsleep 30s\n";
    let mut live = sim();
    replay(&mut live, script);
    let started = live.start("kubectl logs -f batch", None);
    assert!(started.waiting);
    assert!(started.output.stdout.ends_with(" Batch job starting\n"), "{:?}", started.output);
    live.advance(60_000);
    assert_eq!(live.take_output(), "");
    live.advance(60_000);
    let rest = live.take_output();
    assert!(rest.ends_with(" Finished succesfully\n"), "{rest:?}");
    let end = live.foreground_end().expect("the container exited");
    assert_eq!(end.exit_code, 0);
    let mut again = sim();
    replay(&mut again, script);
    let (replayed, _) = replay(&mut again, "kubectl logs -f batch\n");
    assert_eq!(replayed, started.output.stdout + &rest);
    assert_eq!(again.now_ms(), end.at_ms);
    // A finished container's log is printed whole, and nothing waits.
    assert!(!live.start("kubectl logs -f batch", None).waiting);
}
