//! Endpoints written by users (selector-less services, book ch. 5): defaults and validation as
//! `ValidateEndpoints` words it. Controller-written Endpoints pass the same checks.
//!
//! Upstream: `pkg/apis/core/v1/defaults.go` (`SetDefaults_EndpointPort`),
//! `pkg/apis/core/validation/validation.go` (`validateEndpointSubsets`, `validateNonSpecialIP`).

use k8s_openapi::api::core::v1::Endpoints;

use super::service::parse_ipv4;
use crate::apimachinery::validation::{FieldError, FieldPath, is_dns1123_label, is_valid_port_num};

/// Ports without a protocol are TCP.
pub fn default_endpoints(ep: &mut Endpoints) {
    for s in ep.subsets.iter_mut().flatten() {
        for p in s.ports.iter_mut().flatten() {
            if p.protocol.as_deref().is_none_or(str::is_empty) {
                p.protocol = Some("TCP".into());
            }
        }
    }
}

/// Errors for an endpoint address: a valid IPv4 that is not special (`validateNonSpecialIP`).
pub fn validate_endpoint_ip(ip: &str, path: &FieldPath) -> Vec<FieldError> {
    let Some(n) = parse_ipv4(ip) else {
        return vec![FieldError::invalid(
            path,
            ip,
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        )];
    };
    let mut errs = Vec::new();
    if n == 0 {
        errs.push(FieldError::invalid(path, ip, "may not be unspecified (0.0.0.0)"));
    }
    if n >> 24 == 127 {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the loopback range (127.0.0.0/8, ::1/128)",
        ));
    }
    if n >> 16 == 0xa9fe {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
        ));
    }
    if n >> 28 == 0xe {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
        ));
    }
    errs
}

/// `validateEndpointSubsets`.
pub fn validate_endpoints(ep: &Endpoints) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, s) in ep.subsets.iter().flatten().enumerate() {
        let sp = FieldPath::root("subsets").index(i);
        let ready = s.addresses.as_deref().unwrap_or(&[]);
        let not_ready = s.not_ready_addresses.as_deref().unwrap_or(&[]);
        if ready.is_empty() && not_ready.is_empty() {
            errs.push(FieldError::required(&sp, "must specify `addresses` or `notReadyAddresses`"));
        }
        for (field, list) in [("addresses", ready), ("notReadyAddresses", not_ready)] {
            for (j, a) in list.iter().enumerate() {
                errs.extend(validate_endpoint_ip(&a.ip, &sp.child(field).index(j).child("ip")));
            }
        }
        let ports = s.ports.as_deref().unwrap_or(&[]);
        for (j, p) in ports.iter().enumerate() {
            let pp = sp.child("ports").index(j);
            let name = p.name.as_deref().unwrap_or("");
            if ports.len() > 1 && name.is_empty() {
                errs.push(FieldError::required(&pp.child("name"), ""));
            } else if !name.is_empty() {
                for msg in is_dns1123_label(name) {
                    errs.push(FieldError::invalid(&pp.child("name"), name, msg));
                }
            }
            for msg in is_valid_port_num(i64::from(p.port)) {
                errs.push(FieldError::invalid(&pp.child("port"), p.port, msg));
            }
            let proto = p.protocol.as_deref().unwrap_or("TCP");
            if !matches!(proto, "TCP" | "UDP" | "SCTP") {
                errs.push(FieldError::not_supported(
                    &pp.child("protocol"),
                    proto,
                    &["SCTP", "TCP", "UDP"],
                ));
            }
        }
    }
    errs
}
