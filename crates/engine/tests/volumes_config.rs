//! ConfigMaps and Secrets end to end (chapter 7): `create configmap|secret`, env injection,
//! `$(VAR)` expansion, configMap/secret volumes and their updates, CreateContainerConfigError,
//! imagePullSecrets, and bad input.

use kubeplay_engine::{Sim, SimConfig};

fn sim() -> Sim {
    Sim::new(SimConfig::default())
}

/// Runs a command that must succeed and returns its stdout.
fn ok(sim: &mut Sim, line: &str) -> String {
    let out = sim.run(line);
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.stdout
}

fn apply(sim: &mut Sim, yaml: &str) {
    let out = sim.run_with_stdin("kubectl apply -f -", Some(yaml));
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
}

const FORTUNE_ENV: &str = "apiVersion: v1
kind: Pod
metadata: {name: fortune-env}
spec:
  containers:
  - image: luksa/fortune:args
    name: html-generator
    args: [\"$(INTERVAL)\"]
    env:
    - name: INTERVAL
      valueFrom: {configMapKeyRef: {name: fortune-config, key: sleep-interval}}
    - name: MAYBE
      valueFrom: {configMapKeyRef: {name: nothing-here, key: x, optional: true}}
    envFrom:
    - prefix: CONFIG_
      configMapRef: {name: fortune-config}
    volumeMounts: [{name: config, mountPath: /etc/config, readOnly: true}]
  volumes:
  - name: config
    configMap: {name: fortune-config, defaultMode: 0660}
";

#[test]
fn create_configmap_prints_like_kubectl_and_rejects_bad_sources() {
    let mut s = sim();
    assert_eq!(
        ok(&mut s, "kubectl create configmap fortune-config --from-literal=sleep-interval=25"),
        "configmap/fortune-config created\n"
    );
    let dup = s.run("kubectl create configmap fortune-config --from-literal=a=1");
    assert_eq!(
        dup.stderr.trim(),
        "error: failed to create configmap: configmaps \"fortune-config\" already exists"
    );
    for (line, want) in [
        (
            "kubectl create configmap x --from-literal=foo",
            "error: invalid literal source foo, expected key=value",
        ),
        (
            "kubectl create configmap x --from-literal=a=1 --from-literal=a=2",
            "error: cannot add key \"a\", another key by that name already exists in Data for ConfigMap \"x\"",
        ),
        (
            "kubectl create configmap x --from-file=nope.conf",
            "error: error reading nope.conf: no such file or directory",
        ),
        ("kubectl create configmap", "error: exactly one NAME is required, got 0"),
    ] {
        let out = s.run(line);
        assert_eq!(out.exit_code, 1, "{line}");
        assert!(out.stderr.starts_with(want), "{line}: {}", out.stderr);
    }
    s.write_file("configmap-files/my-nginx-config.conf", "server {\n  gzip on;\n}\n");
    s.write_file("configmap-files/sleep-interval", "25\n");
    ok(&mut s, "kubectl create configmap from-dir --from-file=configmap-files");
    ok(
        &mut s,
        "kubectl create configmap renamed --from-file=custom=configmap-files/sleep-interval",
    );
    let table = ok(&mut s, "kubectl get configmaps");
    assert!(table.contains("from-dir           2"), "{table}");
    assert!(table.contains("renamed            1"), "{table}");
    let yaml = ok(&mut s, "kubectl get cm renamed -o yaml");
    assert!(yaml.contains("  custom: |\n    25\n"), "{yaml}");
}

#[test]
fn env_from_configmap_expands_in_args_and_does_not_change_later() {
    let mut s = sim();
    ok(&mut s, "kubectl create configmap fortune-config --from-literal=sleep-interval=25");
    apply(&mut s, FORTUNE_ENV);
    ok(&mut s, "sleep 20s");
    let logs = ok(&mut s, "kubectl logs fortune-env");
    assert!(logs.starts_with("Configured to generate new fortune every 25 seconds\n"), "{logs}");
    let env = ok(&mut s, "kubectl exec fortune-env -- env");
    assert!(env.contains("\nINTERVAL=25\n"), "{env}");
    assert!(env.contains("\nCONFIG_sleep-interval=25\n"), "{env}");
    assert!(!env.contains("MAYBE="), "optional missing map sets nothing: {env}");
    // The mounted file: the atomic writer's layout and the defaultMode.
    let ls = ok(&mut s, "kubectl exec fortune-env -- ls -la /etc/config");
    assert!(ls.contains("..data -> ..2026_"), "{ls}");
    assert!(ls.contains("sleep-interval -> ..data/sleep-interval"), "{ls}");
    let inner = ok(&mut s, "kubectl exec fortune-env -- ls -l /etc/config/..data/");
    assert!(inner.contains("-rw-rw----"), "{inner}");
    assert_eq!(ok(&mut s, "kubectl exec fortune-env -- cat /etc/config/sleep-interval"), "25");
    let ro = s.run("kubectl exec fortune-env -- touch /etc/config/x");
    assert_ne!(ro.exit_code, 0);
    assert!(ro.stderr.contains("Read-only file system"), "{}", ro.stderr);

    // Edit the map: the file follows after the kubelet's sync, the env var never does.
    apply(
        &mut s,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fortune-config}\ndata: {sleep-interval: \"5\"}\n",
    );
    assert_eq!(ok(&mut s, "kubectl exec fortune-env -- cat /etc/config/sleep-interval"), "25");
    ok(&mut s, "sleep 1m");
    assert_eq!(ok(&mut s, "kubectl exec fortune-env -- cat /etc/config/sleep-interval"), "5");
    let env = ok(&mut s, "kubectl exec fortune-env -- env");
    assert!(env.contains("\nINTERVAL=25\n"), "{env}");
}

#[test]
fn missing_map_or_key_is_create_container_config_error_until_it_appears() {
    let mut s = sim();
    apply(&mut s, FORTUNE_ENV);
    ok(&mut s, "sleep 20s");
    let pods = ok(&mut s, "kubectl get pods");
    // The configMap volume cannot be set up yet: the pod waits in ContainerCreating.
    assert!(pods.contains("ContainerCreating"), "{pods}");
    let events = ok(&mut s, "kubectl get events");
    assert!(
        events.contains("MountVolume.SetUp failed for volume \"config\" : configmap \"fortune-config\" not found"),
        "{events}"
    );
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec:\n  containers:\n  - name: main\n    image: busybox\n    command: [sleep, \"999\"]\n    env:\n    - name: X\n      valueFrom: {configMapKeyRef: {name: cm, key: nope}}\n",
    );
    ok(&mut s, "sleep 10s");
    let pods = ok(&mut s, "kubectl get pod broken");
    assert!(pods.contains("CreateContainerConfigError"), "{pods}");
    assert!(
        ok(&mut s, "kubectl describe pod broken").contains("Error: configmap \"cm\" not found")
    );
    ok(&mut s, "kubectl create configmap cm --from-literal=other=1");
    ok(&mut s, "sleep 15s");
    assert!(
        ok(&mut s, "kubectl describe pod broken")
            .contains("Error: couldn't find key nope in ConfigMap default/cm")
    );
    ok(&mut s, "kubectl create configmap fortune-config --from-literal=sleep-interval=3");
    ok(&mut s, "sleep 30s");
    assert!(ok(&mut s, "kubectl get pod fortune-env").contains("Running"));
}

#[test]
fn secrets_base64_string_data_tmpfs_and_typed_commands() {
    let mut s = sim();
    ok(
        &mut s,
        "kubectl create secret generic creds --from-literal=user=admin --from-literal=pass=s3cr3t",
    );
    let yaml = ok(&mut s, "kubectl get secret creds -o yaml");
    assert!(yaml.contains("  pass: czNjcjN0\n"), "{yaml}");
    assert!(yaml.contains("type: Opaque"), "{yaml}");
    apply(
        &mut s,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: sd}\nstringData: {greeting: hello}\n",
    );
    let yaml = ok(&mut s, "kubectl get secret sd -o yaml");
    assert!(yaml.contains("greeting: aGVsbG8="), "{yaml}");
    assert!(!yaml.contains("\nstringData"), "{yaml}");
    ok(
        &mut s,
        "kubectl create secret docker-registry mydockerhubsecret --docker-username=u --docker-password=p --docker-email=e@x.io",
    );
    let table = ok(&mut s, "kubectl get secrets");
    assert!(table.contains("mydockerhubsecret   kubernetes.io/dockerconfigjson   1"), "{table}");
    let missing = s.run("kubectl create secret docker-registry x --docker-username=u");
    assert_eq!(missing.stderr.trim(), "error: required flag(s) \"docker-password\" not set");
    s.write_file("https.cert", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    s.write_file("https.key", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
    ok(&mut s, "kubectl create secret tls tls-secret --cert=https.cert --key=https.key");
    assert!(ok(&mut s, "kubectl get secret tls-secret").contains("kubernetes.io/tls"));
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: reader}\nspec:\n  containers:\n  - name: main\n    image: busybox\n    command: [sleep, \"9999\"]\n    env:\n    - name: PASSWORD\n      valueFrom: {secretKeyRef: {name: creds, key: pass}}\n    volumeMounts: [{name: certs, mountPath: /etc/certs}]\n  volumes:\n  - name: certs\n    secret: {secretName: tls-secret}\n",
    );
    ok(&mut s, "sleep 10s");
    assert!(ok(&mut s, "kubectl exec reader -- env").contains("PASSWORD=s3cr3t"));
    assert!(
        ok(&mut s, "kubectl exec reader -- cat /etc/certs/tls.crt").contains("BEGIN CERTIFICATE")
    );
}

#[test]
fn image_pull_secrets_unlock_a_private_image() {
    let mut s = sim();
    let pod = |name: &str, secret: bool| {
        let pull = if secret { "  imagePullSecrets: [{name: mydockerhubsecret}]\n" } else { "" };
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n{pull}  containers:\n  - {{name: main, image: kubeplay/private:v1}}\n"
        )
    };
    apply(&mut s, &pod("without", false));
    ok(
        &mut s,
        "kubectl create secret docker-registry mydockerhubsecret --docker-username=u --docker-password=p",
    );
    apply(&mut s, &pod("with", true));
    ok(&mut s, "sleep 20s");
    let pods = ok(&mut s, "kubectl get pods");
    assert!(pods.lines().any(|l| l.starts_with("with ") && l.contains("Running")), "{pods}");
    assert!(pods.lines().any(|l| l.starts_with("without ") && l.contains("0/1")), "{pods}");
    assert!(ok(&mut s, "kubectl describe pod without").contains("may require authorization"));
}

#[test]
fn bad_configmaps_and_secrets_are_rejected_with_upstream_wording() {
    let mut s = sim();
    for (yaml, want) in [
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {\"bad key\": x}\n",
            "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {..x: y}\n",
            "must not start with '..'",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/tls\nstringData: {tls.crt: x}\n",
            "data[tls.key]: Required value",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: d}\ntype: kubernetes.io/dockerconfigjson\ndata: {}\n",
            "data[.dockerconfigjson]: Required value",
        ),
    ] {
        let out = s.run_with_stdin("kubectl apply -f -", Some(yaml));
        assert_eq!(out.exit_code, 1, "{yaml}");
        assert!(out.stderr.contains(want), "{yaml}: {}", out.stderr);
    }
}

#[test]
fn configmap_items_sub_path_and_env_file() {
    let mut s = sim();
    s.write_file("app.env", "# settings\nMODE=dev\nPORT=8080\n");
    ok(&mut s, "kubectl create configmap envs --from-env-file=app.env");
    let yaml = ok(&mut s, "kubectl get cm envs -o yaml");
    assert!(yaml.contains("  MODE: dev\n  PORT: \"8080\"\n"), "{yaml}");
    s.write_file("my-nginx-config.conf", "server {\n  gzip on;\n}\n");
    ok(
        &mut s,
        "kubectl create configmap fortune-config --from-file=my-nginx-config.conf --from-literal=sleep-interval=25",
    );
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web-server\n    image: nginx:alpine\n    volumeMounts:\n    - {name: config, mountPath: /etc/nginx/conf.d, readOnly: true}\n    - {name: whole, mountPath: /etc/someconfig.conf, subPath: my-nginx-config.conf}\n  volumes:\n  - name: config\n    configMap:\n      name: fortune-config\n      items: [{key: my-nginx-config.conf, path: gzip.conf}]\n  - name: whole\n    configMap: {name: fortune-config}\n",
    );
    ok(&mut s, "sleep 10s");
    let ls = ok(&mut s, "kubectl exec web -- ls /etc/nginx/conf.d");
    assert_eq!(ls, "gzip.conf\n");
    assert!(ok(&mut s, "kubectl exec web -- cat /etc/nginx/conf.d/gzip.conf").contains("gzip on;"));
    assert!(ok(&mut s, "kubectl exec web -- cat /etc/someconfig.conf").contains("gzip on;"));
    let mounts = ok(&mut s, "kubectl exec web -- mount");
    assert!(mounts.contains("/dev/vda1 on /etc/nginx/conf.d type ext4 (ro,relatime)"), "{mounts}");
}

#[test]
fn a_volumes_session_replays_byte_for_byte() {
    let run = || {
        let mut s = sim();
        let mut transcript = String::new();
        for line in [
            "kubectl create configmap fortune-config --from-literal=sleep-interval=25",
            "kubectl create secret generic creds --from-literal=pass=x",
        ] {
            transcript.push_str(&ok(&mut s, line));
        }
        apply(&mut s, FORTUNE_ENV);
        ok(&mut s, "sleep 30s");
        for line in [
            "kubectl exec fortune-env -- ls -la /etc/config",
            "kubectl logs fortune-env",
            "kubectl get pods -o wide",
        ] {
            transcript.push_str(&ok(&mut s, line));
        }
        transcript
    };
    assert_eq!(run(), run());
}
