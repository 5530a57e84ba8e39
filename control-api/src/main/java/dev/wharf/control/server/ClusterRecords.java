package dev.wharf.control.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

/**
 * The JSON form of the cluster store's records ({@code cluster.proto}): what etcdctl shows, and what a
 * newer Wharf may add fields to (unknown fields are ignored on read). Any thread.
 */
final class ClusterRecords
{
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private ClusterRecords()
    {
    }

    static String json(final Message record)
    {
        try
        {
            return PRINTER.print(record);
        }
        catch (final InvalidProtocolBufferException e)
        {
            throw new IllegalStateException("a cluster record that cannot be printed: " + e.getMessage(), e);
        }
    }

    /** The record {@code json} holds, parsed into {@code builder}; IllegalArgumentException when it is not one. */
    @SuppressWarnings("unchecked")
    static <T extends Message> T parse(final String json, final Message.Builder builder)
    {
        try
        {
            PARSER.merge(json, builder);
            return (T)builder.build();
        }
        catch (final InvalidProtocolBufferException | RuntimeException e)
        {
            throw new IllegalArgumentException("not a " + builder.getDescriptorForType().getName() + ": " + e.getMessage(), e);
        }
    }
}
