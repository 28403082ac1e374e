#define _GNU_SOURCE
#include "CMemoryFile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef __linux__
// memfd_create and file seals are Linux calls: elsewhere there is no memory file, and bodies are sent from memory.
int pseudodns_sealed_memory_file(const char *name, const void *bytes, size_t count) {
    (void)name;
    (void)bytes;
    (void)count;
    errno = ENOSYS;
    return -1;
}
#else
int pseudodns_sealed_memory_file(const char *name, const void *bytes, size_t count) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    const char *next = bytes;
    size_t left = count;
    while (left > 0) {
        ssize_t written = write(fd, next, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            goto fail;
        }
        next += written;
        left -= (size_t)written;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) goto fail;
    return fd;
fail: {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}
}
#endif
