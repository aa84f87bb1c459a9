//! A small shell for `kubectl exec` and exec probes: the everyday commands a learner types into a
//! container (ls, cat, touch, rm, echo, env, hostname, ps, ...) over the container's files, with
//! `sh -c` scripts joined by `;`, `&&`, `||` and `>`/`>>` redirection. Network commands (curl,
//! wget, nslookup) go through a [`Network`] the caller provides.

use super::fs::{Entry, FsError, normalize};
use super::images::{Base, Program};
use super::{CState, PodRuntime};
use crate::clock::Millis;

/// Commands one `sh -c` script may run.
pub const MAX_SCRIPT_COMMANDS: usize = 100;
/// Bytes of output one exec may produce.
pub const MAX_OUTPUT_BYTES: usize = 256 * 1024;

/// What a command printed and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecOutput {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit code.
    pub exit_code: i32,
}

impl ExecOutput {
    fn ok(stdout: String) -> Self {
        ExecOutput { stdout, stderr: String::new(), exit_code: 0 }
    }
    fn err(stderr: String, exit_code: i32) -> Self {
        ExecOutput { stdout: String::new(), stderr, exit_code }
    }
}

/// Network access for curl-like commands run inside a pod.
pub trait Network {
    /// Fetches `url` from inside the pod (`headers` are `Name: value` lines); the answer is
    /// (status, body) or a curl-style error (`(7) Failed to connect ...`).
    fn http(&mut self, url: &str, headers: &[String]) -> Result<(u16, String), String>;
    /// Looks a name up as the pod's resolver would: the answer lines of `nslookup`.
    fn nslookup(&mut self, name: &str) -> Result<String, String>;
}

/// A network that reaches nothing (exec probes; pods before services exist).
pub struct NoNetwork;

impl Network for NoNetwork {
    fn http(&mut self, url: &str, _headers: &[String]) -> Result<(u16, String), String> {
        let host = url.split("://").nth(1).unwrap_or(url).split(['/', ':']).next().unwrap_or("");
        Err(format!("(6) Could not resolve host: {host}"))
    }
    fn nslookup(&mut self, name: &str) -> Result<String, String> {
        Err(format!("** server can't find {name}: NXDOMAIN"))
    }
}

/// Runs `argv` in a container of `prt` (no network).
pub fn exec_in_container(
    prt: &mut PodRuntime,
    ci: usize,
    argv: &[String],
    now: Millis,
) -> ExecOutput {
    exec_with_network(prt, ci, argv, now, &mut NoNetwork)
}

/// Runs `argv` in a container of `prt`, with `net` for curl, wget and nslookup.
pub fn exec_with_network(
    prt: &mut PodRuntime,
    ci: usize,
    argv: &[String],
    now: Millis,
    net: &mut dyn Network,
) -> ExecOutput {
    if argv.is_empty() {
        return ExecOutput::err(
            "error: you must specify at least one command for the container\n".into(),
            1,
        );
    }
    let mut sh = Shell { prt, ci, now, net, budget: MAX_SCRIPT_COMMANDS, vars: Vec::new() };
    let mut out = sh.run_argv(argv, true);
    out.stdout.truncate(MAX_OUTPUT_BYTES);
    out.stderr.truncate(MAX_OUTPUT_BYTES);
    out
}

struct Shell<'a> {
    prt: &'a mut PodRuntime,
    ci: usize,
    now: Millis,
    net: &'a mut dyn Network,
    budget: usize,
    /// Shell variables set by `NAME=value` or `export NAME=value` in this exec.
    vars: Vec<(String, String)>,
}

/// Splits a shell command line into words, honouring single and double quotes and backslashes.
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

impl Shell<'_> {
    fn base(&self) -> Base {
        self.prt.containers[self.ci].image_info.as_ref().map(|i| i.base).unwrap_or(Base::Debian)
    }

    fn env(&self) -> Vec<(String, String)> {
        let c = &self.prt.containers[self.ci];
        let mut env = vec![
            (
                "PATH".to_string(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            ),
            ("HOSTNAME".to_string(), self.prt.key.name.to_string()),
        ];
        // Resolved by the kubelet when the container started (volumes::env).
        env.extend(c.env.iter().cloned());
        if c.service_env.is_empty() {
            env.push(("KUBERNETES_SERVICE_HOST".into(), "10.96.0.1".into()));
            env.push(("KUBERNETES_SERVICE_PORT".into(), "443".into()));
            env.push(("KUBERNETES_SERVICE_PORT_HTTPS".into(), "443".into()));
            env.push(("KUBERNETES_PORT".into(), "tcp://10.96.0.1:443".into()));
            env.push(("KUBERNETES_PORT_443_TCP".into(), "tcp://10.96.0.1:443".into()));
            env.push(("KUBERNETES_PORT_443_TCP_PROTO".into(), "tcp".into()));
            env.push(("KUBERNETES_PORT_443_TCP_PORT".into(), "443".into()));
            env.push(("KUBERNETES_PORT_443_TCP_ADDR".into(), "10.96.0.1".into()));
        }
        // Set by the kubelet at container start (network::env).
        env.extend(c.service_env.iter().cloned());
        env.push(("HOME".into(), "/root".into()));
        env
    }

    fn expand(&self, word: &str) -> String {
        if !word.contains('$') {
            return word.to_string();
        }
        let mut env = self.env();
        env.extend(self.vars.iter().cloned());
        let mut out = word.to_string();
        let mut vars: Vec<&(String, String)> = env.iter().collect();
        crate::sorting::sort_by_key(&mut vars, |(k, _)| std::cmp::Reverse(k.len()));
        for (k, v) in vars {
            out = out.replace(&format!("${{{k}}}"), v).replace(&format!("${k}"), v);
        }
        out
    }

    /// Runs an argv as `kubectl exec` does (`direct`: no shell in between).
    fn run_argv(&mut self, argv: &[String], direct: bool) -> ExecOutput {
        if self.budget == 0 {
            return ExecOutput::err("sh: too many commands\n".into(), 2);
        }
        self.budget -= 1;
        let exe = argv[0].rsplit('/').next().unwrap_or("").to_string();
        let args: Vec<String> = argv[1..].to_vec();
        let fs_cmd = |s: &mut Self, f: &dyn Fn(&mut Self) -> ExecOutput| f(s);
        let _ = fs_cmd;
        match exe.as_str() {
            "sh" | "bash" | "ash" => match args.iter().position(|a| a == "-c") {
                Some(i) => {
                    let script = args.get(i + 1).cloned().unwrap_or_default();
                    self.run_script(&script)
                }
                None => ExecOutput::default(),
            },
            "ls" => self.ls(&args),
            "cat" => self.cat(&args),
            "touch" => self.each_path(&args, "touch", |fs, p| fs.touch(p)),
            "mkdir" => {
                let parents = args.iter().any(|a| a == "-p");
                self.each_path(&args, "mkdir", |fs, p| {
                    if parents {
                        fs.mkdir_p(p);
                        Ok(())
                    } else {
                        fs.mkdir(p)
                    }
                })
            }
            "rm" => {
                let recursive =
                    args.iter().any(|a| a.starts_with('-') && (a.contains('r') || a.contains('R')));
                let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
                let mut out = self.each_path(&args, "rm", |fs, p| fs.remove(p, recursive));
                if force {
                    out = ExecOutput { stderr: String::new(), exit_code: 0, ..out };
                }
                out
            }
            "echo" => {
                let (newline, words) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, &args[..]),
                };
                let mut s = words.join(" ");
                if newline {
                    s.push('\n');
                }
                ExecOutput::ok(s)
            }
            "env" | "printenv" => {
                let env = self.env();
                match args.first() {
                    Some(name) if exe == "printenv" => match env.iter().find(|(k, _)| k == name) {
                        Some((_, v)) => ExecOutput::ok(format!("{v}\n")),
                        None => ExecOutput::err(String::new(), 1),
                    },
                    _ => ExecOutput::ok(env.iter().map(|(k, v)| format!("{k}={v}\n")).collect()),
                }
            }
            "hostname" => ExecOutput::ok(format!("{}\n", self.prt.key.name)),
            "pwd" => ExecOutput::ok("/\n".into()),
            "whoami" => ExecOutput::ok("root\n".into()),
            "id" => ExecOutput::ok("uid=0(root) gid=0(root) groups=0(root)\n".into()),
            "uname" => {
                if args.iter().any(|a| a == "-a") {
                    ExecOutput::ok(format!(
                        "Linux {} 6.8.0-52-generic #53-Ubuntu SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n",
                        self.prt.key.name
                    ))
                } else {
                    ExecOutput::ok("Linux\n".into())
                }
            }
            "date" => ExecOutput::ok(format!("{}\n", super::lifecycle::unix_date(self.now))),
            "true" | ":" => ExecOutput::default(),
            "false" => ExecOutput::err(String::new(), 1),
            "sleep" => ExecOutput::default(),
            "exit" => ExecOutput::err(
                String::new(),
                args.first().and_then(|a| a.parse().ok()).unwrap_or(0),
            ),
            "ps" => self.ps(),
            "curl" => self.curl(&args),
            "mount" if args.is_empty() => self.mount_table(false),
            "df" => self.mount_table(true),
            "mongosh"
                if self.prt.containers[self.ci]
                    .image
                    .as_ref()
                    .is_some_and(|i| i.repository.ends_with("mongo")) =>
            {
                let script = args.iter().position(|a| a == "--eval").and_then(|i| args.get(i + 1));
                match script {
                    Some(s) => {
                        let (out, code) = crate::volumes::mongo::eval(&mut self.prt.containers[self.ci].fs, s, self.now);
                        if code == 0 { ExecOutput::ok(out) } else { ExecOutput::err(out, code) }
                    }
                    None => ExecOutput::err("kubeplay: mongosh runs scripts here: mongosh --quiet --eval 'db.foo.find()'\n".into(), 1),
                }
            }
            "wget" => self.wget(&args),
            "nslookup" => match args.iter().find(|a| !a.starts_with('-')) {
                Some(name) => match self.net.nslookup(name) {
                    Ok(text) => ExecOutput::ok(text),
                    Err(text) => ExecOutput { stdout: text, stderr: String::new(), exit_code: 1 },
                },
                None => ExecOutput::err("Usage: nslookup HOST\n".into(), 1),
            },
            _ => {
                if direct {
                    ExecOutput::err(
                        format!(
                            "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown\n",
                            argv[0]
                        ),
                        -1,
                    )
                } else {
                    let msg = match self.base() {
                        Base::Busybox => format!("sh: {}: not found\n", argv[0]),
                        Base::Debian => format!("sh: 1: {}: not found\n", argv[0]),
                    };
                    ExecOutput::err(msg, 127)
                }
            }
        }
    }

    fn run_script(&mut self, script: &str) -> ExecOutput {
        let mut total = ExecOutput::default();
        // Statements split on ';' and newlines; within one, '&&' and '||' chain.
        for statement in script.split([';', '\n']) {
            let mut last_code = 0;
            let mut skip = false;
            let mut rest = statement;
            loop {
                let (part, op, tail) = match (rest.find("&&"), rest.find("||")) {
                    (Some(a), Some(o)) if a < o => (&rest[..a], "&&", &rest[a + 2..]),
                    (_, Some(o)) => (&rest[..o], "||", &rest[o + 2..]),
                    (Some(a), None) => (&rest[..a], "&&", &rest[a + 2..]),
                    (None, None) => (rest, "", ""),
                };
                if !skip {
                    let out = self.run_simple(part);
                    total.stdout.push_str(&out.stdout);
                    total.stderr.push_str(&out.stderr);
                    last_code = out.exit_code;
                    if part.trim_start().starts_with("exit") {
                        total.exit_code = last_code;
                        return total;
                    }
                }
                if op.is_empty() {
                    break;
                }
                skip = match op {
                    "&&" => last_code != 0,
                    _ => last_code == 0,
                };
                rest = tail;
            }
            total.exit_code = last_code;
        }
        total
    }

    fn run_simple(&mut self, command: &str) -> ExecOutput {
        // Command substitution `$(cmd)` (not nested): the output, trailing newlines removed.
        let mut command = command.to_string();
        for _ in 0..8 {
            let Some(start) = command.find("$(") else { break };
            let Some(len) = command[start + 2..].find(')') else { break };
            let inner = command[start + 2..start + 2 + len].to_string();
            let out = self.run_script(&inner);
            let value = out.stdout.trim_end_matches('\n').to_string();
            command.replace_range(start..start + 3 + len, &value);
        }
        let mut words = split_words(&command);
        // `NAME=value` and `export NAME=value` set a shell variable.
        let assign = match words.as_slice() {
            [w] => Some(w.clone()),
            [e, w] if e == "export" => Some(w.clone()),
            _ => None,
        };
        if let Some((name, value)) = assign.as_deref().and_then(|w| w.split_once('='))
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            let value = self.expand(value);
            self.vars.retain(|(k, _)| k != name);
            if self.vars.len() < 256 {
                self.vars.push((name.to_string(), value));
            }
            return ExecOutput::default();
        }
        // Output redirection: `cmd > file` or `cmd >> file`.
        let mut redirect: Option<(String, bool)> = None;
        if let Some(i) = words.iter().position(|w| w == ">" || w == ">>") {
            let append = words[i] == ">>";
            if let Some(target) = words.get(i + 1).cloned() {
                redirect = Some((target, append));
            }
            words.truncate(i);
        } else if let Some(i) = words.iter().position(|w| w.starts_with(">") && w.len() > 1) {
            let w = words[i].clone();
            let append = w.starts_with(">>");
            redirect = Some((w.trim_start_matches('>').to_string(), append));
            words.truncate(i);
        }
        let words: Vec<String> = words.iter().map(|w| self.expand(w)).collect();
        if words.is_empty() {
            return ExecOutput::default();
        }
        let out = self.run_argv(&words, false);
        match redirect {
            None => out,
            Some((target, append)) => {
                let path = normalize("/", &self.expand(&target));
                let c = &mut self.prt.containers[self.ci];
                match c.fs.write(&path, &out.stdout, append) {
                    Ok(()) => ExecOutput { stdout: String::new(), ..out },
                    Err(e) => {
                        ExecOutput::err(format!("sh: can't create {path}: {}\n", e.message()), 1)
                    }
                }
            }
        }
    }

    fn each_path(
        &mut self,
        args: &[String],
        cmd: &str,
        f: impl Fn(&mut super::fs::Fs, &str) -> Result<(), FsError>,
    ) -> ExecOutput {
        let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if paths.is_empty() {
            return ExecOutput::err(format!("{cmd}: missing operand\n"), 1);
        }
        let base = self.base();
        let mut out = ExecOutput::default();
        for p in paths {
            let path = normalize("/", p);
            let fs = &mut self.prt.containers[self.ci].fs;
            if let Err(e) = f(fs, &path) {
                let msg = match (base, cmd) {
                    (Base::Debian, "touch") => {
                        format!("touch: cannot touch '{p}': {}\n", e.message())
                    }
                    (Base::Debian, "rm") => format!("rm: cannot remove '{p}': {}\n", e.message()),
                    (Base::Debian, "mkdir") => {
                        format!("mkdir: cannot create directory '{p}': {}\n", e.message())
                    }
                    _ => format!("{cmd}: {p}: {}\n", e.message()),
                };
                out.stderr.push_str(&msg);
                out.exit_code = 1;
            }
        }
        out
    }

    fn cat(&mut self, args: &[String]) -> ExecOutput {
        let mut out = ExecOutput::default();
        for p in args.iter().filter(|a| !a.starts_with('-')) {
            let path = normalize("/", p);
            match self.prt.containers[self.ci].fs.read(&path) {
                Ok(content) => out.stdout.push_str(content),
                Err(e) => {
                    out.stderr.push_str(&format!("cat: {p}: {}\n", e.message()));
                    out.exit_code = 1;
                }
            }
        }
        out
    }

    fn ls(&mut self, args: &[String]) -> ExecOutput {
        let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
        let all = args.iter().any(|a| a.starts_with('-') && a.contains('a'));
        let mut paths: Vec<String> = args.iter().filter(|a| !a.starts_with('-')).cloned().collect();
        if paths.is_empty() {
            paths.push("/".into());
        }
        let base = self.base();
        let mut out = ExecOutput::default();
        let date = k8s_openapi::jiff::fmt::strtime::format(
            "%b %e %H:%M",
            crate::time::instant(self.now as i64),
        )
        .unwrap_or_default();
        let many = paths.len() > 1;
        for (i, p) in paths.iter().enumerate() {
            let path = normalize("/", p);
            let fs = &self.prt.containers[self.ci].fs;
            let line = |name: &str, e: &Entry| match e {
                Entry::Dir => {
                    format!("drwxr-xr-x    2 root     root          4096 {date} {name}\n")
                }
                Entry::File { content, mode } => format!(
                    "{}    1 root     root    {:>10} {date} {name}\n",
                    mode_string(*mode),
                    content.len()
                ),
                Entry::Symlink { target } => format!(
                    "lrwxrwxrwx    1 root     root    {:>10} {date} {name} -> {target}\n",
                    target.len()
                ),
            };
            // Arguments are followed through symlinks, except a link itself listed with -l.
            let path = match fs.get(&path) {
                Some(Entry::Symlink { .. }) if long && !p.ends_with('/') => path,
                _ => fs.resolve(&path),
            };
            match fs.get(&path) {
                None => {
                    out.stderr.push_str(&match base {
                        Base::Debian => {
                            format!("ls: cannot access '{p}': No such file or directory\n")
                        }
                        Base::Busybox => format!("ls: {p}: No such file or directory\n"),
                    });
                    out.exit_code = match base {
                        Base::Debian => 2,
                        Base::Busybox => 1,
                    };
                }
                Some(e @ (Entry::File { .. } | Entry::Symlink { .. })) => {
                    out.stdout.push_str(&if long { line(p, e) } else { format!("{p}\n") });
                }
                Some(Entry::Dir) => {
                    if many {
                        if i > 0 {
                            out.stdout.push('\n');
                        }
                        out.stdout.push_str(&format!("{p}:\n"));
                    }
                    let entries = fs.list(&path).unwrap_or_default();
                    if long {
                        out.stdout.push_str(&format!("total {}\n", entries.len() * 4));
                    }
                    if all {
                        out.stdout.push_str(&if long {
                            line(".", &Entry::Dir) + &line("..", &Entry::Dir)
                        } else {
                            ".\n..\n".into()
                        });
                    }
                    for (name, e) in entries {
                        if name.starts_with('.') && !all {
                            continue;
                        }
                        out.stdout.push_str(&if long {
                            line(&name, e)
                        } else {
                            format!("{name}\n")
                        });
                    }
                }
            }
        }
        out
    }

    /// `mount` (no arguments) and `df`, from `/proc/mounts`.
    fn mount_table(&self, df: bool) -> ExecOutput {
        let table = self.prt.containers[self.ci].fs.read("/proc/mounts").unwrap_or_default();
        let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split(' ').collect()).collect();
        if !df {
            return ExecOutput::ok(
                rows.iter()
                    .filter(|r| r.len() >= 4)
                    .map(|r| format!("{} on {} type {} ({})\n", r[0], r[1], r[2], r[3]))
                    .collect(),
            );
        }
        let busybox = self.base() == Base::Busybox;
        let mut out = if busybox {
            "Filesystem           1K-blocks      Used Available Use% Mounted on\n".to_string()
        } else {
            "Filesystem     1K-blocks     Used Available Use% Mounted on\n".to_string()
        };
        for r in
            rows.iter().filter(|r| r.len() >= 4 && matches!(r[2], "overlay" | "ext4" | "tmpfs"))
        {
            // Sizes of kind's node disk (a 60 GiB virtual disk) and of tmpfs mounts.
            let (total, used): (u64, u64) = match r[2] {
                "tmpfs" if r[0] == "tmpfs" && r[1] != "/dev" => (16_281_628, 12),
                "tmpfs" => (65_536, 0),
                _ => (61_202_244, 14_518_660),
            };
            let avail = total - used;
            let pct = (used * 100).div_ceil(total.max(1));
            out.push_str(&if busybox {
                format!("{:<20}{:>10}{:>10}{:>10}{:>4}% {}\n", r[0], total, used, avail, pct, r[1])
            } else {
                format!("{:<14}{:>10}{:>9}{:>10}{:>4}% {}\n", r[0], total, used, avail, pct, r[1])
            });
        }
        ExecOutput::ok(out)
    }

    fn readable_cert(&self, path: &str) -> bool {
        let path = normalize("/", path);
        self.prt.containers[self.ci].fs.read(&path).is_ok_and(|c| c.contains("BEGIN CERTIFICATE"))
    }

    fn ps(&self) -> ExecOutput {
        let c = &self.prt.containers[self.ci];
        let cmd = match &c.program {
            Program::Server(app) => match app {
                super::images::App::Nginx => {
                    "nginx: master process nginx -g daemon off;".to_string()
                }
                super::images::App::Httpd => "httpd -DFOREGROUND".to_string(),
                super::images::App::Redis => "redis-server *:6379".to_string(),
                super::images::App::Mongo => "mongod --bind_ip_all".to_string(),
                super::images::App::KubectlProxy => "kubectl proxy".to_string(),
                _ => "node app.js".to_string(),
            },
            _ => {
                let mut argv: Vec<String> = c.spec.command.clone().unwrap_or_default();
                argv.extend(c.spec.args.clone().unwrap_or_default());
                if argv.is_empty() { "sh".to_string() } else { argv.join(" ") }
            }
        };
        match self.base() {
            Base::Busybox => ExecOutput::ok(format!(
                "PID   USER     TIME  COMMAND\n    1 root      0:00 {cmd}\n   12 root      0:00 ps\n"
            )),
            Base::Debian => ExecOutput::ok(format!(
                "  PID TTY          TIME CMD\n    1 ?        00:00:00 {}\n   12 ?        00:00:00 ps\n",
                cmd.split_whitespace().next().unwrap_or("sh")
            )),
        }
    }

    fn curl(&mut self, args: &[String]) -> ExecOutput {
        let silent = args.iter().any(|a| {
            a == "-s"
                || a == "--silent"
                || (a.starts_with('-') && !a.starts_with("--") && a.contains('s'))
        });
        let mut headers = Vec::new();
        let mut url = None;
        let mut it = args.iter();
        // curl trusts a server it has a CA for (`--cacert`, `$CURL_CA_BUNDLE`) or is told to (-k).
        let mut env = self.env();
        env.extend(self.vars.iter().cloned());
        let bundle = env.iter().find(|(k, _)| k == "CURL_CA_BUNDLE").map(|(_, v)| v.clone());
        let mut trusted = bundle.is_some_and(|b| self.readable_cert(&b));
        while let Some(a) = it.next() {
            match a.as_str() {
                "-H" | "--header" => {
                    if let Some(h) = it.next() {
                        // Expand $VAR the way the shell would have before curl saw it.
                        headers.push(self.expand(h));
                    }
                }
                "-k" | "--insecure" => trusted = true,
                "--cacert" => {
                    if let Some(f) = it.next() {
                        trusted |= self.readable_cert(f);
                    }
                }
                "-o" | "--output" | "-X" | "--request" | "-m" | "--max-time"
                | "--connect-timeout" => {
                    it.next();
                }
                a if a.starts_with('-') => {}
                a => url = Some(a.to_string()),
            }
        }
        let Some(url) = url else {
            return ExecOutput::err(
                "curl: try 'curl --help' or 'curl --manual' for more information\n".into(),
                2,
            );
        };
        if trusted {
            headers.push(crate::volumes::TRUST_HEADER.to_string());
        }
        match self.http(&url, &headers) {
            Ok((_, body)) => ExecOutput::ok(body),
            Err(e) => {
                let code = e
                    .trim_start_matches('(')
                    .split(')')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(7);
                ExecOutput::err(if silent { String::new() } else { format!("curl: {e}\n") }, code)
            }
        }
    }

    fn wget(&mut self, args: &[String]) -> ExecOutput {
        let Some(url) = args.iter().find(|a| !a.starts_with('-')).cloned() else {
            return ExecOutput::err("wget: missing URL\n".into(), 1);
        };
        let to_stdout = args.windows(2).any(|w| w[0] == "-O" && w[1] == "-")
            || args.iter().any(|a| a == "-qO-");
        match self.http(&url, &[]) {
            Ok((status, body)) if (200..400).contains(&status) => {
                if to_stdout {
                    ExecOutput::ok(body)
                } else {
                    let _ = self.prt.containers[self.ci].fs.write("/index.html", &body, false);
                    ExecOutput::err(
                        format!(
                            "Connecting to {}\nsaving to 'index.html'\n",
                            url.split("://").nth(1).unwrap_or(&url)
                        ),
                        0,
                    )
                }
            }
            Ok((status, _)) => {
                ExecOutput::err(format!("wget: server returned error: HTTP/1.1 {status}\n"), 1)
            }
            Err(e) => {
                // BusyBox wget words the same failures its own way.
                let host = url
                    .split("://")
                    .nth(1)
                    .unwrap_or(&url)
                    .split(['/', ':'])
                    .next()
                    .unwrap_or("")
                    .to_string();
                let msg = if e.starts_with("(6)") {
                    format!("wget: bad address '{host}'\n")
                } else if e.starts_with("(28)") {
                    format!("wget: can't connect to remote host ({host}): Connection timed out\n")
                } else {
                    format!("wget: can't connect to remote host ({host}): Connection refused\n")
                };
                ExecOutput::err(msg, 1)
            }
        }
    }

    // Requests to the pod itself (localhost or its own IP) never leave it.
    fn http(&mut self, url: &str, headers: &[String]) -> Result<(u16, String), String> {
        let rest = url.split("://").nth(1).unwrap_or(url);
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<i32>().unwrap_or(80)),
            None => (hostport, if url.starts_with("https") { 443 } else { 80 }),
        };
        let own_ip = self.prt.pod_ip.clone().unwrap_or_default();
        // An ambassador's `kubectl proxy` on localhost:8001 forwards to the API server.
        let ambassador = self.prt.containers.iter().any(|c| {
            matches!(c.program, Program::Server(super::images::App::KubectlProxy))
                && matches!(c.state, CState::Running { .. })
        });
        if ambassador && port == 8001 && (host == "localhost" || host == "127.0.0.1") {
            return self.net.http(url, headers);
        }
        if host == "localhost" || host == "127.0.0.1" || host == own_ip {
            let now = self.now;
            return match super::lifecycle::http_get(
                self.prt,
                port,
                path,
                "127.0.0.1",
                "curl/8.5.0",
                now,
            ) {
                Ok(r) => Ok((r.status, r.body)),
                Err(_) => Err(format!(
                    "(7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"
                )),
            };
        }
        self.net.http(url, headers)
    }
}

fn mode_string(mode: u32) -> String {
    let mut s = String::from("-");
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

/// Whether the container can run commands now (kubectl exec needs a running container).
pub fn is_running(prt: &PodRuntime, ci: usize) -> bool {
    prt.containers.get(ci).is_some_and(|c| matches!(c.state, CState::Running { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(split_words("echo 'a b' \"c d\" e\\ f"), ["echo", "a b", "c d", "e f"]);
        assert_eq!(split_words("  ls   -la /  "), ["ls", "-la", "/"]);
    }
}
