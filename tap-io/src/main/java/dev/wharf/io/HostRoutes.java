package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The host kernel's side of an interface Wharf owns (netdevice(7), the SIOCADDRT ioctls of route(8)):
 * its IPv4 address and the routes through it. For host access, where the kernel reaches Wharf's
 * networks through a TAP device. Setup path, control plane only; each call opens and closes its own
 * control socket, so it is thread-safe.
 */
public final class HostRoutes
{
    static final long SIOCADDRT = 0x890B;
    static final long SIOCDELRT = 0x890C;
    static final long SIOCSIFADDR = 0x8916;
    static final long SIOCSIFNETMASK = 0x891C;
    static final int EEXIST = 17;
    static final int ESRCH = 3;
    private static final short RTF_UP = 0x1;
    private static final short RTF_GATEWAY = 0x2;
    /** struct rtentry (linux/route.h) on LP64: pad, dst, gateway, genmask sockaddrs, flags, ..., dev pointer at 88. */
    private static final int RTENTRY_LENGTH = 120;
    private static final int RT_DST = 8;
    private static final int RT_GATEWAY = 24;
    private static final int RT_GENMASK = 40;
    private static final int RT_FLAGS = 56;
    private static final int RT_DEV = 88;
    /** struct ifreq's ifr_addr (and ifr_netmask): a sockaddr after the name. */
    private static final int IFR_ADDR = 16;

    private HostRoutes()
    {
    }

    /** Gives interface {@code name} the address {@code address/prefixLength} (replacing its IPv4 address) and brings it up. */
    public static void assignAddress(final String name, final int address, final int prefixLength) throws PortException
    {
        ifreqAddress(name, SIOCSIFADDR, address, "cannot give " + name + " its address");
        ifreqAddress(name, SIOCSIFNETMASK, mask(prefixLength), "cannot set the netmask of " + name);
        NetDevice.up(name);
    }

    /** Adds the route {@code subnet/prefixLength via gateway dev name}; one that exists already is left as it is. */
    public static void addRoute(final int subnet, final int prefixLength, final int gateway, final String name) throws PortException
    {
        route(SIOCADDRT, subnet, prefixLength, gateway, name, EEXIST);
    }

    /** Removes that route; one that is not there is no error. */
    public static void deleteRoute(final int subnet, final int prefixLength, final int gateway, final String name) throws PortException
    {
        route(SIOCDELRT, subnet, prefixLength, gateway, name, ESRCH);
    }

    private static int mask(final int prefixLength)
    {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    private static void ifreqAddress(final String name, final long request, final int address, final String failure) throws PortException
    {
        final UnsafeBuffer memory = NativeMemory.allocate(IfreqFlyweight.LENGTH);
        new IfreqFlyweight().wrap(memory, 0).name(name);
        new SockaddrInFlyweight().wrapForWrite(memory, IFR_ADDR).address(address);
        try
        {
            control(request, memory, failure, 0);
        }
        finally
        {
            NativeMemory.free(memory);
        }
    }

    private static void route(
        final long request, final int subnet, final int prefixLength, final int gateway, final String name, final int tolerated)
        throws PortException
    {
        final UnsafeBuffer memory = NativeMemory.allocate(RTENTRY_LENGTH);
        final UnsafeBuffer device = NativeMemory.allocate(IfreqFlyweight.NAME_CAPACITY);
        try
        {
            memory.setMemory(0, RTENTRY_LENGTH, (byte)0);
            device.setMemory(0, IfreqFlyweight.NAME_CAPACITY, (byte)0);
            device.putStringWithoutLengthAscii(0, name);
            final SockaddrInFlyweight sockaddr = new SockaddrInFlyweight();
            sockaddr.wrapForWrite(memory, RT_DST).address(subnet & mask(prefixLength));
            sockaddr.wrapForWrite(memory, RT_GATEWAY).address(gateway);
            sockaddr.wrapForWrite(memory, RT_GENMASK).address(mask(prefixLength));
            memory.putShort(RT_FLAGS, (short)(RTF_UP | RTF_GATEWAY), ByteOrder.nativeOrder());
            memory.putLong(RT_DEV, device.addressOffset(), ByteOrder.nativeOrder());
            control(request, memory, (request == SIOCADDRT ? "cannot add" : "cannot remove") + " the route to " +
                dev.wharf.dataplane.protocol.Ipv4Address.toString(subnet) + "/" + prefixLength + " via " + name, tolerated);
        }
        finally
        {
            NativeMemory.free(device);
            NativeMemory.free(memory);
        }
    }

    private static void control(final long request, final UnsafeBuffer memory, final String failure, final int tolerated) throws PortException
    {
        final LibC libc = Syscalls.libc();
        final int fd = libc.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM | Syscalls.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new PortException(failure + ": control socket: " + Syscalls.lastError());
        }
        try
        {
            if (libc.ioctl(fd, request, memory.addressOffset()) < 0 && (tolerated == 0 || Syscalls.errno() != tolerated))
            {
                throw new PortException(failure + ": " + Syscalls.lastError());
            }
        }
        finally
        {
            libc.close(fd);
        }
    }
}
