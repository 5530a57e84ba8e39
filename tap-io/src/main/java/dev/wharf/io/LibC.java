package dev.wharf.io;

/**
 * The C library calls tap-io makes, bound through jnr-ffi. Pointers are passed as {@code long}
 * addresses of off-heap memory the caller owns, so a call marshals no objects (x86_64 passes both in
 * the same integer registers). Needs {@code -Djnr.ffi.x86asm.enabled=false} (PLATFORM.md: jnr-ffi
 * bug 181 garbles the sixth argument of mmap, sendto and recvfrom otherwise).
 *
 * <p>Thread-safe: every method is a plain syscall wrapper. errno is read with {@link Syscalls#errno()}.
 */
public interface LibC
{
    int socket(int domain, int type, int protocol);

    int setsockopt(int fd, int level, int name, long value, int valueLength);

    int getsockopt(int fd, int level, int name, long value, long valueLengthAddress);

    int bind(int fd, long address, int addressLength);

    long mmap(long address, long length, int protection, int flags, int fd, long offset);

    int munmap(long address, long length);

    long sendto(int fd, long buffer, long length, int flags, long address, int addressLength);

    long recvfrom(int fd, long buffer, long length, int flags, long address, long addressLengthAddress);

    long read(int fd, long buffer, long length);

    long write(int fd, long buffer, long length);

    long writev(int fd, long iovecs, int count);

    int eventfd(int initialValue, int flags);

    int ioctl(int fd, long request, long argument);

    int open(String path, int flags);

    int close(int fd);

    int poll(long pollFds, long count, int timeoutMs);

    int if_nametoindex(String name);

    String strerror(int errno);
}
