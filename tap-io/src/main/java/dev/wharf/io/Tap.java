package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The TAP backend: whether it can run here ({@link #isAvailable()}, {@link #unavailabilityCause()})
 * and how a TAP port is created or opened through /dev/net/tun (include/uapi/linux/if_tun.h).
 * Called by the control plane.
 */
public final class Tap
{
    static final String CLONE_DEVICE = "/dev/net/tun";
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final int IFF_TAP = 0x0002;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;

    private static final Throwable UNAVAILABILITY_CAUSE = probe();

    private Tap()
    {
    }

    public static boolean isAvailable()
    {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why TAP ports cannot be opened here, or null. */
    public static Throwable unavailabilityCause()
    {
        return UNAVAILABILITY_CAUSE;
    }

    public static void ensureAvailability()
    {
        if (UNAVAILABILITY_CAUSE != null)
        {
            throw new UnsupportedOperationException("TAP ports are not available: " + UNAVAILABILITY_CAUSE.getMessage(), UNAVAILABILITY_CAUSE);
        }
    }

    private static Throwable probe()
    {
        if (!System.getProperty("os.name", "").toLowerCase().startsWith("linux"))
        {
            return new UnsupportedOperationException("TAP devices are Linux only");
        }
        if (!Syscalls.isAvailable())
        {
            return Syscalls.unavailabilityCause();
        }
        final LibC libc = Syscalls.libc();
        final int fd = libc.open(CLONE_DEVICE, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
        if (fd < 0)
        {
            return new UnsupportedOperationException("cannot open " + CLONE_DEVICE + ": " + Syscalls.lastError());
        }
        libc.close(fd);
        return null;
    }

    /** Creates the TAP device {@code name}, or attaches to it if it exists, with one queue per worker. */
    public static TapPort open(final String name, final int workers, final PortOptions options) throws PortException
    {
        if (!IfreqFlyweight.isValidName(name))
        {
            throw new PortException("invalid interface name '" + name + "'");
        }
        if (workers < 1)
        {
            throw new PortException("cannot open TAP " + name + " for " + workers + " workers");
        }
        if (!Syscalls.isAvailable())
        {
            throw new PortException("cannot open TAP " + name + ": " + Syscalls.unavailabilityCause());
        }
        final LibC libc = Syscalls.libc();
        final boolean existed = libc.if_nametoindex(name) > 0;
        final int vnetLength = options.offloads() ? VirtioNetHeaderFlyweight.LENGTH : 0;
        final TapQueue[] queues = new TapQueue[workers];
        final UnsafeBuffer scratch = NativeMemory.allocate(64);
        try
        {
            for (int w = 0; w < workers; w++)
            {
                final int fd = attachQueue(libc, name, options.offloads(), scratch, existed);
                try
                {
                    if (options.offloads())
                    {
                        scratch.putInt(0, vnetLength, ByteOrder.nativeOrder());
                        if (libc.ioctl(fd, TUNSETVNETHDRSZ, scratch.addressOffset()) < 0)
                        {
                            throw new PortException("cannot set the virtio-net header size of TAP " + name + ": " + Syscalls.lastError());
                        }
                        // the offloads the kernel may use towards us: checksum and TSO, so TCP arrives as GSO super-frames
                        if (w == 0 && libc.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) < 0)
                        {
                            throw new PortException("cannot enable offloads on TAP " + name + ": " + Syscalls.lastError());
                        }
                    }
                    queues[w] = new TapQueue(fd, vnetLength, options.tapSlots());
                }
                catch (final PortException | RuntimeException ex)
                {
                    libc.close(fd);
                    throw ex;
                }
            }
            final int index = libc.if_nametoindex(name);
            final int mtu = NetDevice.mtu(name);
            if (index <= 0 || mtu <= 0)
            {
                throw new PortException("cannot read the MTU of TAP " + name + ": " + Syscalls.lastError());
            }
            if (!existed)
            {
                NetDevice.up(name);
            }
            return new TapPort(name, index, !existed, options.offloads(), queues, mtu);
        }
        catch (final PortException | RuntimeException ex)
        {
            for (final TapQueue queue : queues)
            {
                if (queue != null)
                {
                    queue.close();
                }
            }
            throw ex;
        }
        finally
        {
            NativeMemory.free(scratch);
        }
    }

    private static int attachQueue(final LibC libc, final String name, final boolean offloads, final UnsafeBuffer scratch, final boolean existed)
        throws PortException
    {
        final int fd = libc.open(CLONE_DEVICE, Syscalls.O_RDWR | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC);
        if (fd < 0)
        {
            throw new PortException("cannot open " + CLONE_DEVICE + " for TAP " + name + ": " + Syscalls.lastError());
        }
        final IfreqFlyweight ifreq = new IfreqFlyweight().wrap(scratch, 0).name(name)
            .flags(IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | (offloads ? IFF_VNET_HDR : 0));
        if (libc.ioctl(fd, TUNSETIFF, scratch.addressOffset()) < 0)
        {
            final int errno = Syscalls.errno();
            libc.close(fd);
            if (errno == Syscalls.EINVAL && existed)
            {
                throw new PortException("interface " + name + " exists but is not a multi-queue TAP device");
            }
            throw new PortException("cannot " + (existed ? "attach to" : "create") + " TAP " + name + ": " + Syscalls.describe(errno));
        }
        if (!name.equals(ifreq.name()))
        {
            libc.close(fd);
            throw new PortException("TAP " + name + " came up as " + ifreq.name());
        }
        return fd;
    }
}
