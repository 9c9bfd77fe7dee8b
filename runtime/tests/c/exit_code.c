// Exits with code 7 through exit(), after writing (buffered) output.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("about to exit with 7\n");
    exit(7);
}
