// Seek, tell, pread/pwrite and truncate on a file in the preopened directory.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    const char *path = "/sandbox/seek.bin";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("open failed: errno=%d\n", errno);
        return 2;
    }
    printf("write: %zd\n", write(fd, "0123456789", 10));
    printf("tell after write: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("seek set 3: %lld\n", (long long)lseek(fd, 3, SEEK_SET));
    char buf[16] = {0};
    printf("read 4: %zd \"%s\"\n", read(fd, buf, 4), buf);
    printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("seek cur -2: %lld\n", (long long)lseek(fd, -2, SEEK_CUR));
    printf("seek end -2: %lld\n", (long long)lseek(fd, -2, SEEK_END));
    memset(buf, 0, sizeof buf);
    printf("read rest: %zd \"%s\"\n", read(fd, buf, 10), buf);
    printf("read at eof: %zd\n", read(fd, buf, 10));
    printf("pwrite XY at 0: %zd\n", pwrite(fd, "XY", 2, 0));
    memset(buf, 0, sizeof buf);
    printf("pread 4 at 0: %zd \"%s\"\n", pread(fd, buf, 4, 0), buf);
    printf("tell unchanged by pread/pwrite: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    errno = 0;
    off_t r = lseek(fd, -100, SEEK_SET);
    printf("seek to -100: %lld errno=%d\n", (long long)r, errno);
    printf("seek past end 20: %lld\n", (long long)lseek(fd, 20, SEEK_SET));
    printf("write at 20: %zd\n", write(fd, "Z", 1));
    struct stat st;
    fstat(fd, &st);
    printf("size after sparse write: %lld\n", (long long)st.st_size);
    printf("ftruncate 5: %d\n", ftruncate(fd, 5));
    fstat(fd, &st);
    printf("size after truncate: %lld\n", (long long)st.st_size);
    close(fd);

    fd = open(path, O_WRONLY | O_APPEND);
    printf("append write: %zd\n", write(fd, "++", 2));
    close(fd);
    fd = open(path, O_RDONLY);
    memset(buf, 0, sizeof buf);
    printf("final contents: %zd \"%s\"\n", read(fd, buf, sizeof buf - 1), buf);
    close(fd);
    unlink(path);
    return 0;
}
