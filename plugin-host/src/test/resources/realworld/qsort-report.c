/*
 * A fixture for the fuel metering tests: ordinary C (qsort through a function-pointer table, printf with
 * doubles, an f32 function, i64 recursion, a switch) compiled with Debian's clang and wasi-libc:
 *   clang-14 --target=wasm32-wasi --sysroot=/usr -O2 qsort-report.c -o qsort-report.wasm -lm
 * (MeteredRealWorldModuleTest). The .wasm is committed so that the test does not need the toolchain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

typedef struct { char name[16]; double price; int qty; } item;
static int by_price(const void *a, const void *b) { double d = ((const item*)a)->price - ((const item*)b)->price; return (d > 0) - (d < 0); }
static int by_name(const void *a, const void *b) { return strcmp(((const item*)a)->name, ((const item*)b)->name); }
static long long fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
static float halve(float x) { return x / 2.0f; }
static const char *kind(int k) { switch (k % 5) { case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three"; default: return "many"; } }
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  item *items = malloc(sizeof(item) * n);
  unsigned seed = 12345;
  for (int i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    snprintf(items[i].name, sizeof items[i].name, "it%05u", seed % 100000);
    items[i].price = (seed % 10000) / 100.0;
    items[i].qty = i % 7;
  }
  int (*cmps[2])(const void*, const void*) = { by_price, by_name };
  double total = 0;
  for (int round = 0; round < 2; round++) {
    qsort(items, n, sizeof(item), cmps[round]);
    printf("round %d first %s %.2f last %s %.2f\n", round, items[0].name, items[0].price, items[n-1].name, items[n-1].price);
  }
  for (int i = 0; i < n; i++) total += items[i].price * items[i].qty + sqrt(items[i].price);
  printf("total %.4f fact(20) %lld halve %.3f kind %s %s\n", total, fact(20), halve(7.0f), kind(n), kind(n + 3));
  free(items);
  return 0;
}
