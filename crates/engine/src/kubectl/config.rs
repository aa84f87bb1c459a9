//! `kubectl create configmap` and `kubectl create secret generic|tls|docker-registry`, with
//! kubectl's sources (`--from-literal`, `--from-file=[key=]path`, directories, `--from-env-file`)
//! and its messages; and `kubectl proxy`, which lets a later `curl localhost:8001/...` reach the
//! API server.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::args::{Parsed, boolean, parse, val};
use super::{Ctx, Output};
use crate::api::configmap::{MAX_DATA_BYTES, config_key_errors};
use crate::api::{ApiKind, Object};

/// Sources one command may name.
const MAX_SOURCES: usize = 256;

/// Which object the keys go to (for kubectl's messages).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    ConfigMap,
    Secret,
}

impl Target {
    fn title(self) -> &'static str {
        match self {
            Target::ConfigMap => "ConfigMap",
            Target::Secret => "Secret",
        }
    }
}

fn add_key(
    data: &mut BTreeMap<String, String>,
    target: Target,
    name: &str,
    key: &str,
    value: String,
) -> Result<(), String> {
    let errs = config_key_errors(key);
    if !errs.is_empty() {
        return Err(format!(
            "error: \"{key}\" is not a valid key name for a {}: {}",
            target.title(),
            errs.join(",")
        ));
    }
    if data.contains_key(key) {
        return Err(format!(
            "error: cannot add key \"{key}\", another key by that name already exists in Data for {} \"{name}\"",
            target.title()
        ));
    }
    data.insert(key.to_string(), value);
    Ok(())
}

/// Collects the keys of `--from-literal`, `--from-file` and `--from-env-file`.
fn collect(
    ctx: &mut Ctx,
    p: &Parsed,
    target: Target,
    name: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut data = BTreeMap::new();
    let all = |f: &str| p.flags.get(f).cloned().unwrap_or_default();
    let (files, literals, env_files) =
        (all("from-file"), all("from-literal"), all("from-env-file"));
    if files.len() + literals.len() + env_files.len() > MAX_SOURCES {
        return Err(format!("error: too many sources (at most {MAX_SOURCES})"));
    }
    if !env_files.is_empty() && (!files.is_empty() || !literals.is_empty()) {
        return Err("error: from-env-file cannot be combined with from-file or from-literal".into());
    }
    for source in &files {
        let (key, path) = match source.split_once('=') {
            Some((k, path)) => {
                if k.is_empty() || path.is_empty() {
                    return Err("error: key names or file paths cannot contain '='".to_string());
                }
                (Some(k.to_string()), path.to_string())
            }
            None => (None, source.clone()),
        };
        match ctx.files.read(&path) {
            Some(content) => {
                let key = key.unwrap_or_else(|| {
                    path.trim_end_matches('/').rsplit('/').next().unwrap_or(&path).to_string()
                });
                add_key(&mut data, target, name, &key, content)?;
            }
            None => match ctx.files.list(&path) {
                Some(entries) if key.is_none() => {
                    // A directory: one key per regular file in it.
                    for file in entries {
                        let full = format!("{}/{file}", path.trim_end_matches('/'));
                        if let Some(content) = ctx.files.read(&full)
                            && config_key_errors(&file).is_empty()
                        {
                            add_key(&mut data, target, name, &file, content)?;
                        }
                    }
                }
                Some(_) => {
                    return Err("error: cannot give a key name for a directory path".to_string());
                }
                None => {
                    return Err(format!("error: error reading {path}: no such file or directory"));
                }
            },
        }
    }
    for lit in &literals {
        let Some((k, v)) = lit.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!("error: invalid literal source {lit}, expected key=value"));
        };
        add_key(&mut data, target, name, k, v.to_string())?;
    }
    for path in &env_files {
        let Some(content) = ctx.files.read(path) else {
            return Err(format!("error: error reading {path}: no such file or directory"));
        };
        for (n, line) in content.lines().enumerate() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            if k.is_empty() || k.contains(char::is_whitespace) {
                return Err(format!(
                    "error: \"{k}\" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (line {} of {path})",
                    n + 1
                ));
            }
            data.insert(k.to_string(), v.to_string());
        }
    }
    let total: usize = data.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > MAX_DATA_BYTES {
        return Err(format!(
            "error: failed to create {}: too long: must have at most {MAX_DATA_BYTES} bytes",
            target.title().to_lowercase()
        ));
    }
    Ok(data)
}

fn render(object: &Object, output: &str) -> Output {
    let format = match super::get::parse_format(Some(output)) {
        Ok(f) => f,
        Err(e) => return Output::fail(e),
    };
    match super::get::render_machine(&format, std::slice::from_ref(object), true) {
        Ok(s) => Output::ok(s),
        Err(e) => Output::fail(e),
    }
}

fn finish(ctx: &mut Ctx, p: &Parsed, object: Object, singular: &str) -> Output {
    let dry = p.get("dry-run").filter(|d| *d != "none");
    let output = p.get("output");
    let name = format!("{singular}/{}", object.name());
    if let Some(mode) = dry {
        if let Some(fmt) = output {
            return render(&object, fmt);
        }
        let suffix = if mode == "server" { " (server dry run)" } else { " (dry run)" };
        return Output::ok(format!("{name} created{suffix}\n"));
    }
    match ctx.cluster.create(object) {
        Ok(o) => match output {
            Some(fmt) => render(&o, fmt),
            None => Output::ok(format!("{name} created\n")),
        },
        // kubectl wraps the API server's message: `failed to create configmap: ...`.
        Err(e) => Output::fail(format!("error: failed to create {singular}: {}", e.message)),
    }
}

fn one_name(p: &Parsed, command: &str) -> Result<String, Output> {
    match p.positional.as_slice() {
        [name] => Ok(name.clone()),
        other => Err(Output::fail(format!(
            "error: exactly one NAME is required, got {}\nSee 'kubectl create {command} -h' for help and examples",
            other.len()
        ))),
    }
}

fn meta(name: &str, ns: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(ns.unwrap_or("default").to_string()),
        ..Default::default()
    }
}

/// `kubectl create configmap NAME [--from-file=[key=]source] [--from-literal=key=value]
/// [--from-env-file=source]`.
pub fn create_configmap(ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse(
        "create configmap",
        argv,
        &[
            val("from-file", None),
            val("from-literal", None),
            val("from-env-file", None),
            val("dry-run", None),
            val("output", Some('o')),
            boolean("append-hash", None),
        ],
    ) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let name = match one_name(&p, "configmap") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let data = match collect(ctx, &p, Target::ConfigMap, &name) {
        Ok(d) => d,
        Err(e) => return Output::fail(e),
    };
    let cm = ConfigMap {
        metadata: meta(&name, p.get("namespace")),
        data: Some(data),
        ..Default::default()
    };
    finish(ctx, &p, cm.into_object(), "configmap")
}

/// `kubectl create secret generic|tls|docker-registry NAME ...`.
pub fn create_secret(ctx: &mut Ctx, argv: &[String]) -> Output {
    let Some(kind) = argv.first() else {
        return Output::fail(
            "error: must specify one of: generic, tls, docker-registry\nSee 'kubectl create secret -h' for help and examples",
        );
    };
    let rest = &argv[1..];
    let p = match parse(
        &format!("create secret {kind}"),
        rest,
        &[
            val("from-file", None),
            val("from-literal", None),
            val("from-env-file", None),
            val("type", None),
            val("cert", None),
            val("key", None),
            val("docker-server", None),
            val("docker-username", None),
            val("docker-password", None),
            val("docker-email", None),
            val("dry-run", None),
            val("output", Some('o')),
            boolean("append-hash", None),
        ],
    ) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let name = match one_name(&p, &format!("secret {kind}")) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let (type_, data) = match kind.as_str() {
        "generic" => match collect(ctx, &p, Target::Secret, &name) {
            Ok(d) => (p.get("type").unwrap_or("Opaque").to_string(), d),
            Err(e) => return Output::fail(e),
        },
        "tls" => {
            let (Some(cert), Some(key)) = (p.get("cert"), p.get("key")) else {
                return Output::fail("error: required flag(s) \"cert\", \"key\" not set");
            };
            let mut data = BTreeMap::new();
            for (k, path) in [("tls.crt", cert), ("tls.key", key)] {
                let Some(content) = ctx.files.read(path) else {
                    return Output::fail(format!("error: open {path}: no such file or directory"));
                };
                data.insert(k.to_string(), content);
            }
            if !data.get("tls.crt").is_some_and(|c| c.contains("-----BEGIN")) {
                return Output::fail(
                    "error: tls: failed to find any PEM data in certificate input",
                );
            }
            if !data.get("tls.key").is_some_and(|c| c.contains("-----BEGIN")) {
                return Output::fail("error: tls: failed to find any PEM data in key input");
            }
            ("kubernetes.io/tls".to_string(), data)
        }
        "docker-registry" => {
            let (user, pass) = (p.get("docker-username"), p.get("docker-password"));
            let missing: Vec<&str> = [("docker-password", pass), ("docker-username", user)]
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| *n)
                .collect();
            if !missing.is_empty() && !p.flags.contains_key("from-file") {
                let list: Vec<String> = missing.iter().map(|m| format!("\"{m}\"")).collect();
                return Output::fail(format!(
                    "error: required flag(s) {} not set",
                    list.join(", ")
                ));
            }
            let server = p.get("docker-server").unwrap_or("https://index.docker.io/v1/");
            let (user, pass) = (user.unwrap_or(""), pass.unwrap_or(""));
            let email = p.get("docker-email").unwrap_or("");
            let mut entry = serde_json::Map::new();
            entry.insert("username".into(), user.into());
            entry.insert("password".into(), pass.into());
            if !email.is_empty() {
                entry.insert("email".into(), email.into());
            }
            entry.insert("auth".into(), base64(format!("{user}:{pass}").as_bytes()).into());
            let mut auths = serde_json::Map::new();
            auths.insert(server.to_string(), serde_json::Value::Object(entry));
            let json = serde_json::json!({ "auths": auths }).to_string();
            let mut data = BTreeMap::new();
            data.insert(".dockerconfigjson".to_string(), json);
            ("kubernetes.io/dockerconfigjson".to_string(), data)
        }
        other => {
            return Output::fail(format!(
                "error: unknown command \"{other}\" for \"kubectl create secret\""
            ));
        }
    };
    let secret = Secret {
        metadata: meta(&name, p.get("namespace")),
        type_: Some(type_),
        data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v.into_bytes()))).collect()),
        ..Default::default()
    };
    finish(ctx, &p, secret.into_object(), "secret")
}

/// Standard base64 with padding (the `auth` field of a docker config).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `kubectl proxy`: from now on `localhost:8001` on the learner's machine is the API server,
/// authenticated as the kubeconfig's user.
pub fn proxy(ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse(
        "proxy",
        argv,
        &[val("port", Some('p')), val("address", None), val("accept-hosts", None)],
    ) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let port: u16 = match p.get("port").map(str::parse).unwrap_or(Ok(8001)) {
        Ok(port) => port,
        Err(_) => return Output::fail("error: invalid argument for \"-p, --port\" flag"),
    };
    ctx.cluster.volumes.proxy_ports.insert(port);
    Output::ok(format!("Starting to serve on 127.0.0.1:{port}\n"))
}
