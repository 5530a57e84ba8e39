package dev.wharf.control.server;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.util.List;
import java.util.Map;

/**
 * The bound on every string of an API request ({@value #MAX_STRING_CHARS} characters), checked
 * before any service sees the request ({@link #server()}, on every call the {@link ApiServer}
 * serves) and before the CLI sends it ({@link #client()}). No field of the API needs more (names
 * are at most 64, addresses 18); without the bound an 8 KB argument came back as
 * {@code INTERNAL: http2 exception}: the refusal quoted it in its status message, which travels in
 * the {@code grpc-message} trailer, and the trailers then passed the client's limit on metadata
 * (grpc-java's 8 KiB), so the client reset the stream instead of reading the refusal.
 *
 * <p>Stateless; the interceptors run on gRPC's threads (server) and the caller's (client).
 */
public final class RequestLimits
{
    public static final int MAX_STRING_CHARS = 256;

    private RequestLimits()
    {
    }

    /** Why {@code message} is refused ({@code field "name" is 8000 characters; at most 256}), or null when it is within bounds. */
    public static String problem(final Object message)
    {
        return message instanceof MessageOrBuilder m ? problemIn(m) : null;
    }

    private static String problemIn(final MessageOrBuilder message)
    {
        for (final Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet())
        {
            final FieldDescriptor field = entry.getKey();
            final List<?> values = field.isRepeated() ? (List<?>)entry.getValue() : List.of(entry.getValue());
            for (final Object value : values)
            {
                final String problem = value instanceof String text ? problemOf(field, text) : problem(value);
                if (problem != null)
                {
                    return problem;
                }
            }
        }
        return null;
    }

    private static String problemOf(final FieldDescriptor field, final String text)
    {
        return text.length() <= MAX_STRING_CHARS ? null :
            "field \"" + field.getName() + "\" is " + text.length() + " characters; at most " + MAX_STRING_CHARS;
    }

    /** Refuses, INVALID_ARGUMENT, a request with a string beyond the bound; the service never sees it. */
    public static ServerInterceptor server()
    {
        return new ServerInterceptor()
        {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> next)
            {
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers))
                {
                    private boolean refused;

                    @Override
                    public void onMessage(final Q message)
                    {
                        final String problem = problem(message);
                        if (problem == null)
                        {
                            super.onMessage(message);
                            return;
                        }
                        refused = true;
                        call.close(Status.INVALID_ARGUMENT.withDescription(problem), new Metadata());
                    }

                    @Override
                    public void onHalfClose()
                    {
                        if (!refused)
                        {
                            super.onHalfClose();
                        }
                    }
                };
            }
        };
    }

    /** Fails, INVALID_ARGUMENT, the sending of a request with a string beyond the bound: nothing goes to the daemon. */
    public static ClientInterceptor client()
    {
        return new ClientInterceptor()
        {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(final MethodDescriptor<Q, R> method, final CallOptions options, final Channel next)
            {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options))
                {
                    @Override
                    public void sendMessage(final Q message)
                    {
                        final String problem = problem(message);
                        if (problem != null)
                        {
                            throw Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException();
                        }
                        super.sendMessage(message);
                    }
                };
            }
        };
    }
}
