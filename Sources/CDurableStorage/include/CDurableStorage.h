#ifndef OPTD_CDURABLESTORAGE_H
#define OPTD_CDURABLESTORAGE_H
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `length` bytes at `data`, continuing from
/// `crc` (0 for a fresh checksum). Chaining holds: crc(crc(0, a), b) == crc(0, a || b). Uses the
/// SSE4.2 `crc32` instruction (three interleaved streams) when the CPU has it, otherwise the
/// portable slicing-by-8 tables. Thread-safe; the first call builds the tables once.
uint32_t optd_crc32c(uint32_t crc, const void *data, size_t length);

/// The portable table-driven CRC-32C, same contract as `optd_crc32c` (used by tests and benchmarks).
uint32_t optd_crc32c_software(uint32_t crc, const void *data, size_t length);

/// The hardware CRC-32C, same contract as `optd_crc32c`; falls back to software when the CPU lacks
/// SSE4.2 (check `optd_crc32c_hardware_available`).
uint32_t optd_crc32c_hardware(uint32_t crc, const void *data, size_t length);

/// 1 when `optd_crc32c` uses the SSE4.2 instruction on this CPU, else 0.
int optd_crc32c_hardware_available(void);

/// `flock(fd, LOCK_EX | LOCK_NB)`: 0 on success, else -1 with errno set (EWOULDBLOCK if held elsewhere).
/// Wrapped because Swift's Glibc import shadows the function `flock` with `struct flock`.
int optd_flock_exclusive_nonblocking(int fd);

#endif
