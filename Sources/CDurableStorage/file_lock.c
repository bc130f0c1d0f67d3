// flock(2) for Swift: the Glibc module's `struct flock` shadows the function of the same name.
#include "CDurableStorage.h"

#include <sys/file.h>

int optd_flock_exclusive_nonblocking(int fd) { return flock(fd, LOCK_EX | LOCK_NB); }
