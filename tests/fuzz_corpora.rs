//! Replays every file of every fuzz corpus (`fuzz/corpus/<target>/`) through the
//! body of its `cargo fuzz` target (`zmq::fuzzing`), so that what the fuzzers found
//! interesting, and every reproducer of a fixed finding, is run by `cargo test`.

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus")
}

/// The files of one target's corpus, sorted (dot files are libFuzzer's own).
fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = corpus_dir().join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.is_file() && !path.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// Each target runs on its own thread, so a failure names the target and the file.
#[test]
fn every_corpus_replays_without_a_finding() {
    let threads: Vec<_> = zmq::fuzzing::TARGETS
        .iter()
        .map(|&(name, body)| {
            let files = corpus(name);
            std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(move || {
                    for file in &files {
                        let data =
                            std::fs::read(file).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
                        eprintln!("{name}: {}", file.display());
                        body(&data);
                    }
                    files.len()
                })
                .expect("a thread")
        })
        .collect();
    let mut failed = Vec::new();
    for (thread, &(name, _)) in threads.into_iter().zip(zmq::fuzzing::TARGETS) {
        match thread.join() {
            Ok(count) => assert!(count > 0, "the corpus of {name} is empty"),
            Err(_) => failed.push(name),
        }
    }
    assert!(failed.is_empty(), "findings in {failed:?} (the file is named above)");
}

/// Every target has a fuzz target file and a corpus directory, and nothing else is
/// there.
#[test]
fn targets_corpora_and_fuzz_targets_match() {
    let names: Vec<&str> = zmq::fuzzing::TARGETS.iter().map(|&(name, _)| name).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let listed = |dir: &Path, strip: &str| -> Vec<String> {
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|entry| entry.ok())
                    .map(|entry| entry.file_name().to_string_lossy().trim_end_matches(strip).to_owned())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    };
    let mut expected: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    expected.sort();
    assert_eq!(listed(&root.join("fuzz_targets"), ".rs"), expected);
    assert_eq!(listed(&root.join("corpus"), ""), expected);
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    for name in names {
        assert!(manifest.contains(&format!("name = \"{name}\"")), "{name} is not in fuzz/Cargo.toml");
    }
}
