//! Credentials and permission checks.

use crate::errno::{Errno, KResult};
use crate::fs::{FileType, Stat};

/// A process's user and group ids (all root at boot).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Creds {
    /// Real user id.
    pub uid: u32,
    /// Effective user id.
    pub euid: u32,
    /// Saved set-user-id.
    pub suid: u32,
    /// File-system user id: what permission checks use.
    pub fsuid: u32,
    /// Real group id.
    pub gid: u32,
    /// Effective group id.
    pub egid: u32,
    /// Saved set-group-id.
    pub sgid: u32,
    /// File-system group id.
    pub fsgid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

/// Read permission (the `r` bit's value).
pub const MAY_READ: u32 = 4;
/// Write permission.
pub const MAY_WRITE: u32 = 2;
/// Execute or search permission.
pub const MAY_EXEC: u32 = 1;

impl Creds {
    /// Whether the process has root's privileges over files (CAP_DAC_OVERRIDE and
    /// friends come with fsuid 0).
    pub fn is_root(&self) -> bool {
        self.fsuid == 0
    }

    /// Whether `gid` is one of the process's groups.
    pub fn in_group(&self, gid: u32) -> bool {
        self.fsgid == gid || self.groups.contains(&gid)
    }

    /// Checks `mask` (MAY_READ | MAY_WRITE | MAY_EXEC) against an inode's mode and owner,
    /// as Linux's generic_permission: owner bits, else group bits, else other bits; root
    /// passes everything but executing a file with no execute bit at all.
    pub fn may(&self, st: &Stat, mask: u32) -> KResult<()> {
        if self.is_root() {
            let is_dir = FileType::from_mode(st.mode) == Some(FileType::Directory);
            if mask & MAY_EXEC != 0 && !is_dir && st.mode & 0o111 == 0 {
                return Err(Errno::EACCES);
            }
            return Ok(());
        }

        let bits = if self.fsuid == st.uid {
            st.mode >> 6
        } else if self.in_group(st.gid) {
            st.mode >> 3
        } else {
            st.mode
        } & 7;
        if bits & mask == mask {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// Whether the process owns an inode with owner `uid` or is root (chmod, utimes).
    pub fn owns(&self, uid: u32) -> bool {
        self.is_root() || self.fsuid == uid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(uid: u32, gid: u32) -> Creds {
        Creds {
            uid,
            euid: uid,
            suid: uid,
            fsuid: uid,
            gid,
            egid: gid,
            sgid: gid,
            fsgid: gid,
            groups: vec![],
        }
    }

    #[test]
    fn owner_group_and_other_bits_apply_in_order() {
        let st = Stat {
            mode: 0o100640,
            uid: 10,
            gid: 20,
            ..Stat::default()
        };
        assert!(user(10, 0).may(&st, MAY_READ | MAY_WRITE).is_ok());
        assert!(user(11, 20).may(&st, MAY_READ).is_ok());
        assert_eq!(user(11, 20).may(&st, MAY_WRITE), Err(Errno::EACCES));
        assert_eq!(user(12, 21).may(&st, MAY_READ), Err(Errno::EACCES));
    }

    #[test]
    fn root_needs_an_execute_bit_only_to_run_files() {
        let root = Creds::default();
        let file = Stat {
            mode: 0o100600,
            ..Stat::default()
        };
        let dir = Stat {
            mode: 0o040000,
            ..Stat::default()
        };
        assert!(root.may(&file, MAY_READ | MAY_WRITE).is_ok());
        assert_eq!(root.may(&file, MAY_EXEC), Err(Errno::EACCES));
        assert!(root.may(&dir, MAY_EXEC).is_ok());
    }
}
