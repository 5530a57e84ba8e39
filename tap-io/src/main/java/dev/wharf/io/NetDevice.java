package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Netdevice ioctls on an interface of this process's network namespace, by name (netdevice(7)):
 * its index, MTU and flags. Setup path, called by the control plane; each call opens and closes its
 * own control socket, so it is thread-safe.
 */
final class NetDevice
{
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCGIFINDEX = 0x8933;
    static final int IFF_UP = 0x1;

    private NetDevice()
    {
    }

    /** @return the MTU, or -1 with errno set when the interface cannot be asked (gone, moved to another namespace). */
    static int mtu(final String name)
    {
        return query(name, SIOCGIFMTU);
    }

    /** @return the interface index, or -1 with errno set. */
    static int index(final String name)
    {
        return query(name, SIOCGIFINDEX);
    }

    /** Sets IFF_UP. */
    static void up(final String name) throws PortException
    {
        final LibC libc = Syscalls.libc();
        final UnsafeBuffer memory = NativeMemory.allocate(IfreqFlyweight.LENGTH);
        final IfreqFlyweight ifreq = new IfreqFlyweight().wrap(memory, 0).name(name);
        final int fd = libc.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM | Syscalls.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new PortException("cannot bring " + name + " up: control socket: " + Syscalls.lastError());
        }
        try
        {
            if (libc.ioctl(fd, SIOCGIFFLAGS, memory.addressOffset()) < 0)
            {
                throw new PortException("cannot bring " + name + " up: " + Syscalls.lastError());
            }
            ifreq.flags(ifreq.flags() | IFF_UP);
            if (libc.ioctl(fd, SIOCSIFFLAGS, memory.addressOffset()) < 0)
            {
                throw new PortException("cannot bring " + name + " up: " + Syscalls.lastError());
            }
        }
        finally
        {
            libc.close(fd);
            NativeMemory.free(memory);
        }
    }

    private static int query(final String name, final long request)
    {
        final LibC libc = Syscalls.libc();
        final UnsafeBuffer memory = NativeMemory.allocate(IfreqFlyweight.LENGTH);
        final IfreqFlyweight ifreq = new IfreqFlyweight().wrap(memory, 0).name(name);
        final int fd = libc.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM | Syscalls.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            NativeMemory.free(memory);
            return -1;
        }
        try
        {
            if (libc.ioctl(fd, request, memory.addressOffset()) < 0)
            {
                return -1;
            }
            // ifr_mtu and ifr_ifindex are the same int of the union
            return ifreq.mtu();
        }
        finally
        {
            libc.close(fd);
            NativeMemory.free(memory);
        }
    }
}
