// Allocator churn: a pool of live blocks of varying sizes that are
// malloc'd, realloc'd, filled and freed in a pseudo-random order, so
// dlmalloc's free lists, splitting and coalescing (and memory.grow) all run.
// Exits with status 3 to check that exit codes propagate.
// usage: malloc [OPERATIONS]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

int main(int argc, char **argv) {
    long ops = argc > 1 ? atol(argv[1]) : 20000;
    unsigned char *slot[SLOTS] = {0};
    size_t size[SLOTS] = {0};
    uint32_t x = 2463534242u, check = 0;
    size_t live = 0, peak = 0;
    for (long i = 0; i < ops; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        unsigned s = x % SLOTS;
        size_t want = 1 + (x >> 9) % ((x & 0x100) ? 16384 : 256);
        if (slot[s] && (x & 0x200)) {
            for (size_t k = 0; k < size[s]; k += 61) check = check * 33 + slot[s][k];
            live -= size[s];
            free(slot[s]);
            slot[s] = NULL;
            size[s] = 0;
        } else {
            unsigned char *p = realloc(slot[s], want);
            if (!p) {
                fprintf(stderr, "malloc: out of memory after %ld operations\n", i);
                return 1;
            }
            if (want > size[s]) memset(p + size[s], (int)(i & 0xff), want - size[s]);
            live = live - size[s] + want;
            slot[s] = p;
            size[s] = want;
        }
        if (live > peak) peak = live;
    }
    for (unsigned s = 0; s < SLOTS; s++) free(slot[s]);
    printf("%ld operations: peak %zu live bytes, checksum %08x\n", ops, peak, check);
    return 3;
}
