//! Integration tests of the `mediameter` binary, and the stable replay of every fuzz corpus.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

// The fuzz checks live in the fuzz package (its own workspace, built by cargo-fuzz); the same
// source is compiled here so that stable CI replays the corpus on every run.
// Its items are `pub` for the fuzz binaries, unreachable from this test crate.
#[path = "../../../fuzz/src/lib.rs"]
#[allow(unreachable_pub)]
mod fuzz_checks;

mod commands;
mod doc_examples;
mod engines;
mod errors;
mod fuzz_replay;
mod reports;
mod shared_data;

/// Runs the `mediameter` binary with `args`, feeding `stdin`, and returns its output.
fn run_mediameter(args: &[&str], stdin: &str) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mediameter"));
    command.args(args);
    run_with_stdin(command, stdin)
}

/// As [`run_mediameter`], with the process's address space limited to `kib` KiB (`ulimit -v`
/// in a shell that then becomes the binary): a run that tries to allocate more fails here
/// instead of passing on a machine with memory to spare.
#[cfg(unix)]
fn run_mediameter_within(kib: u32, args: &[&str], stdin: &str) -> std::process::Output {
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_mediameter"))
        .args(args);
    run_with_stdin(command, stdin)
}

fn run_with_stdin(mut command: std::process::Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that refuses its arguments exits without reading its input: the pipe may be
    // closed before the write ends, which is not the test's concern.
    let written = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}
