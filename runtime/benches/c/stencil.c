// 2D five-point Jacobi stencil (PolyBench jacobi-2d style), double precision,
// ping-ponging between two grids.
// usage: stencil [N] [STEPS]
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 64;
    int steps = argc > 2 ? atoi(argv[2]) : 10;
    double *A = malloc(sizeof(double) * n * n);
    double *B = malloc(sizeof(double) * n * n);
    if (!A || !B) {
        fprintf(stderr, "stencil: out of memory\n");
        return 1;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            A[i * n + j] = ((double)i * (j + 2) + 2) / n;
            B[i * n + j] = ((double)i * (j + 3) + 3) / n;
        }
    for (int t = 0; t < steps; t++) {
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                B[i * n + j] = 0.2 * (A[i * n + j] + A[i * n + j - 1] + A[i * n + j + 1] +
                                      A[(i + 1) * n + j] + A[(i - 1) * n + j]);
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                A[i * n + j] = 0.2 * (B[i * n + j] + B[i * n + j - 1] + B[i * n + j + 1] +
                                      B[(i + 1) * n + j] + B[(i - 1) * n + j]);
    }
    double sum = 0;
    for (int i = 0; i < n * n; i++) sum += A[i];
    printf("jacobi-2d %dx%d, %d steps: sum %.9f centre %.12f\n", n, n, steps, sum,
           A[(n / 2) * n + n / 2]);
    free(A);
    free(B);
    return 0;
}
