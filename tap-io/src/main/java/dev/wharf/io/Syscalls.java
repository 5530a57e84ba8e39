package dev.wharf.io;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/**
 * The loaded {@link LibC}, errno, and the Linux constants shared by the port backends. Loading can
 * fail (no native jffi for this platform); {@link #unavailabilityCause()} then says why, and the
 * backends' probes report it instead of throwing.
 *
 * <p>Thread-safe; errno is per thread as in C.
 */
public final class Syscalls
{
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;

    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_ICMP = 1;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int MSG_DONTWAIT = 0x40;

    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int EFD_NONBLOCK = O_NONBLOCK;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int O_CLOEXEC = 0x80000;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_LOCKED = 0x2000;
    public static final long MAP_FAILED = -1;

    public static final short POLLIN = 1;

    private static final LibC LIBC;
    private static final Runtime RUNTIME;
    private static final Throwable UNAVAILABILITY_CAUSE;

    static
    {
        LibC libc = null;
        Runtime runtime = null;
        Throwable cause = null;
        try
        {
            libc = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, Boolean.TRUE).load("c");
            runtime = Runtime.getRuntime(libc);
        }
        catch (final Throwable t)
        {
            cause = t;
        }
        LIBC = libc;
        RUNTIME = runtime;
        UNAVAILABILITY_CAUSE = cause;
    }

    private Syscalls()
    {
    }

    public static boolean isAvailable()
    {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why the C library could not be bound, or null. */
    public static Throwable unavailabilityCause()
    {
        return UNAVAILABILITY_CAUSE;
    }

    public static LibC libc()
    {
        if (LIBC == null)
        {
            throw new IllegalStateException("libc is not available: " + UNAVAILABILITY_CAUSE, UNAVAILABILITY_CAUSE);
        }
        return LIBC;
    }

    /** errno of this thread's last call through {@link #libc()}. */
    public static int errno()
    {
        return RUNTIME.getLastError();
    }

    /** errno as the C library words it, lower-cased to read inside a sentence ("permission denied"). */
    public static String describe(final int errno)
    {
        final String text = LIBC.strerror(errno);
        if (text == null || text.isEmpty())
        {
            return "errno " + errno;
        }
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }

    /** The current errno, described; for one-line error messages on the setup path. */
    public static String lastError()
    {
        return describe(errno());
    }
}
