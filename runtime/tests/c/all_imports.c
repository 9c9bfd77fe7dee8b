// Calls every wasi_snapshot_preview1 function through wasi-libc's raw
// <wasi/api.h> bindings, so the module imports all of them (it links only if
// the runtime provides each with the right signature), and prints what each
// returned. Needs /sandbox preopened (fd 3).
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define SANDBOX 3

static void show(const char *what, __wasi_errno_t e) {
    printf("%s: %d\n", what, (int)e);
}

int main(void) {
    __wasi_errno_t e;
    __wasi_size_t n1, n2;
    e = __wasi_args_sizes_get(&n1, &n2);
    show("args_sizes_get", e);
    e = __wasi_environ_sizes_get(&n1, &n2);
    show("environ_sizes_get", e);
    __wasi_timestamp_t t;
    show("clock_res_get", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &t));
    show("clock_time_get", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t));
    unsigned char rnd[16];
    show("random_get", __wasi_random_get(rnd, sizeof rnd));
    show("sched_yield", __wasi_sched_yield());

    __wasi_prestat_t pre;
    show("fd_prestat_get", __wasi_fd_prestat_get(SANDBOX, &pre));
    char name[32] = {0};
    show("fd_prestat_dir_name", __wasi_fd_prestat_dir_name(SANDBOX, (uint8_t *)name, pre.u.dir.pr_name_len));
    printf("preopen name: %s\n", name);
    show("fd_prestat_dir_name too short", __wasi_fd_prestat_dir_name(SANDBOX, (uint8_t *)name, 1));
    show("fd_prestat_get stdout", __wasi_fd_prestat_get(1, &pre));

    __wasi_fd_t fd;
    e = __wasi_path_open(SANDBOX, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "t.txt",
                         __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                         __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |
                             __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |
                             __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_DATASYNC |
                             __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_ADVISE,
                         0, 0, &fd);
    show("path_open create", e);
    __wasi_ciovec_t ciov = {(const uint8_t *)"hello", 5};
    __wasi_size_t nw;
    show("fd_write", __wasi_fd_write(fd, &ciov, 1, &nw));
    show("fd_pwrite", __wasi_fd_pwrite(fd, &ciov, 1, 10, &nw));
    __wasi_filesize_t pos;
    show("fd_seek", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    show("fd_tell", __wasi_fd_tell(fd, &pos));
    char buf[32] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, 5};
    __wasi_size_t nr;
    show("fd_read", __wasi_fd_read(fd, &iov, 1, &nr));
    show("fd_pread", __wasi_fd_pread(fd, &iov, 1, 10, &nr));
    printf("read back: %.5s\n", buf);
    __wasi_fdstat_t fdstat;
    show("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &fdstat));
    printf("filetype: %d\n", fdstat.fs_filetype);
    show("fd_fdstat_set_flags append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    show("fd_fdstat_set_rights", __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0));
    __wasi_filestat_t st;
    show("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
    printf("size: %llu\n", (unsigned long long)st.size);
    show("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 3));
    show("fd_filestat_set_times", __wasi_fd_filestat_set_times(fd, 0, 1000000000ull * 1000000000ull, __WASI_FSTFLAGS_MTIM));
    show("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
    printf("size: %llu mtim: %llu\n", (unsigned long long)st.size, (unsigned long long)st.mtim);
    show("fd_advise", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL));
    show("fd_allocate", __wasi_fd_allocate(fd, 0, 100));
    show("fd_datasync", __wasi_fd_datasync(fd));
    show("fd_sync", __wasi_fd_sync(fd));
    __wasi_fd_t fd2;
    show("path_open second", __wasi_path_open(SANDBOX, 0, "u.txt", __WASI_OFLAGS_CREAT,
                                              __WASI_RIGHTS_FD_WRITE, 0, 0, &fd2));
    show("fd_renumber", __wasi_fd_renumber(fd, fd2));
    show("fd_close old number", __wasi_fd_close(fd));
    show("fd_close", __wasi_fd_close(fd2));
    show("fd_close again", __wasi_fd_close(fd2));
    show("path_unlink_file u", __wasi_path_unlink_file(SANDBOX, "u.txt"));
    show("fd_close bad", __wasi_fd_close(12345));

    show("path_create_directory", __wasi_path_create_directory(SANDBOX, "d"));
    show("path_filestat_get", __wasi_path_filestat_get(SANDBOX, 0, "d", &st));
    printf("filetype: %d\n", st.filetype);
    show("path_filestat_set_times", __wasi_path_filestat_set_times(SANDBOX, 0, "t.txt", 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
    show("path_link", __wasi_path_link(SANDBOX, 0, "t.txt", SANDBOX, "d/hard.txt"));
    show("path_symlink", __wasi_path_symlink("t.txt", SANDBOX, "sym"));
    __wasi_size_t used;
    memset(buf, 0, sizeof buf);
    show("path_readlink", __wasi_path_readlink(SANDBOX, "sym", (uint8_t *)buf, sizeof buf, &used));
    printf("link text: %.*s\n", (int)used, buf);
    show("path_filestat_get nofollow", __wasi_path_filestat_get(SANDBOX, 0, "sym", &st));
    printf("filetype: %d\n", st.filetype);
    show("path_rename", __wasi_path_rename(SANDBOX, "sym", SANDBOX, "sym2"));
    show("path_unlink_file", __wasi_path_unlink_file(SANDBOX, "sym2"));
    show("path_unlink_file hard", __wasi_path_unlink_file(SANDBOX, "d/hard.txt"));
    show("path_remove_directory", __wasi_path_remove_directory(SANDBOX, "d"));
    show("path_unlink_file t", __wasi_path_unlink_file(SANDBOX, "t.txt"));
    uint8_t dirbuf[256];
    show("fd_readdir", __wasi_fd_readdir(SANDBOX, dirbuf, sizeof dirbuf, 0, &used));

    __wasi_subscription_t sub = {0};
    sub.userdata = 42;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = 1000000;
    __wasi_event_t ev;
    __wasi_size_t nev;
    show("poll_oneoff", __wasi_poll_oneoff(&sub, &ev, 1, &nev));
    printf("events: %u userdata: %llu\n", (unsigned)nev, (unsigned long long)ev.userdata);

    show("sock_accept", __wasi_sock_accept(0, 0, &fd));
    __wasi_roflags_t rof;
    show("sock_recv", __wasi_sock_recv(0, &iov, 1, 0, &nr, &rof));
    show("sock_send", __wasi_sock_send(0, &ciov, 1, 0, &nw));
    show("sock_shutdown", __wasi_sock_shutdown(0, __WASI_SDFLAGS_RD));
    fflush(stdout);
    __wasi_proc_exit(3);
}
