//! Dropping root privileges after binding (`nsca_user`, `nsca_group`), as 2.10 does.
//!
//! Names are looked up in the user and group databases; an all-digit value is a
//! numeric id.
//! Privileges are only changed when the real user is root, so the server can be run
//! and debugged as an ordinary user with the same configuration.

use std::ffi::CString;

use nix::unistd::{Gid, Group, Uid, User, getegid, geteuid, getuid, initgroups, setgid, setuid};

/// Why privileges could not be dropped (the server refuses to go on).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivilegeError {
    /// `setgid` failed.
    #[error("Warning: Could not set effective GID={gid}")]
    SetGid {
        /// The group id.
        gid: u32,
    },
    /// `initgroups` failed for a reason other than EPERM.
    #[error("Warning: Possibly root user failed dropping privileges with initgroups()")]
    InitGroups {
        /// The user name.
        user: String,
    },
    /// `setuid` failed.
    #[error("Warning: Could not set effective UID={uid}")]
    SetUid {
        /// The user id.
        uid: u32,
    },
    /// `chdir` into `nsca_chroot` failed.
    #[error("can not chdir into chroot directory: {error}")]
    ChrootDir {
        /// The OS error text.
        error: String,
    },
    /// `chroot` failed.
    #[error("can not chroot: {error}")]
    Chroot {
        /// The OS error text.
        error: String,
    },
}

/// Changes the root directory to `dir` (`nsca_chroot`), as 2.10's `do_chroot`.
pub fn chroot(dir: &std::path::Path) -> Result<(), PrivilegeError> {
    nix::unistd::chdir(dir).map_err(|e| PrivilegeError::ChrootDir {
        error: e.desc().to_owned(),
    })?;
    nix::unistd::chroot(".").map_err(|e| PrivilegeError::Chroot {
        error: e.desc().to_owned(),
    })
}

/// Target user and group ids, resolved from `nsca_user` / `nsca_group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The user name (for `initgroups`), if one was configured.
    pub user: Option<String>,
    /// Target uid (the effective uid when no user is configured).
    pub uid: Uid,
    /// Target gid (the effective gid when no group is configured).
    pub gid: Gid,
    /// 2.10's warnings for names that did not resolve.
    pub warnings: Vec<String>,
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Resolves user and group names (or numbers) like 2.10's `get_user_info`/`get_group_info`.
pub fn resolve(user: Option<&str>, group: Option<&str>) -> Identity {
    let mut warnings = Vec::new();
    let uid = match user {
        Some(u) if all_digits(u) => u.parse().map(Uid::from_raw).unwrap_or_else(|_| geteuid()),
        Some(u) => match User::from_name(u) {
            Ok(Some(pw)) => pw.uid,
            _ => {
                warnings.push(format!("Warning: Could not get passwd entry for '{u}'"));
                geteuid()
            }
        },
        None => geteuid(),
    };
    let gid = match group {
        Some(g) if all_digits(g) => g.parse().map(Gid::from_raw).unwrap_or_else(|_| getegid()),
        Some(g) => match Group::from_name(g) {
            Ok(Some(gr)) => gr.gid,
            _ => {
                warnings.push(format!("Warning: Could not get group entry for '{g}'"));
                getegid()
            }
        },
        None => getegid(),
    };
    Identity {
        user: user.map(str::to_owned),
        uid,
        gid,
        warnings,
    }
}

/// Drops to `id` when running as root (setgid, initgroups, setuid); otherwise does nothing.
///
/// Returns warnings to log (an EPERM from `initgroups` is only a warning, as in 2.10).
pub fn drop_privileges(id: &Identity) -> Result<Vec<String>, PrivilegeError> {
    let mut warnings = Vec::new();
    if !getuid().is_root() {
        return Ok(warnings);
    }
    if id.gid != getegid() {
        setgid(id.gid).map_err(|_| PrivilegeError::SetGid {
            gid: id.gid.as_raw(),
        })?;
    }
    if id.uid != geteuid()
        && let Some(user) = &id.user
    {
        let name = CString::new(user.as_bytes())
            .map_err(|_| PrivilegeError::InitGroups { user: user.clone() })?;
        match initgroups(&name, id.gid) {
            Ok(()) => {}
            Err(nix::errno::Errno::EPERM) => warnings.push(
                "Warning: Unable to change supplementary groups using initgroups()".to_owned(),
            ),
            Err(_) => return Err(PrivilegeError::InitGroups { user: user.clone() }),
        }
    }
    setuid(id.uid).map_err(|_| PrivilegeError::SetUid {
        uid: id.uid.as_raw(),
    })?;
    Ok(warnings)
}
