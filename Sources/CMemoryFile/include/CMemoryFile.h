#ifndef PSEUDODNS_CMEMORYFILE_H
#define PSEUDODNS_CMEMORYFILE_H

#include <stddef.h>

/// Creates an anonymous in-memory file (memfd) holding exactly `count` bytes from `bytes`, sealed so its
/// content and size can never change, and returns its descriptor (close-on-exec), or -1 with errno set.
/// The file has no path: nothing on disk can be swapped under it. Linux only: elsewhere always -1 (ENOSYS).
int pseudodns_sealed_memory_file(const char *name, const void *bytes, size_t count);

#endif
