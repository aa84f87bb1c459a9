//! The image catalog: which images exist in the simulated registry, how big they are, and what
//! their processes do when run (optionally with the pod's `command`/`args`).

use std::hash::Hasher as _;

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io`.
    pub registry: String,
    /// `luksa/kubia` or `library/nginx`.
    pub repository: String,
    /// `latest` when none was given.
    pub tag: String,
    // Made once: every status sync of every container reports them.
    full: String,
    id: String,
}

impl ImageRef {
    /// The reference for `registry`/`repository`:`tag`.
    pub fn new(registry: &str, repository: &str, tag: &str) -> Self {
        let full = format!("{registry}/{repository}:{tag}");
        let id = format!("{registry}/{repository}@sha256:{}", fnv_hex(&full));
        ImageRef {
            registry: registry.into(),
            repository: repository.into(),
            tag: tag.into(),
            full,
            id,
        }
    }

    /// `docker.io/luksa/kubia:latest`, as the runtime reports `image` in container statuses.
    pub fn full(&self) -> &str {
        &self.full
    }

    /// `docker.io/luksa/kubia@sha256:...`: a stable digest per image name (`imageID`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The repository without the implicit `library/` (`nginx`, `luksa/kubia`).
    pub fn short_repository(&self) -> &str {
        self.repository.strip_prefix("library/").unwrap_or(&self.repository)
    }
}

/// Parses an image reference the way the runtime normalises it. `None` for an invalid name.
pub fn parse_image(image: &str) -> Option<ImageRef> {
    let image = image.trim();
    if image.is_empty()
        || image.len() > 255
        || image.chars().any(|c| c.is_whitespace() || c.is_ascii_uppercase())
    {
        return None;
    }
    let (rest, _digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let (name, tag) = match rest.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t.to_string()),
        _ => (rest, "latest".to_string()),
    };
    let mut parts: Vec<&str> = name.split('/').collect();
    let registry = if parts.len() > 1
        && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
    {
        parts.remove(0).to_string()
    } else {
        "docker.io".to_string()
    };
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut repository = parts.join("/");
    if registry == "docker.io" && parts.len() == 1 {
        repository = format!("library/{repository}");
    }
    Some(ImageRef::new(&registry, &repository, &tag))
}

/// 64 hex digits: FNV-1a run on, one round per 16 digits.
fn fnv_hex(s: &str) -> String {
    let mut out = String::new();
    let mut h = crate::fastmap::Fnv::default();
    for round in 0..4u8 {
        h.write(s.as_bytes());
        h.write(&[round]);
        crate::hex::push_u64(&mut out, h.finish(), 16);
    }
    out
}

/// Which HTTP/TCP server a container runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    /// `luksa/kubia`: `You've hit <hostname>`.
    Kubia,
    /// `luksa/kubia-unhealthy`: 500 from the 6th request.
    KubiaUnhealthy,
    /// `luksa/kubia:v1|v2|v4`: `This is vN running in pod <hostname>`.
    KubiaVersion(u8),
    /// `luksa/kubia:v3`: 500 from the 5th request.
    KubiaV3,
    /// nginx: static files from `/usr/share/nginx/html` on port 80.
    Nginx,
    /// httpd: `It works!` on port 80.
    Httpd,
    /// redis on 6379 (TCP only).
    Redis,
    /// mongod on 27017 (TCP only).
    Mongo,
    /// `kubectl proxy` on 127.0.0.1:8001.
    KubectlProxy,
}

impl App {
    /// The port the server listens on.
    pub fn port(self) -> u16 {
        match self {
            App::Kubia | App::KubiaUnhealthy | App::KubiaVersion(_) | App::KubiaV3 => 8080,
            App::Nginx | App::Httpd => 80,
            App::Redis => 6379,
            App::Mongo => 27017,
            App::KubectlProxy => 8001,
        }
    }

    /// Whether the server speaks HTTP.
    pub fn is_http(self) -> bool {
        !matches!(self, App::Redis | App::Mongo)
    }

    /// Whether PID 1 exits on SIGTERM (otherwise it is killed after the grace period: 137).
    pub fn handles_sigterm(self) -> bool {
        matches!(self, App::Nginx | App::Httpd | App::Redis | App::Mongo)
    }
}

/// One step of a scripted process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Print a line (`{date}` is replaced by the current date as `date` prints it).
    Echo(String),
    /// Sleep; `None` sleeps forever.
    Sleep(Option<u64>),
    /// Exit with a code.
    Exit(i32),
    /// Write a fortune to a file (luksa/fortune).
    WriteFortune(String),
    /// Repeat the steps forever.
    Loop(Vec<Step>),
}

/// What a container's main process does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Program {
    /// A long-running server.
    Server(App),
    /// A script of steps run in virtual time (PID 1 is a shell: SIGTERM is ignored).
    Script(Vec<Step>),
    /// The executable does not exist in the image.
    NotFound(String),
}

/// What the registry knows about an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// Compressed size, for pull times and `Image size:` in the Pulled event.
    pub size_bytes: u64,
    /// The default process (ENTRYPOINT + CMD).
    pub program: Program,
    /// Executables present (for `command:` overrides and `kubectl exec`).
    pub has_shell: bool,
    /// The image's base distribution, for `ls` error wording and `/etc/os-release`.
    pub base: Base,
}

/// The userland an image is built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// GNU coreutils on Debian (node, nginx, httpd, mongo, redis, ubuntu).
    Debian,
    /// BusyBox (busybox, alpine).
    Busybox,
}

fn date_step(text: &str) -> Step {
    Step::Echo(format!("{{date}} {text}"))
}

/// The tags an official Docker Hub image publishes: `latest`, versions of its release lines,
/// channels (`stable`, `edge`, `bookworm`) and variant suffixes (`1.27-alpine`, `alpine-slim`).
struct TagScheme {
    /// Whether `major.minor.patch` (missing parts `None`) is a published version.
    version: fn(u32, Option<u32>, Option<u32>) -> bool,
    /// Words a tag may start with instead of a version.
    channels: &'static [&'static str],
    /// Words that may follow, joined by `-` (`alpine3.20` matches `alpine` with any 3.x).
    variants: &'static [&'static str],
}

fn tag_scheme(repo: &str) -> Option<TagScheme> {
    let scheme = match repo {
        "nginx" => TagScheme {
            version: |major, minor, _| major == 1 && minor.is_none_or(|m| m <= 31),
            channels: &["stable", "mainline", "alpine", "perl", "otel", "bookworm", "trixie"],
            variants: &["alpine", "slim", "perl", "otel", "bookworm", "trixie"],
        },
        "httpd" => TagScheme {
            version: |major, minor, _| major == 2 && minor.is_none_or(|m| m == 2 || m == 4),
            channels: &["alpine", "bookworm", "trixie"],
            variants: &["alpine", "bookworm", "trixie"],
        },
        "redis" => TagScheme {
            version: |major, _, _| (2..=8).contains(&major),
            channels: &["alpine", "bookworm", "trixie"],
            variants: &["alpine", "bookworm", "trixie"],
        },
        "mongo" => TagScheme {
            version: |major, _, _| (3..=8).contains(&major),
            channels: &["jammy", "noble"],
            variants: &["jammy", "noble", "focal"],
        },
        "busybox" => TagScheme {
            version: |major, minor, _| major == 1 && minor.is_none_or(|m| m <= 37),
            channels: &["stable", "unstable", "musl", "glibc", "uclibc"],
            variants: &["musl", "glibc", "uclibc"],
        },
        "alpine" => TagScheme {
            version: |major, minor, _| major == 3 && minor.is_none_or(|m| m <= 23),
            channels: &["edge"],
            variants: &[],
        },
        "ubuntu" => TagScheme {
            version: |year, month, patch| {
                (14..=26).contains(&year) && matches!(month, Some(4 | 10)) && patch.is_none()
            },
            channels: &[
                "trusty", "xenial", "bionic", "focal", "jammy", "noble", "oracular", "plucky",
                "questing", "rolling", "devel",
            ],
            variants: &[],
        },
        "debian" => TagScheme {
            version: |major, _, patch| (7..=13).contains(&major) && patch.is_none(),
            channels: &[
                "stable",
                "testing",
                "unstable",
                "oldstable",
                "sid",
                "buster",
                "bullseye",
                "bookworm",
                "trixie",
                "forky",
            ],
            variants: &["slim", "backports"],
        },
        _ => return None,
    };
    Some(scheme)
}

/// A version tag's numbers (`1.27.3`), at most three, without leading zeros beyond the
/// registry's own (`22.04`).
fn version_parts(word: &str) -> Option<(u32, Option<u32>, Option<u32>)> {
    let mut parts = word.split('.');
    let number = |part: Option<&str>| -> Option<Option<u32>> {
        match part {
            None => Some(None),
            Some(p) if !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().ok().map(Some)
            }
            Some(_) => None,
        }
    };
    let major = number(parts.next())??;
    let minor = number(parts.next())?;
    let patch = number(parts.next())?;
    if parts.next().is_some() || (minor.is_none() && patch.is_some()) {
        return None;
    }
    Some((major, minor, patch))
}

/// Whether Docker Hub has `tag` of the official image `repo`: a made-up tag (`nginx:bad`,
/// `nginx:1.277`) fails to pull with `not found`, as on a real node.
fn official_tag_exists(repo: &str, tag: &str) -> bool {
    let Some(scheme) = tag_scheme(repo) else { return true };
    if tag == "latest" {
        return true;
    }
    let mut words = tag.split('-');
    let first = words.next().unwrap_or_default();
    let first_ok = match version_parts(first) {
        Some((major, minor, patch)) => (scheme.version)(major, minor, patch),
        None => scheme.channels.contains(&first) || is_alpine_release(first, &scheme),
    };
    first_ok
        && words.all(|word| scheme.variants.contains(&word) || is_alpine_release(word, &scheme))
}

/// `alpine3.20`: an Alpine-based variant pinned to an Alpine release.
fn is_alpine_release(word: &str, scheme: &TagScheme) -> bool {
    scheme.variants.contains(&"alpine")
        && word
            .strip_prefix("alpine")
            .and_then(version_parts)
            .is_some_and(|(major, minor, patch)| major == 3 && minor.is_some() && patch.is_none())
}

/// The image catalog. `None` means the registry has no such image (ErrImagePull).
pub fn lookup(image: &ImageRef) -> Option<ImageInfo> {
    let repo = image.short_repository();
    let tag = image.tag.as_str();
    if image.registry == "docker.io" && !official_tag_exists(repo, tag) {
        return None;
    }
    let server = |app, size| ImageInfo {
        size_bytes: size,
        program: Program::Server(app),
        has_shell: true,
        base: Base::Debian,
    };
    let info = match (image.registry.as_str(), repo, tag) {
        ("docker.io", "luksa/kubia", "latest") => server(App::Kubia, 249_374_712),
        ("docker.io", "luksa/kubia", "v1") => server(App::KubiaVersion(1), 249_374_790),
        ("docker.io", "luksa/kubia", "v2") => server(App::KubiaVersion(2), 249_374_794),
        ("docker.io", "luksa/kubia", "v3") => server(App::KubiaV3, 249_374_897),
        ("docker.io", "luksa/kubia", "v4") => server(App::KubiaVersion(4), 249_374_801),
        ("docker.io", "luksa/kubia-unhealthy", "latest") => {
            server(App::KubiaUnhealthy, 249_374_968)
        }
        ("docker.io", "luksa/batch-job", "latest") => ImageInfo {
            size_bytes: 1_331_291,
            program: Program::Script(vec![
                date_step("Batch job starting"),
                Step::Sleep(Some(120_000)),
                date_step("Finished succesfully"),
                Step::Exit(0),
            ]),
            has_shell: true,
            base: Base::Busybox,
        },
        ("docker.io", "luksa/ssd-monitor", "latest") => ImageInfo {
            size_bytes: 1_331_402,
            program: Program::Script(vec![Step::Loop(vec![
                Step::Echo("SSD OK".into()),
                Step::Sleep(Some(5_000)),
            ])]),
            has_shell: true,
            base: Base::Busybox,
        },
        ("docker.io", "luksa/fortune", "latest" | "args" | "env") => ImageInfo {
            size_bytes: 69_212_380,
            program: Program::Script(vec![Step::Loop(vec![
                date_step("Writing fortune to /var/htdocs/index.html"),
                Step::WriteFortune("/var/htdocs/index.html".into()),
                Step::Sleep(Some(10_000)),
            ])]),
            has_shell: true,
            base: Base::Debian,
        },
        ("docker.io", "luksa/kubectl-proxy", "1.6.2" | "latest") => ImageInfo {
            size_bytes: 17_262_110,
            program: Program::Server(App::KubectlProxy),
            has_shell: true,
            base: Base::Busybox,
        },
        ("docker.io", "nginx", _) => {
            let alpine = tag.contains("alpine");
            ImageInfo {
                size_bytes: if alpine { 21_604_811 } else { 72_195_292 },
                program: Program::Server(App::Nginx),
                has_shell: true,
                base: if alpine { Base::Busybox } else { Base::Debian },
            }
        }
        ("docker.io", "httpd", _) => server(App::Httpd, 58_871_424),
        ("docker.io", "redis", _) => server(App::Redis, 45_030_016),
        ("docker.io", "mongo", _) => server(App::Mongo, 294_512_036),
        ("docker.io", "busybox", _) => ImageInfo {
            size_bytes: 2_156_093,
            // `sh` with no terminal reads EOF and exits at once: the classic CrashLoopBackOff.
            program: Program::Script(vec![Step::Exit(0)]),
            has_shell: true,
            base: Base::Busybox,
        },
        ("docker.io", "alpine", _) => ImageInfo {
            size_bytes: 3_642_789,
            program: Program::Script(vec![Step::Exit(0)]),
            has_shell: true,
            base: Base::Busybox,
        },
        ("docker.io", "ubuntu" | "debian", _) => ImageInfo {
            size_bytes: 29_724_688,
            program: Program::Script(vec![Step::Exit(0)]),
            has_shell: true,
            base: Base::Debian,
        },
        ("docker.io", "tutum/curl" | "tutum/dnsutils" | "curlimages/curl", "latest") => ImageInfo {
            size_bytes: 75_512_002,
            program: Program::Script(vec![Step::Exit(0)]),
            has_shell: true,
            base: Base::Debian,
        },
        // A private repository: pullable only with a docker-registry imagePullSecret.
        ("docker.io", "kubeplay/private", "v1" | "latest") => server(App::Kubia, 254_931_110),
        // Control-plane and add-on images: long-running system processes.
        ("registry.k8s.io", _, _)
        | ("docker.io", "kindest/kindnetd" | "kindest/local-path-provisioner", _) => ImageInfo {
            size_bytes: 30_000_000 + (repo.len() as u64) * 1_048_576,
            program: Program::Script(vec![Step::Sleep(None)]),
            has_shell: false,
            base: Base::Busybox,
        },
        _ => return None,
    };
    Some(info)
}

/// Whether pulling `image` needs registry credentials (a private repository).
pub fn is_private(image: &ImageRef) -> bool {
    image.registry == "docker.io" && image.repository == "kubeplay/private"
}

/// The images a learner can use here, for the hint in an ErrImagePull event.
pub fn catalog_summary() -> &'static str {
    "luksa/kubia[:v1-v4], luksa/kubia-unhealthy, luksa/batch-job, luksa/ssd-monitor, luksa/fortune[:args|:env], luksa/kubectl-proxy:1.6.2, kubeplay/private:v1 (needs an imagePullSecret), nginx, httpd, redis, mongo, busybox, alpine, ubuntu, debian, tutum/curl, tutum/dnsutils, curlimages/curl"
}

fn parse_duration_arg(arg: &str) -> Option<Option<u64>> {
    if arg == "infinity" || arg == "inf" {
        return Some(None);
    }
    let (num, mult) = match arg.chars().last()? {
        's' => (&arg[..arg.len() - 1], 1000.0),
        'm' => (&arg[..arg.len() - 1], 60_000.0),
        'h' => (&arg[..arg.len() - 1], 3_600_000.0),
        'd' => (&arg[..arg.len() - 1], 86_400_000.0),
        _ => (arg, 1000.0),
    };
    num.parse::<f64>().ok().filter(|v| *v >= 0.0).map(|v| Some((v * mult) as u64))
}

fn parse_shell_script(script: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let trimmed = script.trim();
    if let Some(body) = trimmed
        .strip_prefix("while true; do")
        .or_else(|| trimmed.strip_prefix("while true;do"))
        .and_then(|b| b.trim_end().strip_suffix("done"))
    {
        return vec![Step::Loop(parse_shell_script(body))];
    }
    for cmd in trimmed.split([';', '\n']).flat_map(|c| c.split("&&")) {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["sleep", d, ..] => {
                if let Some(ms) = parse_duration_arg(d) {
                    steps.push(Step::Sleep(ms));
                }
            }
            ["exit", code, ..] => steps.push(Step::Exit(code.parse().unwrap_or(2))),
            ["exit"] => steps.push(Step::Exit(0)),
            ["echo", rest @ ..] => {
                let line = rest.join(" ");
                let line = line.trim_matches('"').trim_matches('\'');
                steps.push(Step::Echo(line.replace("$(date)", "{date}")));
            }
            ["tail", "-f", ..] => steps.push(Step::Sleep(None)),
            _ => {}
        }
    }
    if !matches!(steps.last(), Some(Step::Exit(_)) | Some(Step::Loop(_)) | Some(Step::Sleep(None)))
    {
        steps.push(Step::Exit(0));
    }
    steps
}

/// The process a container runs: the image default, or what `command`/`args` ask for.
pub fn program_for(info: &ImageInfo, command: &[String], args: &[String]) -> Program {
    if command.is_empty() {
        return match (&info.program, args) {
            // The fortune:args image takes its interval as the first argument.
            (Program::Script(steps), [interval, ..]) if steps.iter().any(|s| matches!(s, Step::Loop(b) if b.iter().any(|x| matches!(x, Step::WriteFortune(_))))) => {
                let ms = interval.parse::<u64>().unwrap_or(10) * 1000;
                Program::Script(vec![
                    Step::Echo(format!("Configured to generate new fortune every {interval} seconds")),
                    Step::Loop(vec![
                        Step::Echo("{date} Writing fortune to /var/htdocs/index.html".into()),
                        Step::WriteFortune("/var/htdocs/index.html".into()),
                        Step::Sleep(Some(ms)),
                    ]),
                ])
            }
            (Program::Script(steps), [..]) if steps == &vec![Step::Exit(0)] && !args.is_empty() => {
                program_for(info, args, &[])
            }
            (p, _) => p.clone(),
        };
    }
    let mut argv: Vec<String> = command.to_vec();
    argv.extend(args.iter().cloned());
    let exe = argv[0].rsplit('/').next().unwrap_or("").to_string();
    match exe.as_str() {
        "sleep" => match argv.get(1).and_then(|a| parse_duration_arg(a)) {
            Some(d) => Program::Script(vec![Step::Sleep(d), Step::Exit(0)]),
            None => {
                Program::Script(vec![Step::Echo("sleep: invalid number".into()), Step::Exit(1)])
            }
        },
        "sh" | "bash" | "ash" if info.has_shell => match argv.iter().position(|a| a == "-c") {
            Some(i) => Program::Script(parse_shell_script(
                argv.get(i + 1).map(String::as_str).unwrap_or(""),
            )),
            None => Program::Script(vec![Step::Exit(0)]),
        },
        "tail" if argv.iter().any(|a| a == "-f") => Program::Script(vec![Step::Sleep(None)]),
        "echo" => Program::Script(vec![Step::Echo(argv[1..].join(" ")), Step::Exit(0)]),
        "true" => Program::Script(vec![Step::Exit(0)]),
        "false" => Program::Script(vec![Step::Exit(1)]),
        "node" if matches!(info.program, Program::Server(_)) => info.program.clone(),
        "nginx" if info.program == Program::Server(App::Nginx) => info.program.clone(),
        "/bin/fortuneloop.sh" | "fortuneloop.sh" => program_for(info, &[], &argv[1..]),
        _ => Program::NotFound(argv[0].clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise_like_the_runtime() {
        let r = parse_image("nginx").unwrap();
        assert_eq!(r.full(), "docker.io/library/nginx:latest");
        assert_eq!(parse_image("luksa/kubia:v2").unwrap().full(), "docker.io/luksa/kubia:v2");
        assert_eq!(parse_image("registry.k8s.io/pause:3.10").unwrap().registry, "registry.k8s.io");
        assert!(parse_image("Nginx").is_none());
        assert!(parse_image("").is_none());
    }

    #[test]
    fn catalog_knows_the_books_images_and_nothing_else() {
        assert!(lookup(&parse_image("luksa/kubia").unwrap()).is_some());
        assert!(lookup(&parse_image("luksa/kubia:v3").unwrap()).is_some());
        assert!(lookup(&parse_image("luksa/kubia:v9").unwrap()).is_none());
        assert!(lookup(&parse_image("nginx:1.27-alpine").unwrap()).is_some());
        assert!(lookup(&parse_image("username/private:tag").unwrap()).is_none());
    }

    #[test]
    fn official_images_publish_real_tags_only() {
        let exists = |image: &str| lookup(&parse_image(image).unwrap()).is_some();
        for real in [
            "nginx:1.27",
            "nginx:1.27.3",
            "nginx:1",
            "nginx:stable",
            "nginx:mainline-alpine",
            "nginx:alpine-slim",
            "nginx:1.27-alpine3.20-perl",
            "nginx:1.29-trixie",
            "busybox:1.36",
            "busybox:1.37-musl",
            "busybox:stable",
            "alpine:3.20",
            "alpine:edge",
            "ubuntu:24.04",
            "ubuntu:noble",
            "debian:12-slim",
            "debian:bookworm-slim",
            "httpd:2.4-alpine",
            "redis:7.4.1-bookworm",
            "mongo:8.0-noble",
            "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            assert!(exists(real), "{real}");
        }
        for made_up in [
            "nginx:bad",
            "nginx:1.277",
            "nginx:2.0",
            "nginx:v1.27",
            "nginx:1.27-",
            "nginx:1.27.3.1",
            "nginx:alpine-bad",
            "busybox:2",
            "alpine:4.0",
            "ubuntu:24.05",
            "debian:14",
            "httpd:2.3",
            "redis:latest-alpine",
        ] {
            assert!(!exists(made_up), "{made_up}");
        }
    }

    #[test]
    fn commands_override_the_image_program() {
        let busybox = lookup(&parse_image("busybox").unwrap()).unwrap();
        assert_eq!(
            program_for(&busybox, &["sleep".into(), "9999999".into()], &[]),
            Program::Script(vec![Step::Sleep(Some(9_999_999_000)), Step::Exit(0)])
        );
        assert_eq!(
            program_for(&busybox, &["sh".into(), "-c".into(), "echo hi; exit 3".into()], &[]),
            Program::Script(vec![Step::Echo("hi".into()), Step::Exit(3)])
        );
        assert!(matches!(program_for(&busybox, &["nope".into()], &[]), Program::NotFound(_)));
    }
}
