//! Volumes and persistent storage end to end (chapter 6): a shared emptyDir, hostPath on the
//! node, claims binding to volumes, dynamic provisioning by kind's `standard` class, data that
//! outlives its pod, reclaim policies, volumes this cluster cannot provide, and bad input.

use kubeplay_engine::{Sim, SimConfig};

fn sim() -> Sim {
    Sim::new(SimConfig::default())
}

fn ok(sim: &mut Sim, line: &str) -> String {
    let out = sim.run(line);
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.stdout
}

fn apply(sim: &mut Sim, yaml: &str) -> String {
    let out = sim.run_with_stdin("kubectl apply -f -", Some(yaml));
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    out.stderr
}

const FORTUNE: &str = "apiVersion: v1
kind: Pod
metadata: {name: fortune}
spec:
  containers:
  - image: luksa/fortune
    name: html-generator
    volumeMounts: [{name: html, mountPath: /var/htdocs}]
  - image: nginx:alpine
    name: web-server
    volumeMounts: [{name: html, mountPath: /usr/share/nginx/html, readOnly: true}]
    ports: [{containerPort: 80, protocol: TCP}]
  volumes: [{name: html, emptyDir: {}}]
";

const MONGO_PVC_POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: mongodb}
spec:
  containers:
  - image: mongo
    name: mongodb
    volumeMounts: [{name: mongodb-data, mountPath: /data/db}]
    ports: [{containerPort: 27017, protocol: TCP}]
  volumes: [{name: mongodb-data, persistentVolumeClaim: {claimName: mongodb-pvc}}]
";

#[test]
fn fortune_writer_and_nginx_share_an_empty_dir() {
    let mut s = sim();
    apply(&mut s, FORTUNE);
    ok(&mut s, "sleep 30s");
    let written =
        ok(&mut s, "kubectl exec fortune -c html-generator -- cat /var/htdocs/index.html");
    let served =
        ok(&mut s, "kubectl exec fortune -c web-server -- cat /usr/share/nginx/html/index.html");
    assert!(!written.is_empty());
    assert_eq!(written, served);
    // The default nginx page is hidden under the mount; the reader cannot write.
    let ro = s.run("kubectl exec fortune -c web-server -- touch /usr/share/nginx/html/x");
    assert!(ro.stderr.contains("Read-only file system"), "{}", ro.stderr);
    // A write from one container reaches the other.
    ok(
        &mut s,
        "kubectl exec fortune -c html-generator -- sh -c 'echo hello > /var/htdocs/hello.txt'",
    );
    assert_eq!(
        ok(&mut s, "kubectl exec fortune -c web-server -- cat /usr/share/nginx/html/hello.txt"),
        "hello\n"
    );
    // And the served page changes as the writer loops.
    ok(&mut s, "sleep 2m");
    let later =
        ok(&mut s, "kubectl exec fortune -c web-server -- cat /usr/share/nginx/html/index.html");
    assert!(!later.is_empty());
}

#[test]
fn unbound_claim_keeps_the_pod_pending_then_static_pv_binds() {
    let mut s = sim();
    apply(&mut s, MONGO_PVC_POD);
    ok(&mut s, "sleep 5s");
    let events = ok(&mut s, "kubectl get events");
    assert!(
        events.contains("0/4 nodes are available: persistentvolumeclaim \"mongodb-pvc\" not found. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."),
        "{events}"
    );
    apply(
        &mut s,
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: mongodb-pv}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce, ReadOnlyMany]\n  persistentVolumeReclaimPolicy: Retain\n  hostPath: {path: /tmp/mongodb}\n",
    );
    let pv = ok(&mut s, "kubectl get pv");
    assert!(
        pv.contains("mongodb-pv   1Gi        RWO,ROX        Retain           Available"),
        "{pv}"
    );
    // Too big a request does not bind; an empty class skips the default class.
    apply(
        &mut s,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: big}\nspec:\n  resources: {requests: {storage: 5Gi}}\n  accessModes: [ReadWriteOnce]\n  storageClassName: \"\"\n",
    );
    apply(
        &mut s,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: mongodb-pvc}\nspec:\n  resources: {requests: {storage: 1Gi}}\n  accessModes: [ReadWriteOnce]\n  storageClassName: \"\"\n",
    );
    ok(&mut s, "sleep 10s");
    let pvc = ok(&mut s, "kubectl get pvc");
    assert!(pvc.contains("big           Pending"), "{pvc}");
    assert!(pvc.contains("mongodb-pvc   Bound     mongodb-pv   1Gi        RWO,ROX"), "{pvc}");
    assert!(ok(&mut s, "kubectl get pv").contains("Bound    default/mongodb-pvc"));
    assert!(ok(&mut s, "kubectl get pod mongodb").contains("Running"));
    assert!(
        ok(&mut s, "kubectl describe pvc big")
            .contains("no persistent volumes available for this claim and no storage class is set")
    );
    // Deleting the claim releases a Retain volume; it does not bind again.
    ok(&mut s, "kubectl delete pod mongodb");
    ok(&mut s, "kubectl delete pvc mongodb-pvc");
    ok(&mut s, "sleep 5s");
    assert!(
        ok(&mut s, "kubectl get pv").contains("Retain           Released   default/mongodb-pvc")
    );
}

#[test]
fn data_written_through_a_claim_outlives_its_pod_until_the_volume_is_deleted() {
    let mut s = sim();
    let stderr = apply(
        &mut s,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: mongodb-pvc}\nspec:\n  resources: {requests: {storage: 100Mi}}\n  accessModes: [ReadWriteOnce]\n",
    );
    assert!(stderr.is_empty());
    ok(&mut s, "sleep 2s");
    let pvc = ok(&mut s, "kubectl get pvc");
    assert!(pvc.contains("Pending                                      standard"), "{pvc}");
    assert!(
        ok(&mut s, "kubectl describe pvc mongodb-pvc")
            .contains("waiting for first consumer to be created before binding")
    );
    apply(&mut s, MONGO_PVC_POD);
    ok(&mut s, "sleep 20s");
    let pvc = ok(&mut s, "kubectl get pvc");
    assert!(pvc.contains("mongodb-pvc   Bound    pvc-"), "{pvc}");
    assert!(pvc.contains("100Mi      RWO            standard"), "{pvc}");
    let pv = ok(&mut s, "kubectl get pv");
    assert!(pv.contains("Delete           Bound    default/mongodb-pvc   standard"), "{pv}");
    let insert = ok(
        &mut s,
        "kubectl exec mongodb -- mongosh --quiet --eval 'use mystore; db.foo.insertOne({name:\"foo\"})'",
    );
    assert!(insert.contains("acknowledged: true"), "{insert}");
    ok(&mut s, "kubectl delete pod mongodb");
    apply(&mut s, MONGO_PVC_POD);
    ok(&mut s, "sleep 20s");
    let found =
        ok(&mut s, "kubectl exec mongodb -- mongosh --quiet --eval 'use mystore; db.foo.find()'");
    assert!(found.contains("name: 'foo'"), "{found}");
    // Delete reclaim policy: the claim goes, the volume and its data go with it.
    ok(&mut s, "kubectl delete pod mongodb");
    ok(&mut s, "kubectl delete pvc mongodb-pvc");
    ok(&mut s, "sleep 5s");
    assert!(!ok(&mut s, "kubectl get pv").contains("mongodb-pvc"));
    apply(
        &mut s,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: mongodb-pvc}\nspec:\n  resources: {requests: {storage: 100Mi}}\n  accessModes: [ReadWriteOnce]\n",
    );
    apply(&mut s, MONGO_PVC_POD);
    ok(&mut s, "sleep 20s");
    let found =
        ok(&mut s, "kubectl exec mongodb -- mongosh --quiet --eval 'use mystore; db.foo.find()'");
    assert_eq!(found, "");
}

#[test]
fn host_path_is_per_node_and_survives_the_pod() {
    let mut s = sim();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: hp}\nspec:\n  nodeSelector: {kubernetes.io/hostname: kubeplay-worker}\n  containers:\n  - {name: main, image: busybox, command: [sleep, \"9999\"], volumeMounts: [{name: d, mountPath: /data}]}\n  volumes: [{name: d, hostPath: {path: /tmp/hp}}]\n";
    apply(&mut s, pod);
    ok(&mut s, "sleep 10s");
    ok(&mut s, "kubectl exec hp -- sh -c 'echo kept > /data/file'");
    ok(&mut s, "kubectl delete pod hp");
    apply(&mut s, pod);
    ok(&mut s, "sleep 10s");
    assert_eq!(ok(&mut s, "kubectl exec hp -- cat /data/file"), "kept\n");
    let other =
        pod.replace("name: hp}", "name: hp2}").replace("kubeplay-worker}", "kubeplay-worker2}");
    apply(&mut s, &other);
    ok(&mut s, "sleep 10s");
    assert_ne!(s.run("kubectl exec hp2 -- cat /data/file").exit_code, 0);
}

#[test]
fn volumes_kind_cannot_provide_leave_the_pod_creating_with_events() {
    let mut s = sim();
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: nfs}\nspec:\n  containers:\n  - {name: m, image: mongo, volumeMounts: [{name: mongodb-data, mountPath: /data/db}]}\n  volumes: [{name: mongodb-data, nfs: {server: 1.2.3.4, path: /some/path}}]\n",
    );
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: gce}\nspec:\n  containers:\n  - {name: m, image: mongo, volumeMounts: [{name: mongodb-data, mountPath: /data/db}]}\n  volumes: [{name: mongodb-data, gcePersistentDisk: {pdName: mongodb, fsType: ext4}}]\n",
    );
    let warn = apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: git}\nspec:\n  containers:\n  - {name: m, image: nginx:alpine, volumeMounts: [{name: html, mountPath: /usr/share/nginx/html}]}\n  volumes: [{name: html, gitRepo: {repository: \"https://github.com/luksa/kubia-website-example.git\", revision: master, directory: .}}]\n",
    );
    assert_eq!(
        warn,
        "Warning: spec.volumes[0].gitRepo: deprecated in v1.11, and disabled by default in v1.33+\n"
    );
    ok(&mut s, "sleep 30s");
    let pods = ok(&mut s, "kubectl get pods");
    assert_eq!(pods.matches("ContainerCreating").count(), 3, "{pods}");
    let events = ok(&mut s, "kubectl get events");
    assert!(events.contains("mount failed: exit status 32"), "{events}");
    assert!(events.contains("FailedAttachVolume"), "{events}");
    assert!(events.contains("does not contain driver pd.csi.storage.gke.io"), "{events}");
    assert!(events.contains("git-repo volume plugin has been disabled"), "{events}");
}

#[test]
fn bad_storage_objects_are_rejected_with_upstream_wording() {
    let mut s = sim();
    for (yaml, want) in [
        (
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: p}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n",
            "spec: Required value: must specify a volume type",
        ),
        (
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: p}\nspec:\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /x}\n",
            "spec.capacity: Required value",
        ),
        (
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: p}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  persistentVolumeReclaimPolicy: Keep\n  hostPath: {path: /x}\n",
            "spec.persistentVolumeReclaimPolicy: Unsupported value: \"Keep\": supported values: \"Delete\", \"Recycle\", \"Retain\"",
        ),
        (
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  resources: {requests: {storage: 1Gi}}\n",
            "spec.accessModes: Required value: at least 1 access mode is required",
        ),
        (
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: [ReadWriteSometimes]\n  resources: {requests: {storage: 1Gi}}\n",
            "spec.accessModes: Unsupported value: \"ReadWriteSometimes\"",
        ),
        (
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: [ReadWriteOnce]\n",
            "spec.resources[storage]: Required value",
        ),
        (
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: x\nvolumeBindingMode: Later\n",
            "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", \"WaitForFirstConsumer\"",
        ),
    ] {
        let out = s.run_with_stdin("kubectl apply -f -", Some(yaml));
        assert_eq!(out.exit_code, 1, "{yaml}");
        assert!(out.stderr.contains(want), "{yaml}: {}", out.stderr);
    }
    let sc = ok(&mut s, "kubectl get sc");
    assert!(sc.contains("standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false"), "{sc}");
}

#[test]
fn recycle_scrubs_and_makes_the_volume_available_again() {
    let mut s = sim();
    apply(
        &mut s,
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: recycled}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  persistentVolumeReclaimPolicy: Recycle\n  nfs: {server: 1.2.3.4, path: /x}\n",
    );
    apply(
        &mut s,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  resources: {requests: {storage: 1Gi}}\n  accessModes: [ReadWriteOnce]\n  storageClassName: \"\"\n",
    );
    ok(&mut s, "sleep 2s");
    assert!(ok(&mut s, "kubectl get pv").contains("Recycle          Bound"));
    ok(&mut s, "kubectl delete pvc c");
    ok(&mut s, "sleep 2s");
    let pv = ok(&mut s, "kubectl get pv");
    assert!(pv.contains("Recycle          Available"), "{pv}");
}

#[test]
fn a_claim_in_use_stays_terminating_until_its_pod_goes() {
    let mut s = sim();
    apply(
        &mut s,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  resources: {requests: {storage: 1Gi}}\n  accessModes: [ReadWriteOnce]\n",
    );
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: user}\nspec:\n  containers:\n  - {name: m, image: busybox, command: [sleep, \"9999\"], volumeMounts: [{name: d, mountPath: /d}]}\n  volumes: [{name: d, persistentVolumeClaim: {claimName: c}}]\n",
    );
    ok(&mut s, "sleep 10s");
    ok(&mut s, "kubectl delete pvc c --wait=false");
    assert!(ok(&mut s, "kubectl get pvc c").contains("c      Terminating   pvc-"));
    ok(&mut s, "kubectl delete pod user");
    ok(&mut s, "sleep 1s");
    assert_ne!(s.run("kubectl get pvc c").exit_code, 0);
    // Delete policy: the provisioned volume went with the claim.
    assert_eq!(s.run("kubectl get pv").stderr, "No resources found\n");
}
