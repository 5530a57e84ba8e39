package dev.wharf.bench.e2e;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * What iperf3's {@code -J} report of a TCP test says: the rate the receiver got
 * ({@code end.sum_received.bits_per_second}), the sender's retransmits ({@code end.sum_sent.retransmits})
 * and, when the test failed, iperf3's {@code error}. Read with Gson; a value the report lacks is NaN
 * (or null), and so is everything when the output is not a JSON object (iperf3 died before writing one).
 */
record Iperf3Report(double receivedBitsPerSecond, double retransmits, String error)
{
    static Iperf3Report parse(final String json)
    {
        JsonObject report = null;
        try
        {
            final JsonElement root = JsonParser.parseString(json);
            if (root.isJsonObject())
            {
                report = root.getAsJsonObject();
            }
        }
        catch (final JsonParseException e)
        {
            // not a report: nothing in it
        }
        if (report == null)
        {
            return new Iperf3Report(Double.NaN, Double.NaN, null);
        }
        final JsonObject end = object(report, "end");
        final JsonElement error = report.get("error");
        return new Iperf3Report(number(object(end, "sum_received"), "bits_per_second"), number(object(end, "sum_sent"), "retransmits"),
            error != null && error.isJsonPrimitive() ? error.getAsString() : null);
    }

    /** Whether the report has the receiver's rate, the figure the measurement needs. */
    boolean received()
    {
        return !Double.isNaN(receivedBitsPerSecond);
    }

    private static JsonObject object(final JsonObject parent, final String name)
    {
        final JsonElement child = parent == null ? null : parent.get(name);
        return child != null && child.isJsonObject() ? child.getAsJsonObject() : null;
    }

    private static double number(final JsonObject parent, final String name)
    {
        final JsonElement value = parent == null ? null : parent.get(name);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber() ? value.getAsDouble() : Double.NaN;
    }
}
