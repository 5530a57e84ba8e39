package dev.wharf.control.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

import java.io.PrintWriter;

/**
 * Prints API responses as JSON (protobuf's canonical mapping: lowerCamelCase names, enums by name,
 * 64-bit numbers as strings), zero values included so that scripts always find every field.
 */
final class Json
{
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

    private Json()
    {
    }

    static void print(final PrintWriter out, final MessageOrBuilder message)
    {
        try
        {
            out.println(PRINTER.print(message));
            out.flush();
        }
        catch (final InvalidProtocolBufferException e)
        {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
