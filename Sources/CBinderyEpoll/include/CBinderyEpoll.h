// epoll for BinderyRuntime's event loop. Swift's Glibc module does not bring <sys/epoll.h>, and its
// `struct epoll_event` is packed on x86_64, which Swift cannot lay out: these wrappers take and give plain values.
#ifndef C_BINDERY_EPOLL_H
#define C_BINDERY_EPOLL_H

#ifdef __linux__
#include <stdint.h>
#include <sys/epoll.h>

static const uint32_t bindery_epoll_in = EPOLLIN | EPOLLRDHUP;
static const uint32_t bindery_epoll_out = EPOLLOUT;
static const uint32_t bindery_epoll_oneshot = EPOLLONESHOT;

static inline int bindery_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/// `op` is 0 to add, 1 to modify, 2 to remove.
static inline int bindery_epoll_control(int epoll, int op, int descriptor, uint32_t events) {
    struct epoll_event event = {.events = events, .data = {.fd = descriptor}};
    static const int ops[] = {EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL};
    return epoll_ctl(epoll, ops[op], descriptor, &event);
}

/// Waits as `epoll_wait` does and writes the ready descriptors to `ready`, at most `capacity` (up to 256).
static inline int bindery_epoll_wait(int epoll, int *ready, int capacity, int milliseconds) {
    struct epoll_event events[256];
    int count = epoll_wait(epoll, events, capacity < 256 ? capacity : 256, milliseconds);
    for (int index = 0; index < count; index++) ready[index] = events[index].data.fd;
    return count;
}
#endif

#endif
