package dev.wharf.vxlan.underlay;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;

/**
 * Which Netty transport the underlay sockets use: io_uring, or epoll where the kernel or the sandbox
 * refuses io_uring (the reason is logged once by the caller, from {@link #unavailability}).
 */
public enum UnderlayTransport
{
    IO_URING
    {
        @Override
        IoHandlerFactory ioHandlerFactory()
        {
            return IoUringIoHandler.newFactory();
        }

        @Override
        DatagramChannel channelOn(final int fd)
        {
            return new IoUringDatagramChannel(fd);
        }

        @Override
        void loadNative()
        {
            IoUring.ensureAvailability();
        }

        @Override
        boolean segmentedSends()
        {
            return IoUringDatagramChannel.isSegmentedDatagramPacketSupported();
        }
    },
    EPOLL
    {
        @Override
        IoHandlerFactory ioHandlerFactory()
        {
            return EpollIoHandler.newFactory();
        }

        @Override
        DatagramChannel channelOn(final int fd)
        {
            return new EpollDatagramChannel(fd);
        }

        @Override
        void loadNative()
        {
            Epoll.ensureAvailability();
        }

        @Override
        boolean segmentedSends()
        {
            return EpollDatagramChannel.isSegmentedDatagramPacketSupported();
        }
    };

    abstract IoHandlerFactory ioHandlerFactory();

    /** A channel on a socket that is open and bound already. */
    abstract DatagramChannel channelOn(int fd);

    /** Loads the transport's native library, which also holds the socket calls. */
    abstract void loadNative();

    /** True when a train of equal datagrams leaves in one send (UDP GSO, {@code SegmentedDatagramPacket}). */
    abstract boolean segmentedSends();

    /** io_uring when it works here, else epoll. */
    public static UnderlayTransport best()
    {
        return IoUring.isAvailable() ? IO_URING : EPOLL;
    }

    /** Why io_uring cannot be used here, or null when it can. */
    public static String unavailability()
    {
        if (IoUring.isAvailable())
        {
            return null;
        }
        final Throwable cause = IoUring.unavailabilityCause();
        return cause == null ? "unknown" : cause.toString();
    }

    /** True when epoll is there to fall back on. */
    public static boolean epollAvailable()
    {
        return Epoll.isAvailable();
    }
}
