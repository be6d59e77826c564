#ifndef OBJECTMAIL_CSYSTEMIO_SHIM_H
#define OBJECTMAIL_CSYSTEMIO_SHIM_H
#include <sys/types.h>
#include <sys/uio.h>

/* preadv2 is only declared with _GNU_SOURCE, which Swift's Glibc module is not built with;
   glibc >= 2.26 exports it, so declare it here. RWF_NOWAIT (Linux >= 4.14) makes the read fail
   with EAGAIN instead of waiting for the disk: a read that would block is sent to an I/O thread. */
extern ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags);

static inline ssize_t csystemio_pread_nowait(int fd, void *buffer, size_t count, off_t offset) {
    struct iovec vector = { buffer, count };
    return preadv2(fd, &vector, 1, offset, 0x00000008 /* RWF_NOWAIT */);
}

/* syncfs is declared only with _GNU_SOURCE too (glibc >= 2.14 exports it): the fscache makes everything it wrote
   durable with one call a minute under mail_fsync = optimized, instead of an fsync per entry. */
extern int syncfs(int fd);

#include <malloc.h>

/* mallopt's parameters are macros Swift's Glibc module does not carry (malloc.h is not in it). */
static inline int csystemio_set_malloc_thresholds(int mmap_threshold, int trim_threshold) {
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
#endif
