//! Shared helpers of the integration tests that drive C programs: where our
//! library is, where the system libzmq is, and how to compile and run C against
//! either of them with every run bounded in time.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Every child process is killed after this long (`ZMQ_TEST_TIMEOUT` overrides it,
/// for runs under valgrind).
pub const RUN_TIMEOUT_SECONDS: &str = "120";

/// The time limit of a child process: `ZMQ_TEST_TIMEOUT` seconds when set, else
/// `default`.
pub fn run_timeout(default: &str) -> String {
    std::env::var("ZMQ_TEST_TIMEOUT").ok().filter(|value| !value.is_empty()).unwrap_or_else(|| default.into())
}

/// `timeout <limit> [wrapper…] program`: a bounded run of `program`. For runs
/// against our library (`ours`), the whitespace-separated words of
/// `ZMQ_TEST_WRAPPER` come first (`scripts/sanitize` sets it to a valgrind command
/// line); the system libzmq is never wrapped.
pub fn bounded_command(program: &Path, default_timeout: &str, ours: bool) -> Command {
    let mut command = Command::new("timeout");
    command.arg(run_timeout(default_timeout));
    if ours {
        if let Ok(wrapper) = std::env::var("ZMQ_TEST_WRAPPER") {
            command.args(wrapper.split_whitespace());
        }
    }
    command.arg(program);
    command
}

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(MANIFEST_DIR).join(relative)
}

/// The cargo profile directory this test binary was built in (target/debug).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/debug/deps/<test>  →  target/debug
    exe.parent().and_then(Path::parent).expect("profile dir").to_path_buf()
}

/// A directory holding `libzmq.so` and `libzmq.so.5` links to the cdylib cargo built
/// for this test run, so C programs link with `-lzmq` and load ours by soname.
pub fn our_lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let built = our_library();
        let dir = profile_dir().join("capi").join("lib");
        std::fs::create_dir_all(&dir).expect("create lib dir");
        for name in ["libzmq.so", "libzmq.so.5"] {
            let link = dir.join(name);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&built, &link).expect("link libzmq");
        }
        dir
    })
}

/// Our shared library, freshly built: `cargo test` compiles the library for the
/// test binaries but does not refresh `target/<profile>/libzmq.so`, so this runs
/// `cargo build --lib` once per test process (a no-op when it is current).
pub fn our_library() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let profile = profile_dir();
            let mut command = Command::new(env!("CARGO"));
            command.args(["build", "--lib"]).current_dir(MANIFEST_DIR);
            if profile.file_name().is_some_and(|name| name == "release") {
                command.arg("--release");
            }
            run_ok(&mut command, "cargo build --lib");
            profile.join("libzmq.so")
        })
        .clone()
}

/// The system libzmq (from libzmq3-dev), the reference the differential tests run
/// against. Panics with the install hint when it is missing.
pub fn system_library() -> PathBuf {
    let output = Command::new("/sbin/ldconfig").arg("-p").output().expect("run ldconfig -p");
    let listing = String::from_utf8_lossy(&output.stdout);
    listing
        .lines()
        .filter(|line| line.trim_start().starts_with("libzmq.so.5 "))
        .filter_map(|line| line.split("=> ").nth(1))
        .map(|path| PathBuf::from(path.trim()))
        .find(|path| !path.starts_with(MANIFEST_DIR))
        .expect("the system libzmq is needed as the reference: apt-get install libzmq3-dev")
}

/// Where compiled test programs go.
pub fn bin_dir() -> PathBuf {
    let dir = profile_dir().join("capi").join("bin");
    std::fs::create_dir_all(&dir).expect("create bin dir");
    dir
}

/// Runs `command` to completion, panicking with its output when it fails.
pub fn run_ok(command: &mut Command, what: &str) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The compiler command for a C (or C++, by extension) source with our strict flags.
pub fn compiler_for(source: &Path) -> Command {
    let cpp = source.extension().is_some_and(|e| e == "cpp");
    let mut command = Command::new(if cpp { "c++" } else { "cc" });
    if !cpp {
        command.arg("-std=gnu11");
    }
    command.args(["-Wall", "-Wextra", "-Werror", "-g"]);
    command
}

/// Compiles `source` with `include` as the header directory, linked against the
/// `libzmq` in `lib_dir`; `draft` defines ZMQ_BUILD_DRAFT_API.
pub fn compile(source: &Path, include: &Path, lib_dir: &Path, draft: bool, output: &Path) {
    let mut command = compiler_for(source);
    if draft {
        command.arg("-DZMQ_BUILD_DRAFT_API");
    }
    command
        .arg(format!("-I{}", include.display()))
        .arg(format!("-I{}", repo_path("capi-tests").display()))
        .arg(source)
        .arg("-o")
        .arg(output)
        .arg(format!("-L{}", lib_dir.display()))
        .args(["-Wl,--no-as-needed", "-lzmq", "-lpthread"]);
    run_ok(&mut command, &format!("compiling {}", source.display()));
}

/// Runs a test program against the library `expected` (loaded from `lib_dir`, or
/// from the system's search path when `lib_dir` is `None`) and returns its stdout.
pub fn run_program(program: &Path, lib_dir: Option<&Path>, expected: &Path) -> String {
    let mut command = bounded_command(program, RUN_TIMEOUT_SECONDS, lib_dir.is_some());
    command.env("ZMQ_TEST_EXPECT_LIB", expected);
    match lib_dir {
        Some(dir) => command.env("LD_LIBRARY_PATH", dir),
        None => command.env_remove("LD_LIBRARY_PATH"),
    };
    let output =
        run_ok(&mut command, &format!("running {} against {}", program.display(), expected.display()));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The C sources in capi-tests/ whose file name starts with `prefix`.
pub fn sources(prefix: &str, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(repo_path("capi-tests"))
        .expect("read capi-tests")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with(prefix) && path.extension().is_some_and(|e| e == extension)
        })
        .collect();
    found.sort();
    found
}

/// The file stem of a source, for naming its binary.
pub fn stem(source: &Path) -> String {
    source.file_stem().and_then(|s| s.to_str()).expect("source name").to_owned()
}
