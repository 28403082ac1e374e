#ifndef PSEUDODNS_CFILEMETADATA_H
#define PSEUDODNS_CFILEMETADATA_H

#include <stddef.h>

/// Copies every extended attribute of `from_fd` (ACLs as system.posix_acl_*, SELinux labels as security.*,
/// user.*) onto `to_fd`. Returns 0, or -1 with errno set and the attribute that failed in `failed` (NUL-ended,
/// cut to `failed_size`). A file system without extended attributes counts as having none.
int pseudodns_copy_xattrs(int from_fd, int to_fd, char *failed, size_t failed_size);

/// Whether the file at `path` carries the immutable (1) and/or append-only (2) inode flag (chattr +i / +a on
/// Linux, uchg/schg and uappnd/sappnd on macOS); 0 when neither or when the flags cannot be read.
int pseudodns_inode_write_flags(const char *path);

/// The extended attribute `name` of the open file `fd` read into `buffer`: its length, or -1 with errno set
/// (ENODATA/ENOATTR when there is none). Swift's Glibc does not export the xattr calls.
long pseudodns_fgetxattr(int fd, const char *name, void *buffer, size_t size);

/// O_PATH, for a descriptor that only walks a path: nothing is opened (no read permission needed, no device acted
/// on, no FIFO waited for), a link itself can be held with O_NOFOLLOW. Swift's Glibc exports it only under
/// _GNU_SOURCE. 0 where the system has none.
int pseudodns_path_only_flag(void);

#endif
