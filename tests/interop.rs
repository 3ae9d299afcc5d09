//! Wire compatibility with real libzmq: `capi-tests/interop_peer.c` runs as two
//! processes, one on our library and one on the system libzmq (libzmq3-dev), over
//! tcp and ipc, with each library binding and each connecting, for PAIR (echo) and
//! PUSH → PULL. Every transfer is checked byte by byte by the receiving program.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

/// The peer program, compiled once against our header (the system's is the same ABI).
fn peer_program() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let output = bin_dir().join("interop_peer");
            compile(
                &repo_path("capi-tests/interop_peer.c"),
                &repo_path("include"),
                our_lib_dir(),
                false,
                &output,
            );
            output
        })
        .clone()
}

#[derive(Clone, Copy, Debug)]
enum Lib {
    Ours,
    System,
}

fn spawn(program: &Path, lib: Lib, args: &[&str]) -> Child {
    let mut command = Command::new("timeout");
    command.arg("60").arg(program).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    match lib {
        Lib::Ours => command.env("LD_LIBRARY_PATH", our_lib_dir()),
        Lib::System => command.env_remove("LD_LIBRARY_PATH"),
    };
    command.spawn().expect("start interop_peer")
}

fn finish(child: Child, what: &str) {
    let output = child.wait_with_output().expect("wait for interop_peer");
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs one pairing: `binder` binds `endpoint` as `bind_kind`, `connecter` connects
/// as `connect_kind`.
fn pairing(program: &Path, binder: Lib, bind_kind: &str, connecter: Lib, connect_kind: &str, endpoint: &str) {
    let scratch = tempdir();
    let ready = scratch.join("ready");
    let ready_arg = ready.to_string_lossy().into_owned();
    let bind_side = spawn(program, binder, &["bind", bind_kind, endpoint, &ready_arg]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "{binder:?} never bound {endpoint}");
        std::thread::sleep(Duration::from_millis(10));
    }
    let resolved = std::fs::read_to_string(&ready).expect("read the bound endpoint");
    let connect_side = spawn(program, connecter, &["connect", connect_kind, &resolved]);
    let what =
        format!("{binder:?} binding {bind_kind} at {endpoint}, {connecter:?} connecting {connect_kind}");
    finish(connect_side, &format!("{what}: connecter"));
    finish(bind_side, &format!("{what}: binder"));
    let _ = std::fs::remove_dir_all(scratch);
}

fn tempdir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("zmq-interop-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn every_pairing(endpoint: impl Fn() -> String) {
    let program = peer_program();
    for (binder, connecter) in [(Lib::Ours, Lib::System), (Lib::System, Lib::Ours), (Lib::Ours, Lib::Ours)] {
        pairing(&program, binder, "pair", connecter, "pair", &endpoint());
        pairing(&program, binder, "pull", connecter, "push", &endpoint());
        pairing(&program, binder, "push", connecter, "pull", &endpoint());
    }
}

#[test]
fn tcp_with_the_system_libzmq() {
    every_pairing(|| "tcp://127.0.0.1:*".to_owned());
}

#[test]
fn tcp_over_ipv6_loopback() {
    let program = peer_program();
    // The binder needs ZMQ_IPV6 for [::1]; the peer program sets it for "[" endpoints.
    pairing(&program, Lib::Ours, "pair", Lib::System, "pair", "tcp://[::1]:*");
    pairing(&program, Lib::System, "pair", Lib::Ours, "pair", "tcp://[::1]:*");
}

#[test]
fn ipc_with_the_system_libzmq() {
    let scratch = tempdir();
    let next = std::cell::Cell::new(0);
    every_pairing(|| {
        next.set(next.get() + 1);
        format!("ipc://{}/endpoint-{}", scratch.display(), next.get())
    });
    let _ = std::fs::remove_dir_all(scratch);
}
