//! `ZMQ_IPC_FILTER_UID`, `_GID` and `_PID`: which local processes an ipc listener
//! lets in, judged by the peer's credentials (`SO_PEERCRED`). libzmq:
//! `ipc_listener_t::filter`.
//!
//! With no filter set, everyone gets in. Otherwise a peer gets in when its user id,
//! group id or process id is listed, or when its user is a member of a listed group
//! (the supplementary groups of the group database, as libzmq checks them).

use std::collections::BTreeSet;
use std::ffi::CStr;
use std::os::fd::{AsRawFd, RawFd};

/// The filters of one listener.
#[derive(Debug, Clone, Copy)]
pub struct IpcFilters<'a> {
    pub uids: &'a BTreeSet<u32>,
    pub gids: &'a BTreeSet<u32>,
    pub pids: &'a BTreeSet<i32>,
}

/// A peer process's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credentials {
    pub uid: u32,
    pub gid: u32,
    pub pid: i32,
}

impl IpcFilters<'_> {
    fn is_empty(&self) -> bool {
        self.uids.is_empty() && self.gids.is_empty() && self.pids.is_empty()
    }

    /// Whether the peer at the other end of `stream` may connect.
    pub fn admits(&self, stream: &impl AsRawFd) -> bool {
        if self.is_empty() {
            return true;
        }
        match peer_credentials(stream.as_raw_fd()) {
            Some(peer) => self.admits_credentials(peer, user_in_group),
            None => false,
        }
    }

    /// The decision for known credentials; `member(uid, gid)` says whether a user is
    /// a supplementary member of a group.
    fn admits_credentials(&self, peer: Credentials, member: impl Fn(u32, u32) -> bool) -> bool {
        self.uids.contains(&peer.uid)
            || self.gids.contains(&peer.gid)
            || self.pids.contains(&peer.pid)
            || self.gids.iter().any(|&gid| member(peer.uid, gid))
    }
}

/// The credentials of the process at the other end of a unix socket.
fn peer_credentials(fd: RawFd) -> Option<Credentials> {
    let mut credentials = libc::ucred { pid: 0, uid: 0, gid: 0 };
    let mut size = core::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `credentials` is a live `ucred` and `size` its size, as SO_PEERCRED
    // expects; the kernel writes at most `size` bytes.
    let result = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut credentials as *mut libc::ucred).cast(),
            &mut size,
        )
    };
    (result == 0).then_some(Credentials { uid: credentials.uid, gid: credentials.gid, pid: credentials.pid })
}

/// Whether the user `uid` is listed as a member of group `gid` in the group
/// database (a user's primary group is judged by the peer's gid instead).
fn user_in_group(uid: u32, gid: u32) -> bool {
    let Some(user) = user_name(uid) else { return false };
    group_members(gid).is_some_and(|members| members.contains(&user))
}

/// Scratch space for the reentrant database calls; entries larger than this are
/// treated as absent.
const DATABASE_BUFFER: usize = 16 * 1024;

fn user_name(uid: u32) -> Option<Vec<u8>> {
    // SAFETY: `passwd` is plain old data; an all-zero one is valid input for getpwuid_r.
    let mut entry: libc::passwd = unsafe { core::mem::zeroed() };
    let mut buffer = vec![0 as libc::c_char; DATABASE_BUFFER];
    let mut found: *mut libc::passwd = core::ptr::null_mut();
    // SAFETY: every pointer is to a live local of the type getpwuid_r expects, and
    // `buffer.len()` is the buffer's size; the result points into `entry`/`buffer`.
    let result = unsafe { libc::getpwuid_r(uid, &mut entry, buffer.as_mut_ptr(), buffer.len(), &mut found) };
    if result != 0 || found.is_null() || entry.pw_name.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded, so pw_name is a NUL-terminated string in `buffer`.
    Some(unsafe { CStr::from_ptr(entry.pw_name) }.to_bytes().to_vec())
}

fn group_members(gid: u32) -> Option<Vec<Vec<u8>>> {
    // SAFETY: `group` is plain old data; an all-zero one is valid input for getgrgid_r.
    let mut entry: libc::group = unsafe { core::mem::zeroed() };
    let mut buffer = vec![0 as libc::c_char; DATABASE_BUFFER];
    let mut found: *mut libc::group = core::ptr::null_mut();
    // SAFETY: as in `user_name`, with getgrgid_r.
    let result = unsafe { libc::getgrgid_r(gid, &mut entry, buffer.as_mut_ptr(), buffer.len(), &mut found) };
    if result != 0 || found.is_null() || entry.gr_mem.is_null() {
        return None;
    }
    let mut members = Vec::new();
    let mut member = entry.gr_mem;
    // SAFETY: gr_mem is a NULL-terminated array of NUL-terminated strings in
    // `buffer`, filled by the successful getgrgid_r above.
    unsafe {
        while !(*member).is_null() {
            members.push(CStr::from_ptr(*member).to_bytes().to_vec());
            member = member.add(1);
        }
    }
    Some(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters<'a>(
        uids: &'a BTreeSet<u32>,
        gids: &'a BTreeSet<u32>,
        pids: &'a BTreeSet<i32>,
    ) -> IpcFilters<'a> {
        IpcFilters { uids, gids, pids }
    }

    #[test]
    fn any_listed_id_or_group_membership_lets_a_peer_in() {
        let peer = Credentials { uid: 1000, gid: 100, pid: 42 };
        let none = |_, _| false;
        let (empty_u, empty_i) = (BTreeSet::new(), BTreeSet::new());
        let uid = BTreeSet::from([1000]);
        let gid = BTreeSet::from([100]);
        let other_gid = BTreeSet::from([7]);
        let pid = BTreeSet::from([42]);
        assert!(filters(&uid, &empty_u, &empty_i).admits_credentials(peer, none));
        assert!(filters(&empty_u, &gid, &empty_i).admits_credentials(peer, none));
        assert!(filters(&empty_u, &empty_u, &pid).admits_credentials(peer, none));
        assert!(!filters(&empty_u, &other_gid, &empty_i).admits_credentials(peer, none));
        assert!(filters(&empty_u, &other_gid, &empty_i).admits_credentials(peer, |u, g| (u, g) == (1000, 7)));
        let other_uid = BTreeSet::from([1]);
        assert!(!filters(&other_uid, &empty_u, &empty_i).admits_credentials(peer, none));
    }

    #[test]
    fn our_own_credentials_are_read_from_a_socket_pair() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let credentials = peer_credentials(a.as_raw_fd()).unwrap();
        // SAFETY: these calls only read the calling process's ids.
        let (uid, pid) = unsafe { (libc::getuid(), libc::getpid()) };
        assert_eq!((credentials.uid, credentials.pid), (uid, pid));
        let (uids, gids, pids) = (BTreeSet::from([uid]), BTreeSet::new(), BTreeSet::new());
        assert!(filters(&uids, &gids, &pids).admits(&a));
        let (uids, pids) = (BTreeSet::from([uid + 1]), BTreeSet::from([pid + 1]));
        assert!(!filters(&uids, &gids, &pids).admits(&a));
        // No filter: everyone.
        let empty = BTreeSet::new();
        assert!(filters(&empty, &empty, &BTreeSet::new()).admits(&a));
    }
}
