//! Wire compatibility with real libzmq: `capi-tests/interop_peer.c` runs as two
//! processes, one on our library and one on the system libzmq (libzmq3-dev), over
//! tcp and ipc, with each library binding and each connecting, for PAIR (echo),
//! PUSH → PULL, REQ → REP, DEALER → ROUTER, REQ → ROUTER, and XPUB → SUB/XSUB
//! (subscriptions up, filtered messages down). Every transfer is checked byte by byte by the receiving program.
//! `capi-tests/interop_dgram.c` does the same for DGRAM over udp. (RADIO/DISH cannot
//! be checked against Debian's libzmq 4.3.4: it exports no `zmq_join` and aborts in
//! the ZMTP handshake of the draft types.)

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
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
    spawn_with(program, lib, args, &[])
}

fn spawn_with(program: &Path, lib: Lib, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut command = bounded_command(program, "60", matches!(lib, Lib::Ours));
    command.envs(env.iter().copied());
    command.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
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

/// Waits for a binding peer to write its endpoint to `ready`.
fn bound_endpoint(ready: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "the peer never bound");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::read_to_string(ready).expect("read the bound endpoint")
}

/// Runs one pairing: `binder` binds `endpoint` as `bind_kind`, `connecter` connects
/// as `connect_kind`.
fn pairing(program: &Path, binder: Lib, bind_kind: &str, connecter: Lib, connect_kind: &str, endpoint: &str) {
    pairing_with(program, binder, bind_kind, connecter, connect_kind, endpoint, &[]);
}

fn pairing_with(
    program: &Path,
    binder: Lib,
    bind_kind: &str,
    connecter: Lib,
    connect_kind: &str,
    endpoint: &str,
    env: &[(&str, &str)],
) {
    let scratch = tempdir();
    let ready = scratch.join("ready");
    let ready_arg = ready.to_string_lossy().into_owned();
    let bind_side = spawn_with(program, binder, &["bind", bind_kind, endpoint, &ready_arg], env);
    let resolved = bound_endpoint(&ready);
    let connect_side = spawn_with(program, connecter, &["connect", connect_kind, &resolved], env);
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
        pairing(&program, binder, "rep", connecter, "req", &endpoint());
        pairing(&program, binder, "router", connecter, "dealer", &endpoint());
        pairing(&program, binder, "router", connecter, "req", &endpoint());
        pairing(&program, binder, "xpub", connecter, "sub", &endpoint());
        pairing(&program, binder, "sub", connecter, "xpub", &endpoint());
        pairing(&program, binder, "xpub", connecter, "xsub", &endpoint());
    }
}

#[test]
fn tcp_with_the_system_libzmq() {
    every_pairing(|| "tcp://127.0.0.1:*".to_owned());
}

#[test]
fn plain_and_curve_with_the_system_libzmq() {
    let program = peer_program();
    for mechanism in ["plain", "curve"] {
        let env = [("INTEROP_SECURITY", mechanism)];
        for (server, client) in [(Lib::Ours, Lib::System), (Lib::System, Lib::Ours)] {
            let endpoint = "tcp://127.0.0.1:*";
            pairing_with(&program, server, "pull", client, "push", endpoint, &env);
            pairing_with(&program, server, "rep", client, "req", endpoint, &env);
        }
    }
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

/// A udp port nobody uses right now on 127.0.0.1.
fn free_udp_port() -> String {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string()
}

#[test]
fn dgram_over_udp_with_the_system_libzmq() {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let program = BUILT.get_or_init(|| {
        let output = bin_dir().join("interop_dgram");
        compile(
            &repo_path("capi-tests/interop_dgram.c"),
            &repo_path("include"),
            our_lib_dir(),
            false,
            &output,
        );
        output
    });
    for (echo, ask) in [(Lib::Ours, Lib::System), (Lib::System, Lib::Ours)] {
        let scratch = tempdir();
        let ready = scratch.join("ready");
        let (echo_port, ask_port) = (free_udp_port(), free_udp_port());
        let echo_side = spawn(program, echo, &["echo", &echo_port, &ready.to_string_lossy()]);
        bound_endpoint(&ready);
        let ask_side = spawn(program, ask, &["ask", &ask_port, &echo_port]);
        finish(ask_side, &format!("{ask:?} asking {echo:?} over udp"));
        finish(echo_side, &format!("{echo:?} echoing to {ask:?} over udp"));
        let _ = std::fs::remove_dir_all(scratch);
    }
}

#[test]
fn heartbeats_interoperate() {
    let program = peer_program();
    let env = [("INTEROP_HEARTBEAT", "1")];
    // The sender pauses 1 s mid-script; with a 300 ms heartbeat timeout the
    // connection survives only if PINGs are answered both ways.
    pairing_with(&program, Lib::Ours, "pair", Lib::System, "pair", "tcp://127.0.0.1:*", &env);
    pairing_with(&program, Lib::System, "pair", Lib::Ours, "pair", "tcp://127.0.0.1:*", &env);
}

/// The script of interop_peer.c's `send_script`, sent from our library in-process.
fn send_script(socket: &zmq::Socket) {
    let part = |size: usize, more: bool| {
        let body: Vec<u8> = (0..size).map(|i| ((i * 7 + size) & 0xff) as u8).collect();
        let mut msg = zmq::Msg::from_slice(&body).unwrap();
        socket.send(&mut msg, if more { zmq::constants::ZMQ_SNDMORE } else { 0 }).expect("send");
    };
    for size in [0, 1, 255, 256, 257, 65536, 1 << 20] {
        part(size, false);
    }
    part(3, true);
    part(0, true);
    part(300, false);
    socket.send(&mut zmq::Msg::from_slice(b"END").unwrap(), 0).expect("send");
}

#[test]
fn a_restarted_libzmq_peer_is_reconnected() {
    use zmq::constants::*;
    let program = peer_program();
    let scratch = tempdir();
    let ready = scratch.join("ready");
    let first =
        spawn(&program, Lib::System, &["bind", "pull", "tcp://127.0.0.1:*", &ready.to_string_lossy()]);
    let endpoint = bound_endpoint(&ready);
    let context = zmq::Context::new();
    let push = zmq::Socket::new(&context, ZMQ_PUSH).unwrap();
    push.set_option(ZMQ_RECONNECT_IVL, Some(&20i32.to_ne_bytes())).unwrap();
    push.set_option(ZMQ_SNDTIMEO, Some(&20000i32.to_ne_bytes())).unwrap();
    push.connect(&endpoint).unwrap();
    send_script(&push);
    finish(first, "the first libzmq peer");
    // Let the session see the peer go, so the next script is queued for the next one.
    std::thread::sleep(Duration::from_millis(200));
    let ready = scratch.join("ready-again");
    let second = spawn(&program, Lib::System, &["bind", "pull", &endpoint, &ready.to_string_lossy()]);
    send_script(&push);
    finish(second, "the restarted libzmq peer");
    // Both peers read everything before exiting: nothing is left to linger on.
    push.set_option(ZMQ_LINGER, Some(&0i32.to_ne_bytes())).unwrap();
    push.close();
    context.terminate();
    let _ = std::fs::remove_dir_all(scratch);
}
