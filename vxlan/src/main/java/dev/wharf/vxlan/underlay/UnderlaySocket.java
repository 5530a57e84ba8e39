package dev.wharf.vxlan.underlay;

import dev.wharf.dataplane.buffer.PacketBatch;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
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
 * <p>The control thread opens and binds the socket itself (so a bad address fails the request at
 * once) and hands the descriptor to a Netty channel whose loop the worker owns from its first call on:
 * a loop runs only on its owning thread, which is set once. Every worker binds its own socket to the
 * same address and port with SO_REUSEPORT; the kernel spreads flows over them. Received datagrams stay
 * in Netty's buffers, which the batch points into, until {@link #releaseReceived}. Sends copy the frame
 * behind its tunnel header into a pooled direct buffer (io_uring sends complete later). Closing is
 * asked by the control thread ({@link #close}) and done by the worker ({@link #closeIfAsked}).
 */
public final class UnderlaySocket implements AutoCloseable
{
    /** Datagrams one receive buffer holds: Netty reads up to this many per armed read. */
    private static final int DATAGRAMS_PER_READ = 64;
    /** Reads per loop run: a run delivers at most {@code DATAGRAMS_PER_READ * READS_PER_RUN} datagrams. */
    private static final int READS_PER_RUN = 8;
    /**
     * Datagrams waiting for the worker: a power of two, room for several runs' worth, because a run made to
     * submit sends ({@link #flush}) reaps reads too, before the worker drained the last ones.
     */
    private static final int RECEIVED_CAPACITY = 4096;
    /** The most segments one UDP GSO send may carry (the kernel's UDP_MAX_SEGMENTS on older kernels). */
    public static final int MAX_TRAIN_SEGMENTS = 64;
    /**
     * Sockets each worker sends from, each bound to its own ephemeral source port: a datagram leaves from the
     * one its inner flow hashes to, so the underlay's ECMP and the far host's RSS spread flows while each flow
     * keeps one path (the kernel's vxlan device and VPP vary the source port by flow hash the same way).
     */
    public static final int SOURCE_PORTS = 8;
    /** The most bytes one UDP GSO send may carry: what one IPv4 datagram's length field allows, less IP and UDP headers. */
    public static final int MAX_TRAIN_BYTES = 65_507;
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final int CLOSE_SPINS = 10_000;

    private final ManualIoEventLoop loop;
    private final DatagramChannel channel;
    private final int descriptor;
    private final int remotePort;
    /** A ring: {@code receivedHead} counts datagrams taken, {@code receivedTail} datagrams put; the index is the count masked. */
    private final DatagramPacket[] received = new DatagramPacket[RECEIVED_CAPACITY];
    private long receivedHead;
    private long receivedTail;
    private final DatagramPacket[] held = new DatagramPacket[PacketBatch.CAPACITY];
    private int heldCount;
    private final Int2ObjectHashMap<InetSocketAddress> recipients = new Int2ObjectHashMap<>();
    private final DatagramChannel[] senders = new DatagramChannel[SOURCE_PORTS];
    private ByteBuf pendingBuffer;
    /** Bit s: sender s has writes not flushed yet. */
    private int unflushed;
    private final boolean segmentedSends;
    private boolean owned;
    private volatile boolean closeAsked;
    private volatile boolean closed;
    private long overflows;

    /**
     * Opens and binds the socket on the calling (control) thread; the worker that calls it first owns it.
     *
     * @param maxDatagram largest UDP payload received (a jumbo inner frame and its tunnel header).
     * @throws UnderlayException when the address cannot be bound (not on this host, port taken).
     */
    public UnderlaySocket(
        final UnderlayTransport transport, final InetSocketAddress local, final int remotePort, final int maxDatagram)
    {
        this.remotePort = remotePort;
        final BoundSocket socket = BoundSocket.open(transport, local, SOCKET_BUFFER_BYTES);
        this.descriptor = socket.intValue();
        final DatagramChannel opened = transport.channelOn(descriptor);
        opened.config().setOption(IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, maxDatagram);
        opened.config().setRecvByteBufAllocator(
            new FixedRecvByteBufAllocator(maxDatagram * DATAGRAMS_PER_READ).maxMessagesPerRead(READS_PER_RUN));
        this.segmentedSends = transport.segmentedSends();
        opened.pipeline().addLast(new Receiver());
        this.channel = opened;
        this.loop = new ManualIoEventLoop(null, transport.ioHandlerFactory());
        loop.register(opened); // done by the owner's first run
        final InetSocketAddress anyPort = new InetSocketAddress(local.getAddress(), 0);
        try
        {
            for (int s = 0; s < SOURCE_PORTS; s++)
            {
                final DatagramChannel sender = transport.channelOn(BoundSocket.open(transport, anyPort, SOCKET_BUFFER_BYTES, false).intValue());
                sender.config().setAutoRead(false); // nothing is sent to these ports; the receive socket is the one above
                sender.pipeline().addLast(new SendErrors());
                senders[s] = sender;
                loop.register(sender);
            }
        }
        catch (final UnderlayException ex)
        {
            closeChannels();
            throw ex;
        }
    }

    /** Makes the calling worker this socket's owner on its first call. */
    private void claim()
    {
        if (!owned)
        {
            owned = true;
            loop.setOwningThread(Thread.currentThread());
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
        claim();
        if (receivedTail - receivedHead <= RECEIVED_CAPACITY - DATAGRAMS_PER_READ * READS_PER_RUN)
        {
            loop.runNow();
        }
        int n = 0;
        while (n < limit && receivedHead < receivedTail && heldCount < held.length)
        {
            final int slot = (int)(receivedHead++) & (RECEIVED_CAPACITY - 1);
            final DatagramPacket packet = received[slot];
            received[slot] = null;
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
     * Starts a datagram (or a train of them) of up to {@code capacity} bytes: returns the address the caller
     * writes its tunnel header and the frame to, then calls {@link #endDatagram} or {@link #endTrain}.
     */
    public long beginDatagram(final int capacity)
    {
        claim();
        pendingBuffer = channel.alloc().directBuffer(capacity);
        return pendingBuffer.memoryAddress() + pendingBuffer.writerIndex();
    }

    /** Sends the datagram {@link #beginDatagram} started, {@code length} bytes long in all, from the source port of {@code flow}. */
    public void endDatagram(final int vtep, final int length, final int flow)
    {
        endTrain(vtep, length, length, flow);
    }

    /** True when a train of datagrams can leave in one send (UDP GSO); else {@link #endTrain} splits it. */
    public boolean segmentedSends()
    {
        return segmentedSends;
    }

    /**
     * Sends what {@link #beginDatagram} started as a train of {@code length / segmentSize} datagrams of
     * {@code segmentSize} bytes each (the last may be shorter) in one send: the kernel cuts it (UDP GSO), as
     * it would a TCP super-frame. Within {@link #MAX_TRAIN_SEGMENTS} and {@link #MAX_TRAIN_BYTES}. It leaves
     * from the source port {@code flow} (a hash of the inner flow) picks.
     */
    public void endTrain(final int vtep, final int length, final int segmentSize, final int flow)
    {
        final ByteBuf buffer = pendingBuffer;
        pendingBuffer = null;
        buffer.writerIndex(buffer.writerIndex() + length);
        final InetSocketAddress recipient = recipient(vtep);
        final int s = flow & (SOURCE_PORTS - 1);
        final DatagramChannel sender = senders[s];
        sender.write(length <= segmentSize ? new DatagramPacket(buffer, recipient) :
            new SegmentedDatagramPacket(buffer, segmentSize, recipient), sender.voidPromise());
        unflushed |= 1 << s;
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
        int pending = unflushed;
        if (pending != 0)
        {
            unflushed = 0;
            while (pending != 0)
            {
                final int s = Integer.numberOfTrailingZeros(pending);
                pending &= pending - 1;
                senders[s].flush();
            }
            loop.runNow();
        }
    }

    /**
     * Datagrams dropped since the last call: received while the receive list was full or not from IPv4, or
     * refused by the kernel on send; the worker calls it.
     */
    public long takeOverflows()
    {
        final long taken = overflows;
        overflows = 0;
        return taken;
    }

    /**
     * Asks the owning worker to close the socket (a loop is run only by its owner); the control thread calls
     * this once no worker forwards through it any more, and the worker does it in {@link #closeIfAsked}.
     * A socket no worker ever used is closed here at once.
     */
    @Override
    public void close()
    {
        if (!owned)
        {
            owned = true;
            loop.setOwningThread(Thread.currentThread());
            closeNow();
            return;
        }
        closeAsked = true;
    }

    /** True once the socket is closed; any thread. */
    public boolean isClosed()
    {
        return closed;
    }

    /** On the owning worker: closes the socket if the control thread asked; true once closed. */
    public boolean closeIfAsked()
    {
        if (!closeAsked || closed)
        {
            return closed;
        }
        closeNow();
        return true;
    }

    private void closeNow()
    {
        closed = true;
        releaseReceived();
        while (receivedHead < receivedTail)
        {
            final int slot = (int)(receivedHead++) & (RECEIVED_CAPACITY - 1);
            received[slot].release();
            received[slot] = null;
        }
        closeChannels();
        loop.shutdown();
        for (int i = 0; i < CLOSE_SPINS && !loop.isTerminated(); i++)
        {
            loop.runNow();
        }
    }

    private void closeChannels()
    {
        channel.close();
        for (final DatagramChannel sender : senders)
        {
            if (sender != null)
            {
                sender.close();
            }
        }
    }

    /** Counts the sends the kernel refused on a sender socket (no route, over the path MTU); never logs per packet. */
    private final class SendErrors extends ChannelInboundHandlerAdapter
    {
        @Override
        public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
        {
            overflows++;
        }
    }

    /** Collects what the loop reads; runs on the worker inside {@link ManualIoEventLoop#runNow}. */
    private final class Receiver extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext context, final Object message)
        {
            final DatagramPacket packet = (DatagramPacket)message;
            if (receivedTail - receivedHead == RECEIVED_CAPACITY || !(packet.sender().getAddress() instanceof Inet4Address))
            {
                overflows++;
                packet.release();
                return;
            }
            received[(int)(receivedTail++) & (RECEIVED_CAPACITY - 1)] = packet;
        }

        /** A send the kernel refused (no route to a VTEP, a datagram over the path MTU): counted, never logged per packet. */
        @Override
        public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
        {
            overflows++;
        }
    }
}