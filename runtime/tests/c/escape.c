// Tries to leave the preopened directory /sandbox in every way we know:
// each attempt must fail. stdout says only "blocked" (runtimes differ in the
// errno they pick: wasmproof says ENOTCAPABLE, Wasmtime EPERM), stderr has
// the errno the runtime reported, for the wasmproof test to check.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures = 0;

static void try_open(const char *path) {
    errno = 0;
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        printf("open %s: SUCCEEDED (escape!)\n", path);
        failures++;
        close(fd);
        return;
    }
    printf("open %s: blocked\n", path);
    fprintf(stderr, "open %s: errno=%d\n", path, errno);
}

static void try_create(const char *path) {
    errno = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        printf("create %s: SUCCEEDED (escape!)\n", path);
        failures++;
        close(fd);
        return;
    }
    printf("create %s: blocked\n", path);
    fprintf(stderr, "create %s: errno=%d\n", path, errno);
}

static void try_opendir(const char *path) {
    errno = 0;
    DIR *d = opendir(path);
    if (d) {
        printf("opendir %s: SUCCEEDED (escape!)\n", path);
        failures++;
        closedir(d);
        return;
    }
    printf("opendir %s: blocked\n", path);
    fprintf(stderr, "opendir %s: errno=%d\n", path, errno);
}

static void try_stat(const char *path) {
    struct stat st;
    errno = 0;
    if (stat(path, &st) == 0) {
        printf("stat %s: SUCCEEDED (escape!)\n", path);
        failures++;
        return;
    }
    printf("stat %s: blocked\n", path);
    fprintf(stderr, "stat %s: errno=%d\n", path, errno);
}

int main(void) {
    try_open("/sandbox/../outside.txt");
    try_open("/sandbox/sub/../../outside.txt");
    try_open("/sandbox/link_out");
    try_open("/sandbox/link_abs");
    try_create("/sandbox/../created_outside.txt");
    try_create("/sandbox/link_out");
    try_opendir("/sandbox/..");
    try_stat("/sandbox/link_out");
    try_stat("/sandbox/../outside.txt");
    // A symlink that stays inside the sandbox is fine.
    int fd = open("/sandbox/link_in", O_RDONLY);
    char buf[16] = {0};
    if (fd >= 0 && read(fd, buf, 8) == 8) {
        printf("open /sandbox/link_in: ok, starts with \"%s\"\n", buf);
        close(fd);
    } else {
        printf("open /sandbox/link_in: errno=%d (%s)\n", errno, strerror(errno));
        failures++;
    }
    printf("escapes: %d\n", failures);
    return failures == 0 ? 0 : 1;
}
