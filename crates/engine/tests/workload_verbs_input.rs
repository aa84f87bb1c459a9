//! Hostile input for the workload and service verbs (scale, rollout, set, patch, expose, create
//! deployment/job/cronjob/service, port-forward, events): every line fails with a kubectl-style
//! message and never panics (a panic would kill the browser page).

use kubeplay_engine::{Sim, SimConfig};

#[test]
fn workload_verbs_reject_bad_input_cleanly() {
    let mut sim = Sim::new(SimConfig::default());
    let setup = sim.run("kubectl create deployment kubia --image=luksa/kubia:v1");
    assert_eq!(setup.exit_code, 0, "{setup:?}");
    let deep = format!(
        "kubectl patch deployment kubia -p '{}{}'",
        "{\"a\":".repeat(5000),
        "}".repeat(5000)
    );
    let wide = format!("kubectl patch deployment kubia -p '{}'", "é".repeat(200_000));
    let many_ops = format!(
        "kubectl patch deployment kubia --type json -p '[{}]'",
        vec!["{\"op\":\"test\",\"path\":\"/kind\",\"value\":\"Deployment\"}"; 2000].join(",")
    );
    let mut bad = Vec::new();
    for line in [
        deep.as_str(),
        wide.as_str(),
        many_ops.as_str(),
        "kubectl scale",
        "kubectl scale deployment kubia --replicas=99999999999",
        "kubectl scale deployment kubia --replicas=x",
        "kubectl scale job nope --replicas=1",
        "kubectl rollout undo deployment kubia --to-revision=-3",
        "kubectl rollout undo deployment kubia --to-revision=x",
        "kubectl rollout status deployment kubia --timeout=banana",
        "kubectl rollout history deployment kubia --revision=99",
        "kubectl rollout pause pod/x",
        "kubectl set image deployment/kubia",
        "kubectl set image deployment/kubia a=b '*=c'",
        "kubectl set image nope/kubia a=b",
        "kubectl patch deployment kubia",
        "kubectl patch deployment kubia -p '[1,2'",
        "kubectl patch deployment kubia -p '\"str\"'",
        "kubectl patch deployment kubia --type json -p '[{\"op\":\"move\",\"from\":\"/nope\",\"path\":\"/x\"}]'",
        "kubectl patch deployment kubia --type json -p '[{\"op\":\"add\",\"path\":\"no-slash\",\"value\":1}]'",
        "kubectl patch deployment kubia --type json -p '[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/9\",\"value\":1}]'",
        "kubectl patch deployment kubia --type merge -p '{\"metadata\":{\"name\":\"other\"}}'",
        "kubectl patch deployment kubia -p '{\"spec\":{\"replicas\":\"two\"}}'",
        "kubectl expose deployment kubia",
        "kubectl expose deployment kubia --port=http",
        "kubectl expose deployment kubia --port=80 --selector=a",
        "kubectl expose job x --port=1",
        "kubectl create deployment",
        "kubectl create deployment x --image=nginx --replicas=many",
        "kubectl create job x",
        "kubectl create job x --from=cronjob",
        "kubectl create cronjob x --image=busybox",
        "kubectl create service nodeport x --tcp=a:b",
        "kubectl create service externalname x --external-name 'not a name'",
        "kubectl port-forward deploy/kubia",
        "kubectl port-forward deploy/kubia 99999:8080",
        "kubectl port-forward svc/nope 80",
        "kubectl events --types=Info",
        "kubectl events --for kubia",
    ] {
        let out = sim.run(line);
        if out.exit_code == 0 || out.stderr.is_empty() {
            bad.push(format!("{line:.200} -> {out:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
