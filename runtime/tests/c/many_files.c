// Creates enough files that one fd_readdir buffer cannot hold the listing
// (wasi-libc reads 4 KiB at a time), so listing needs cookies to resume;
// then checks every file is listed exactly once and removes them.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N 300

int main(void) {
    static char seen[N];
    char path[256];
    if (mkdir("/sandbox/many", 0755) != 0) {
        printf("mkdir failed: errno=%d\n", errno);
        return 2;
    }
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof path, "/sandbox/many/file_%03d_with_a_rather_long_name_to_fill_buffers.txt", i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
            printf("create %d failed: errno=%d\n", i, errno);
            return 3;
        }
        close(fd);
    }
    DIR *d = opendir("/sandbox/many");
    if (!d) {
        printf("opendir failed: errno=%d\n", errno);
        return 4;
    }
    int entries = 0, dots = 0, dupes = 0, strays = 0;
    long last_pos = -1, positions_increase = 1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        entries++;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            dots++;
            continue;
        }
        int i;
        if (sscanf(e->d_name, "file_%03d_", &i) != 1 || i < 0 || i >= N) {
            strays++;
            continue;
        }
        if (seen[i]) {
            dupes++;
        }
        seen[i] = 1;
        long pos = telldir(d);
        if (pos <= last_pos) {
            positions_increase = 0;
        }
        last_pos = pos;
    }
    closedir(d);
    int missing = 0;
    for (int i = 0; i < N; i++) {
        missing += !seen[i];
    }
    printf("files listed: %d (dots skipped), missing: %d, duplicates: %d, strays: %d\n",
           entries - dots, missing, dupes, strays);
    printf("telldir increases: %s\n", positions_increase ? "yes" : "no");

    // seekdir back to a remembered position and read on from there.
    d = opendir("/sandbox/many");
    long mark = -1;
    char after_mark[256] = {0};
    int k = 0;
    while ((e = readdir(d)) != NULL) {
        if (++k == 150) {
            mark = telldir(d);
        } else if (k == 151) {
            snprintf(after_mark, sizeof after_mark, "%s", e->d_name);
        }
    }
    seekdir(d, mark);
    e = readdir(d);
    printf("seekdir resumes at the same entry: %s\n", e && strcmp(e->d_name, after_mark) == 0 ? "yes" : "no");
    closedir(d);

    int removed = 0;
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof path, "/sandbox/many/file_%03d_with_a_rather_long_name_to_fill_buffers.txt", i);
        removed += unlink(path) == 0;
    }
    printf("removed: %d\n", removed);
    printf("rmdir: %d\n", rmdir("/sandbox/many"));
    return missing + dupes + strays;
}
