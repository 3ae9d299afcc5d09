//! The installed prefix works the way C users consume libzmq: the README's install
//! script lays out the files, and programs build against it through pkg-config and
//! through CMake's `find_package(ZeroMQ)` (shared `libzmq` and `libzmq-static`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::*;

/// Installs the debug build into a fresh prefix under target/, once per process.
fn prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let prefix = profile_dir().join("install-test").join("prefix");
        let _ = std::fs::remove_dir_all(&prefix);
        run_ok(
            Command::new("bash")
                .arg(repo_path("scripts/install.sh"))
                .arg("--prefix")
                .arg(&prefix)
                .args(["--profile", "debug"]),
            "scripts/install.sh",
        );
        prefix
    })
}

fn installed_library() -> PathBuf {
    prefix().join("lib/libzmq.so.5.2.5")
}

#[test]
fn install_lays_out_libzmqs_files() {
    let prefix = prefix();
    for file in [
        "lib/libzmq.so.5.2.5",
        "lib/libzmq.so.5",
        "lib/libzmq.so",
        "lib/libzmq.a",
        "include/zmq.h",
        "include/zmq_utils.h",
        "lib/pkgconfig/libzmq.pc",
        "lib/cmake/ZeroMQ/ZeroMQConfig.cmake",
        "lib/cmake/ZeroMQ/ZeroMQConfigVersion.cmake",
    ] {
        assert!(prefix.join(file).exists(), "{file} is not installed");
    }
    let link = std::fs::read_link(prefix.join("lib/libzmq.so.5")).expect("libzmq.so.5 is a link");
    assert_eq!(link, Path::new("libzmq.so.5.2.5"));
    let installed = std::fs::read(prefix.join("include/zmq.h")).expect("read installed zmq.h");
    assert_eq!(installed, std::fs::read(repo_path("include/zmq.h")).expect("read zmq.h"));
}

#[test]
fn a_program_builds_with_pkg_config() {
    let pc_dir = prefix().join("lib/pkgconfig");
    let flags = run_ok(
        Command::new("pkg-config").args(["--cflags", "--libs", "libzmq"]).env("PKG_CONFIG_PATH", &pc_dir),
        "pkg-config",
    );
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    assert!(flags.contains(&format!("-I{}", prefix().join("include").display())), "cflags: {flags}");
    let version = run_ok(
        Command::new("pkg-config").args(["--modversion", "libzmq"]).env("PKG_CONFIG_PATH", &pc_dir),
        "pkg-config --modversion",
    );
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), "4.3.5");

    let binary = bin_dir().join("pkg_config_user");
    let mut compile = compiler_for(Path::new("test_msg.c"));
    compile
        .arg(format!("-I{}", repo_path("capi-tests").display()))
        .arg(repo_path("capi-tests/test_msg.c"))
        .arg("-o")
        .arg(&binary)
        .args(flags.split_whitespace())
        .arg("-lpthread");
    run_ok(&mut compile, "compiling with pkg-config flags");
    run_program(&binary, Some(&prefix().join("lib")), &installed_library());
}

#[test]
fn a_program_builds_with_cmake_find_package() {
    let project = profile_dir().join("install-test").join("cmake-project");
    let build = project.join("build");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&build).expect("create cmake project");
    let capi = repo_path("capi-tests");
    std::fs::write(
        project.join("CMakeLists.txt"),
        format!(
            r#"cmake_minimum_required(VERSION 3.13)
project(zeromq_consumer C)
find_package(ZeroMQ 4.3 REQUIRED)
add_executable(shared_user "{capi}/test_msg.c")
target_include_directories(shared_user PRIVATE "{capi}")
target_link_libraries(shared_user PRIVATE libzmq pthread)
add_executable(static_user "{capi}/hello.c")
target_link_libraries(static_user PRIVATE libzmq-static)
"#,
            capi = capi.display()
        ),
    )
    .expect("write CMakeLists.txt");
    run_ok(
        Command::new("cmake")
            .arg("-S")
            .arg(&project)
            .arg("-B")
            .arg(&build)
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix().display())),
        "cmake configure",
    );
    run_ok(Command::new("cmake").arg("--build").arg(&build), "cmake build");

    // The shared build loads the installed library (CMake's build RPATH finds it).
    run_program(&build.join("shared_user"), None, &installed_library());

    // The static build carries the library inside: no libzmq.so is needed.
    let dynamic = run_ok(Command::new("readelf").arg("-d").arg(build.join("static_user")), "readelf");
    assert!(!String::from_utf8_lossy(&dynamic.stdout).contains("libzmq.so"), "static_user needs libzmq.so");
    let hello = run_ok(&mut Command::new(build.join("static_user")), "running static_user");
    assert!(!hello.stdout.is_empty(), "static_user printed nothing");
}
