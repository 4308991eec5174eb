/*
 * delay-forward: a TCP forwarder that holds every chunk of bytes, in each direction, for a fixed time before
 * passing it on, so that a round trip through it costs twice that time. netem.sh uses it where the kernel has no
 * tc netem (CONFIG_NET_SCH_NETEM not set, as on the VMs these benchmarks run on), in place of socat.
 *
 *   delay-forward LISTEN_IP LISTEN_PORT TARGET_IP TARGET_PORT ONE_WAY_DELAY_US
 *
 * One thread, epoll. Since every chunk waits the same time, chunks fall due in the order they arrived: one FIFO
 * for all connections, and one timerfd armed for the oldest. Order within a connection is kept, and so are
 * ends of stream (a half-close is passed on after the same delay). Writes to a full socket wait (poll) in place,
 * stalling the other connections meanwhile: the benchmark's peers always read, so this does not happen there.
 * Build: cc -O2 -o delay-forward delay-forward.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd[2];      /* 0: the client's side, 1: the server's side */
    int eof[2];     /* an end of stream read from fd[i] */
    int queued;     /* chunks of this connection still in the FIFO */
    int dead;       /* both fds closed */
};

struct end {        /* what epoll reports: one side of a connection */
    struct conn *conn;
    int side;
};

struct chunk {
    struct chunk *next;
    struct conn *conn;
    int to;         /* the side to write to */
    uint64_t due;   /* CLOCK_MONOTONIC nanoseconds */
    size_t len;     /* 0: end of stream */
    char data[];
};

static struct chunk *head, *tail;
static uint64_t delay_ns;
static int epfd, timerfd;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void arm(void) {
    struct itimerspec when = {0};
    if (head != NULL) {
        when.it_value.tv_sec = head->due / 1000000000u;
        when.it_value.tv_nsec = head->due % 1000000000u;
        if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) {
            when.it_value.tv_nsec = 1;
        }
    }
    if (timerfd_settime(timerfd, TFD_TIMER_ABSTIME, &when, NULL) < 0) {
        die("timerfd_settime");
    }
}

static void enqueue(struct conn *c, int to, const char *data, size_t len) {
    struct chunk *k = malloc(sizeof *k + len);
    if (k == NULL) {
        die("malloc");
    }
    k->next = NULL;
    k->conn = c;
    k->to = to;
    k->due = now_ns() + delay_ns;
    k->len = len;
    memcpy(k->data, data, len);
    c->queued++;
    int was_empty = head == NULL;
    if (tail != NULL) {
        tail->next = k;
    } else {
        head = k;
    }
    tail = k;
    if (was_empty) {
        arm();
    }
}

static void kill_conn(struct conn *c) {
    if (!c->dead) {
        close(c->fd[0]);
        close(c->fd[1]);
        c->dead = 1;
    }
}

static void release(struct conn *c) {
    if (c->dead && c->queued == 0) {
        free(c);
    }
}

/* Writes all of a chunk, waiting on a full socket; 0 when the peer is gone. */
static int write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t) n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            poll(&p, 1, 1000);
        } else {
            return 0;
        }
    }
    return 1;
}

static void deliver_due(void) {
    uint64_t now = now_ns();
    while (head != NULL && head->due <= now) {
        struct chunk *k = head;
        head = k->next;
        if (head == NULL) {
            tail = NULL;
        }
        struct conn *c = k->conn;
        c->queued--;
        if (!c->dead) {
            if (k->len == 0) {
                shutdown(c->fd[k->to], SHUT_WR);
                if (c->eof[0] && c->eof[1]) {
                    kill_conn(c);
                }
            } else if (!write_all(c->fd[k->to], k->data, k->len)) {
                kill_conn(c);
            }
        }
        free(k);
        release(c);
    }
    arm();
}

static int listen_on(const char *ip, int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (fd < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
        die("listen address");
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *) &a, sizeof a) < 0 || listen(fd, 512) < 0) {
        die("bind/listen");
    }
    return fd;
}

static void watch(struct conn *c, int side) {
    struct end *e = malloc(sizeof *e);
    e->conn = c;
    e->side = side;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = e};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd[side], &ev) < 0) {
        die("epoll_ctl");
    }
}

static void accept_one(int lfd, struct sockaddr_in *target) {
    int client = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
    if (client < 0) {
        return;
    }
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0 || connect(server, (struct sockaddr *) target, sizeof *target) < 0) {
        perror("connect to target");
        close(client);
        if (server >= 0) {
            close(server);
        }
        return;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    c->fd[0] = client;
    c->fd[1] = server;
    watch(c, 0);
    watch(c, 1);
}

static char buffer[1 << 16];

static void readable(struct end *e) {
    struct conn *c = e->conn;
    if (c->dead || c->eof[e->side]) {
        return;
    }
    ssize_t n = recv(c->fd[e->side], buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
        enqueue(c, 1 - e->side, buffer, (size_t) n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        c->eof[e->side] = 1;
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd[e->side], NULL);
        enqueue(c, 1 - e->side, NULL, 0);
    }
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s LISTEN_IP LISTEN_PORT TARGET_IP TARGET_PORT ONE_WAY_DELAY_US\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1UL); /* the default 50 us of slack would add to every delay */
    delay_ns = strtoull(argv[5], NULL, 10) * 1000u;
    struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[4]))};
    if (inet_pton(AF_INET, argv[3], &target.sin_addr) != 1) {
        die("target address");
    }
    int lfd = listen_on(argv[1], atoi(argv[2]));
    epfd = epoll_create1(0);
    timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    if (epfd < 0 || timerfd < 0) {
        die("epoll/timerfd");
    }
    struct end listener = {0}, timer = {0};
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listener};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.ptr = &timer;
    epoll_ctl(epfd, EPOLL_CTL_ADD, timerfd, &ev);
    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(epfd, events, 64, -1);
        if (n < 0 && errno != EINTR) {
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct end *e = events[i].data.ptr;
            if (e == &listener) {
                accept_one(lfd, &target);
            } else if (e == &timer) {
                uint64_t expirations;
                ssize_t ignored = read(timerfd, &expirations, sizeof expirations);
                (void) ignored;
            } else {
                readable(e);
            }
        }
        deliver_due();
    }
}
