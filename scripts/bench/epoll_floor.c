/*
 * The transport floor for BENCHMARKS.md "Service": a bare single-threaded epoll server that answers
 * every read with a fixed 11,000-byte reply (about the size of optd's 1k-parameter step reply),
 * optionally after spinning WORK_NS nanoseconds (standing in for a request's own work), and
 * optionally polling up to POLL_NS nanoseconds for the next request before it waits in epoll again.
 * Loopback only; not HTTP-correct (one read is taken for one request), which is fine for wrk -c1.
 *
 *   cc -O2 -o /tmp/epoll_floor scripts/bench/epoll_floor.c
 *   /tmp/epoll_floor PORT WORK_NS POLL_NS &
 *   OPTD_SESSION_PATH=/x wrk -t1 -c1 -d3s -s scripts/bench/step_json.lua http://127.0.0.1:PORT/
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT WORK_NS POLL_NS\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    long work_ns = atol(argv[2]), poll_ns = atol(argv[3]);
    int one = 1;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 128) != 0) {
        perror("bind/listen");
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &event);

    static char request[65536], reply[12000];
    int head = sprintf(reply, "HTTP/1.1 200 OK\r\nContent-Length: 11000\r\nContent-Type: text/plain\r\n\r\n");
    memset(reply + head, '1', 11000);
    int reply_length = head + 11000;

    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(ep, events, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
                if (client < 0) continue;
                setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct epoll_event e = {.events = EPOLLIN, .data.fd = client};
                epoll_ctl(ep, EPOLL_CTL_ADD, client, &e);
                continue;
            }
            for (;;) {
                ssize_t r = recv(fd, request, sizeof request, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN)) {
                    close(fd);
                    break;
                }
                if (r < 0) break;
                for (long start = now_ns(); now_ns() - start < work_ns;) {}
                send(fd, reply, reply_length, MSG_NOSIGNAL);
                int next = 0;
                for (long start = now_ns(); now_ns() - start < poll_ns;) {
                    char byte;
                    ssize_t p = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
                    if (p >= 0) { next = 1; break; }
                }
                if (!next) break;
            }
        }
    }
}
