// CRC-32C (Castagnoli). Hardware path: SSE4.2 `crc32q` on three interleaved streams, combined with
// "append n zero bytes" shift tables (the technique of Mark Adler's crc32c.c, zlib licence). Software
// path: slicing-by-8 tables. A runtime cpuid check selects the path once.
#include "CDurableStorage.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <nmmintrin.h>
#define OPTD_HAVE_X86 1
#else
#define OPTD_HAVE_X86 0
#endif

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "CDurableStorage assumes a little-endian target"
#endif

#define POLY 0x82f63b78u
// Interleaved block sizes for the hardware path: 3 x 8 KiB, then 3 x 256 bytes.
#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

static uint32_t sw_table[8][256];
static uint32_t long_shift[4][256];
static uint32_t short_shift[4][256];
static int hw_available;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

// a * b modulo the CRC polynomial, both in the reflected bit order (bit 31 is x^0).
static uint32_t multmodp(uint32_t a, uint32_t b) {
    uint32_t m = (uint32_t)1 << 31, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) break;
        }
        m >>= 1;
        b = (b & 1) ? (b >> 1) ^ POLY : b >> 1;
    }
    return p;
}

// x^(8 n) modulo the polynomial: the operator that appends n zero bytes to a raw CRC register.
static uint32_t zeros_operator(size_t n) {
    uint32_t result = (uint32_t)1 << 31;  // x^0
    uint32_t power = (uint32_t)1 << 23;   // x^8
    while (n) {
        if (n & 1) result = multmodp(power, result);
        power = multmodp(power, power);
        n >>= 1;
    }
    return result;
}

static void build_shift_table(uint32_t table[4][256], size_t n) {
    uint32_t op = zeros_operator(n);
    for (unsigned k = 0; k < 4; k++)
        for (unsigned b = 0; b < 256; b++) table[k][b] = multmodp(op, (uint32_t)b << (8 * k));
}

static inline uint32_t shift(uint32_t table[4][256], uint32_t crc) {
    return table[0][crc & 0xff] ^ table[1][(crc >> 8) & 0xff] ^ table[2][(crc >> 16) & 0xff] ^ table[3][crc >> 24];
}

static void build_tables(void) {
    for (unsigned n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
        sw_table[0][n] = c;
    }
    for (unsigned n = 0; n < 256; n++) {
        uint32_t c = sw_table[0][n];
        for (int k = 1; k < 8; k++) {
            c = sw_table[0][c & 0xff] ^ (c >> 8);
            sw_table[k][n] = c;
        }
    }
    build_shift_table(long_shift, LONG_BLOCK);
    build_shift_table(short_shift, SHORT_BLOCK);
#if OPTD_HAVE_X86
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) hw_available = (ecx & bit_SSE4_2) != 0;
#endif
}

static inline void ensure_tables(void) { pthread_once(&tables_once, build_tables); }

static inline uint64_t load64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t crc32c_sw(uint32_t crc, const unsigned char *p, size_t len) {
    uint64_t c = crc ^ 0xffffffffu;
    while (len && ((uintptr_t)p & 7)) {
        c = sw_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        len--;
    }
    while (len >= 8) {
        uint64_t w = load64(p) ^ c;
        c = sw_table[7][w & 0xff] ^ sw_table[6][(w >> 8) & 0xff] ^ sw_table[5][(w >> 16) & 0xff] ^
            sw_table[4][(w >> 24) & 0xff] ^ sw_table[3][(w >> 32) & 0xff] ^ sw_table[2][(w >> 40) & 0xff] ^
            sw_table[1][(w >> 48) & 0xff] ^ sw_table[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len) {
        c = sw_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        len--;
    }
    return (uint32_t)c ^ 0xffffffffu;
}

#if OPTD_HAVE_X86
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const unsigned char *p, size_t len) {
    uint64_t c0 = crc ^ 0xffffffffu;
    while (len && ((uintptr_t)p & 7)) {
        c0 = _mm_crc32_u8((uint32_t)c0, *p++);
        len--;
    }
    while (len >= 3 * LONG_BLOCK) {
        uint64_t c1 = 0, c2 = 0;
        const unsigned char *end = p + LONG_BLOCK;
        do {
            c0 = _mm_crc32_u64(c0, load64(p));
            c1 = _mm_crc32_u64(c1, load64(p + LONG_BLOCK));
            c2 = _mm_crc32_u64(c2, load64(p + 2 * LONG_BLOCK));
            p += 8;
        } while (p < end);
        c0 = shift(long_shift, (uint32_t)c0) ^ c1;
        c0 = shift(long_shift, (uint32_t)c0) ^ c2;
        p += 2 * LONG_BLOCK;
        len -= 3 * LONG_BLOCK;
    }
    while (len >= 3 * SHORT_BLOCK) {
        uint64_t c1 = 0, c2 = 0;
        const unsigned char *end = p + SHORT_BLOCK;
        do {
            c0 = _mm_crc32_u64(c0, load64(p));
            c1 = _mm_crc32_u64(c1, load64(p + SHORT_BLOCK));
            c2 = _mm_crc32_u64(c2, load64(p + 2 * SHORT_BLOCK));
            p += 8;
        } while (p < end);
        c0 = shift(short_shift, (uint32_t)c0) ^ c1;
        c0 = shift(short_shift, (uint32_t)c0) ^ c2;
        p += 2 * SHORT_BLOCK;
        len -= 3 * SHORT_BLOCK;
    }
    while (len >= 8) {
        c0 = _mm_crc32_u64(c0, load64(p));
        p += 8;
        len -= 8;
    }
    while (len) {
        c0 = _mm_crc32_u8((uint32_t)c0, *p++);
        len--;
    }
    return (uint32_t)c0 ^ 0xffffffffu;
}
#endif

uint32_t optd_crc32c_software(uint32_t crc, const void *data, size_t length) {
    ensure_tables();
    return crc32c_sw(crc, (const unsigned char *)data, length);
}

uint32_t optd_crc32c_hardware(uint32_t crc, const void *data, size_t length) {
    ensure_tables();
#if OPTD_HAVE_X86
    if (hw_available) return crc32c_hw(crc, (const unsigned char *)data, length);
#endif
    return crc32c_sw(crc, (const unsigned char *)data, length);
}

uint32_t optd_crc32c(uint32_t crc, const void *data, size_t length) {
    return optd_crc32c_hardware(crc, data, length);
}

int optd_crc32c_hardware_available(void) {
    ensure_tables();
    return hw_available;
}
