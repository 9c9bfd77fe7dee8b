// The README's first program: counts words in the files named on the command
// line (read through a WASI preopen), sorts them with qsort and prints the
// most frequent ones. It exercises args, file I/O, malloc and printf.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry { char *word; int count; };

static struct entry *table;
static size_t len, cap;

static void add(const char *w) {
    for (size_t i = 0; i < len; i++)
        if (strcmp(table[i].word, w) == 0) { table[i].count++; return; }
    if (len == cap) {
        cap = cap ? cap * 2 : 64;
        table = realloc(table, cap * sizeof *table);
        if (!table) { perror("realloc"); exit(2); }
    }
    table[len].word = strdup(w);
    table[len++].count = 1;
}

static int by_count(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    if (x->count != y->count) return y->count - x->count;
    return strcmp(x->word, y->word);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: wordfreq FILE...\n");
        return 1;
    }
    for (int f = 1; f < argc; f++) {
        FILE *in = fopen(argv[f], "r");
        if (!in) { perror(argv[f]); return 1; }
        char word[64];
        size_t n = 0;
        int c;
        do {
            c = fgetc(in);
            if (c != EOF && isalpha(c) && n + 1 < sizeof word) {
                word[n++] = (char)tolower(c);
            } else if (n > 0) {
                word[n] = '\0';
                add(word);
                n = 0;
            }
        } while (c != EOF);
        fclose(in);
    }
    qsort(table, len, sizeof *table, by_count);
    printf("%zu distinct words; the most frequent:\n", len);
    for (size_t i = 0; i < len && i < 8; i++)
        printf("%6d  %s\n", table[i].count, table[i].word);
    return 0;
}
