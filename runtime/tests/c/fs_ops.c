// Creates, renames, lists and removes files and directories inside the
// preopened directory, and checks the errors POSIX promises.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check(int ok, const char *what) {
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok) {
        printf("  errno=%d (%s)\n", errno, strerror(errno));
    }
    return ok ? 0 : 1;
}

static void expect_errno(int r, int want, const char *what) {
    if (r == 0) {
        printf("%s: unexpectedly succeeded\n", what);
    } else {
        printf("%s: errno=%d (%s)%s\n", what, errno, strerror(errno), errno == want ? "" : " UNEXPECTED");
    }
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void list(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s failed: errno=%d\n", path, errno);
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char buf[300];
        const char *kind = e->d_type == DT_DIR ? "dir" : e->d_type == DT_REG ? "file" : "other";
        snprintf(buf, sizeof buf, "%s (%s)", e->d_name, kind);
        names[n++] = strdup(buf);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("listing %s: %d entries\n", path, n);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
}

int main(void) {
    int bad = 0;
    bad += check(mkdir("/sandbox/work", 0755) == 0, "mkdir work");
    expect_errno(mkdir("/sandbox/work", 0755), EEXIST, "mkdir work again");

    int fd = open("/sandbox/work/f1.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    bad += check(fd >= 0, "create f1.txt");
    bad += check(write(fd, "abcdef", 6) == 6, "write f1.txt");
    close(fd);
    errno = 0;
    fd = open("/sandbox/work/f1.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    printf("create f1.txt O_EXCL again: errno=%d%s\n", errno, fd < 0 && errno == EEXIST ? "" : " UNEXPECTED");

    bad += check(rename("/sandbox/work/f1.txt", "/sandbox/work/f2.txt") == 0, "rename f1 -> f2");
    struct stat st;
    expect_errno(stat("/sandbox/work/f1.txt", &st), ENOENT, "stat f1 after rename");
    bad += check(stat("/sandbox/work/f2.txt", &st) == 0 && st.st_size == 6, "stat f2 size 6");

    bad += check(mkdir("/sandbox/work/sub", 0755) == 0, "mkdir work/sub");
    fd = open("/sandbox/work/sub/inner.txt", O_WRONLY | O_CREAT, 0644);
    bad += check(fd >= 0, "create sub/inner.txt");
    close(fd);
    bad += check(stat("/sandbox/work/sub", &st) == 0 && S_ISDIR(st.st_mode), "stat sub is a dir");

    list("/sandbox/work");

    expect_errno(rmdir("/sandbox/work/sub"), ENOTEMPTY, "rmdir non-empty sub");
    expect_errno(rmdir("/sandbox/work/f2.txt"), ENOTDIR, "rmdir a file");
    expect_errno(unlink("/sandbox/work/missing"), ENOENT, "unlink missing");
    errno = 0;
    int r = open("/sandbox/work/f2.txt/x", O_RDONLY);
    printf("open file/x: errno=%d%s\n", errno, r < 0 && errno == ENOTDIR ? "" : " UNEXPECTED");

    bad += check(rename("/sandbox/work/sub", "/sandbox/work/sub2") == 0, "rename dir sub -> sub2");
    bad += check(unlink("/sandbox/work/sub2/inner.txt") == 0, "unlink sub2/inner.txt");
    bad += check(rmdir("/sandbox/work/sub2") == 0, "rmdir sub2");
    bad += check(unlink("/sandbox/work/f2.txt") == 0, "unlink f2.txt");
    list("/sandbox/work");
    bad += check(rmdir("/sandbox/work") == 0, "rmdir work");
    expect_errno(stat("/sandbox/work", &st), ENOENT, "stat work after rmdir");

    list("/sandbox");
    printf("failures: %d\n", bad);
    return bad == 0 ? 0 : 1;
}
