// Helpers vendored by `graft new` for a Graft plugin in C (clang-14 + wasi-libc, reactor): the Extism
// kernel imported by hand, an arena that every export empties when it returns, a small JSON reader and
// writer, and exact decimals for money. Pure Wasm: no WASI call. Part of your plugin; change it freely.
// Exactly one source file defines GRAFT_IMPLEMENTATION before including it (plugin.c does): the arena and
// the call's error are shared by all files.
#ifndef GRAFT_H
#define GRAFT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GRAFT_IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(name)))

GRAFT_IMPORT("input_length") uint64_t extism_input_length(void);
GRAFT_IMPORT("input_load_u8") uint8_t extism_input_load_u8(uint64_t);
GRAFT_IMPORT("input_load_u64") uint64_t extism_input_load_u64(uint64_t);
GRAFT_IMPORT("alloc") uint64_t extism_alloc(uint64_t);
GRAFT_IMPORT("length") uint64_t extism_length(uint64_t);
GRAFT_IMPORT("load_u8") uint8_t extism_load_u8(uint64_t);
GRAFT_IMPORT("store_u8") void extism_store_u8(uint64_t, uint8_t);
GRAFT_IMPORT("store_u64") void extism_store_u64(uint64_t, uint64_t);
GRAFT_IMPORT("output_set") void extism_output_set(uint64_t, uint64_t);
GRAFT_IMPORT("error_set") void extism_error_set(uint64_t);
GRAFT_IMPORT("config_get") uint64_t extism_config_get(uint64_t);
GRAFT_IMPORT("free") void extism_free(uint64_t);

// ------------------------------------------------------------------ arena

// Everything a call allocates comes from the arena and is released when the export returns, so a pooled
// instance does not grow from call to call.
typedef struct graft_chunk { struct graft_chunk *next; } graft_chunk;
extern graft_chunk *graft_chunks;
extern const char *graft_error;  // the first failure of a call (see graft_fail)
#ifdef GRAFT_IMPLEMENTATION
graft_chunk *graft_chunks;
const char *graft_error;
#endif

static inline void *graft_alloc(size_t n) {
    graft_chunk *c = malloc(16 + n);  // the link, padded to keep the block's alignment
    if (!c) abort();
    c->next = graft_chunks;
    graft_chunks = c;
    void *p = (char *)c + 16;
    memset(p, 0, n);
    return p;
}

static inline void graft_arena_reset(void) {
    while (graft_chunks) {
        graft_chunk *next = graft_chunks->next;
        free(graft_chunks);
        graft_chunks = next;
    }
}

static inline char *graft_strndup(const char *s, size_t n) {
    char *p = graft_alloc(n + 1);
    memcpy(p, s, n);
    return p;
}

/** The strings joined into a new arena string; the list ends with NULL: graft_concat("a", b, NULL). */
static inline char *graft_concat(const char *first, ...) {
    va_list a;
    size_t n = 0;
    va_start(a, first);
    for (const char *p = first; p; p = va_arg(a, const char *)) n += strlen(p);
    va_end(a);
    char *out = graft_alloc(n + 1), *at = out;
    va_start(a, first);
    for (const char *p = first; p; p = va_arg(a, const char *)) {
        size_t k = strlen(p);
        memcpy(at, p, k);
        at += k;
    }
    va_end(a);
    return out;
}

/** An integer's decimal text in the arena. (No printf: wasi-libc's stdio would import WASI.) */
static inline char *graft_int_text(int64_t v) {
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do { digits[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    char *out = graft_alloc((size_t)n + 2), *p = out;
    if (v < 0) *p++ = '-';
    while (n) *p++ = digits[--n];
    return out;
}

// ------------------------------------------------------------------ errors

/**
 * Records `message` as the call's error (the first one wins) and returns -1. The export turns it into the
 * Extism error: a PluginCallException with this message on the host.
 */
static inline int graft_fail(const char *message) {
    if (!graft_error) graft_error = message;
    return -1;
}

static inline int graft_missing(const char *key) {
    return graft_fail(graft_concat("missing field '", key, "'", NULL));
}

// ------------------------------------------------------------------ kernel

static inline uint64_t graft_to_block(const char *bytes, size_t n) {
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

/** The call's input, NUL-terminated, in the arena; *n is its length. */
static inline char *graft_input(size_t *n) {
    *n = (size_t)extism_input_length();
    char *in = graft_alloc(*n + 1);
    size_t k = 0;
    for (; k + 8 <= *n; k += 8) { uint64_t w = extism_input_load_u64(k); memcpy(in + k, &w, 8); }
    for (; k < *n; k++) in[k] = (char)extism_input_load_u8(k);
    return in;
}

/** The plugin config value for `key` (graft.plugins.<id>.config.<key>, `graft call --config k=v`), or NULL. */
static inline const char *graft_config(const char *key) {
    uint64_t k = graft_to_block(key, strlen(key));
    uint64_t v = extism_config_get(k);
    extism_free(k);
    if (v == 0) return NULL;
    uint64_t n = extism_length(v);
    char *s = graft_alloc(n + 1);
    for (uint64_t i = 0; i < n; i++) s[i] = (char)extism_load_u8(v + i);
    extism_free(v);
    return s;
}

/** Ends an export: the output, or the recorded error (return 1); empties the arena either way. */
static inline int graft_finish(const char *out, size_t n) {
    int rc = 0;
    if (graft_error) {
        extism_error_set(graft_to_block(graft_error, strlen(graft_error)));
        rc = 1;
    } else {
        extism_output_set(graft_to_block(out, n), n);
    }
    graft_error = NULL;
    graft_arena_reset();
    return rc;
}

// ------------------------------------------------------------------ growable text

typedef struct { char *p; size_t n, cap; } graft_buf;

static inline void graft_put(graft_buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = graft_alloc(cap);
        if (b->n) memcpy(p, b->p, b->n);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static inline void graft_puts(graft_buf *b, const char *s) { graft_put(b, s, strlen(s)); }

// ------------------------------------------------------------------ exact decimals

/** An exact decimal: m × 10^-scale. Money never passes through a double. */
typedef struct { int64_t m; int scale; } graft_dec;

static inline graft_dec graft_dec_int(int64_t v) { graft_dec d = {v, 0}; return d; }

/** Parses -?digits(.digits)? (no exponent, at most 18 digits); 0 on success. */
static inline int graft_dec_parse(const char *s, size_t n, graft_dec *out) {
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
    if (!digits || (point && !scale)) return -1;
    out->m = neg ? -m : m;
    out->scale = scale;
    return 0;
}

/** A decimal literal such as "25.00"; records an error for a bad one. */
static inline graft_dec graft_dec_of(const char *literal) {
    graft_dec d = {0, 0};
    if (graft_dec_parse(literal, strlen(literal), &d)) graft_fail(graft_concat("not a decimal: \"", literal, "\"", NULL));
    return d;
}

/** Rounds (half away from zero, Java's HALF_UP) or extends to `scale` digits; records an error on overflow. */
static inline graft_dec graft_dec_round(graft_dec a, int scale) {
    int64_t m = a.m;
    int s = a.scale;
    for (; s < scale; s++) if (__builtin_mul_overflow(m, 10, &m)) { graft_fail("decimal overflow"); break; }
    if (s > scale) {
        int64_t div = 1;
        for (; s > scale; s--) div *= 10;
        int64_t q = m / div, r = m % div;
        if ((r < 0 ? -r : r) * 2 >= div) q += (m < 0 ? -1 : 1);
        m = q;
    }
    graft_dec d = {m, scale};
    return d;
}

static inline graft_dec graft_dec_mul(graft_dec a, graft_dec b) {
    graft_dec d = {0, a.scale + b.scale};
    if (__builtin_mul_overflow(a.m, b.m, &d.m)) graft_fail("decimal overflow");
    return d;
}

static inline graft_dec graft_dec_add(graft_dec a, graft_dec b) {
    int scale = a.scale > b.scale ? a.scale : b.scale;
    graft_dec x = graft_dec_round(a, scale), y = graft_dec_round(b, scale), d = {0, scale};
    if (__builtin_add_overflow(x.m, y.m, &d.m)) graft_fail("decimal overflow");
    return d;
}

static inline graft_dec graft_dec_neg(graft_dec a) { a.m = -a.m; return a; }

/** The decimal's plain text, e.g. "-12.50", in the arena. */
static inline char *graft_dec_text(graft_dec d) {
    char digits[32];
    int n = 0;
    uint64_t v = d.m < 0 ? (uint64_t)0 - (uint64_t)d.m : (uint64_t)d.m;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n <= d.scale) digits[n++] = '0';
    char *out = graft_alloc((size_t)n + 3), *p = out;
    if (d.m < 0) *p++ = '-';
    for (int i = n - 1; i >= 0; i--) {
        if (i == d.scale - 1) *p++ = '.';
        *p++ = digits[i];
    }
    return out;
}

// ------------------------------------------------------------------ a small JSON reader

enum { GRAFT_NULL, GRAFT_BOOL, GRAFT_NUM, GRAFT_STR, GRAFT_ARR, GRAFT_OBJ };

typedef struct graft_json {
    int kind;
    const char *text;          // a string's value (UTF-8, NUL-terminated) or a number's or literal's text
    const char *raw;           // the value's JSON text, NUL-terminated
    size_t len;                // items of an array or fields of an object
    const char **keys;         // an object's keys
    struct graft_json **items; // an array's items or an object's values
} graft_json;

typedef struct { const char *s; size_t n, i; const char *err; } graft_parser;

static inline void graft_ws(graft_parser *p) {
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) p->i++;
}

static inline int graft_hex4(graft_parser *p, uint32_t *v) {
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

static inline void graft_put_utf8(graft_buf *b, uint32_t cp) {
    char u[4];
    if (cp < 0x80) { u[0] = (char)cp; graft_put(b, u, 1); }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 63)); graft_put(b, u, 2); }
    else if (cp < 0x10000) { u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 63)); u[2] = (char)(0x80 | (cp & 63)); graft_put(b, u, 3); }
    else { u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | ((cp >> 12) & 63)); u[2] = (char)(0x80 | ((cp >> 6) & 63)); u[3] = (char)(0x80 | (cp & 63)); graft_put(b, u, 4); }
}

static inline const char *graft_parse_string(graft_parser *p) {
    graft_buf out = {0};
    graft_put(&out, "", 0);
    p->i++;
    while (p->i < p->n) {
        char c = p->s[p->i++];
        if (c == '"') return out.p;
        if ((unsigned char)c < 0x20) break;
        if (c != '\\') { graft_put(&out, &c, 1); continue; }
        if (p->i >= p->n) break;
        char e = p->s[p->i++];
        uint32_t cp, lo;
        switch (e) {
            case '"': case '\\': case '/': graft_put(&out, &e, 1); break;
            case 'b': graft_put(&out, "\b", 1); break;
            case 'f': graft_put(&out, "\f", 1); break;
            case 'n': graft_put(&out, "\n", 1); break;
            case 'r': graft_put(&out, "\r", 1); break;
            case 't': graft_put(&out, "\t", 1); break;
            case 'u':
                if (graft_hex4(p, &cp)) goto bad;
                if (cp >= 0xD800 && cp < 0xDC00) {
                    if (p->i + 2 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u') goto bad;
                    p->i += 2;
                    if (graft_hex4(p, &lo) || lo < 0xDC00 || lo >= 0xE000) goto bad;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp < 0xE000) goto bad;
                graft_put_utf8(&out, cp);
                break;
            default: goto bad;
        }
    }
bad:
    p->err = "bad string";
    return NULL;
}

static inline graft_json *graft_parse_value(graft_parser *p, int depth) {
    graft_ws(p);
    if (p->i >= p->n) { p->err = "unexpected end"; return NULL; }
    if (depth > 64) { p->err = "nesting deeper than 64"; return NULL; }
    graft_json *v = graft_alloc(sizeof *v);
    size_t start = p->i;
    char c = p->s[p->i];
    if (c == '"') {
        v->kind = GRAFT_STR;
        if (!(v->text = graft_parse_string(p))) return NULL;
    } else if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        v->kind = c == '{' ? GRAFT_OBJ : GRAFT_ARR;
        size_t cap = 0;
        p->i++;
        graft_ws(p);
        if (p->i < p->n && p->s[p->i] == close) p->i++;
        else for (;;) {
            const char *key = NULL;
            if (v->kind == GRAFT_OBJ) {
                graft_ws(p);
                if (p->i >= p->n || p->s[p->i] != '"' || !(key = graft_parse_string(p))) { p->err = "expected a key"; return NULL; }
                graft_ws(p);
                if (p->i >= p->n || p->s[p->i] != ':') { p->err = "expected ':'"; return NULL; }
                p->i++;
            }
            graft_json *item = graft_parse_value(p, depth + 1);
            if (!item) return NULL;
            if (v->len == cap) {
                cap = cap ? cap * 2 : 8;
                graft_json **items = graft_alloc(cap * sizeof *items);
                const char **keys = graft_alloc(cap * sizeof *keys);
                if (v->len) { memcpy(items, v->items, v->len * sizeof *items); memcpy(keys, v->keys, v->len * sizeof *keys); }
                v->items = items;
                v->keys = keys;
            }
            v->keys[v->len] = key;
            v->items[v->len++] = item;
            graft_ws(p);
            if (p->i < p->n && p->s[p->i] == ',') { p->i++; continue; }
            if (p->i < p->n && p->s[p->i] == close) { p->i++; break; }
            p->err = "expected ',' or a closing bracket";
            return NULL;
        }
    } else {
        while (p->i < p->n && strchr("0123456789+-.eEtruefalsn", p->s[p->i])) p->i++;
        if (p->i == start) { p->err = "unexpected character"; return NULL; }
        v->text = graft_strndup(p->s + start, p->i - start);
        v->kind = !strcmp(v->text, "null") ? GRAFT_NULL : !strcmp(v->text, "true") || !strcmp(v->text, "false") ? GRAFT_BOOL : GRAFT_NUM;
    }
    v->raw = graft_strndup(p->s + start, p->i - start);
    return v;
}

/** Parses a whole document; NULL (and the call's error set) when it is not JSON. */
static inline graft_json *graft_parse(const char *s, size_t n) {
    graft_parser p = {s, n, 0, NULL};
    graft_json *v = graft_parse_value(&p, 0);
    graft_ws(&p);
    if (v && p.i != n) p.err = "trailing characters";
    if (p.err) {
        graft_fail(graft_concat("invalid JSON input: ", p.err, " at byte ", graft_int_text((int64_t)p.i), NULL));
        return NULL;
    }
    return v;
}

/** A field of an object; NULL when it is missing or null. */
static inline const graft_json *graft_field(const graft_json *obj, const char *key) {
    if (!obj || obj->kind != GRAFT_OBJ) return NULL;
    for (size_t i = 0; i < obj->len; i++)
        if (!strcmp(obj->keys[i], key)) return obj->items[i]->kind == GRAFT_NULL ? NULL : obj->items[i];
    return NULL;
}

static inline int graft_read_object(const graft_json *v, const char *what) {
    return v->kind == GRAFT_OBJ ? 0 : graft_fail(graft_concat("'", what, "' must be an object", NULL));
}

static inline int graft_read_string(const graft_json *v, const char *what, const char **out) {
    if (v->kind != GRAFT_STR) return graft_fail(graft_concat("'", what, "' must be a string", NULL));
    *out = v->text;
    return 0;
}

static inline int graft_read_int(const graft_json *v, const char *what, int64_t *out) {
    graft_dec d;
    if (v->kind != GRAFT_NUM || graft_dec_parse(v->text, strlen(v->text), &d) || d.scale)
        return graft_fail(graft_concat("'", what, "' must be an integer", NULL));
    *out = d.m;
    return 0;
}

static inline int graft_read_float(const graft_json *v, const char *what, double *out) {
    if (v->kind != GRAFT_NUM) return graft_fail(graft_concat("'", what, "' must be a number", NULL));
    *out = strtod(v->text, NULL);
    return 0;
}

static inline int graft_read_bool(const graft_json *v, const char *what, bool *out) {
    if (v->kind != GRAFT_BOOL) return graft_fail(graft_concat("'", what, "' must be true or false", NULL));
    *out = v->text[0] == 't';
    return 0;
}

/** Money: a decimal string such as "19.99" (or a JSON number, read as its digits, never as a double). */
static inline int graft_read_dec(const graft_json *v, const char *what, graft_dec *out) {
    if ((v->kind != GRAFT_STR && v->kind != GRAFT_NUM) || graft_dec_parse(v->text, strlen(v->text), out))
        return graft_fail(graft_concat("'", what, "' must be a decimal string, not ", v->raw, NULL));
    return 0;
}

/** Any JSON value, kept as its JSON text. */
static inline int graft_read_raw(const graft_json *v, const char *what, const char **out) {
    (void)what;
    *out = v->raw;
    return 0;
}

static inline int graft_read_array(const graft_json *v, const char *what) {
    return v->kind == GRAFT_ARR ? 0 : graft_fail(graft_concat("'", what, "' must be an array", NULL));
}

// ------------------------------------------------------------------ a small JSON writer

/** Writes "key":, after a comma unless it is the object's first field. */
static inline void graft_key(graft_buf *b, bool *first, const char *key);

static inline void graft_write_string(graft_buf *b, const char *s) {
    if (!s) { graft_puts(b, "null"); return; }  // the host refuses a null where the contract has none, naming the field
    graft_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"') graft_puts(b, "\\\"");
        else if (c == '\\') graft_puts(b, "\\\\");
        else if (c == '\n') graft_puts(b, "\\n");
        else if (c < 0x20) {
            char esc[7] = "\\u00";
            esc[4] = "0123456789abcdef"[c >> 4];
            esc[5] = "0123456789abcdef"[c & 15];
            esc[6] = 0;
            graft_puts(b, esc);
        } else graft_put(b, (const char *)&c, 1);  // UTF-8 bytes pass through
    }
    graft_puts(b, "\"");
}

static inline void graft_key(graft_buf *b, bool *first, const char *key) {
    if (!*first) graft_puts(b, ",");
    *first = false;
    graft_write_string(b, key);
    graft_puts(b, ":");
}

static inline void graft_write_int(graft_buf *b, int64_t v) { graft_puts(b, graft_int_text(v)); }

/** A double with up to 9 decimals (approximate, as doubles are; use graft_dec for money). */
static inline void graft_write_float(graft_buf *b, double v) {
    if (!(v == v && v - v == 0) || v >= 9e18 || v <= -9e18) { graft_puts(b, "null"); return; }
    if (v >= 9e9 || v <= -9e9) { graft_puts(b, graft_int_text((int64_t)v)); return; }
    int64_t scaled = (int64_t)(v * 1e9 + (v < 0 ? -0.5 : 0.5));
    graft_dec d = {scaled, 9};
    while (d.scale > 0 && d.m % 10 == 0) { d.m /= 10; d.scale--; }
    graft_puts(b, graft_dec_text(d));
}

static inline void graft_write_bool(graft_buf *b, bool v) { graft_puts(b, v ? "true" : "false"); }

/** Money as a JSON string, "-12.50": what a BigDecimal with @JsonFormat(shape = STRING) reads. */
static inline void graft_write_dec_string(graft_buf *b, graft_dec v) { graft_write_string(b, graft_dec_text(v)); }

/** A decimal as a JSON number, -12.50 (exact digits). */
static inline void graft_write_dec_number(graft_buf *b, graft_dec v) { graft_puts(b, graft_dec_text(v)); }

static inline void graft_write_raw(graft_buf *b, const char *json) { graft_puts(b, json ? json : "null"); }

#endif
