// libc qsort of a large malloc'd array of pseudo-random ints through a
// comparator (indirect calls), then a check that it is sorted.
// usage: qsort [COUNT]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000;
    int32_t *v = malloc(n * sizeof *v);
    if (!v) {
        fprintf(stderr, "qsort: out of memory\n");
        return 1;
    }
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v[i] = (int32_t)(x >> 32);
    }
    qsort(v, n, sizeof *v, cmp);
    uint32_t check = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && v[i - 1] > v[i]) {
            printf("not sorted at %zu\n", i);
            return 2;
        }
        check = check * 31 + (uint32_t)v[i];
    }
    printf("sorted %zu ints: min %d median %d max %d checksum %08x\n", n, v[0], v[n / 2],
           v[n - 1], check);
    free(v);
    return 0;
}
