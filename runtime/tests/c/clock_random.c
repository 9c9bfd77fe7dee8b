// Clock and randomness sanity checks. Prints only "ok"/"FAILED" lines, so the
// output is the same on every run and every runtime.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t ns(clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) {
        return -1;
    }
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int report(int ok, const char *what) {
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

int main(void) {
    int bad = 0;
    // After 2020-01-01 and before 2200.
    int64_t real = ns(CLOCK_REALTIME);
    bad += report(real > 1577836800LL * 1000000000 && real < 7258118400LL * 1000000000, "realtime plausible");
    bad += report(time(NULL) > 1577836800, "time() plausible");

    int64_t m1 = ns(CLOCK_MONOTONIC);
    int64_t m2 = ns(CLOCK_MONOTONIC);
    bad += report(m1 >= 0 && m2 >= m1, "monotonic does not go back");

    struct timespec res;
    bad += report(clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0), "monotonic resolution > 0");

    struct timespec sleep = {0, 5 * 1000 * 1000};
    int64_t before = ns(CLOCK_MONOTONIC);
    int slept = nanosleep(&sleep, NULL);
    int64_t after = ns(CLOCK_MONOTONIC);
    bad += report(slept == 0 && after - before >= 5 * 1000 * 1000, "nanosleep 5ms (poll_oneoff)");

    unsigned char a[32], b[32], zero[32] = {0};
    bad += report(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0, "getentropy");
    bad += report(memcmp(a, zero, sizeof a) != 0 && memcmp(a, b, sizeof a) != 0, "random bytes differ");

    printf("failures: %d\n", bad);
    return bad;
}
