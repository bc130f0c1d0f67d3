#ifndef OPTD_CZLIB_SHIM_H
#define OPTD_CZLIB_SHIM_H
#include <zlib.h>

/// `inflateInit2` is a C macro, so Swift cannot call it; this wrapper can.
static inline int czlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

/// `deflateInit2` is a C macro, so Swift cannot call it; this wrapper can.
static inline int czlib_deflateInit2(z_streamp strm, int level, int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, strategy);
}
#endif
