//! `kubectl explain TYPE[.FIELD...] [--recursive] [--api-version=GROUP/VERSION]`: the API
//! documentation of a kind or a field, as kubectl 1.34 prints it from the server's OpenAPI v3 data.

use super::args::{Flag, Parsed, boolean, parse, val};
use super::explain_docs::docs;
use super::resources::kind_of;
use super::{Ctx, Output};
use crate::api::{Kind, KindInfo};

const FLAGS: &[Flag] =
    &[boolean("recursive", None), val("api-version", None), val("output", Some('o'))];

/// Runs `kubectl explain`.
pub fn explain(_ctx: &mut Ctx, argv: &[String]) -> Output {
    match run(argv) {
        Ok(text) => Output::ok(text),
        Err((header, e)) => Output { stdout: header, ..Output::fail(e) },
    }
}

/// The text, or what was printed before the error and the error.
fn run(argv: &[String]) -> Result<String, (String, String)> {
    let header_less = |e: String| (String::new(), e);
    let p = parse("explain", argv, FLAGS).map_err(header_less)?;
    let (info, group, version, path) = target(&p).map_err(header_less)?;
    let docs = docs().map_err(|e| header_less(e.into()))?;
    let root = docs
        .kind(info.kind)
        .ok_or_else(|| header_less("error: GVK not found in OpenAPI schema".into()))?;
    // kubectl's template has written the header when it finds a field missing.
    let mut out = String::new();
    if !group.is_empty() {
        out.push_str(&format!("GROUP:      {group}\n"));
    }
    out.push_str(&format!("KIND:       {}\nVERSION:    {version}\n\n", info.kind));
    match docs.explain(root, &path, p.is_set("recursive")) {
        Some(body) => Ok(format!("{out}{body}\n")),
        None => {
            let last = path.last().map_or("", String::as_str);
            Err((out, format!("error: field \"{last}\" does not exist")))
        }
    }
}

/// What to explain: the kind, the group/version asked for, and the field path.
fn target(p: &Parsed) -> Result<(&'static KindInfo, &str, &str, Vec<String>), String> {
    let input = match p.positional.as_slice() {
        [] => {
            return Err("error: You must specify the type of resource to explain. Use \"kubectl \
                        api-resources\" for a complete list of supported resources.\n"
                .into());
        }
        [one] => one,
        _ => return Err("error: We accept only this format: explain RESOURCE\n".into()),
    };
    let api_version = p.get("api-version").unwrap_or_default();
    let (kind, path) = split_resource(input, api_version.is_empty())?;
    let info = kind.info();
    match p.get("output").unwrap_or("plaintext") {
        "plaintext" => {}
        "plaintext-openapiv2" => {
            return Err("error: this playground serves OpenAPI v3 only: use the default \
                        --output=plaintext"
                .into());
        }
        other => return Err(format!("error: unrecognized format: {other}")),
    }
    let (group, version) = if api_version.is_empty() {
        (info.group, info.version)
    } else {
        parse_group_version(api_version)?
    };
    check_served(info, group, version)?;
    Ok((info, group, version, path))
}

/// `TYPE.FIELD.FIELD` -> the kind and the field path. Without `--api-version` a group-qualified
/// plural (`deployments.apps.spec`) is recognised, as kubectl matches the resource's prefix.
fn split_resource(input: &str, match_group: bool) -> Result<(Kind, Vec<String>), String> {
    let input = input.strip_suffix('.').unwrap_or(input);
    if input.is_empty() {
        return Err("error: a resource must be present, got: /, Resource=".into());
    }
    let resource = input.split('.').next().unwrap_or_default();
    if resource.is_empty() {
        return Err("error: invalid jsonpath syntax, first node must be field node".into());
    }
    // The REST mapper's "no match" error, which kubectl prints without its usual "error: ".
    let kind = kind_of(resource).map_err(|e| e.trim_start_matches("error: ").to_string())?;
    let qualified = kind.info().qualified_plural();
    let rest = match input.strip_prefix(&qualified) {
        Some(rest) if match_group && (rest.is_empty() || rest.starts_with('.')) => {
            rest.strip_prefix('.').unwrap_or(rest)
        }
        _ => input.split_once('.').map_or("", |(_, rest)| rest),
    };
    let path: Vec<String> =
        if rest.is_empty() { Vec::new() } else { rest.split('.').map(str::to_string).collect() };
    if path.iter().any(String::is_empty) {
        return Err(if match_group {
            "error: invalid jsonpath syntax, first node must be field node".into()
        } else {
            "error: invalid jsonpath syntax, all nodes must be field nodes".into()
        });
    }
    Ok((kind, path))
}

/// apimachinery's `ParseGroupVersion`: `v1`, `apps/v1`, and nothing with two slashes.
fn parse_group_version(gv: &str) -> Result<(&str, &str), String> {
    if gv == "/" {
        return Ok(("", ""));
    }
    match gv.matches('/').count() {
        0 => Ok(("", gv)),
        1 => Ok(gv.split_once('/').unwrap_or_default()),
        _ => Err(format!("error: unexpected GroupVersion string: {gv}")),
    }
}

/// The OpenAPI document must exist for the group/version, and must hold the resource.
fn check_served(info: &KindInfo, group: &str, version: &str) -> Result<(), String> {
    let gvr = format!("{group}/{version}, Resource={}", info.plural);
    let served = |k: &&Kind| k.info().group == group && k.info().version == version;
    if !Kind::ALL.iter().any(|k| served(&k)) {
        return Err(format!("error: couldn't find resource for \"{gvr}\""));
    }
    if info.group != group || info.version != version {
        return Err(format!("error: GVR ({gvr}) not found in OpenAPI schema"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(input: &str, match_group: bool) -> Result<(Kind, String), String> {
        split_resource(input, match_group).map(|(k, p)| (k, p.join("/")))
    }

    #[test]
    fn resources_and_paths_split_like_kubectl() {
        assert_eq!(path("pods", true), Ok((Kind::Pod, String::new())));
        assert_eq!(path("po.spec.", true), Ok((Kind::Pod, "spec".into())));
        assert_eq!(path("deployments.apps.spec", true), Ok((Kind::Deployment, "spec".into())));
        assert_eq!(
            path("deploy.spec.strategy", true),
            Ok((Kind::Deployment, "spec/strategy".into()))
        );
        // With --api-version the group is not matched: `apps` is a field.
        assert_eq!(path("deployments.apps", false), Ok((Kind::Deployment, "apps".into())));
        assert_eq!(
            path("Podz", true).unwrap_err(),
            "the server doesn't have a resource type \"Podz\""
        );
        assert!(path("", true).unwrap_err().contains("a resource must be present"));
        assert!(path("pod..spec", true).is_err());
        assert!(path(".spec", true).is_err());
    }

    #[test]
    fn group_versions_parse_like_apimachinery() {
        assert_eq!(parse_group_version("v1"), Ok(("", "v1")));
        assert_eq!(parse_group_version("apps/v1"), Ok(("apps", "v1")));
        assert!(parse_group_version("a/b/c").is_err());
        let rs = Kind::ReplicaSet.info();
        assert!(check_served(rs, "apps", "v1").is_ok());
        assert_eq!(
            check_served(rs, "", "v1").unwrap_err(),
            "error: GVR (/v1, Resource=replicasets) not found in OpenAPI schema"
        );
        assert_eq!(
            check_served(rs, "apps", "v1beta2").unwrap_err(),
            "error: couldn't find resource for \"apps/v1beta2, Resource=replicasets\""
        );
    }
}
