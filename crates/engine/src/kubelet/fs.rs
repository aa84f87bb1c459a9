//! A container's filesystem: absolute paths to directories and files, sorted by path.
//!
//! Paths and file contents are shared (`Rc<str>`): every container starts as a copy of its
//! image's files, and a copy that bumps counts costs far less than one that copies strings.
//! The entries are a sorted vector, not a tree: a container holds a few dozen, where a binary
//! search compares fewer of the long shared-prefix paths than a B-tree's node scans, and a copy
//! is one allocation.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Files one container may hold (a runaway `touch` loop stops here).
pub const MAX_FILES: usize = 10_000;
/// Bytes one file may hold.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// A directory or a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A directory.
    Dir,
    /// A regular file with its content and mode bits.
    File {
        /// Content.
        content: Rc<str>,
        /// Permission bits (`0o644`).
        mode: u32,
    },
    /// A symbolic link (the kubelet's `..data` layout of configMap and secret volumes).
    Symlink {
        /// Where it points, relative to its directory or absolute.
        target: Rc<str>,
    },
}

/// Why a filesystem operation failed (the errno text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    /// ENOENT.
    NotFound,
    /// EISDIR.
    IsDir,
    /// ENOTDIR.
    NotDir,
    /// EROFS.
    ReadOnly,
    /// ENOSPC (our limits).
    NoSpace,
    /// ENOTEMPTY.
    NotEmpty,
}

impl FsError {
    /// The C library's message.
    pub fn message(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::IsDir => "Is a directory",
            FsError::NotDir => "Not a directory",
            FsError::ReadOnly => "Read-only file system",
            FsError::NoSpace => "No space left on device",
            FsError::NotEmpty => "Directory not empty",
        }
    }
}

/// One container's files.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Fs {
    /// Sorted by path, one entry per path.
    entries: Vec<(Rc<str>, Entry)>,
    read_only_prefixes: Vec<String>,
}

impl Clone for Fs {
    fn clone(&self) -> Self {
        // Room for what the kubelet adds to a copy of an image's files (the hostname, mounts)
        // without growing.
        let mut entries = Vec::with_capacity(self.entries.len() + 16);
        entries.extend(self.entries.iter().cloned());
        Fs { entries, read_only_prefixes: self.read_only_prefixes.clone() }
    }
}

/// Puts entries under a directory that [`Fs::mount`] emptied.
pub struct MountWriter<'a> {
    fs: &'a mut Fs,
    /// The directory and a slash, then the path of the entry being put.
    path: String,
    base: usize,
    /// Where the next entry goes if the entries come in path order.
    next: usize,
}

impl MountWriter<'_> {
    /// Entries the container may still hold.
    pub fn room(&self) -> usize {
        MAX_FILES.saturating_sub(self.fs.entries.len())
    }

    /// Puts `entry` at the path relative to the directory that `parts` make joined by slashes,
    /// unless the container is full.
    pub fn put(&mut self, parts: &[&str], entry: Entry) {
        if self.fs.entries.len() >= MAX_FILES {
            return;
        }
        // One name each (what projections pass) needs no scan of every byte.
        let one_name = |p: &&str| !matches!(*p, "" | "." | "..") && !p.as_bytes().contains(&b'/');
        self.path.truncate(self.base);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.path.push('/');
            }
            self.path.push_str(part);
        }
        if parts.iter().all(one_name) || parts.iter().all(|p| is_normal_relative(p)) {
            self.next = self.fs.insert_near(self.next, &self.path, entry);
        } else {
            let (dir, rel) = self.path.split_at(self.base);
            let dir = if dir == "/" { dir } else { &dir[..dir.len() - 1] };
            self.fs.insert(&normalize(dir, rel), entry);
        }
    }
}

/// `/a/b/../c` -> `/a/c`, relative paths resolved against `cwd`.
pub fn normalize(cwd: &str, path: &str) -> String {
    if is_normal(path) {
        return path.to_string();
    }
    if is_normal(cwd) && is_normal_relative(path) {
        let mut joined = String::with_capacity(cwd.len() + 1 + path.len());
        joined.push_str(cwd.trim_end_matches('/'));
        joined.push('/');
        joined.push_str(path);
        return joined;
    }
    let full = if path.starts_with('/') { path.to_string() } else { format!("{cwd}/{path}") };
    let mut parts: Vec<&str> = Vec::new();
    for p in full.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            x => parts.push(x),
        }
    }
    format!("/{}", parts.join("/"))
}

/// [`normalize`], borrowing `path` when it is normal already (the kubelet's paths nearly always
/// are).
fn normal<'a>(cwd: &str, path: &'a str) -> Cow<'a, str> {
    if is_normal(path) { Cow::Borrowed(path) } else { Cow::Owned(normalize(cwd, path)) }
}

/// Absolute, with no empty, `.` or `..` part and no trailing slash: what the kubelet and most
/// commands pass, so `normalize` can skip the split and join.
fn is_normal(path: &str) -> bool {
    path == "/" || path.strip_prefix('/').is_some_and(is_normal_relative)
}

fn is_normal_relative(path: &str) -> bool {
    // One pass over the bytes: this runs for every file the kubelet writes into a volume. A part
    // made only of at most two dots is "", "." or "..".
    let special = |len: u32, dots: u32| len == dots && len <= 2;
    let (mut len, mut dots) = (0, 0);
    for &byte in path.as_bytes() {
        if byte == b'/' {
            if special(len, dots) {
                return false;
            }
            (len, dots) = (0, 0);
        } else {
            len += 1;
            dots += u32::from(byte == b'.');
        }
    }
    !special(len, dots)
}

/// At most [`MAX_FILE_BYTES`] of `content`, cut at a character boundary.
fn truncated(content: &str) -> &str {
    if content.len() <= MAX_FILE_BYTES {
        return content;
    }
    let mut end = MAX_FILE_BYTES;
    while !content.is_char_boundary(end) {
        end -= 1;
    }
    &content[..end]
}

fn parent(path: &str) -> &str {
    // A plain byte search: `rfind` with a char pattern costs more than these short paths.
    match path.bytes().rposition(|b| b == b'/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

impl Fs {
    /// An empty root.
    pub fn new() -> Self {
        Fs { entries: vec![("/".into(), Entry::Dir)], read_only_prefixes: Vec::new() }
    }

    /// Where `path` is, or where it would go.
    fn find(&self, path: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(path))
    }

    fn contains(&self, path: &str) -> bool {
        self.find(path).is_ok()
    }

    /// Puts `entry` at `path`, replacing what was there.
    fn insert(&mut self, path: &str, entry: Entry) {
        self.insert_at(self.find(path), path, entry);
    }

    /// [`Fs::insert`] trying index `hint` before a search: writes in path order land one after
    /// another. Returns the index after the entry.
    fn insert_near(&mut self, hint: usize, path: &str, entry: Entry) -> usize {
        let fits = hint <= self.entries.len()
            && (hint == 0 || *self.entries[hint - 1].0 < *path)
            && self.entries.get(hint).is_none_or(|(k, _)| *path < **k);
        let at = if fits { Err(hint) } else { self.find(path) };
        self.insert_at(at, path, entry)
    }

    /// Puts `entry` where [`Fs::find`] said `path` is or goes; returns the index after it.
    fn insert_at(&mut self, at: Result<usize, usize>, path: &str, entry: Entry) -> usize {
        match at {
            Ok(i) => {
                self.entries[i].1 = entry;
                i + 1
            }
            Err(i) => {
                self.entries.insert(i, (path.into(), entry));
                i + 1
            }
        }
    }

    /// Makes `path` a directory unless something is there.
    fn insert_dir(&mut self, path: &str) {
        if let Err(i) = self.find(path) {
            self.entries.insert(i, (path.into(), Entry::Dir));
        }
    }

    /// Makes `path` and its parents directories.
    pub fn mkdir_p(&mut self, path: &str) {
        self.mkdir_p_normal(&normal("/", path));
    }

    /// [`Fs::mkdir_p`] of a normal path.
    fn mkdir_p_normal(&mut self, path: &str) {
        // Every writer makes an entry's parents first: when it exists, so do they.
        if self.contains(path) {
            return;
        }
        // Each ancestor of a normal path is a prefix of it that ends before a slash.
        let bytes = path.as_bytes();
        let mut missing = false;
        for end in (2..=bytes.len()).filter(|&i| i == bytes.len() || bytes[i] == b'/') {
            let dir = &path[..end];
            // Below a missing directory the rest is most likely missing too: one search each.
            if missing {
                self.insert_dir(dir);
            } else if let Err(i) = self.find(dir) {
                self.entries.insert(i, (dir.into(), Entry::Dir));
                missing = true;
            }
        }
    }

    /// Writes a file (creating parents), ignoring read-only mounts: the image and the kubelet
    /// write this way.
    pub fn put_file(&mut self, path: &str, content: &str, mode: u32) {
        self.put_shared(path, content.into(), mode);
    }

    /// [`Fs::put_file`] with content that other files share (the same text in many containers).
    pub fn put_shared(&mut self, path: &str, content: Rc<str>, mode: u32) {
        let path = normal("/", path);
        self.mkdir_p_normal(parent(&path));
        self.insert(&path, Entry::File { content, mode });
    }

    /// Marks everything under `prefix` read-only for the container's processes.
    pub fn mark_read_only(&mut self, prefix: &str) {
        self.read_only_prefixes.push(normalize("/", prefix));
    }

    fn is_read_only(&self, path: &str) -> bool {
        self.read_only_prefixes.iter().any(|p| {
            path.strip_prefix(p.as_str()).is_some_and(|r| r.is_empty() || r.starts_with('/'))
        })
    }

    /// The entry at `path` (a symlink itself, not what it points to).
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.find(path).ok().and_then(|i| self.entries.get(i)).map(|(_, e)| e)
    }

    /// Makes a symbolic link (the kubelet's writer; no read-only check).
    pub fn put_symlink(&mut self, path: &str, target: &str) {
        let path = normal("/", path);
        self.mkdir_p_normal(parent(&path));
        self.insert(&path, Entry::Symlink { target: target.into() });
    }

    /// `path` with every symlink along it followed (a bounded number of hops, as ELOOP).
    pub fn resolve(&self, path: &str) -> String {
        let mut cur = normalize("/", path);
        'hops: for _ in 0..16 {
            let mut prefix = String::new();
            let parts: Vec<&str> = cur.split('/').filter(|p| !p.is_empty()).collect();
            for (i, part) in parts.iter().enumerate() {
                let dir = if prefix.is_empty() { "/".to_string() } else { prefix.clone() };
                prefix.push('/');
                prefix.push_str(part);
                if let Some(Entry::Symlink { target }) = self.get(&prefix) {
                    let rest = parts[i + 1..].join("/");
                    let target = normalize(&dir, target);
                    cur = if rest.is_empty() { target } else { format!("{target}/{rest}") };
                    continue 'hops;
                }
            }
            return cur;
        }
        cur
    }

    /// Reads a file, following symlinks.
    pub fn read(&self, path: &str) -> Result<&str, FsError> {
        match self.get(&self.resolve(path)) {
            Some(Entry::File { content, .. }) => Ok(content),
            Some(Entry::Dir) => Err(FsError::IsDir),
            Some(Entry::Symlink { .. }) | None => Err(FsError::NotFound),
        }
    }

    /// Everything under `dir`, keyed by path relative to it (a volume's content).
    pub fn subtree(&self, dir: &str) -> BTreeMap<String, Entry> {
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        // `extend`, not `collect`: collecting into a map compiles another sort.
        let mut tree = BTreeMap::new();
        tree.extend(self.under(&prefix).map(|(k, e)| (k[prefix.len()..].to_string(), e.clone())));
        tree
    }

    /// Replaces everything under `dir` with `content` (a mount, or a volume changed by another
    /// container).
    pub fn replace_subtree(&mut self, dir: &str, content: &BTreeMap<String, Entry>) {
        let mut w = self.mount(dir);
        for (rel, e) in content {
            w.put(&[rel], e.clone());
        }
    }

    /// Empties `dir` (making it if missing) for a mount, whose entries the writer then puts; the
    /// image's own files there are hidden, as under a real mount.
    pub fn mount(&mut self, dir: &str) -> MountWriter<'_> {
        let dir = normal("/", dir);
        let mut path = String::with_capacity(dir.len() + 64);
        path.push_str(&dir);
        path.push('/');
        // Most mounts land on a directory with nothing under it: no need to walk every entry.
        if self.under(&path).next().is_some() {
            self.entries.retain(|(k, _)| !k.starts_with(&path));
        }
        self.mkdir_p_normal(&dir);
        // Entries of a mount at `/` go under `/`, not `//`.
        let base = if dir == "/" { 1 } else { path.len() };
        path.truncate(base);
        let next = self.entries.partition_point(|(k, _)| **k < *path);
        MountWriter { fs: self, path, base, next }
    }

    /// Writes a file as a process in the container would (respecting read-only mounts).
    pub fn write(&mut self, path: &str, content: &str, append: bool) -> Result<(), FsError> {
        if self.is_read_only(path) {
            return Err(FsError::ReadOnly);
        }
        match self.get(parent(path)) {
            Some(Entry::Dir) => {}
            Some(_) => return Err(FsError::NotDir),
            None => return Err(FsError::NotFound),
        }
        let at = self.find(path);
        if at.is_err() && self.entries.len() >= MAX_FILES {
            return Err(FsError::NoSpace);
        }
        match at.map(|i| &mut self.entries[i].1) {
            Ok(Entry::Dir) => Err(FsError::IsDir),
            Ok(Entry::Symlink { .. }) => Err(FsError::ReadOnly),
            Ok(Entry::File { content: c, .. }) => {
                if append {
                    if c.len() + content.len() > MAX_FILE_BYTES {
                        return Err(FsError::NoSpace);
                    }
                    *c = [&**c, content].concat().into();
                } else {
                    *c = truncated(content).into();
                }
                Ok(())
            }
            Err(i) => {
                let file = Entry::File { content: truncated(content).into(), mode: 0o644 };
                self.entries.insert(i, (path.into(), file));
                Ok(())
            }
        }
    }

    /// Creates an empty file if missing (touch).
    pub fn touch(&mut self, path: &str) -> Result<(), FsError> {
        if self.contains(path) {
            return Ok(());
        }
        self.write(path, "", false)
    }

    /// Makes a directory whose parent exists.
    pub fn mkdir(&mut self, path: &str) -> Result<(), FsError> {
        if self.is_read_only(path) {
            return Err(FsError::ReadOnly);
        }
        if !matches!(self.get(parent(path)), Some(Entry::Dir)) {
            return Err(FsError::NotFound);
        }
        if self.entries.len() >= MAX_FILES {
            return Err(FsError::NoSpace);
        }
        self.insert_dir(path);
        Ok(())
    }

    /// Removes a file, or a directory tree when `recursive`.
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        if self.is_read_only(path) {
            return Err(FsError::ReadOnly);
        }
        let Ok(i) = self.find(path) else { return Err(FsError::NotFound) };
        match self.entries[i].1 {
            Entry::File { .. } | Entry::Symlink { .. } => {
                self.entries.remove(i);
                Ok(())
            }
            Entry::Dir => {
                if !recursive {
                    return Err(FsError::IsDir);
                }
                let prefix = format!("{path}/");
                self.entries.retain(|(k, _)| &**k != path && !k.starts_with(&prefix));
                Ok(())
            }
        }
    }

    /// The entries whose path starts with `prefix`, in path order.
    fn under<'a, 'p>(
        &'a self,
        prefix: &'p str,
    ) -> impl Iterator<Item = (&'a Rc<str>, &'a Entry)> + use<'a, 'p> {
        let start = self.entries.partition_point(|(k, _)| **k < *prefix);
        self.entries[start..]
            .iter()
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, e)| (k, e))
    }

    /// The names directly inside a directory, sorted.
    pub fn list(&self, dir: &str) -> Result<Vec<(String, &Entry)>, FsError> {
        match self.get(dir) {
            None => return Err(FsError::NotFound),
            Some(Entry::File { .. } | Entry::Symlink { .. }) => return Err(FsError::NotDir),
            Some(Entry::Dir) => {}
        }
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        Ok(self
            .under(&prefix)
            .filter(|(k, _)| !k[prefix.len()..].contains('/') && k.len() > prefix.len())
            .map(|(k, e)| (k[prefix.len()..].to_string(), e))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_written_listed_and_removed() {
        let mut fs = Fs::new();
        fs.mkdir_p("/var");
        fs.touch("/var/ready").unwrap();
        assert_eq!(fs.list("/var").unwrap().len(), 1);
        assert_eq!(fs.write("/nope/x", "a", false), Err(FsError::NotFound));
        fs.remove("/var/ready", false).unwrap();
        assert_eq!(fs.read("/var/ready"), Err(FsError::NotFound));
        assert_eq!(normalize("/app", "../etc/./hosts"), "/etc/hosts");
        assert_eq!(normalize("/app", "data/x"), "/app/data/x");
        assert_eq!(normalize("/", "etc"), "/etc");
        assert_eq!(normalize("/a//b/", "c/"), "/a/b/c");
        assert_eq!(normalize("/tmp", "/var//log/"), "/var/log");
        for path in ["", ".", "..", "a/", "/a", "a//b", "a/./b", "a/../b", "a/.."] {
            assert!(!is_normal_relative(path), "{path:?}");
        }
        for path in ["a", "a/b", "...", ".a/..b/a.", "a/.../b"] {
            assert!(is_normal_relative(path), "{path:?}");
        }
        fs.put_file("/etc/cfg/a", "x", 0o644);
        fs.mark_read_only("/etc/cfg");
        assert_eq!(fs.write("/etc/cfg/a", "y", false), Err(FsError::ReadOnly));
    }

    #[test]
    fn entries_list_in_path_order_whatever_order_they_were_written_in() {
        let names = |fs: &Fs, dir| -> Vec<String> {
            fs.list(dir).unwrap().into_iter().map(|(name, _)| name).collect()
        };
        let mut fs = Fs::new();
        for dir in ["/z", "/a/b", "/a-b", "/m"] {
            fs.mkdir_p(dir);
        }
        fs.put_file("/a/c", "1", 0o644);
        fs.put_file("/a/c", "2", 0o600);
        assert_eq!(names(&fs, "/"), ["a", "a-b", "m", "z"]);
        assert_eq!(names(&fs, "/a"), ["b", "c"]);
        assert_eq!(fs.read("/a/c"), Ok("2"));
        // A mount hides what was there; its writer takes entries in any order.
        let mut w = fs.mount("/a");
        for name in ["y", "x", "b", "z"] {
            w.put(&[name], Entry::Dir);
        }
        assert_eq!(names(&fs, "/a"), ["b", "x", "y", "z"]);
        assert_eq!(fs.read("/a/c"), Err(FsError::NotFound));
        fs.remove("/a", true).unwrap();
        assert_eq!(names(&fs, "/"), ["a-b", "m", "z"]);
    }

    #[test]
    fn a_file_holds_at_most_its_limit_cut_at_a_character() {
        let mut fs = Fs::new();
        fs.mkdir_p("/tmp");
        // 'é' is two bytes: the limit falls inside the last one that would fit.
        let text = format!("a{}", "é".repeat(MAX_FILE_BYTES / 2));
        fs.write("/tmp/big", &text, false).unwrap();
        let kept = fs.read("/tmp/big").unwrap();
        assert_eq!(kept.len(), MAX_FILE_BYTES - 1);
        assert!(text.starts_with(kept));
        assert_eq!(fs.write("/tmp/big", "xy", true), Err(FsError::NoSpace));
        fs.write("/tmp/small", "a", false).unwrap();
        fs.write("/tmp/small", "b", true).unwrap();
        assert_eq!(fs.read("/tmp/small"), Ok("ab"));
    }
}
