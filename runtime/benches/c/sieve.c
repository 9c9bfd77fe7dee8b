// Sieve of Eratosthenes over a malloc'd byte array, repeated: byte loads and
// stores in tight loops.
// usage: sieve [LIMIT] [REPEATS]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    unsigned limit = argc > 1 ? (unsigned)atoi(argv[1]) : 100000;
    unsigned repeats = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    unsigned char *composite = malloc(limit + 1);
    if (!composite) {
        fprintf(stderr, "sieve: out of memory\n");
        return 1;
    }
    unsigned count = 0, last = 0;
    for (unsigned r = 0; r < repeats; r++) {
        memset(composite, 0, limit + 1);
        count = 0;
        for (unsigned i = 2; i <= limit; i++) {
            if (composite[i]) continue;
            count++;
            last = i;
            for (unsigned long long j = (unsigned long long)i * i; j <= limit; j += i)
                composite[j] = 1;
        }
    }
    printf("primes up to %u: %u (largest %u)\n", limit, count, last);
    free(composite);
    return 0;
}
