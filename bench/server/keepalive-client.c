#define _GNU_SOURCE
// Sends COUNT sequential keep-alive requests on one connection and reads each response whole (head, then
// Content-Length bytes of body): a fixed amount of work, so instruction counts per request compare.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s PORT PATH COUNT EXPECTED_STATUS [HEADER]\n", argv[0]); return 2; }
    int port = atoi(argv[1]);
    long count = atol(argv[3]);
    int expected = atoi(argv[4]);
    char request[1024];
    int len = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s%s\r\n", argv[2], port,
                       argc > 5 ? argv[5] : "", argc > 5 ? "\r\n" : "");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t have = 0;
    for (long i = 0; i < count; i++) {
        if (write(fd, request, len) != len) { perror("write"); return 1; }
        char *end;
        for (;;) {
            buf[have] = 0;
            end = strstr(buf, "\r\n\r\n");
            if (end) break;
            ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
            if (n <= 0) { fprintf(stderr, "closed after %ld\n", i); return 1; }
            have += n;
        }
        int status = atoi(buf + 9);
        if (status != expected) { fprintf(stderr, "request %ld: status %d\n", i, status); return 1; }
        long body = 0;
        char *cl = strcasestr(buf, "\r\ncontent-length:");
        if (cl && cl < end) body = atol(cl + 17);
        if (status == 304) body = 0;
        size_t total = (end + 4 - buf) + body;
        while (have < total) {
            ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
            if (n <= 0) { fprintf(stderr, "closed in body after %ld\n", i); return 1; }
            have += n;
        }
        memmove(buf, buf + total, have - total);
        have -= total;
    }
    printf("%ld requests, status %d\n", count, expected);
    return 0;
}
