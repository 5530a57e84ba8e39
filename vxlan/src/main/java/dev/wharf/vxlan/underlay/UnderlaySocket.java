package dev.wharf.vxlan.underlay;

import dev.wharf.dataplane.buffer.PacketBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import org.agrona.collections.Int2ObjectHashMap;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * One worker's UDP socket on the underlay, on Netty's io_uring transport (epoll where io_uring is
 * missing), with the I/O loop driven by the worker itself ({@link ManualIoEventLoop}): each
 * {@link #receive} runs the loop once without blocking, which reaps completed receives and sends and
 * submits queued ones, so no thread sits between the ring and the worker. While the worker sleeps it
 * polls this socket's descriptor: Netty arms a datagram read only once the socket polls readable, so
 * a datagram that arrives waits in the socket and wakes the worker.
 *
 * <p>Every worker binds its own socket to the same address and port with SO_REUSEPORT; the kernel
 * spreads flows over them. Received datagrams stay in Netty's buffers, which the batch points into,
 * until {@link #releaseReceived}. Sends copy the frame behind its tunnel header into a pooled direct
 * buffer (io_uring sends complete later). Created, bound and closed by the control thread; used by one
 * worker thread in between.
 */
public final class UnderlaySocket implements AutoCloseable
{
    /** Datagrams one receive buffer holds: Netty reads up to this many per armed read. */
    private static final int DATAGRAMS_PER_READ = 64;
    private static final int SETUP_SPINS = 1_000_000;

    private final ManualIoEventLoop loop;
    private final DatagramChannel channel;
    private final int descriptor;
    private final int remotePort;
    private final DatagramPacket[] received = new DatagramPacket[PacketBatch.CAPACITY * 2];
    private int receivedCount;
    private int receivedHead;
    private final DatagramPacket[] held = new DatagramPacket[PacketBatch.CAPACITY];
    private int heldCount;
    private final Int2ObjectHashMap<InetSocketAddress> recipients = new Int2ObjectHashMap<>();
    private final ByteBufAllocator allocator;
    private ByteBuf pendingBuffer;
    private boolean unflushed;
    private long overflows;

    /**
     * Opens and binds the socket from the calling (control) thread, which drives the loop until then.
     *
     * @param maxDatagram largest UDP payload received (a jumbo inner frame and its tunnel header).
     * @throws UnderlayException when the address cannot be bound (not on this host, port taken).
     */
    public UnderlaySocket(
        final UnderlayTransport transport, final InetSocketAddress local, final int remotePort, final int maxDatagram)
    {
        final IoHandlerFactory factory = transport.ioHandlerFactory();
        this.loop = new ManualIoEventLoop(Thread.currentThread(), factory);
        this.remotePort = remotePort;
        final DatagramChannel opened = transport.newChannel(SocketProtocolFamily.INET);
        try
        {
            opened.config().setOption(UnixChannelOption.SO_REUSEPORT, true);
            opened.config().setOption(IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, maxDatagram);
            opened.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(maxDatagram * DATAGRAMS_PER_READ));
            opened.config().setReceiveBufferSize(4 << 20);
            opened.config().setSendBufferSize(4 << 20);
            opened.pipeline().addLast(new Receiver());
            await(loop.register(opened), "register");
            await(opened.bind(local), "bind " + local.getAddress().getHostAddress() + ":" + local.getPort());
        }
        catch (final RuntimeException ex)
        {
            opened.close();
            shutdown(loop);
            throw ex;
        }
        this.channel = opened;
        this.descriptor = ((UnixChannel)opened).fd().intValue();
        this.allocator = opened.alloc();
    }

    private void await(final ChannelFuture future, final String what)
    {
        for (int i = 0; i < SETUP_SPINS && !future.isDone(); i++)
        {
            loop.runNow();
        }
        if (!future.isSuccess())
        {
            final Throwable cause = future.cause();
            throw new UnderlayException(what + ": " + (cause == null ? "timed out" : cause.getMessage()), cause);
        }
    }

    /** The socket descriptor a sleeping worker polls. */
    public int descriptor()
    {
        return descriptor;
    }

    /**
     * Runs the loop once and appends up to {@code limit} received datagrams to {@code batch}: each packet
     * points at the datagram's payload (the tunnel header), and its {@link PacketBatch#portPeer} is the
     * sender's IPv4 address.
     */
    public int receive(final PacketBatch batch, final int portId, final int limit)
    {
        if (!loop.inEventLoop())
        {
            loop.setOwningThread(Thread.currentThread()); // the first call of the worker that owns this socket from now on
        }
        if (receivedHead == receivedCount)
        {
            receivedHead = 0;
            receivedCount = 0;
            loop.runNow();
        }
        int n = 0;
        while (n < limit && receivedHead < receivedCount && heldCount < held.length)
        {
            final DatagramPacket packet = received[receivedHead];
            received[receivedHead++] = null;
            final ByteBuf content = packet.content();
            final int i = batch.add(content.memoryAddress() + content.readerIndex(), content.readableBytes(), 0, portId);
            // an Inet4Address's hash is its address: no array copied per datagram
            batch.portPeer[i] = packet.sender().getAddress().hashCode();
            held[heldCount++] = packet;
            n++;
        }
        return n;
    }

    /** Gives Netty back the buffers of every datagram handed out since the last call. */
    public void releaseReceived()
    {
        for (int i = 0; i < heldCount; i++)
        {
            held[i].release();
            held[i] = null;
        }
        heldCount = 0;
    }

    /**
     * Starts a datagram of up to {@code headerLength + frameLength} bytes: returns the address the caller
     * writes its tunnel header and the frame to, then calls {@link #endDatagram}.
     */
    public long beginDatagram(final int headerLength, final int frameLength)
    {
        pendingBuffer = allocator.directBuffer(headerLength + frameLength);
        return pendingBuffer.memoryAddress() + pendingBuffer.writerIndex();
    }

    /** Sends the datagram {@link #beginDatagram} started, {@code length} bytes long in all. */
    public void endDatagram(final int vtep, final int length)
    {
        final ByteBuf buffer = pendingBuffer;
        pendingBuffer = null;
        buffer.writerIndex(buffer.writerIndex() + length);
        channel.write(new DatagramPacket(buffer, recipient(vtep)), channel.voidPromise());
        unflushed = true;
    }

    /** Gives back the buffer of a datagram {@link #beginDatagram} started that will not be sent. */
    public void abandonDatagram()
    {
        pendingBuffer.release();
        pendingBuffer = null;
    }

    private InetSocketAddress recipient(final int vtep)
    {
        InetSocketAddress address = recipients.get(vtep);
        if (address == null)
        {
            // once per VTEP: the address object Netty's DatagramPacket needs
            address = new InetSocketAddress(UnderlayAddresses.inet4(vtep), remotePort);
            recipients.put(vtep, address);
        }
        return address;
    }

    /** Submits every datagram queued since the last call. */
    public void flush()
    {
        if (unflushed)
        {
            unflushed = false;
            channel.flush();
            loop.runNow();
        }
    }

    /** Datagrams dropped since the last call because the receive list was full or not from IPv4; the worker calls it. */
    public long takeOverflows()
    {
        final long taken = overflows;
        overflows = 0;
        return taken;
    }

    @Override
    public void close()
    {
        loop.setOwningThread(Thread.currentThread()); // the workers let go of this socket before the port closes
        releaseReceived();
        for (int i = receivedHead; i < receivedCount; i++)
        {
            received[i].release();
            received[i] = null;
        }
        channel.close();
        shutdown(loop);
    }

    private static void shutdown(final ManualIoEventLoop loop)
    {
        loop.shutdown();
        for (int i = 0; i < SETUP_SPINS && !loop.isTerminated(); i++)
        {
            loop.runNow();
        }
    }

    /** Collects what the loop reads; runs on the worker inside {@link ManualIoEventLoop#runNow}. */
    private final class Receiver extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext context, final Object message)
        {
            final DatagramPacket packet = (DatagramPacket)message;
            if (receivedCount == received.length || !(packet.sender().getAddress() instanceof Inet4Address))
            {
                overflows++;
                packet.release();
                return;
            }
            received[receivedCount++] = packet;
        }
    }
}
