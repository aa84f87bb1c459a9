//! bash's `alias` and `unalias`, for the `alias k=kubectl` nearly everyone types first.

use std::collections::BTreeMap;

use crate::kubectl::Output;

/// The most aliases a session holds.
pub const MAX_ALIASES: usize = 100;
/// The longest alias value taken.
pub const MAX_ALIAS_BYTES: usize = 4096;

fn quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || "/$`=|&;()<>'\"\\".contains(c))
}

/// `alias [NAME[=VALUE] ...]`: defines, prints one, or lists them all as bash does.
pub fn alias(aliases: &mut BTreeMap<String, String>, args: &[String]) -> Output {
    let args: Vec<&String> = args.iter().filter(|a| *a != "-p").collect();
    if args.is_empty() {
        let text: String =
            aliases.iter().map(|(n, v)| format!("alias {n}={}\n", quoted(v))).collect();
        return Output::ok(text);
    }
    let mut out = Output::default();
    for arg in args {
        match arg.split_once('=') {
            Some((name, _)) if !valid_name(name) => {
                out.push(Output::fail(format!("bash: alias: `{name}': invalid alias name")));
            }
            Some((_, value)) if value.len() > MAX_ALIAS_BYTES => {
                out.push(Output::fail(format!(
                    "bash: alias: value longer than {MAX_ALIAS_BYTES} bytes"
                )));
            }
            Some((name, _)) if !aliases.contains_key(name) && aliases.len() >= MAX_ALIASES => {
                out.push(Output::fail(format!("bash: alias: more than {MAX_ALIASES} aliases")));
            }
            Some((name, value)) => {
                aliases.insert(name.to_string(), value.to_string());
            }
            None => match aliases.get(arg.as_str()) {
                Some(value) => out.stdout.push_str(&format!("alias {arg}={}\n", quoted(value))),
                None => out.push(Output::fail(format!("bash: alias: {arg}: not found"))),
            },
        }
    }
    out
}

/// `unalias [-a] NAME...`.
pub fn unalias(aliases: &mut BTreeMap<String, String>, args: &[String]) -> Output {
    if args.is_empty() {
        return Output {
            stderr: "unalias: usage: unalias [-a] name [name ...]\n".into(),
            exit_code: 2,
            ..Default::default()
        };
    }
    let mut out = Output::default();
    for arg in args {
        if arg == "-a" {
            aliases.clear();
        } else if aliases.remove(arg.as_str()).is_none() {
            out.push(Output::fail(format!("bash: unalias: {arg}: not found")));
        }
    }
    out
}

/// `words` with an alias for their first word replaced by its words; an alias whose value starts
/// with another alias expands that one too, each name once, as bash does.
pub fn expand(aliases: &BTreeMap<String, String>, words: &[String]) -> Vec<String> {
    let mut words = words.to_vec();
    let mut used: Vec<&str> = Vec::new();
    while let Some((name, value)) = words.first().and_then(|w| aliases.get_key_value(w.as_str())) {
        if used.contains(&name.as_str()) {
            break;
        }
        used.push(name);
        let mut expanded = crate::kubelet::shell::split_words(value);
        expanded.extend(words.drain(1..));
        words = expanded;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        crate::kubelet::shell::split_words(line)
    }

    #[test]
    fn aliases_are_defined_listed_and_removed_as_in_bash() {
        let mut aliases = BTreeMap::new();
        assert_eq!(
            alias(&mut aliases, &words("k=kubectl 'kgp=kubectl get pods'")),
            Output::default()
        );
        assert_eq!(
            alias(&mut aliases, &[]).stdout,
            "alias k='kubectl'\nalias kgp='kubectl get pods'\n"
        );
        assert_eq!(alias(&mut aliases, &words("k")).stdout, "alias k='kubectl'\n");
        assert_eq!(alias(&mut aliases, &words("nope")).stderr, "bash: alias: nope: not found\n");
        assert_eq!(
            alias(&mut aliases, &words("'a b=c'")).stderr,
            "bash: alias: `a b': invalid alias name\n"
        );
        assert_eq!(unalias(&mut aliases, &words("kgp")), Output::default());
        assert_eq!(unalias(&mut aliases, &words("kgp")).stderr, "bash: unalias: kgp: not found\n");
        assert_eq!(unalias(&mut aliases, &[]).exit_code, 2);
    }

    #[test]
    fn the_first_word_expands_once_per_name() {
        let mut aliases = BTreeMap::new();
        alias(&mut aliases, &words("k=kubectl 'kgp=k get pods' 'ls=ls -l' loop=loop"));
        assert_eq!(expand(&aliases, &words("kgp -o wide")), words("kubectl get pods -o wide"));
        assert_eq!(expand(&aliases, &words("echo k")), words("echo k"));
        assert_eq!(expand(&aliases, &words("ls")), words("ls -l"));
        assert_eq!(expand(&aliases, &words("loop x")), words("loop x"));
    }

    #[test]
    fn aliases_are_bounded() {
        let mut aliases = BTreeMap::new();
        for i in 0..MAX_ALIASES {
            alias(&mut aliases, &[format!("a{i}=x")]);
        }
        assert_eq!(alias(&mut aliases, &words("one-more=x")).exit_code, 1);
        assert_eq!(alias(&mut aliases, &words("a1=y")).exit_code, 0);
        assert_eq!(
            alias(&mut aliases, &[format!("big={}", "x".repeat(MAX_ALIAS_BYTES + 1))]).exit_code,
            1
        );
    }
}
