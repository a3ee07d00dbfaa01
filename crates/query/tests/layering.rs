//! The module layering of the crate docs ("Layers"), checked on the source: a module may name
//! only the modules below it. A `use crate::Type` through a crate-root re-export would hide the
//! module it comes from, so the lower modules may not use the root at all.

/// Each checked module, its source, and the modules it may name.
const LAYERS: &[(&str, &str, &[&str])] = &[
    ("names", include_str!("../src/names.rs"), &["names"]),
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
        &["names", "profile", "time"],
    ),
    // `qs` is named for `QsErrorReason` only (see the crate docs).
    (
        "error",
        include_str!("../src/error.rs"),
        &["names", "profile", "qs", "reject", "time"],
    ),
    (
        "validate",
        include_str!("../src/validate.rs"),
        &["error", "names", "profile", "reject", "time"],
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

#[test]
fn lower_modules_do_not_name_the_ones_built_on_them() {
    for (module, source, allowed) in LAYERS {
        for name in named_modules(source) {
            assert!(
                allowed.contains(&name.as_str()),
                "module `{module}` names `crate::{name}`; it may name only {allowed:?}"
            );
        }
    }
}

#[test]
fn the_check_sees_a_forbidden_name() {
    let names =
        named_modules("use crate::error::Error;\n// crate::validate\nuse crate::{Rejection};\n");
    assert_eq!(names, ["error", "{Rejection"]);
}
