// Prints its arguments and (part of) its environment.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d]=%s\n", i, argv[i]);
    }
    const char *g = getenv("GREETING");
    printf("GREETING=%s\n", g ? g : "(unset)");
    const char *m = getenv("MISSING_VAR");
    printf("MISSING_VAR=%s\n", m ? m : "(unset)");
    int n = 0;
    for (char **e = environ; *e; e++) {
        printf("env[%d]=%s\n", n, *e);
        n++;
    }
    printf("envc=%d\n", n);
    return 0;
}
