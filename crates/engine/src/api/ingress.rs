//! Ingress (networking.k8s.io/v1): validation as `ValidateIngress` words it.
//!
//! Upstream: `pkg/apis/networking/validation/validation.go` (`validateIngressRules`,
//! `validateHTTPIngressPath`, `validateIngressBackend`, `validateIngressTLS`).

use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};

use super::service::parse_ipv4;
use crate::apimachinery::validation::{
    FieldError, FieldPath, is_dns1035_label, is_dns1123_subdomain, is_valid_port_name,
    is_valid_port_num,
};

fn validate_host(host: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if parse_ipv4(host).is_some() {
        errs.push(FieldError::invalid(path, host, "must be a DNS name, not an IP address"));
        return;
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    for msg in is_dns1123_subdomain(name) {
        let msg = if host.starts_with('*') {
            msg.replace("a lowercase RFC 1123 subdomain", "a wildcard DNS-1123 subdomain")
        } else {
            msg
        };
        errs.push(FieldError::invalid(path, host, msg));
    }
}

fn validate_backend(b: &IngressBackend, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match (&b.service, &b.resource) {
        (Some(_), Some(_)) => errs.push(FieldError::invalid(
            path,
            "",
            "cannot set both resource and service backends",
        )),
        (None, None) => {
            errs.push(FieldError::invalid(path, "", "resource or service backend is required"))
        }
        (None, Some(_)) => {}
        (Some(svc), None) => {
            let np = path.child("service").child("name");
            if svc.name.is_empty() {
                errs.push(FieldError::required(&np, ""));
            } else {
                for msg in is_dns1035_label(&svc.name) {
                    errs.push(FieldError::invalid(&np, &svc.name, msg));
                }
            }
            let port = svc.port.as_ref();
            let name = port.and_then(|p| p.name.as_deref()).unwrap_or("");
            let number = port.and_then(|p| p.number).unwrap_or(0);
            let pp = path.child("service").child("port");
            match (!name.is_empty(), number != 0) {
                (true, true) => errs.push(FieldError::invalid(
                    &pp,
                    "",
                    "cannot set both port name & port number",
                )),
                (true, false) => {
                    for msg in is_valid_port_name(name) {
                        errs.push(FieldError::invalid(&pp.child("name"), name, msg));
                    }
                }
                (false, true) => {
                    for msg in is_valid_port_num(i64::from(number)) {
                        errs.push(FieldError::invalid(&pp.child("number"), number, msg));
                    }
                }
                (false, false) => {
                    errs.push(FieldError::required(&pp, "port name or number is required"))
                }
            }
        }
    }
}

/// `ValidateIngress` (spec part).
pub fn validate_ingress(ing: &Ingress) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec_path = FieldPath::root("spec");
    let Some(spec) = &ing.spec else {
        errs.push(FieldError::invalid(
            &spec_path,
            "",
            "either `defaultBackend` or `rules` must be specified",
        ));
        return errs;
    };
    let rules = spec.rules.as_deref().unwrap_or(&[]);
    if rules.is_empty() && spec.default_backend.is_none() {
        errs.push(FieldError::invalid(
            &spec_path,
            "",
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if let Some(b) = &spec.default_backend {
        validate_backend(b, &spec_path.child("defaultBackend"), &mut errs);
    }
    for (i, r) in rules.iter().enumerate() {
        let rp = spec_path.child("rules").index(i);
        if let Some(host) = r.host.as_deref().filter(|h| !h.is_empty()) {
            validate_host(host, &rp.child("host"), &mut errs);
        }
        let Some(http) = &r.http else { continue };
        let hp = rp.child("http").child("paths");
        if http.paths.is_empty() {
            errs.push(FieldError::required(&hp, ""));
        }
        for (j, p) in http.paths.iter().enumerate() {
            let pp = hp.index(j);
            let path = p.path.as_deref().unwrap_or("");
            match p.path_type.as_str() {
                "" => errs.push(FieldError::required(
                    &pp.child("pathType"),
                    "pathType must be specified",
                )),
                "Exact" | "Prefix" => {
                    if !path.starts_with('/') {
                        errs.push(FieldError::invalid(
                            &pp.child("path"),
                            path,
                            "must be an absolute path",
                        ));
                    }
                }
                "ImplementationSpecific" => {
                    if !path.is_empty() && !path.starts_with('/') {
                        errs.push(FieldError::invalid(
                            &pp.child("path"),
                            path,
                            "must be an absolute path",
                        ));
                    }
                }
                other => errs.push(FieldError::not_supported(
                    &pp.child("pathType"),
                    other,
                    &["Exact", "ImplementationSpecific", "Prefix"],
                )),
            }
            validate_backend(&p.backend, &pp.child("backend"), &mut errs);
        }
    }
    for (i, t) in spec.tls.iter().flatten().enumerate() {
        for (j, h) in t.hosts.iter().flatten().enumerate() {
            validate_host(h, &spec_path.child("tls").index(i).child("hosts").index(j), &mut errs);
        }
    }
    errs
}
