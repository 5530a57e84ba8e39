package dev.wharf.vxlan.underlay;

import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * An IPv4 UDP socket opened and bound with Netty's native helpers before any channel exists, so that a
 * bind error reaches the caller at once, with SO_REUSEPORT (one socket per worker on one port) and
 * large buffers (a burst of a TCP window arrives at once). Its descriptor is then handed to a channel.
 *
 * <p>Datagrams leave with DF set and never fragmented (IP_PMTUDISC_DO: a datagram too large for the
 * path fails instead, as a tunnel endpoint must not fragment, RFC 7348 section 4.3). The UDP checksum
 * stays on although RFC 7348 allows zero over IPv4: the kernel refuses UDP GSO sends without one
 * (udp_send_skb, EINVAL with SO_NO_CHECK), and with checksum offload it costs the host nothing.
 */
final class BoundSocket extends Socket
{
    // include/uapi/linux/in.h and asm-generic/socket.h
    private static final int IPPROTO_IP = 0;
    private static final int IP_MTU_DISCOVER = 10;
    private static final int IP_PMTUDISC_DO = 2;

    private BoundSocket(final int fd)
    {
        super(fd);
    }

    /** @throws UnderlayException with the kernel's reason when the socket cannot be made or bound. */
    static BoundSocket open(final UnderlayTransport transport, final InetSocketAddress local, final int bufferBytes)
    {
        return open(transport, local, bufferBytes, true);
    }

    /** @param reusePort share the port with the other workers' sockets (the receive port), or not (a sender's own port). */
    static BoundSocket open(final UnderlayTransport transport, final InetSocketAddress local, final int bufferBytes, final boolean reusePort)
    {
        transport.loadNative();
        final BoundSocket socket = new BoundSocket(newSocketDgram0(SocketProtocolFamily.INET));
        try
        {
            socket.setReusePort(reusePort);
            socket.setReceiveBufferSize(bufferBytes);
            socket.setSendBufferSize(bufferBytes);
            socket.setIntOpt(IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO);
            socket.bind(local);
            return socket;
        }
        catch (final IOException ex)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // the bind error is the one to report
            }
            throw new UnderlayException("cannot bind " + local.getAddress().getHostAddress() + ":" + local.getPort() + ": " +
                reason(ex), ex);
        }
    }

    /** The kernel's words without Netty's "bind(..) failed with error(-99): " in front. */
    private static String reason(final IOException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        final int colon = message.lastIndexOf(": ");
        return colon < 0 ? message : message.substring(colon + 2);
    }
}
