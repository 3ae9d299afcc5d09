//! Runs the C programs of `capi-tests/` (see capi-tests/README.md):
//! - `test_*.c` and `cxx_*.cpp` are compiled once against our `zmq.h` and run twice,
//!   against our library and against the system libzmq; both runs must pass and
//!   print the same thing (the differential test);
//! - `constants.c` is compiled against our header and against the system header;
//!   the two outputs must be identical;
//! - `ours_*.c` use the draft API or go beyond what libzmq guarantees, and run
//!   against our library only.
//!
//! Each program checks through /proc/self/maps that it loaded the library it meant to.

mod support;

use std::path::Path;

use support::*;

#[test]
fn programs_pass_on_ours_and_match_the_system_libzmq() {
    let include = repo_path("include");
    let system = system_library();
    let mut sources = sources("test_", "c");
    sources.extend(sources_cxx());
    assert!(!sources.is_empty(), "no C tests found");
    for source in sources {
        let binary = bin_dir().join(stem(&source));
        compile(&source, &include, our_lib_dir(), false, &binary);
        let ours = run_program(&binary, Some(our_lib_dir()), &our_library());
        let reference = run_program(&binary, None, &system);
        assert_eq!(ours, reference, "{}: our output differs from the system libzmq's", source.display());
        eprintln!("ok {} (same output on both libraries)", stem(&source));
    }
}

fn sources_cxx() -> Vec<std::path::PathBuf> {
    sources("cxx_", "cpp")
}

#[test]
fn constants_match_the_system_header() {
    let source = repo_path("capi-tests/constants.c");
    let system = system_library();
    let system_lib_dir = system.parent().expect("system lib dir");

    let ours_binary = bin_dir().join("constants_ours");
    compile(&source, &repo_path("include"), our_lib_dir(), true, &ours_binary);
    let ours = run_program(&ours_binary, Some(our_lib_dir()), &our_library());

    let system_binary = bin_dir().join("constants_system");
    compile(&source, Path::new("/usr/include"), system_lib_dir, true, &system_binary);
    let reference = run_program(&system_binary, None, &system);

    assert!(ours.lines().count() > 250, "constants.c printed too little:\n{ours}");
    assert_eq!(ours, reference, "zmq.h constants or layouts differ from the system header");
}

#[test]
fn ours_only_programs_pass() {
    let include = repo_path("include");
    let sources = sources("ours_", "c");
    assert!(!sources.is_empty(), "no ours_*.c tests found");
    for source in sources {
        let binary = bin_dir().join(stem(&source));
        compile(&source, &include, our_lib_dir(), true, &binary);
        run_program(&binary, Some(our_lib_dir()), &our_library());
        eprintln!("ok {}", stem(&source));
    }
}
