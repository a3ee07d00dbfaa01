//! Runs every example of `docs/cli.md`, so the documented JSON formats cannot drift.
//!
//! An example is a fenced block whose info string is `<language> cmd=<subcommand and flags>`
//! (the input, given on standard input), optionally `exit=<status>`, followed by a block
//! `json expect`: a JSON value that must be contained in the command's JSON output (objects:
//! every expected key present with a contained value; arrays: same length, element-wise
//! contained; scalars: equal).

use serde_json::Value;

struct Example {
    line: usize,
    args: Vec<String>,
    exit: i32,
    input: String,
    expect: Option<Value>,
}

fn blocks(doc: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            if info.is_empty() {
                continue;
            }
            let mut body = String::new();
            for (_, l) in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            out.push((n + 1, info.to_owned(), body));
        }
    }
    out
}

fn examples(doc: &str) -> Vec<Example> {
    let blocks = blocks(doc);
    let mut out = Vec::new();
    for (i, (line, info, body)) in blocks.iter().enumerate() {
        let Some((_lang, rest)) = info.split_once(" cmd=") else {
            continue;
        };
        let (cmd, exit) = match rest.split_once(" exit=") {
            Some((c, e)) => (c, e.trim().parse().unwrap()),
            None => (rest, 0),
        };
        let expect = blocks
            .get(i + 1)
            .filter(|(_, info, _)| info == "json expect")
            .map(|(l, _, b)| {
                serde_json::from_str(b)
                    .unwrap_or_else(|e| panic!("docs/cli.md:{l}: expect block is not JSON: {e}"))
            });
        out.push(Example {
            line: *line,
            args: cmd.split_whitespace().map(str::to_owned).collect(),
            exit,
            input: body.clone(),
            expect,
        });
    }
    out
}

fn contains(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().try_for_each(|(k, ev)| match a.get(k) {
            Some(av) => contains(av, ev, &format!("{path}/{k}")),
            None => Err(format!("{path}/{k} is missing")),
        }),
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => a
            .iter()
            .zip(e)
            .enumerate()
            .try_for_each(|(i, (av, ev))| contains(av, ev, &format!("{path}/{i}"))),
        _ if actual == expected => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

#[test]
fn every_cli_example_runs_as_documented() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let examples = examples(&doc);
    assert!(
        examples.len() >= 6,
        "docs/cli.md has only {} runnable examples",
        examples.len()
    );
    for ex in examples {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        let out = crate::run_mediameter(&args, &ex.input);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(ex.exit),
            "docs/cli.md:{}: `mediameter {}` exited {:?}: {stderr}",
            ex.line,
            ex.args.join(" "),
            out.status.code()
        );
        if let Some(expect) = &ex.expect {
            let actual: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
                panic!(
                    "docs/cli.md:{}: output is not JSON ({e}):\n{stdout}",
                    ex.line
                )
            });
            if let Err(why) = contains(&actual, expect, "") {
                panic!(
                    "docs/cli.md:{}: `mediameter {}`: {why}\noutput:\n{stdout}",
                    ex.line,
                    ex.args.join(" ")
                );
            }
        }
    }
}
