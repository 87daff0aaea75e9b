//! The dependency rule: `pantry-core` never depends, directly or transitively, on a web
//! framework, a database driver, an HTTP client, a token library or a logger. Adapters depend
//! on the core, never the other way round.

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::process::Command;

const FORBIDDEN_PREFIXES: &[&str] = &["actix", "diesel", "reqwest", "jsonwebtoken", "slog"];

/// The resolved dependency graph of the workspace (normal and build dependencies only).
fn resolved_graph() -> (HashMap<String, Vec<String>>, HashMap<String, String>) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--manifest-path",
            manifest,
        ])
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let names: HashMap<String, String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut edges = HashMap::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let deps = node["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null() || k["kind"] == "build")
            })
            .map(|d| d["pkg"].as_str().unwrap().to_owned())
            .collect();
        edges.insert(node["id"].as_str().unwrap().to_owned(), deps);
    }
    (edges, names)
}

/// Every package `name` depends on at build or run time.
fn closure_of(name: &str) -> HashSet<String> {
    let (edges, names) = resolved_graph();
    let root = names
        .iter()
        .find(|(_, n)| n.as_str() == name)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("{name} not in the workspace"));
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for dep in edges.get(&id).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                stack.push(dep.clone());
            }
        }
    }
    seen.into_iter().map(|id| names[&id].clone()).collect()
}

fn forbidden_in(deps: &HashSet<String>) -> Vec<String> {
    let mut found: Vec<String> = deps
        .iter()
        .filter(|d| FORBIDDEN_PREFIXES.iter().any(|p| d.starts_with(p)))
        .cloned()
        .collect();
    found.sort();
    found
}

#[test]
fn core_depends_on_no_framework_driver_client_token_library_or_logger() {
    let deps = closure_of("pantry-core");
    assert!(deps.contains("serde"), "the graph was not read: {deps:?}");
    let forbidden = forbidden_in(&deps);
    assert!(forbidden.is_empty(), "pantry-core depends on {forbidden:?}");
}

#[test]
fn the_check_detects_such_a_dependency_in_an_adapter() {
    // The storage adapter legitimately depends on diesel: the same check must see it.
    let forbidden = forbidden_in(&closure_of("pantry-store"));
    assert!(forbidden.iter().any(|d| d == "diesel"), "{forbidden:?}");
}
