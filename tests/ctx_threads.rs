//! The context's thread options reach its I/O threads, as libzmq 4.3.5 applies them:
//! `ZMQ_THREAD_NAME_PREFIX` in the name (`prefix/ZMQbg/IO/n`), `ZMQ_THREAD_SCHED_POLICY`,
//! `ZMQ_THREAD_PRIORITY` (nice -20 under a non-real-time policy, where permitted) and
//! `ZMQ_THREAD_AFFINITY_CPU_ADD`; and settings the system refuses, on which libzmq
//! aborts, leave the thread as it was and the context working. Each test names its
//! threads with its own prefix, since the tests of this file share one process.

use std::time::Duration;

mod engine;

use engine::*;
use zmq::constants::*;
use zmq::Context;

/// What /proc says of one thread of this process.
#[derive(Debug, PartialEq, Eq)]
struct Task {
    policy: i32,
    nice: i32,
    cpus: String,
}

fn read_task(directory: &std::path::Path) -> Option<Task> {
    let stat = std::fs::read_to_string(directory.join("stat")).ok()?;
    // The fields after the name in parentheses, starting with field 3 (state).
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let field = |number: usize| fields.get(number - 3).and_then(|text| text.parse::<i32>().ok());
    let status = std::fs::read_to_string(directory.join("status")).ok()?;
    let cpus = status.lines().find_map(|line| line.strip_prefix("Cpus_allowed_list:"))?.trim().to_string();
    Some(Task { nice: field(19)?, policy: field(41)?, cpus })
}

/// The thread of this process named `name`, if there is one.
fn task_named(name: &str) -> Option<Task> {
    std::fs::read_dir("/proc/self/task").ok()?.flatten().find_map(|entry| {
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        (comm.trim_end() == name).then(|| read_task(&entry.path())).flatten()
    })
}

/// The thread named `name` once it is as `expected`, or as last seen after 2 s: a
/// thread names itself when it starts, then applies the settings.
fn task_settles(name: &str, expected: &Task) -> Option<Task> {
    let mut seen = None;
    wait_until(Duration::from_secs(2), || {
        seen = task_named(name);
        seen.as_ref() == Some(expected)
    });
    seen
}

fn this_thread() -> Task {
    read_task(std::path::Path::new("/proc/thread-self")).expect("/proc/thread-self")
}

/// Starts the context's I/O threads (at its first tcp endpoint) and checks a message
/// crosses a connection they serve.
fn start_io_threads(context: &Context) {
    let (server, client) = (socket(context, ZMQ_PAIR), socket(context, ZMQ_PAIR));
    server.bind("tcp://127.0.0.1:*").unwrap();
    client.connect(&last_endpoint(&server)).unwrap();
    send(&client, b"ping");
    assert_eq!(recv(&server), b"ping");
    for socket in [server, client] {
        socket.close();
    }
}

/// Whether this process may set a thread's nice value to `nice` (root, CAP_SYS_NICE or
/// RLIMIT_NICE), tried on a thread of its own.
fn may_set_nice(nice: i32) -> bool {
    std::thread::spawn(move || {
        // SAFETY: setpriority takes plain integers; 0 is the calling thread on Linux.
        unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) == 0 }
    })
    .join()
    .unwrap()
}

#[test]
fn prefix_policy_and_affinity_reach_every_io_thread() {
    let first_cpu: i32 = this_thread().cpus.split([',', '-']).next().unwrap().parse().unwrap();
    let context = Context::new();
    context.set_int_option(ZMQ_IO_THREADS, 2).unwrap();
    context.set_option(ZMQ_THREAD_NAME_PREFIX, b"b1").unwrap();
    context.set_int_option(ZMQ_THREAD_SCHED_POLICY, libc::SCHED_BATCH).unwrap();
    context.set_int_option(ZMQ_THREAD_AFFINITY_CPU_ADD, first_cpu).unwrap();
    start_io_threads(&context);
    let inherited_nice = this_thread().nice;
    let expected = Task { policy: libc::SCHED_BATCH, nice: inherited_nice, cpus: first_cpu.to_string() };
    for name in ["b1/ZMQbg/IO/0", "b1/ZMQbg/IO/1"] {
        assert_eq!(task_settles(name, &expected).as_ref(), Some(&expected), "{name}");
    }
    terminate(&context);
}

#[test]
fn a_priority_under_a_normal_policy_asks_for_nice_minus_20() {
    let context = Context::new();
    context.set_int_option(ZMQ_THREAD_NAME_PREFIX, 77).unwrap();
    context.set_int_option(ZMQ_THREAD_PRIORITY, 1).unwrap();
    start_io_threads(&context);
    // nice(-20) adds -20 to the inherited value, down to the floor of -20.
    let this = this_thread();
    let lowered = (this.nice - 20).max(-20);
    let nice = if may_set_nice(lowered) { lowered } else { this.nice };
    let expected = Task { policy: libc::SCHED_OTHER, nice, ..this };
    assert_eq!(task_settles("77/ZMQbg/IO/0", &expected), Some(expected));
    terminate(&context);
}

#[test]
fn refused_settings_leave_the_threads_as_they_were_and_working() {
    // SCHED_FIFO at static priority 0 is invalid for anyone (libzmq aborts on it), and
    // CPU 5000 does not fit a cpu_set_t.
    let context = Context::new();
    context.set_option(ZMQ_THREAD_NAME_PREFIX, b"r1").unwrap();
    context.set_int_option(ZMQ_THREAD_SCHED_POLICY, libc::SCHED_FIFO).unwrap();
    context.set_int_option(ZMQ_THREAD_AFFINITY_CPU_ADD, 5000).unwrap();
    start_io_threads(&context);
    // The one I/O thread served the round trip: it had applied what it could by then.
    let task = task_named("r1/ZMQbg/IO/0").expect("the I/O thread");
    assert_eq!(task, Task { policy: libc::SCHED_OTHER, ..this_thread() });
    terminate(&context);
}
