// Formatted output through wasi-libc's printf: integers of every width and
// base, floats in %f/%e/%g/%a, padding, precision, strings, chars, %n and
// snprintf truncation; then many lines of libm results, so stdout buffering
// and fd_write are exercised too.
// usage: printf [LINES]
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int lines = argc > 1 ? atoi(argv[1]) : 200;
    printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d]\n", 42, 42, 42, 42, 42, 42);
    printf("[%u] [%x] [%X] [%#x] [%o] [%#o]\n", 4000000000u, 0xbeefu, 0xbeefu, 255u, 8u, 8u);
    printf("[%" PRId64 "] [%" PRIu64 "] [%" PRIx64 "]\n", INT64_MIN, UINT64_MAX, (uint64_t)1 << 63);
    printf("[%hhd] [%hd] [%ld] [%lld] [%zu]\n", (signed char)-128, (short)-32768, -1L, -1LL, (size_t)7);
    printf("[%f] [%.2f] [%10.3f] [%-10.1f|] [%e] [%.3E]\n", 3.14159265, 2.675, -1.5, 0.05, 12345.678, 1e-300);
    printf("[%g] [%g] [%g] [%.10g] [%G]\n", 0.0001, 1e20, 123456789.0, 1.0 / 3, 1e-10);
    printf("[%a] [%A] [%f] [%f] [%f]\n", 1.0, -0.5, (double)INFINITY, -(double)INFINITY, (double)NAN);
    printf("[%s] [%10s] [%-10s|] [%.3s] [%c%c%c] [%%]\n", "str", "right", "left", "truncate", 'a', 'b', 'c');
    int n = 0;
    printf("[%*d] [%-*d|] [%.*f]%n\n", 6, 7, 6, 7, 3, 2.0 / 3, &n);
    printf("the previous line had %d characters before its newline\n", n);
    char buf[32];
    int w = snprintf(buf, sizeof buf, "%s-%d-%.1f-and-more-than-fits", "snprintf", 99, 9.95);
    printf("snprintf wanted %d, kept \"%s\"\n", w, buf);
    double acc = 1;
    unsigned long long total = 0;
    for (int i = 1; i <= lines; i++) {
        acc = acc * 1.0001 + sin(i) / i;
        total += (unsigned long long)i * i * i;
        printf("%4d %08x %-12.6g %+.4e %llu\n", i, (unsigned)i * 2654435761u, acc, sqrt((double)i), total);
    }
    fprintf(stderr, "printf: wrote %d lines\n", lines);
    return 0;
}
