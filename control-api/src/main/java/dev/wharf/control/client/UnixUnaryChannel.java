package dev.wharf.control.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A gRPC channel for unary calls on the daemon's Unix socket that speaks HTTP/2 (RFC 9113) itself, over a JDK
 * {@link SocketChannel}: one connection, opened at the first call, one stream per call, in the caller's thread.
 * The CLI makes one or two unary calls per run; setting up Netty's event loop, channel pipeline and gRPC's
 * managed channel for them costs more than the calls. Other kinds of call (the capture stream) go to the
 * {@code streaming} channel, made when first needed. Headers are encoded as HPACK literals without indexing
 * (RFC 7541 6.2.2) and decoded by Netty's HPACK decoder. One thread at a time.
 */
final class UnixUnaryChannel extends Channel implements AutoCloseable
{
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FRAME_HEADER = 9;
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int WINDOW_UPDATE = 0x8;
    private static final int CONTINUATION = 0x9;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final int SETTINGS_ENABLE_PUSH = 0x2;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
    /** The largest frame the peer may send us: the default, which we do not raise. */
    private static final int MAX_FRAME = 16_384;
    private static final int DEFAULT_WINDOW = 65_535;
    /** Our receive windows, stream and connection: the largest allowed, so that a reply never waits for a WINDOW_UPDATE. */
    private static final int MAX_WINDOW = Integer.MAX_VALUE;

    private final Path socket;
    private final int maxInboundMessageBytes;
    private final Supplier<Channel> streaming;

    private SocketChannel connection;
    private Selector selector;
    private ByteBuffer in;
    private DefaultHttp2HeadersDecoder decoder;
    private int nextStreamId;
    private int peerMaxFrame;
    private int peerInitialWindow;
    private long connectionSendWindow;
    private boolean draining;

    UnixUnaryChannel(final Path socket, final int maxInboundMessageBytes, final Supplier<Channel> streaming)
    {
        this.socket = socket;
        this.maxInboundMessageBytes = maxInboundMessageBytes;
        this.streaming = streaming;
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(final MethodDescriptor<Q, R> method, final CallOptions options)
    {
        if (method.getType() != MethodDescriptor.MethodType.UNARY)
        {
            return streaming.get().newCall(method, options);
        }
        return new UnaryCall<>(method, options);
    }

    @Override
    public String authority()
    {
        return "localhost";
    }

    @Override
    public void close()
    {
        disconnect();
    }

    /** One unary call: collects the request, and on halfClose runs the exchange and reports it to the listener. */
    private final class UnaryCall<Q, R> extends ClientCall<Q, R>
    {
        private final MethodDescriptor<Q, R> method;
        private final CallOptions options;
        private Listener<R> listener;
        private Metadata headers;
        private byte[] request;
        private boolean finished;

        UnaryCall(final MethodDescriptor<Q, R> method, final CallOptions options)
        {
            this.method = method;
            this.options = options;
        }

        @Override
        public void start(final Listener<R> listener, final Metadata headers)
        {
            this.listener = listener;
            this.headers = headers;
        }

        @Override
        public void request(final int numMessages)
        {
        }

        @Override
        public void cancel(final String message, final Throwable cause)
        {
            if (!finished)
            {
                finished = true;
                disconnect();
                final Status status = Status.CANCELLED.withDescription(message).withCause(cause);
                deliver(() -> listener.onClose(status, new Metadata()));
            }
        }

        @Override
        public void halfClose()
        {
            if (finished)
            {
                return;
            }
            finished = true;
            final Exchange exchange = exchange(method.getFullMethodName(), headers, request, options.getDeadline());
            Status status = exchange.status;
            R response = null;
            if (status.isOk())
            {
                try
                {
                    response = method.parseResponse(exchange.message(maxInboundMessageBytes));
                }
                catch (final RuntimeException | IOException e)
                {
                    status = Status.INTERNAL.withDescription("cannot read the response: " + e.getMessage()).withCause(e);
                }
            }
            final Status closed = status;
            final R message = response;
            deliver(() ->
            {
                if (exchange.headers != null)
                {
                    listener.onHeaders(exchange.headers);
                }
                if (message != null)
                {
                    listener.onMessage(message);
                }
                listener.onClose(closed, exchange.trailers == null ? new Metadata() : exchange.trailers);
            });
        }

        @Override
        public void sendMessage(final Q message)
        {
            try (InputStream stream = method.streamRequest(message))
            {
                request = stream.readAllBytes();
            }
            catch (final IOException e)
            {
                throw Status.INTERNAL.withDescription("cannot serialize the request").withCause(e).asRuntimeException();
            }
        }

        @Override
        public boolean isReady()
        {
            return !finished;
        }

        private void deliver(final Runnable callback)
        {
            final Executor executor = options.getExecutor();
            if (executor == null)
            {
                callback.run();
            }
            else
            {
                executor.execute(callback);
            }
        }
    }

    /** What one stream brought back: its status (from grpc-status, or a transport failure), headers, trailers and body. */
    private static final class Exchange
    {
        Status status;
        Metadata headers;
        Metadata trailers;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        /** The one length-prefixed message of a unary reply (gRPC over HTTP/2: flag byte, 4-byte length, bytes). */
        InputStream message(final int maxBytes) throws IOException
        {
            final byte[] bytes = body.toByteArray();
            if (bytes.length < 5)
            {
                throw new IOException("no response message");
            }
            if (bytes[0] != 0)
            {
                throw new IOException("a compressed response, which this client did not ask for");
            }
            final int length = ByteBuffer.wrap(bytes, 1, 4).getInt();
            if (length < 0 || length > maxBytes || length != bytes.length - 5)
            {
                throw new IOException("a response of " + length + " bytes in a body of " + bytes.length);
            }
            return new ByteArrayInputStream(bytes, 5, length);
        }
    }

    private Exchange exchange(final String fullMethodName, final Metadata metadata, final byte[] request, final Deadline deadline)
    {
        final Exchange exchange = new Exchange();
        final long deadlineNanos = deadline == null ? Long.MAX_VALUE : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
        try
        {
            if (draining)
            {
                disconnect();
            }
            connect(deadlineNanos);
            final int streamId = nextStreamId;
            nextStreamId += 2;
            writeFrames(HEADERS, END_HEADERS, streamId, requestHeaders(fullMethodName, metadata, deadlineNanos));
            final byte[] body = ByteBuffer.allocate(5 + request.length).put((byte)0).putInt(request.length).put(request).array();
            send(streamId, body, exchange, deadlineNanos);
            while (exchange.status == null)
            {
                readFrame(streamId, exchange, deadlineNanos);
            }
        }
        catch (final DeadlineException e)
        {
            disconnect();
            exchange.status = Status.DEADLINE_EXCEEDED.withDescription("no answer from " + socket + " in time");
        }
        catch (final IOException | Http2Exception e)
        {
            disconnect();
            exchange.status = Status.UNAVAILABLE.withDescription("cannot reach the daemon at " + socket).withCause(e);
        }
        catch (final RuntimeException e)
        {
            disconnect();
            exchange.status = Status.INTERNAL.withDescription("a reply this client cannot read: " + e).withCause(e);
        }
        return exchange;
    }

    private void connect(final long deadlineNanos) throws IOException, DeadlineException, Http2Exception
    {
        if (connection != null)
        {
            return;
        }
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try
        {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }
        catch (final IOException e)
        {
            channel.close();
            throw e;
        }
        connection = channel;
        in = ByteBuffer.allocate(4 * MAX_FRAME).flip();
        decoder = new DefaultHttp2HeadersDecoder(false);
        nextStreamId = 1;
        peerMaxFrame = MAX_FRAME;
        peerInitialWindow = DEFAULT_WINDOW;
        connectionSendWindow = DEFAULT_WINDOW;
        draining = false;
        final ByteBuffer settings = ByteBuffer.allocate(12)
            .putShort((short)SETTINGS_ENABLE_PUSH).putInt(0)
            .putShort((short)SETTINGS_INITIAL_WINDOW_SIZE).putInt(MAX_WINDOW);
        final ByteBuffer windowUpdate = ByteBuffer.allocate(4).putInt(MAX_WINDOW - DEFAULT_WINDOW);
        write(ByteBuffer.wrap(PREFACE));
        writeFrame(SETTINGS, 0, 0, settings.array(), 0, 12);
        writeFrame(WINDOW_UPDATE, 0, 0, windowUpdate.array(), 0, 4);
    }

    private void disconnect()
    {
        try
        {
            if (selector != null)
            {
                selector.close();
            }
            if (connection != null)
            {
                connection.close();
            }
        }
        catch (final IOException ignored)
        {
            // closing: nothing is left to tell
        }
        selector = null;
        connection = null;
    }

    /** The request's DATA frames, as far as the peer's windows allow; reads frames (WINDOW_UPDATE, SETTINGS) while they are shut. */
    private void send(final int streamId, final byte[] body, final Exchange exchange, final long deadlineNanos)
        throws IOException, DeadlineException, Http2Exception
    {
        long streamWindow = peerInitialWindow;
        int offset = 0;
        while (offset < body.length && exchange.status == null)
        {
            final int chunk = (int)Math.min(body.length - offset, Math.min(peerMaxFrame, Math.min(connectionSendWindow, streamWindow)));
            if (chunk <= 0)
            {
                final int before = peerInitialWindow;
                final long received = readFrame(streamId, exchange, deadlineNanos);
                streamWindow += received + (peerInitialWindow - before);
                continue;
            }
            writeFrame(DATA, offset + chunk == body.length ? END_STREAM : 0, streamId, body, offset, chunk);
            offset += chunk;
            connectionSendWindow -= chunk;
            streamWindow -= chunk;
        }
    }

    /**
     * Reads and handles one frame; the exchange gets its status once {@code streamId} ends.
     *
     * @return the window this frame gave {@code streamId} (a WINDOW_UPDATE on it), else 0.
     */
    private long readFrame(final int streamId, final Exchange exchange, final long deadlineNanos)
        throws IOException, DeadlineException, Http2Exception
    {
        final ByteBuffer header = ByteBuffer.wrap(readFully(FRAME_HEADER, deadlineNanos));
        final int length = (header.get() & 0xff) << 16 | (header.get() & 0xff) << 8 | header.get() & 0xff;
        final int type = header.get() & 0xff;
        final int flags = header.get() & 0xff;
        final int stream = header.getInt() & 0x7fff_ffff;
        if (length > MAX_FRAME)
        {
            throw new IOException("a frame of " + length + " bytes, more than the " + MAX_FRAME + " allowed");
        }
        final byte[] payload = readFully(length, deadlineNanos);
        switch (type)
        {
            case DATA:
                if (stream == streamId)
                {
                    final int pad = (flags & PADDED) != 0 ? (payload[0] & 0xff) + 1 : 0;
                    if (exchange.body.size() + length > maxInboundMessageBytes + 5L)
                    {
                        throw new IOException("a response larger than " + maxInboundMessageBytes + " bytes");
                    }
                    exchange.body.write(payload, (flags & PADDED) != 0 ? 1 : 0, length - pad);
                    if ((flags & END_STREAM) != 0)
                    {
                        finish(exchange);
                    }
                }
                return 0;
            case HEADERS:
                onHeaders(stream, flags, payload, streamId, exchange, deadlineNanos);
                return 0;
            case RST_STREAM:
                if (stream == streamId)
                {
                    final int code = ByteBuffer.wrap(payload).getInt();
                    exchange.status = (code == 0x8 ? Status.CANCELLED : code == 0x7 ? Status.UNAVAILABLE : Status.INTERNAL)
                        .withDescription("the daemon reset the stream (HTTP/2 error " + code + ")");
                }
                return 0;
            case SETTINGS:
                if ((flags & ACK) == 0)
                {
                    onSettings(payload);
                    writeFrame(SETTINGS, ACK, 0, payload, 0, 0);
                }
                return 0;
            case PING:
                if ((flags & ACK) == 0)
                {
                    writeFrame(PING, ACK, 0, payload, 0, payload.length);
                }
                return 0;
            case GOAWAY:
                if ((ByteBuffer.wrap(payload).getInt() & 0x7fff_ffff) < streamId)
                {
                    disconnect();
                    exchange.status = Status.UNAVAILABLE.withDescription("the daemon closed the connection (GOAWAY)");
                }
                else
                {
                    draining = true; // this stream still ends; the next call opens a new connection
                }
                return 0;
            case WINDOW_UPDATE:
                final long increment = ByteBuffer.wrap(payload).getInt() & 0x7fff_ffffL;
                if (stream == 0)
                {
                    connectionSendWindow += increment;
                    return 0;
                }
                return stream == streamId ? increment : 0;
            default:
                return 0; // PRIORITY and unknown frames carry nothing a unary call needs
        }
    }

    private void onSettings(final byte[] payload)
    {
        final ByteBuffer settings = ByteBuffer.wrap(payload);
        while (settings.remaining() >= 6)
        {
            final int id = settings.getShort() & 0xffff;
            final int value = settings.getInt();
            if (id == SETTINGS_INITIAL_WINDOW_SIZE)
            {
                peerInitialWindow = value;
            }
            else if (id == SETTINGS_MAX_FRAME_SIZE)
            {
                peerMaxFrame = value;
            }
        }
    }

    /** A header block (with its CONTINUATIONs): every block goes through the decoder, whose table the connection shares. */
    private void onHeaders(final int stream, final int flags, final byte[] payload, final int streamId, final Exchange exchange,
        final long deadlineNanos) throws IOException, DeadlineException, Http2Exception
    {
        final int pad = (flags & PADDED) != 0 ? (payload[0] & 0xff) : 0;
        final int start = ((flags & PADDED) != 0 ? 1 : 0) + ((flags & PRIORITY) != 0 ? 5 : 0);
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(payload, start, payload.length - start - pad);
        boolean endHeaders = (flags & END_HEADERS) != 0;
        while (!endHeaders)
        {
            final ByteBuffer header = ByteBuffer.wrap(readFully(FRAME_HEADER, deadlineNanos));
            final int length = (header.get() & 0xff) << 16 | (header.get() & 0xff) << 8 | header.get() & 0xff;
            final int type = header.get() & 0xff;
            final int continuationFlags = header.get() & 0xff;
            header.getInt();
            if (type != CONTINUATION || length > MAX_FRAME)
            {
                throw new IOException("a header block interrupted by a frame of type " + type);
            }
            block.write(readFully(length, deadlineNanos));
            endHeaders = (continuationFlags & END_HEADERS) != 0;
        }
        final Http2Headers headers = decoder.decodeHeaders(stream, Unpooled.wrappedBuffer(block.toByteArray()));
        if (stream != streamId)
        {
            return;
        }
        final Metadata metadata = metadata(headers);
        if (exchange.headers == null && (flags & END_STREAM) == 0)
        {
            exchange.headers = metadata;
            final CharSequence httpStatus = headers.status();
            if (httpStatus != null && !"200".contentEquals(httpStatus))
            {
                exchange.status = httpStatus(httpStatus.toString());
            }
            return;
        }
        exchange.trailers = metadata;
        final CharSequence grpcStatus = headers.get("grpc-status");
        if (grpcStatus == null)
        {
            final CharSequence httpStatus = headers.status();
            exchange.status = httpStatus != null && !"200".contentEquals(httpStatus) ? httpStatus(httpStatus.toString()) :
                Status.INTERNAL.withDescription("the daemon's reply has no grpc-status");
            return;
        }
        final CharSequence message = headers.get("grpc-message");
        Status status = Status.fromCodeValue(Integer.parseInt(grpcStatus.toString()));
        if (message != null)
        {
            status = status.withDescription(percentDecode(message.toString()));
        }
        exchange.status = status;
    }

    /** Ends the stream at an END_STREAM on DATA: a reply without trailers. */
    private static void finish(final Exchange exchange)
    {
        if (exchange.status == null)
        {
            exchange.status = Status.INTERNAL.withDescription("the daemon's reply ended without trailers");
        }
    }

    /** gRPC's mapping of an HTTP status to a code, for a reply that is not gRPC's (PROTOCOL-HTTP2.md). */
    private static Status httpStatus(final String httpStatus)
    {
        final Status status = switch (httpStatus)
        {
            case "400" -> Status.INTERNAL;
            case "401" -> Status.UNAUTHENTICATED;
            case "403" -> Status.PERMISSION_DENIED;
            case "404" -> Status.UNIMPLEMENTED;
            case "429", "502", "503", "504" -> Status.UNAVAILABLE;
            default -> Status.UNKNOWN;
        };
        return status.withDescription("HTTP status " + httpStatus);
    }

    /** grpc-message is percent-encoded UTF-8; '+' stands for itself, unlike in a form. */
    private static String percentDecode(final String message)
    {
        return message.indexOf('%') < 0 ? message : URLDecoder.decode(message.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Metadata metadata(final Http2Headers headers)
    {
        final Metadata metadata = new Metadata();
        for (final Map.Entry<CharSequence, CharSequence> header : headers)
        {
            final String name = header.getKey().toString();
            if (name.startsWith(":"))
            {
                continue;
            }
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX))
            {
                metadata.put(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER), Base64.getDecoder().decode(header.getValue().toString()));
            }
            else
            {
                metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), header.getValue().toString());
            }
        }
        return metadata;
    }

    /** The request's header block: gRPC's required headers and the call's metadata, as HPACK literals without indexing. */
    private byte[] requestHeaders(final String fullMethodName, final Metadata metadata, final long deadlineNanos)
    {
        final ByteArrayOutputStream block = new ByteArrayOutputStream(256);
        literal(block, ":method", "POST");
        literal(block, ":scheme", "http");
        literal(block, ":path", "/" + fullMethodName);
        literal(block, ":authority", authority());
        literal(block, "content-type", "application/grpc");
        literal(block, "te", "trailers");
        literal(block, "user-agent", "wharf-cli");
        if (deadlineNanos != Long.MAX_VALUE)
        {
            final long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
            literal(block, "grpc-timeout", millis < 100_000_000 ? millis + "m" : TimeUnit.MILLISECONDS.toSeconds(millis) + "S");
        }
        for (final String key : metadata.keys())
        {
            if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX))
            {
                for (final byte[] value : metadata.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER)))
                {
                    literal(block, key, Base64.getEncoder().withoutPadding().encodeToString(value));
                }
            }
            else
            {
                for (final String value : metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)))
                {
                    literal(block, key, value);
                }
            }
        }
        return block.toByteArray();
    }

    /** RFC 7541 6.2.2: 0000 0000, then the name and the value, each a 7-bit-prefix length and raw (not Huffman) octets. */
    private static void literal(final ByteArrayOutputStream block, final String name, final String value)
    {
        block.write(0);
        string(block, name.getBytes(StandardCharsets.US_ASCII));
        string(block, value.getBytes(StandardCharsets.US_ASCII));
    }

    private static void string(final ByteArrayOutputStream block, final byte[] octets)
    {
        int length = octets.length;
        if (length < 127)
        {
            block.write(length);
        }
        else
        {
            block.write(127);
            length -= 127;
            while (length >= 128)
            {
                block.write(length & 0x7f | 0x80);
                length >>>= 7;
            }
            block.write(length);
        }
        block.write(octets, 0, octets.length);
    }

    /** A HEADERS frame, split into CONTINUATIONs when the block is larger than the peer's frames. */
    private void writeFrames(final int type, final int flags, final int streamId, final byte[] block) throws IOException, DeadlineException
    {
        if (block.length <= peerMaxFrame)
        {
            writeFrame(type, flags, streamId, block, 0, block.length);
            return;
        }
        int offset = 0;
        while (offset < block.length)
        {
            final int chunk = Math.min(peerMaxFrame, block.length - offset);
            final boolean last = offset + chunk == block.length;
            writeFrame(offset == 0 ? type : CONTINUATION, last ? flags : flags & ~END_HEADERS, streamId, block, offset, chunk);
            offset += chunk;
        }
    }

    private void writeFrame(final int type, final int flags, final int streamId, final byte[] payload, final int offset, final int length)
        throws IOException, DeadlineException
    {
        final ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER + length);
        frame.put((byte)(length >>> 16)).put((byte)(length >>> 8)).put((byte)length).put((byte)type).put((byte)flags).putInt(streamId);
        frame.put(payload, offset, length).flip();
        write(frame);
    }

    private void write(final ByteBuffer bytes) throws IOException
    {
        while (bytes.hasRemaining())
        {
            if (connection.write(bytes) == 0)
            {
                // the socket's buffer is full: the daemon reads it soon, requests are small
                Thread.onSpinWait();
            }
        }
    }

    private byte[] readFully(final int length, final long deadlineNanos) throws IOException, DeadlineException
    {
        final byte[] bytes = new byte[length];
        int filled = 0;
        while (filled < length)
        {
            if (!in.hasRemaining())
            {
                in.clear();
                int read;
                while ((read = connection.read(in)) == 0)
                {
                    final long left = deadlineNanos - System.nanoTime();
                    if (left <= 0)
                    {
                        throw new DeadlineException();
                    }
                    selector.select(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), Integer.MAX_VALUE)));
                    selector.selectedKeys().clear();
                }
                in.flip();
                if (read < 0)
                {
                    throw new IOException("the daemon closed the connection");
                }
            }
            final int chunk = Math.min(in.remaining(), length - filled);
            in.get(bytes, filled, chunk);
            filled += chunk;
        }
        return bytes;
    }

    /** The call's deadline passed while waiting for the daemon. */
    private static final class DeadlineException extends Exception
    {
        private static final long serialVersionUID = 1L;

        DeadlineException()
        {
            super(null, null, false, false);
        }
    }
}
