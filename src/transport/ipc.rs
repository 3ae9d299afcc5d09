//! ipc:// addresses: a file-system path, `@name` in Linux's abstract namespace, or
//! `*` for a fresh path. libzmq: `ipc_address.cpp`, `ipc_listener.cpp`.

use std::ffi::OsStr;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::path::PathBuf;

use socket2::{Domain, SockAddr, Socket, Type};

use crate::error::{Errno, Result};
use crate::transport::ConnectFailed;

/// Where an ipc endpoint lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpcAddress {
    Path(PathBuf),
    Abstract(Vec<u8>),
}

/// `sun_path` holds 108 bytes, the terminating NUL included.
const MAX_PATH: usize = 107;

/// Parses the address after `ipc://`; `*` makes a fresh path in a new private
/// directory under `$TMPDIR` (libzmq's wildcard).
pub fn parse(address: &str) -> Result<IpcAddress> {
    if address == "*" {
        return fresh_path();
    }
    if let Some(name) = address.strip_prefix('@') {
        if name.len() > MAX_PATH - 1 {
            return Err(Errno::ENAMETOOLONG);
        }
        if name.is_empty() {
            // An abstract socket needs a name (libzmq: EINVAL for `ipc://@`).
            return Err(Errno::EINVAL);
        }
        return Ok(IpcAddress::Abstract(name.as_bytes().to_vec()));
    }
    if address.len() > MAX_PATH {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(IpcAddress::Path(PathBuf::from(address)))
}

/// libzmq's wildcard: `tmpXXXXXX/socket` under `$TMPDIR`, `$TEMPDIR` or `$TMP`, else
/// under the working directory.
fn fresh_path() -> Result<IpcAddress> {
    let base = ["TMPDIR", "TEMPDIR", "TMP"].iter().find_map(std::env::var_os).map(PathBuf::from);
    let template = match base {
        Some(base) => base.join("tmpXXXXXX"),
        None => PathBuf::from("tmpXXXXXX"),
    };
    let mut template = template.into_os_string().into_encoded_bytes();
    template.push(0);
    // SAFETY: `template` is a writable NUL-terminated buffer that mkdtemp fills in place.
    let made = unsafe { libc::mkdtemp(template.as_mut_ptr().cast()) };
    if made.is_null() {
        return Err(std::io::Error::last_os_error().into());
    }
    template.pop();
    // SAFETY: these bytes came from `into_encoded_bytes` and mkdtemp replaced only the
    // ASCII `X`s with ASCII characters.
    let directory = PathBuf::from(unsafe { std::ffi::OsString::from_encoded_bytes_unchecked(template) });
    Ok(IpcAddress::Path(directory.join("socket")))
}

impl IpcAddress {
    pub(crate) fn socket_address(&self) -> Result<SocketAddr> {
        match self {
            IpcAddress::Path(path) => SocketAddr::from_pathname(path).map_err(|_| Errno::ENAMETOOLONG),
            IpcAddress::Abstract(name) => {
                SocketAddr::from_abstract_name(name).map_err(|_| Errno::ENAMETOOLONG)
            }
        }
    }

    /// The `ZMQ_LAST_ENDPOINT` text.
    pub fn endpoint_text(&self) -> String {
        match self {
            IpcAddress::Path(path) => format!("ipc://{}", path.display()),
            IpcAddress::Abstract(name) => format!("ipc://@{}", String::from_utf8_lossy(name)),
        }
    }

    /// Listens here. A leftover socket file is replaced, as libzmq does.
    pub fn listen(&self) -> Result<UnixListener> {
        if let IpcAddress::Path(path) = self {
            let _ = std::fs::remove_file(path);
        }
        let listener = UnixListener::bind_addr(&self.socket_address()?)?;
        listener.set_nonblocking(true)?;
        Ok(listener)
    }

    /// `ZMQ_USE_FD`: listens on a descriptor the application bound (here) and put in
    /// the listening state itself; the listener owns it from now on, as in libzmq.
    pub fn adopt_listener(fd: RawFd) -> Result<UnixListener> {
        // SAFETY: the application handed this descriptor over with ZMQ_USE_FD, which
        // gives its ownership to the socket.
        let listener = unsafe { UnixListener::from_raw_fd(fd) };
        listener.local_addr()?;
        listener.set_nonblocking(true)?;
        Ok(listener)
    }

    /// Connects here, without blocking: a local connection completes or fails at once
    /// (`EAGAIN` when the listener's backlog is full, where a blocking connect would
    /// wait for the listener to accept).
    pub fn connect(&self) -> core::result::Result<UnixStream, ConnectFailed> {
        let address = match self {
            IpcAddress::Path(path) => SockAddr::unix(path),
            IpcAddress::Abstract(name) => SockAddr::unix(OsStr::from_bytes(&[&[0], &name[..]].concat())),
        }
        .map_err(|_| Errno::ENAMETOOLONG)?;
        let socket = Socket::new(Domain::UNIX, Type::STREAM.cloexec(), None)?;
        let failed =
            |error: std::io::Error| ConnectFailed { errno: error.into(), fd: Some(socket.as_raw_fd()) };
        socket.set_nonblocking(true).map_err(failed)?;
        socket.connect(&address).map_err(failed)?;
        Ok(socket.into())
    }

    /// Removes what `listen` created (the socket file; for a wildcard, its directory).
    pub fn remove(&self, wildcard: bool) {
        if let IpcAddress::Path(path) = self {
            let _ = std::fs::remove_file(path);
            if wildcard {
                if let Some(directory) = path.parent() {
                    let _ = std::fs::remove_dir(directory);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse("/tmp/x"), Ok(IpcAddress::Path("/tmp/x".into())));
        assert_eq!(parse("@name"), Ok(IpcAddress::Abstract(b"name".to_vec())));
        assert_eq!(parse("@"), Err(Errno::EINVAL));
        assert_eq!(parse(&"a".repeat(200)), Err(Errno::ENAMETOOLONG));
        let IpcAddress::Path(fresh) = parse("*").unwrap() else { panic!("a path") };
        assert!(fresh.parent().unwrap().is_dir());
        IpcAddress::Path(fresh.clone()).remove(true);
        assert!(!fresh.parent().unwrap().exists());
    }

    #[test]
    fn listen_connect_and_remove() {
        let IpcAddress::Path(path) = parse("*").unwrap() else { panic!("a path") };
        let address = IpcAddress::Path(path.clone());
        let listener = address.listen().unwrap();
        let _client = address.connect().unwrap();
        assert!(listener.accept().is_ok());
        assert_eq!(address.endpoint_text(), format!("ipc://{}", path.display()));
        address.remove(true);
        assert!(!path.exists());
    }
}
