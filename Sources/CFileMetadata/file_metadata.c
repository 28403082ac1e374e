#if defined(__linux__)
#define _GNU_SOURCE  // O_PATH
#endif

#include "CFileMetadata.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#if defined(__linux__)
#include <sys/ioctl.h>
#include <linux/fs.h>
#endif

#if defined(__APPLE__)
#define LIST(fd, buf, size) flistxattr(fd, buf, size, 0)
#define GET(fd, name, buf, size) fgetxattr(fd, name, buf, size, 0, 0)
#define SET(fd, name, buf, size) fsetxattr(fd, name, buf, size, 0, 0)
#else
#define LIST(fd, buf, size) flistxattr(fd, buf, size)
#define GET(fd, name, buf, size) fgetxattr(fd, name, buf, size)
#define SET(fd, name, buf, size) fsetxattr(fd, name, buf, size, 0)
#endif

static void name_failure(char *failed, size_t failed_size, const char *name) {
    if (failed_size == 0) return;
    strncpy(failed, name, failed_size - 1);
    failed[failed_size - 1] = 0;
}

int pseudodns_copy_xattrs(int from_fd, int to_fd, char *failed, size_t failed_size) {
    name_failure(failed, failed_size, "");
    // The list can grow between the size query and the read: retry a few times, then give up.
    for (int attempt = 0; attempt < 4; attempt++) {
        ssize_t size = LIST(from_fd, NULL, 0);
        if (size < 0) {
            if (errno == ENOTSUP) return 0;
            name_failure(failed, failed_size, "(list)");
            return -1;
        }
        if (size == 0) return 0;
        char *names = malloc((size_t)size);
        if (names == NULL) return -1;
        ssize_t got = LIST(from_fd, names, (size_t)size);
        if (got < 0) {
            int saved = errno;
            free(names);
            if (saved == ERANGE) continue;
            errno = saved;
            name_failure(failed, failed_size, "(list)");
            return -1;
        }
        for (ssize_t offset = 0; offset < got; offset += (ssize_t)strlen(names + offset) + 1) {
            const char *name = names + offset;
            ssize_t length = GET(from_fd, name, NULL, 0);
            void *value = NULL;
            if (length > 0) {
                value = malloc((size_t)length);
                if (value == NULL) { free(names); return -1; }
                length = GET(from_fd, name, value, (size_t)length);
            }
            if (length < 0 || SET(to_fd, name, value, (size_t)length) != 0) {
                int saved = errno;
                name_failure(failed, failed_size, name);
                free(value);
                free(names);
                errno = saved;
                return -1;
            }
            free(value);
        }
        free(names);
        return 0;
    }
    errno = ERANGE;
    name_failure(failed, failed_size, "(list)");
    return -1;
}

int pseudodns_inode_write_flags(const char *path) {
    int result = 0;
#if defined(__linux__)
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return 0;
    int flags = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
        if (flags & FS_IMMUTABLE_FL) result |= 1;
        if (flags & FS_APPEND_FL) result |= 2;
    }
    close(fd);
#elif defined(__APPLE__)
    struct stat info;
    if (stat(path, &info) == 0) {
        if (info.st_flags & (UF_IMMUTABLE | SF_IMMUTABLE)) result |= 1;
        if (info.st_flags & (UF_APPEND | SF_APPEND)) result |= 2;
    }
#endif
    return result;
}

long pseudodns_fgetxattr(int fd, const char *name, void *buffer, size_t size) {
    return (long)GET(fd, name, buffer, size);
}

int pseudodns_path_only_flag(void) {
#if defined(O_PATH)
    return O_PATH;
#else
    return 0;
#endif
}
