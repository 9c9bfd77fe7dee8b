// Dense double-precision matrix multiply, PolyBench gemm style:
// C := alpha*A*B + beta*C with PolyBench's initialisation.
// usage: matmul [N]
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 64;
    double *A = malloc(sizeof(double) * n * n);
    double *B = malloc(sizeof(double) * n * n);
    double *C = malloc(sizeof(double) * n * n);
    if (!A || !B || !C) {
        fprintf(stderr, "matmul: out of memory\n");
        return 1;
    }
    double alpha = 1.5, beta = 1.2;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            C[i * n + j] = (double)((i * j + 1) % n) / n;
            A[i * n + j] = (double)(i * (j + 1) % n) / n;
            B[i * n + j] = (double)(i * (j + 2) % n) / n;
        }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) C[i * n + j] *= beta;
        for (int k = 0; k < n; k++) {
            double a = alpha * A[i * n + k];
            for (int j = 0; j < n; j++) C[i * n + j] += a * B[k * n + j];
        }
    }
    double sum = 0, diag = 0;
    for (int i = 0; i < n; i++) {
        diag += C[i * n + i];
        for (int j = 0; j < n; j++) sum += C[i * n + j];
    }
    printf("gemm %dx%d: sum %.6f trace %.6f C[n-1][0] %.9e\n", n, n, sum, diag, C[(n - 1) * n]);
    free(A);
    free(B);
    free(C);
    return 0;
}
