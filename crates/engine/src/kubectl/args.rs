//! Command-line parsing with cobra/pflag's rules: interspersed flags, `--flag=value`,
//! `--flag value`, `-n value`, `-nvalue`, combined short booleans (`-it`), `--` ending flags, and
//! kubectl's words for every mistake.

use std::collections::BTreeMap;

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    /// Long name (`namespace`).
    pub long: &'static str,
    /// Shorthand (`n`).
    pub short: Option<char>,
    /// Whether it takes a value (otherwise boolean).
    pub value: bool,
}

/// A flag with a value.
pub const fn val(long: &'static str, short: Option<char>) -> Flag {
    Flag { long, short, value: true }
}

/// A boolean flag.
pub const fn boolean(long: &'static str, short: Option<char>) -> Flag {
    Flag { long, short, value: false }
}

/// Flags every kubectl command accepts.
pub const GLOBAL_FLAGS: &[Flag] = &[
    val("namespace", Some('n')),
    val("context", None),
    val("cluster", None),
    val("user", None),
    val("kubeconfig", None),
    val("request-timeout", None),
    val("server", Some('s')),
    val("token", None),
    val("v", Some('v')),
    val("as", None),
    boolean("insecure-skip-tls-verify", None),
    boolean("help", Some('h')),
];

/// The result of parsing.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Positional arguments (before `--`).
    pub positional: Vec<String>,
    /// Values by long flag name, in the order given.
    pub flags: BTreeMap<&'static str, Vec<String>>,
    /// Arguments after `--`, if `--` was given.
    pub after_dash: Option<Vec<String>>,
}

impl Parsed {
    /// The last value of a flag.
    pub fn get(&self, long: &str) -> Option<&str> {
        self.flags.get(long).and_then(|v| v.last()).map(String::as_str)
    }

    /// Every value of a repeatable flag.
    pub fn all(&self, long: &str) -> Vec<String> {
        self.flags.get(long).cloned().unwrap_or_default()
    }

    /// Whether a boolean flag is set (and not `=false`).
    pub fn is_set(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| v != "false")
    }

    /// Whether the flag was given at all.
    pub fn given(&self, long: &str) -> bool {
        self.flags.contains_key(long)
    }

    /// `-n`, or `default`.
    pub fn namespace(&self) -> String {
        self.get("namespace").filter(|n| !n.is_empty()).unwrap_or("default").to_string()
    }
}

fn see_help(command: &str) -> String {
    format!("\nSee 'kubectl {command} --help' for usage.")
}

/// Parses `argv` (after the subcommand) for `command` accepting `flags` plus the global flags.
pub fn parse(command: &str, argv: &[String], flags: &[Flag]) -> Result<Parsed, String> {
    let find_long = |name: &str| flags.iter().chain(GLOBAL_FLAGS).find(|f| f.long == name).copied();
    let find_short =
        |c: char| flags.iter().chain(GLOBAL_FLAGS).find(|f| f.short == Some(c)).copied();
    let mut out = Parsed::default();
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        if arg == "--" {
            out.after_dash = Some(argv[i + 1..].to_vec());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(flag) = find_long(name) else {
                return Err(format!("error: unknown flag: --{name}{}", see_help(command)));
            };
            let value = if flag.value {
                match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        match argv.get(i) {
                            Some(v) => v.clone(),
                            None => {
                                return Err(format!(
                                    "error: flag needs an argument: --{name}{}",
                                    see_help(command)
                                ));
                            }
                        }
                    }
                }
            } else {
                inline.unwrap_or_else(|| "true".into())
            };
            out.flags.entry(flag.long).or_default().push(value);
        } else if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let Some(flag) = find_short(c) else {
                    return Err(format!(
                        "error: unknown shorthand flag: '{c}' in {arg}{}",
                        see_help(command)
                    ));
                };
                if flag.value {
                    let rest: String = chars[j + 1..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest.strip_prefix('=').map(str::to_string).unwrap_or(rest)
                    } else {
                        i += 1;
                        match argv.get(i) {
                            Some(v) => v.clone(),
                            None => {
                                return Err(format!(
                                    "error: flag needs an argument: '{c}' in -{c}{}",
                                    see_help(command)
                                ));
                            }
                        }
                    };
                    out.flags.entry(flag.long).or_default().push(value);
                    break;
                }
                let value = if chars.get(j + 1) == Some(&'=') {
                    let v: String = chars[j + 2..].iter().collect();
                    j = chars.len();
                    v
                } else {
                    "true".to_string()
                };
                out.flags.entry(flag.long).or_default().push(value);
                j += 1;
            }
        } else {
            out.positional.push(arg.clone());
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    const FLAGS: &[Flag] = &[
        val("output", Some('o')),
        boolean("all-namespaces", Some('A')),
        boolean("stdin", Some('i')),
        boolean("tty", Some('t')),
    ];

    #[test]
    fn flags_parse_in_every_spelling() {
        let p = parse("get", &argv("pods -n kube-system -owide --all-namespaces=false x"), FLAGS)
            .unwrap();
        assert_eq!(p.positional, ["pods", "x"]);
        assert_eq!(p.namespace(), "kube-system");
        assert_eq!(p.get("output"), Some("wide"));
        assert!(!p.is_set("all-namespaces"));
        let p = parse("exec", &argv("-it kubia -- ls -la"), FLAGS).unwrap();
        assert!(p.is_set("stdin") && p.is_set("tty"));
        assert_eq!(p.after_dash.unwrap(), ["ls", "-la"]);
    }

    #[test]
    fn mistakes_read_like_kubectl() {
        assert_eq!(
            parse("run", &argv("kubia --generator=run/v1"), FLAGS).unwrap_err(),
            "error: unknown flag: --generator\nSee 'kubectl run --help' for usage."
        );
        assert_eq!(
            parse("get", &argv("pods -x"), FLAGS).unwrap_err(),
            "error: unknown shorthand flag: 'x' in -x\nSee 'kubectl get --help' for usage."
        );
        assert!(
            parse("get", &argv("pods -n"), FLAGS)
                .unwrap_err()
                .starts_with("error: flag needs an argument: 'n' in -n")
        );
    }
}
