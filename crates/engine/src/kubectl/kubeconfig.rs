//! `kubectl config`: the kubeconfig kind writes for the cluster (`kind-kubeplay`), its contexts
//! and their default namespaces (`config set-context --current --namespace=NS`, the book's
//! namespace-switching alias), `current-context`, `get-contexts`, `use-context`, `view`.

use std::collections::BTreeMap;

use super::Output;
use super::args::{boolean, parse, val};

/// The cluster, user and first context kind names after the cluster.
pub const KIND_NAME: &str = "kind-kubeplay";
/// The most contexts one kubeconfig holds.
const MAX_CONTEXTS: usize = 100;

/// The kubeconfig: contexts (name → namespace) and the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kubeconfig {
    current: String,
    contexts: BTreeMap<String, Option<String>>,
}

impl Default for Kubeconfig {
    fn default() -> Self {
        Kubeconfig {
            current: KIND_NAME.into(),
            contexts: BTreeMap::from([(KIND_NAME.to_string(), None)]),
        }
    }
}

impl Kubeconfig {
    /// The current context's namespace, if it sets one.
    pub fn namespace(&self) -> Option<&str> {
        self.contexts.get(&self.current)?.as_deref()
    }

    fn view(&self) -> String {
        let mut out = String::from(
            "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: https://127.0.0.1:6443\n  name: kind-kubeplay\ncontexts:\n",
        );
        for (name, namespace) in &self.contexts {
            out.push_str("- context:\n    cluster: kind-kubeplay\n");
            if let Some(ns) = namespace {
                out.push_str(&format!("    namespace: {ns}\n"));
            }
            out.push_str(&format!("    user: kind-kubeplay\n  name: {name}\n"));
        }
        out.push_str(&format!(
            "current-context: {}\nkind: Config\npreferences: {{}}\nusers:\n- name: kind-kubeplay\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n",
            self.current
        ));
        out
    }

    fn get_contexts(&self, names: &[String], no_headers: bool) -> Output {
        let mut rows = Vec::new();
        if !no_headers {
            rows.push("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE".to_string());
        }
        for name in names {
            if !self.contexts.contains_key(name) {
                return Output::fail(format!("error: context {name} not found"));
            }
        }
        for (name, namespace) in &self.contexts {
            if !names.is_empty() && !names.contains(name) {
                continue;
            }
            let current = if *name == self.current { "*" } else { "" };
            rows.push(format!(
                "{current}\t{name}\tkind-kubeplay\tkind-kubeplay\t{}",
                namespace.as_deref().unwrap_or("")
            ));
        }
        let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
        Output::ok(super::format::TabWriter::new().format(&text))
    }
}

/// `kubectl config SUBCOMMAND ...`.
pub fn config(kubeconfig: &mut Kubeconfig, argv: &[String]) -> Output {
    let Some(sub) = argv.first() else {
        return Output::ok(CONFIG_HELP);
    };
    let rest = &argv[1..];
    match sub.as_str() {
        "current-context" => Output::ok(format!("{}\n", kubeconfig.current)),
        "view" => match parse(
            "config view",
            rest,
            &[val("output", Some('o')), boolean("minify", None), boolean("raw", None)],
        ) {
            Ok(_) => Output::ok(kubeconfig.view()),
            Err(e) => Output::fail(e),
        },
        "get-contexts" => match parse(
            "config get-contexts",
            rest,
            &[boolean("no-headers", None), val("output", Some('o'))],
        ) {
            Ok(p) if p.get("output") == Some("name") => {
                Output::ok(kubeconfig.contexts.keys().map(|n| format!("{n}\n")).collect::<String>())
            }
            Ok(p) => kubeconfig.get_contexts(&p.positional, p.is_set("no-headers")),
            Err(e) => Output::fail(e),
        },
        "use-context" | "use" => match rest.first() {
            Some(name) if kubeconfig.contexts.contains_key(name) => {
                kubeconfig.current = name.clone();
                Output::ok(format!("Switched to context \"{name}\".\n"))
            }
            Some(name) => {
                Output::fail(format!("error: no context exists with the name: \"{name}\""))
            }
            None => Output::fail(
                "error: Unexpected args: []\nSee 'kubectl config use-context -h' for help and examples",
            ),
        },
        "set-context" => set_context(kubeconfig, rest),
        other => Output::fail(format!("error: unknown command \"{other}\" for \"kubectl config\"")),
    }
}

fn set_context(kubeconfig: &mut Kubeconfig, argv: &[String]) -> Output {
    // `--namespace` here is the context's field, not the global flag.
    let flags = [boolean("current", None), val("cluster", None), val("user", None)];
    let p = match parse("config set-context", argv, &flags) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let name = match (p.is_set("current"), p.positional.first()) {
        (true, Some(_)) => {
            return Output::fail("error: you cannot specify both a context name and --current");
        }
        (true, None) => kubeconfig.current.clone(),
        (false, Some(n)) => n.clone(),
        (false, None) => {
            return Output::fail("error: you must specify a non-empty context name or --current");
        }
    };
    let exists = kubeconfig.contexts.contains_key(&name);
    if !exists && kubeconfig.contexts.len() >= MAX_CONTEXTS {
        return Output::fail(format!("error: too many contexts (at most {MAX_CONTEXTS})"));
    }
    let entry = kubeconfig.contexts.entry(name.clone()).or_default();
    if let Some(ns) = p.get("namespace") {
        *entry = (!ns.is_empty()).then(|| ns.to_string());
    }
    Output::ok(format!("Context \"{name}\" {}.\n", if exists { "modified" } else { "created" }))
}

const CONFIG_HELP: &str = "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".\n\n The loading order follows these rules:\n\n  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes\nplace.\n  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for\nyour system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When\na value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the\nlast file in the list.\n  3.  Otherwise, ${HOME}/.kube/config is used and no merging takes place.\n\nAvailable Commands:\n  current-context   Display the current-context\n  get-contexts      Describe one or many contexts\n  set-context       Set a context entry in kubeconfig\n  use-context       Set the current-context in a kubeconfig file\n  view              Display merged kubeconfig settings or a specified kubeconfig file\n\nUsage:\n  kubectl config SUBCOMMAND [options]\n\nUse \"kubectl config <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

/// `argv` with the context's namespace added when the command names none (kubectl: the flag,
/// else the context's namespace, else `default`).
pub fn with_context_namespace(kubeconfig: &Kubeconfig, argv: &[String]) -> Vec<String> {
    let Some(ns) = kubeconfig.namespace() else { return argv.to_vec() };
    let before_dash = argv.iter().position(|a| a == "--").unwrap_or(argv.len());
    let named = argv[..before_dash].iter().any(|a| {
        a == "-n"
            || a == "--namespace"
            || a.starts_with("--namespace=")
            || (a.starts_with("-n") && a.len() > 2 && !a.starts_with("--"))
    });
    if named || argv.first().is_some_and(|c| c == "config") {
        return argv.to_vec();
    }
    let mut out = argv[..before_dash].to_vec();
    out.push(format!("--namespace={ns}"));
    out.extend_from_slice(&argv[before_dash..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn a_context_namespace_becomes_the_default() {
        let mut k = Kubeconfig::default();
        assert_eq!(with_context_namespace(&k, &words("get pods")), words("get pods"));
        let out = config(&mut k, &words("set-context --current --namespace=custom"));
        assert_eq!(out.stdout, "Context \"kind-kubeplay\" modified.\n");
        assert_eq!(
            with_context_namespace(&k, &words("get pods")),
            words("get pods --namespace=custom")
        );
        assert_eq!(with_context_namespace(&k, &words("get pods -n x")), words("get pods -n x"));
        assert_eq!(
            with_context_namespace(&k, &words("exec p -- ls -n")),
            words("exec p --namespace=custom -- ls -n")
        );
        assert!(config(&mut k, &words("view")).stdout.contains("    namespace: custom\n"));
        assert_eq!(config(&mut k, &words("use-context nope")).exit_code, 1);
        config(&mut k, &words("set-context other"));
        assert_eq!(
            config(&mut k, &words("use-context other")).stdout,
            "Switched to context \"other\".\n"
        );
        assert_eq!(with_context_namespace(&k, &words("get pods")), words("get pods"));
    }
}
