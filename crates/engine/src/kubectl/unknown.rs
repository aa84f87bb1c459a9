//! What kubectl answers to a command it does not have (cobra's "Did you mean this?"
//! suggestions), and what kubeplay answers to a real kubectl command it does not simulate.

use super::Output;

/// kubectl's top-level commands in the order `NewKubectlCommand` adds them, cobra's `help`
/// last: cobra suggests in this order.
const KUBECTL_COMMANDS: &[&str] = &[
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "certificate",
    "cluster-info",
    "top",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "attach",
    "exec",
    "port-forward",
    "proxy",
    "cp",
    "auth",
    "debug",
    "events",
    "diff",
    "apply",
    "patch",
    "replace",
    "wait",
    "kustomize",
    "label",
    "annotate",
    "completion",
    "config",
    "plugin",
    "version",
    "api-versions",
    "api-resources",
    "options",
    "kuberc",
    "help",
];

/// Commands' `SuggestFor` words (get.go, delete.go, describe.go, top.go).
const SUGGEST_FOR: &[(&str, &[&str])] = &[
    ("get", &["list", "ls"]),
    ("delete", &["rm", "remove"]),
    ("describe", &["inspect"]),
    ("top", &["stats"]),
];

/// cobra's `SuggestionsMinimumDistance` default.
const SUGGESTION_DISTANCE_MAX: usize = 2;

/// The longest word compared (a huge typo costs nothing).
const WORD_CHARS_MAX: usize = 64;

/// Levenshtein distance, case-insensitive, as cobra's `ld`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// cobra's `SuggestionsFor`: commands within distance 2, commands the word starts, and
/// commands that name the word in `SuggestFor`.
fn suggestions(typed: &str) -> Vec<&'static str> {
    if typed.chars().count() > WORD_CHARS_MAX {
        return Vec::new();
    }
    let lower = typed.to_lowercase();
    let mut out = Vec::new();
    for name in KUBECTL_COMMANDS {
        if distance(typed, name) <= SUGGESTION_DISTANCE_MAX || name.starts_with(&lower) {
            out.push(*name);
        }
        let explicit = SUGGEST_FOR.iter().find(|(n, _)| n == name).map_or(&[][..], |(_, w)| w);
        if explicit.iter().any(|w| w.eq_ignore_ascii_case(typed)) {
            out.push(*name);
        }
    }
    out
}

/// `kubectl WORD ...` where WORD is no command of ours.
pub fn answer(word: &str) -> Output {
    if KUBECTL_COMMANDS.contains(&word) {
        return Output::fail(match word {
            // A kind cluster has no metrics-server, and kubectl says so.
            "top" => "error: Metrics API not available".to_string(),
            _ => format!("error: kubeplay does not simulate \"kubectl {word}\" yet"),
        });
    }
    let mut message = format!("error: unknown command \"{word}\" for \"kubectl\"");
    let found = suggestions(word);
    if !found.is_empty() {
        message.push_str("\n\nDid you mean this?\n");
        for s in found {
            message.push('\t');
            message.push_str(s);
            message.push('\n');
        }
    }
    Output::fail(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_cobras_suggestions_in_kubectls_order() {
        assert_eq!(distance("gett", "get"), 1);
        assert_eq!(distance("GET", "get"), 0);
        assert_eq!(suggestions("gett"), ["set", "get"]);
        assert_eq!(suggestions("rollot"), ["rollout"]);
        assert_eq!(suggestions("ls"), ["get", "logs", "cp"]);
        assert_eq!(suggestions("port"), ["port-forward"]);
        assert!(suggestions("frobnicate").is_empty());
        assert!(suggestions(&"x".repeat(10_000)).is_empty());
    }

    #[test]
    fn unknown_and_unsimulated_commands_are_told_apart() {
        let typo = answer("gett");
        assert_eq!(
            typo.stderr.trim_end(),
            "error: unknown command \"gett\" for \"kubectl\"\n\nDid you mean this?\n\tset\n\tget"
        );
        assert_eq!(typo.exit_code, 1);
        assert_eq!(
            answer("zzz").stderr.trim_end(),
            "error: unknown command \"zzz\" for \"kubectl\""
        );
        assert_eq!(answer("top").stderr.trim_end(), "error: Metrics API not available");
        assert!(answer("attach").stderr.contains("does not simulate \"kubectl attach\""));
    }
}
