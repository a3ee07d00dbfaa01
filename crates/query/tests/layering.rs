//! The module layering of the crate docs ("Layers"), checked on the source: every module of the
//! crate is listed here, lowest first, and a module may name only itself and modules listed
//! before it, so the module graph has no cycle. A `use crate::Type` through a crate-root
//! re-export would hide the module it comes from, so no module may use the root at all.

/// Every module of the crate, lowest first: its name, its source, and the modules it may name.
/// Each of those must be listed before it (checked by `the_order_has_no_cycle`).
const LAYERS: &[(&str, &str, &[&str])] = &[
    ("names", include_str!("../src/names.rs"), &[]),
    ("time", include_str!("../src/time.rs"), &["names"]),
    (
        "profile",
        include_str!("../src/profile.rs"),
        &["names", "time"],
    ),
    (
        "builtin",
        include_str!("../src/builtin.rs"),
        &["profile", "time"],
    ),
    (
        "reject",
        include_str!("../src/reject.rs"),
        &["names", "profile"],
    ),
    (
        "qs_reason",
        include_str!("../src/qs_reason.rs"),
        &["profile"],
    ),
    (
        "error",
        include_str!("../src/error.rs"),
        &["names", "profile", "qs_reason", "reject", "time"],
    ),
    (
        "validate",
        include_str!("../src/validate.rs"),
        &["error", "names", "profile", "reject", "time"],
    ),
    (
        "registry",
        include_str!("../src/registry.rs"),
        &["builtin", "error", "profile", "validate"],
    ),
    (
        "qs",
        include_str!("../src/qs.rs"),
        &["error", "profile", "qs_reason", "reject"],
    ),
    (
        "common",
        include_str!("../src/common.rs"),
        &["profile", "reject"],
    ),
    (
        "rate",
        include_str!("../src/rate.rs"),
        &["error", "profile", "registry", "reject"],
    ),
    (
        "perm",
        include_str!("../src/perm.rs"),
        &["error", "names", "profile", "reject", "validate"],
    ),
    (
        "gate",
        include_str!("../src/gate.rs"),
        &[
            "error", "perm", "profile", "rate", "registry", "reject", "validate",
        ],
    ),
];

/// Every `crate::name` in the code of `source` (comments and the unit-test module left out).
fn named_modules(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut names = Vec::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '{')
                .collect();
            names.push(name);
        }
    }
    names
}

/// Every module `lib.rs` declares (`mod x;` or `pub mod x;`).
fn declared_modules(lib: &str) -> Vec<String> {
    lib.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("pub ").unwrap_or(l).strip_prefix("mod "))
        .filter_map(|rest| rest.strip_suffix(';'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn lower_modules_do_not_name_the_ones_built_on_them() {
    for (module, source, allowed) in LAYERS {
        for name in named_modules(source) {
            assert!(
                name == *module || allowed.contains(&name.as_str()),
                "module `{module}` names `crate::{name}`; it may name only {allowed:?}"
            );
        }
    }
}

#[test]
fn the_order_has_no_cycle() {
    for (at, (module, _, allowed)) in LAYERS.iter().enumerate() {
        let below: Vec<&str> = LAYERS[..at].iter().map(|(m, _, _)| *m).collect();
        for name in *allowed {
            assert!(
                below.contains(name),
                "module `{module}` may name `{name}`, which is not listed below it"
            );
        }
    }
}

#[test]
fn every_module_of_the_crate_is_layered() {
    let declared = declared_modules(include_str!("../src/lib.rs"));
    let layered: Vec<&str> = LAYERS.iter().map(|(m, _, _)| *m).collect();
    for module in &declared {
        assert!(
            layered.contains(&module.as_str()),
            "module `{module}` is not in LAYERS"
        );
    }
    assert_eq!(
        declared.len(),
        layered.len(),
        "LAYERS lists a module lib.rs does not declare"
    );
}

#[test]
fn the_check_sees_a_forbidden_name() {
    let names =
        named_modules("use crate::error::Error;\n// crate::validate\nuse crate::{Rejection};\n");
    assert_eq!(names, ["error", "{Rejection"]);
    assert_eq!(
        declared_modules("pub mod qs;\nmod time;\n// mod x;\nuse x;\n"),
        ["qs", "time"]
    );
}
