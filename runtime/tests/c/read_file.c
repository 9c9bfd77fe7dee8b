// Reads a file from the preopened directory: line by line with stdio, then
// its size with fstat, then through a symlink that stays inside the sandbox.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/sandbox/input.txt";
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("fopen %s failed: errno=%d\n", path, errno);
        return 2;
    }
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        printf("%d: %s", n, line);
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        printf("fstat failed: errno=%d\n", errno);
        return 3;
    }
    printf("lines=%d size=%lld regular=%d\n", n, (long long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);
    fclose(f);

    int fd = open("/sandbox/link_in", O_RDONLY);
    if (fd < 0) {
        printf("open link_in failed: errno=%d\n", errno);
        return 4;
    }
    char buf[9] = {0};
    ssize_t r = read(fd, buf, 8);
    printf("via symlink: %zd bytes \"%s\"\n", r, buf);
    close(fd);

    errno = 0;
    fd = open("/sandbox/link_in", O_RDONLY | O_NOFOLLOW);
    printf("O_NOFOLLOW on a symlink: %s errno=%d\n", fd < 0 ? "fails" : "opens", errno);

    errno = 0;
    if (fopen("/sandbox/no-such-file.txt", "r") == NULL) {
        printf("missing file: errno=%d (%s)\n", errno, strerror(errno));
    }
    return 0;
}
