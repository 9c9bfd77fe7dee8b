// Reads all of stdin and writes it back upper-cased, with a byte count.
#include <ctype.h>
#include <stdio.h>

int main(void) {
    int c;
    long n = 0;
    while ((c = getchar()) != EOF) {
        putchar(toupper(c));
        n++;
    }
    printf("\nread %ld bytes\n", n);
    return 0;
}
