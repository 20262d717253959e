// Extism plugin `promo-codes` (pricing-rule), in C (clang-14 + wasi-libc, reactor): applies the
// quote line's promotion code using the table in the plugin config key `promotions`,
// e.g. "SPRING10=10%,VIP=15%,WELCOME=5.00" (percent of the line total, or a fixed amount off it,
// capped at the line total). Codes match case-insensitively (ASCII). Imports only the Extism kernel.

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(name)))

IMPORT("input_length") uint64_t extism_input_length(void);
IMPORT("input_load_u8") uint8_t extism_input_load_u8(uint64_t);
IMPORT("input_load_u64") uint64_t extism_input_load_u64(uint64_t);
IMPORT("alloc") uint64_t extism_alloc(uint64_t);
IMPORT("length") uint64_t extism_length(uint64_t);
IMPORT("load_u8") uint8_t extism_load_u8(uint64_t);
IMPORT("store_u8") void extism_store_u8(uint64_t, uint8_t);
IMPORT("store_u64") void extism_store_u64(uint64_t, uint64_t);
IMPORT("output_set") void extism_output_set(uint64_t, uint64_t);
IMPORT("error_set") void extism_error_set(uint64_t);
IMPORT("config_get") uint64_t extism_config_get(uint64_t);
IMPORT("free") void extism_free(uint64_t);

// ------------------------------------------------------------------ kernel helpers

static uint64_t to_block(const char *bytes, size_t n) {
    uint64_t off = extism_alloc(n);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, bytes + i, 8);  // wasm is little-endian, like the kernel
        extism_store_u64(off + i, w);
    }
    for (; i < n; i++) extism_store_u8(off + i, (uint8_t)bytes[i]);
    return off;
}

static int fail(const char *message) {
    extism_error_set(to_block(message, strlen(message)));
    return 1;
}

/** The config value for `key` as a NUL-terminated malloc'd string, or NULL. */
static char *config(const char *key) {
    uint64_t k = to_block(key, strlen(key));
    uint64_t v = extism_config_get(k);
    extism_free(k);
    if (v == 0) return NULL;
    uint64_t n = extism_length(v);
    char *s = malloc(n + 1);
    for (uint64_t i = 0; i < n; i++) s[i] = (char)extism_load_u8(v + i);
    s[n] = 0;
    extism_free(v);
    return s;
}

// ------------------------------------------------------------------ growable text

typedef struct { char *p; size_t n, cap; } Buf;

static void put(Buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(Buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_json_string(Buf *b, const char *s) {
    puts_(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"') puts_(b, "\\\"");
        else if (c == '\\') puts_(b, "\\\\");
        else if (c == '\n') puts_(b, "\\n");
        else if (c < 0x20) {
            char esc[7] = "\\u00";
            esc[4] = "0123456789abcdef"[c >> 4];
            esc[5] = "0123456789abcdef"[c & 15];
            esc[6] = 0;
            puts_(b, esc);
        } else put(b, (const char *)&c, 1);  // UTF-8 bytes pass through
    }
    puts_(b, "\"");
}

// ------------------------------------------------------------------ exact decimals

typedef struct { int64_t m; int scale; } Dec;

/** Parses -?digits(.digits)? ; returns 0 on success. */
static int dec_parse(const char *s, size_t n, Dec *out) {
    size_t i = 0;
    int neg = 0, point = 0, digits = 0, scale = 0;
    int64_t m = 0;
    if (i < n && s[i] == '-') { neg = 1; i++; }
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (__builtin_mul_overflow(m, 10, &m) || __builtin_add_overflow(m, c - '0', &m)) return -1;
            digits++;
            if (point) scale++;
        } else if (c == '.' && !point && digits) point = 1;
        else return -1;
    }
    if (!digits || (point && !scale) || scale > 9) return -1;
    out->m = neg ? -m : m;
    out->scale = scale;
    return 0;
}

static int dec_mul(Dec a, Dec b, Dec *out) {
    if (__builtin_mul_overflow(a.m, b.m, &out->m)) return -1;
    out->scale = a.scale + b.scale;
    return 0;
}

static int dec_rescale(Dec a, int scale, Dec *out) {  // rounds half away from zero
    int64_t m = a.m;
    int s = a.scale;
    for (; s < scale; s++) if (__builtin_mul_overflow(m, 10, &m)) return -1;
    if (s > scale) {
        int64_t div = 1;
        for (; s > scale; s--) div *= 10;
        int64_t q = m / div, r = m % div;
        if ((r < 0 ? -r : r) * 2 >= div) q += (m < 0 ? -1 : 1);
        m = q;
    }
    out->m = m;
    out->scale = scale;
    return 0;
}

static void put_dec(Buf *b, Dec d) {
    char digits[32];
    int n = 0;
    uint64_t v = d.m < 0 ? (uint64_t)0 - (uint64_t)d.m : (uint64_t)d.m;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n <= d.scale) digits[n++] = '0';
    if (d.m < 0) puts_(b, "-");
    for (int i = n - 1; i >= 0; i--) {
        if (i == d.scale - 1) puts_(b, ".");
        put(b, &digits[i], 1);
    }
}

// ------------------------------------------------------------------ a small JSON reader

typedef struct { const char *s; size_t n, i; const char *err; } P;

static void ws(P *p) {
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) p->i++;
}

static int hex4(P *p, uint32_t *v) {
    *v = 0;
    for (int k = 0; k < 4; k++, p->i++) {
        if (p->i >= p->n) return -1;
        char c = p->s[p->i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        *v = *v * 16 + (uint32_t)d;
    }
    return 0;
}

static void put_utf8(Buf *b, uint32_t cp) {
    char u[4];
    if (cp < 0x80) { u[0] = (char)cp; put(b, u, 1); }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 63)); put(b, u, 2); }
    else if (cp < 0x10000) { u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 63)); u[2] = (char)(0x80 | (cp & 63)); put(b, u, 3); }
    else { u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | ((cp >> 12) & 63)); u[2] = (char)(0x80 | ((cp >> 6) & 63)); u[3] = (char)(0x80 | (cp & 63)); put(b, u, 4); }
}

/** Reads a string at p->i (on the quote) into out (may be NULL to skip). */
static int str(P *p, Buf *out) {
    Buf scratch = {0};
    if (!out) out = &scratch;
    p->i++;
    put(out, "", 0);
    while (p->i < p->n) {
        char c = p->s[p->i++];
        if (c == '"') { free(scratch.p); return 0; }
        if ((unsigned char)c < 0x20) break;
        if (c != '\\') { put(out, &c, 1); continue; }
        if (p->i >= p->n) break;
        char e = p->s[p->i++];
        switch (e) {
            case '"': case '\\': case '/': put(out, &e, 1); break;
            case 'b': put(out, "\b", 1); break;
            case 'f': put(out, "\f", 1); break;
            case 'n': put(out, "\n", 1); break;
            case 'r': put(out, "\r", 1); break;
            case 't': put(out, "\t", 1); break;
            case 'u': {
                uint32_t cp, lo;
                if (hex4(p, &cp)) goto bad;
                if (cp >= 0xD800 && cp < 0xDC00) {
                    if (p->i + 2 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u') goto bad;
                    p->i += 2;
                    if (hex4(p, &lo) || lo < 0xDC00 || lo >= 0xE000) goto bad;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp < 0xE000) goto bad;
                put_utf8(out, cp);
                break;
            }
            default: goto bad;
        }
    }
bad:
    free(scratch.p);
    p->err = "bad string";
    return -1;
}

/** Skips any value; a number's or literal's text is left in [*start, p->i). */
static int skip(P *p, int depth, size_t *start) {
    ws(p);
    if (p->i >= p->n) { p->err = "unexpected end"; return -1; }
    if (depth > 64) { p->err = "nesting deeper than 64"; return -1; }
    char c = p->s[p->i];
    if (c == '"') return str(p, NULL);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        p->i++;
        ws(p);
        if (p->i < p->n && p->s[p->i] == close) { p->i++; return 0; }
        for (;;) {
            if (c == '{') {
                ws(p);
                if (p->i >= p->n || p->s[p->i] != '"' || str(p, NULL)) { p->err = "expected a key"; return -1; }
                ws(p);
                if (p->i >= p->n || p->s[p->i] != ':') { p->err = "expected ':'"; return -1; }
                p->i++;
            }
            if (skip(p, depth + 1, NULL)) return -1;
            ws(p);
            if (p->i < p->n && p->s[p->i] == ',') { p->i++; continue; }
            if (p->i < p->n && p->s[p->i] == close) { p->i++; return 0; }
            p->err = "expected ',' or a closing bracket";
            return -1;
        }
    }
    size_t s0 = p->i;
    while (p->i < p->n && strchr("0123456789+-.eEtruefalsn", p->s[p->i])) p->i++;
    if (p->i == s0) { p->err = "unexpected character"; return -1; }
    if (start) *start = s0;
    return 0;
}

// ------------------------------------------------------------------ the rule

static int upper(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

static int same_code(const char *a, size_t an, const char *b) {
    size_t bn = strlen(b);
    if (an != bn) return 0;
    for (size_t i = 0; i < an; i++) if (upper((unsigned char)a[i]) != upper((unsigned char)b[i])) return 0;
    return 1;
}

__attribute__((export_name("apply_rule"))) int apply_rule(void) {
    size_t n = (size_t)extism_input_length();
    char *in = malloc(n + 1);
    size_t k = 0;
    for (; k + 8 <= n; k += 8) { uint64_t w = extism_input_load_u64(k); memcpy(in + k, &w, 8); }
    for (; k < n; k++) in[k] = (char)extism_input_load_u8(k);
    in[n] = 0;

    P p = {in, n, 0, NULL};
    Buf name = {0}, code = {0}, price = {0};
    char qty_text[24] = {0};
    int have_qty = 0, have_price = 0;
    ws(&p);
    if (p.i >= n || in[p.i] != '{') return fail("invalid JSON input: the input must be a QuoteLine object");
    p.i++;
    ws(&p);
    if (p.i < n && in[p.i] == '}') p.i++;
    else for (;;) {
        Buf key = {0};
        ws(&p);
        if (p.i >= n || in[p.i] != '"' || str(&p, &key)) return fail("invalid JSON input: expected a key");
        ws(&p);
        if (p.i >= n || in[p.i] != ':') return fail("invalid JSON input: expected ':'");
        p.i++;
        ws(&p);
        int is_str = p.i < n && in[p.i] == '"';
        size_t start = 0;
        if (!strcmp(key.p, "name") && is_str) { if (str(&p, &name)) return fail("invalid JSON input: bad name"); }
        else if (!strcmp(key.p, "promoCode") && is_str) { if (str(&p, &code)) return fail("invalid JSON input: bad promoCode"); }
        else if (!strcmp(key.p, "unitPrice") && is_str) { if (str(&p, &price)) return fail("invalid JSON input: bad unitPrice"); have_price = 1; }
        else {
            if (skip(&p, 1, &start)) return fail("invalid JSON input");
            size_t len = p.i - start;
            if (!strcmp(key.p, "unitPrice") && !is_str) { put(&price, in + start, len); have_price = 1; }
            if (!strcmp(key.p, "quantity") && len < sizeof qty_text) { memcpy(qty_text, in + start, len); have_qty = 1; }
        }
        free(key.p);
        ws(&p);
        if (p.i < n && in[p.i] == ',') { p.i++; continue; }
        if (p.i < n && in[p.i] == '}') { p.i++; break; }
        return fail("invalid JSON input: expected ',' or '}'");
    }

    Dec unit, qty, total;
    if (!have_qty || dec_parse(qty_text, strlen(qty_text), &qty) || qty.scale) return fail("quantity must be an integer");
    if (!have_price || dec_parse(price.p, price.n, &unit)) return fail("unitPrice must be a decimal string");
    if (dec_mul(unit, qty, &total)) return fail("line total overflows");

    Buf out = {0};
    puts_(&out, "[");
    char *table = config("promotions");
    if (code.n && table) {
        // entries "CODE=10%" or "CODE=5.00", separated by commas
        for (char *e = table; *e;) {
            char *end = strchr(e, ',');
            if (!end) end = e + strlen(e);
            char *eq = memchr(e, '=', (size_t)(end - e));
            if (eq && same_code(e, (size_t)(eq - e), code.p)) {
                const char *v = eq + 1;
                size_t vn = (size_t)(end - v);
                int percent = vn > 0 && v[vn - 1] == '%';
                Dec val, amount;
                if (dec_parse(v, percent ? vn - 1 : vn, &val) || val.m < 0)
                    return fail("config 'promotions' has a bad value (want CODE=10% or CODE=5.00)");
                if (percent) {
                    if (dec_mul(total, val, &amount)) return fail("amount overflows");
                    amount.scale += 2;
                } else {
                    amount = val;
                    Dec a2, t2;  // cap at the line total
                    if (dec_rescale(amount, 9, &a2) || dec_rescale(total, 9, &t2)) return fail("amount overflows");
                    if (a2.m > t2.m) amount = total;
                }
                if (dec_rescale(amount, 2, &amount)) return fail("amount overflows");
                amount.m = -amount.m;
                if (amount.m != 0) {
                    Buf reason = {0};
                    puts_(&reason, "Promotion ");
                    put(&reason, e, (size_t)(eq - e));
                    puts_(&reason, ": ");
                    put(&reason, v, vn);
                    puts_(&reason, " off ");
                    puts_(&reason, name.p ? name.p : "");
                    puts_(&out, "{\"ruleId\":\"promo-codes\",\"amount\":\"");
                    put_dec(&out, amount);
                    puts_(&out, "\",\"reason\":");
                    put_json_string(&out, reason.p);
                    puts_(&out, "}");
                }
                break;
            }
            e = *end ? end + 1 : end;
        }
    }
    puts_(&out, "]");
    extism_output_set(to_block(out.p, out.n), out.n);
    return 0;
}
