//! Replays every file of every fuzz corpus through its check, on the stable toolchain.

use std::path::PathBuf;

use crate::fuzz_checks::TARGETS;

fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

#[test]
fn every_target_has_a_binary_and_a_seed_corpus() {
    let root = corpus_root();
    for (name, _) in TARGETS {
        let bin = root.join(format!("../fuzz_targets/{name}.rs"));
        assert!(
            bin.is_file(),
            "fuzz target {name} has no binary at {}",
            bin.display()
        );
        let seeds = std::fs::read_dir(root.join(name))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(
            seeds > 0,
            "fuzz target {name} has no corpus in {}",
            root.join(name).display()
        );
    }
}

#[test]
fn replay_every_corpus() {
    let root = corpus_root();
    let mut replayed = 0_usize;
    for (name, check) in TARGETS {
        let Ok(dir) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            // A panic here names the target and the input file.
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(
                outcome.is_ok(),
                "fuzz target {name} panicked on {}",
                file.display()
            );
            replayed += 1;
        }
    }
    assert!(
        replayed >= TARGETS.len(),
        "only {replayed} corpus files replayed"
    );
    eprintln!(
        "replayed {replayed} corpus files through {} fuzz targets",
        TARGETS.len()
    );
}
