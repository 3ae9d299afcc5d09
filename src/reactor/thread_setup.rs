//! How a context's background threads set themselves up: their name, and the scheduling
//! the context's options ask for, as libzmq 4.3.5's `thread_ctx_t::start_thread` and
//! `thread_t::applySchedulingParameters` do.
//!
//! - The name is `[prefix/]ZMQbg/<role>` (`ZMQ_THREAD_NAME_PREFIX`), cut to the 15 bytes
//!   a Linux thread name holds.
//! - `ZMQ_THREAD_SCHED_POLICY` replaces the policy the thread inherited.
//! - `ZMQ_THREAD_PRIORITY` is the static priority under `SCHED_FIFO` and `SCHED_RR`;
//!   under any other policy the static priority is 0 and a positive value asks for
//!   nice -20 instead.
//! - `ZMQ_THREAD_AFFINITY_CPU_ADD` lists the CPUs the thread may run on.
//!
//! libzmq aborts when the system refuses one of these (a real-time policy or a lower nice
//! value without the privilege, a CPU that does not exist). Here the thread keeps what it
//! had for the setting refused and runs on: `zmq_ctx_set` accepted the options long
//! before, and a context must not bring its process down for a scheduling wish.

use core::ffi::c_int;
use core::mem;

/// The longest thread name Linux keeps (16 bytes with the terminating NUL).
const NAME_MAX: usize = 15;

/// What a background thread applies to itself before it starts its work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadSetup {
    /// The thread's name, already cut to what Linux keeps.
    pub name: String,
    /// `ZMQ_THREAD_SCHED_POLICY`, when set.
    pub policy: Option<c_int>,
    /// `ZMQ_THREAD_PRIORITY`, when set.
    pub priority: Option<c_int>,
    /// `ZMQ_THREAD_AFFINITY_CPU_ADD`'s CPUs; empty leaves the inherited affinity.
    pub cpus: Vec<usize>,
}

impl ThreadSetup {
    /// Applies the scheduling settings to the calling thread (the name is given when the
    /// thread is spawned). A setting the system refuses is left as it was.
    pub fn apply_to_current_thread(&self) {
        self.apply_policy_and_priority();
        self.apply_affinity();
    }

    fn apply_policy_and_priority(&self) {
        if self.policy.is_none() && self.priority.is_none() {
            return;
        }
        // SAFETY: pthread_self has no preconditions; it names the calling thread.
        let this = unsafe { libc::pthread_self() };
        let mut policy: c_int = 0;
        // SAFETY: sched_param is a plain C struct, valid all-zero.
        let mut param: libc::sched_param = unsafe { mem::zeroed() };
        // SAFETY: `this` is the calling thread, alive; both out-pointers are valid for writes.
        if unsafe { libc::pthread_getschedparam(this, &mut policy, &mut param) } != 0 {
            return;
        }
        if let Some(wanted) = self.policy {
            policy = wanted;
        }
        let real_time = policy == libc::SCHED_FIFO || policy == libc::SCHED_RR;
        param.sched_priority = match self.priority {
            Some(priority) if real_time => priority,
            _ if real_time => param.sched_priority,
            _ => 0,
        };
        // A refusal (EPERM, EINVAL) leaves the thread's policy and priority as they were.
        // SAFETY: `this` is the calling thread and `param` a valid, initialised struct.
        let _ = unsafe { libc::pthread_setschedparam(this, policy, &param) };
        if !real_time && self.priority.is_some_and(|priority| priority > 0) {
            // Linux keeps a nice value per thread, so this is the calling thread's own.
            // A refusal (EPERM without CAP_SYS_NICE) leaves it as it was.
            // SAFETY: nice takes a plain integer and touches no memory of ours.
            let _ = unsafe { libc::nice(-20) };
        }
    }

    fn apply_affinity(&self) {
        let limit = usize::try_from(libc::CPU_SETSIZE).unwrap_or(0);
        // CPUs past what a cpu_set_t holds are skipped, as glibc's CPU_SET skips them.
        let cpus: Vec<usize> = self.cpus.iter().copied().filter(|&cpu| cpu < limit).collect();
        if cpus.is_empty() {
            return;
        }
        // SAFETY: cpu_set_t is a plain bit array, valid all-zero.
        let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
        for cpu in cpus {
            // SAFETY: `cpu` < CPU_SETSIZE (kept above), so the bit is inside `set`.
            unsafe { libc::CPU_SET(cpu, &mut set) };
        }
        // A refusal (EINVAL: none of these CPUs is online) leaves the inherited affinity.
        // SAFETY: pthread_self names the calling thread; `set` is a valid cpu_set_t of the
        // size passed.
        let _ = unsafe { libc::pthread_setaffinity_np(libc::pthread_self(), mem::size_of_val(&set), &set) };
    }
}

/// libzmq's name for a background thread: `[prefix/]ZMQbg/role`, the prefix read up to a
/// NUL as C reads a string, the whole cut to 15 bytes (at a character boundary here,
/// since a Rust thread name is text).
pub fn thread_name(prefix: &[u8], role: &str) -> String {
    let prefix = prefix.split(|&byte| byte == 0).next().unwrap_or_default();
    let prefix = String::from_utf8_lossy(prefix);
    let mut name = if prefix.is_empty() { format!("ZMQbg/{role}") } else { format!("{prefix}/ZMQbg/{role}") };
    let mut end = name.len().min(NAME_MAX);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.truncate(end);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_libzmq_prints_them() {
        assert_eq!(thread_name(b"", "IO/0"), "ZMQbg/IO/0");
        assert_eq!(thread_name(b"42", "IO/1"), "42/ZMQbg/IO/1");
        assert_eq!(thread_name(b"1234567890", "IO/0"), "1234567890/ZMQb");
        assert_eq!(thread_name(b"abcdefghijklmnop", "IO/0"), "abcdefghijklmno");
        assert_eq!(thread_name(b"ab\0cd", "IO/0"), "ab/ZMQbg/IO/0");
        assert_eq!(thread_name(b"\0", "IO/0"), "ZMQbg/IO/0");
        // 14 bytes of prefix, then a two-byte character that would straddle the limit.
        assert_eq!(thread_name("abcdefghijklmné".as_bytes(), "IO/0"), "abcdefghijklmn");
    }

    /// The calling thread's policy and nice value.
    fn policy_and_nice() -> (c_int, c_int) {
        let mut policy = 0;
        // SAFETY: sched_param is a plain C struct, valid all-zero.
        let mut param: libc::sched_param = unsafe { mem::zeroed() };
        // SAFETY: pthread_self is the calling thread; the out-pointers are valid for writes.
        assert_eq!(unsafe { libc::pthread_getschedparam(libc::pthread_self(), &mut policy, &mut param) }, 0);
        // SAFETY: getpriority takes plain integers; 0 is the calling thread on Linux.
        let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        (policy, nice)
    }

    #[test]
    fn an_unprivileged_policy_is_applied() {
        let setup = ThreadSetup { policy: Some(libc::SCHED_BATCH), ..ThreadSetup::default() };
        let (_, inherited_nice) = policy_and_nice();
        let after = std::thread::spawn(move || {
            setup.apply_to_current_thread();
            policy_and_nice()
        })
        .join()
        .unwrap();
        assert_eq!(after, (libc::SCHED_BATCH, inherited_nice));
    }

    #[test]
    fn refused_settings_leave_the_thread_running_as_it_was() {
        // SCHED_FIFO at static priority 0 is invalid for everyone; CPU 5000 does not fit
        // a cpu_set_t.
        let setup = ThreadSetup {
            policy: Some(libc::SCHED_FIFO),
            priority: None,
            cpus: vec![5000],
            ..ThreadSetup::default()
        };
        let before = policy_and_nice();
        let after = std::thread::spawn(move || {
            setup.apply_to_current_thread();
            policy_and_nice()
        })
        .join()
        .unwrap();
        assert_eq!(after, before);
    }
}
