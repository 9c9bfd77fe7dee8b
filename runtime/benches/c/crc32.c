// Table-driven CRC-32 (the reflected 0xEDB88320 polynomial of zlib and
// Ethernet) over a deterministic buffer, repeated: table lookups, shifts,
// xors. Also prints CRC-32("123456789"), the published check value cbf43926.
// usage: crc32 [BYTES] [REPEATS]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t table[256];

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t len) {
    crc = ~crc;
    for (size_t i = 0; i < len; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(int argc, char **argv) {
    size_t len = argc > 1 ? (size_t)atol(argv[1]) : 65536;
    int repeats = argc > 2 ? atoi(argv[2]) : 1;
    make_table();
    printf("crc32(\"123456789\") = %08x\n", crc32(0, (const uint8_t *)"123456789", 9));
    uint8_t *buf = malloc(len);
    if (!buf) {
        fprintf(stderr, "crc32: out of memory\n");
        return 1;
    }
    uint32_t x = 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    uint32_t crc = 0;
    for (int r = 0; r < repeats; r++) crc = crc32(crc, buf, len);
    printf("crc32 of %zu bytes x %d = %08x\n", len, repeats, crc);
    free(buf);
    return 0;
}
