// Writes to stdout and stderr.
#include <stdio.h>

int main(void) {
    printf("hello from wasi\n");
    fprintf(stderr, "this goes to stderr\n");
    printf("second line, %d + %d = %d\n", 2, 3, 2 + 3);
    return 0;
}
