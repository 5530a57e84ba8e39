package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reports written by iperf3 3.12 ({@code -J}) over loopback, trimmed to one interval. */
class Iperf3ReportTest
{
    private static String resource(final String name) throws IOException
    {
        try (InputStream in = Iperf3ReportTest.class.getResourceAsStream("/iperf3/" + name))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void takesTheReceiversRateAndTheSendersRetransmitsFromTheEndSums() throws IOException
    {
        final Iperf3Report report = Iperf3Report.parse(resource("tcp-2-streams.json"));
        assertTrue(report.received());
        // end.sum_received, not end.sum_sent (16648939485.9) nor an interval's sum
        assertEquals(16558630344.658066, report.receivedBitsPerSecond());
        assertEquals(1, report.retransmits());
        assertNull(report.error());
    }

    @Test
    void aFailedTestHasItsErrorAndNoRate() throws IOException
    {
        final Iperf3Report report = Iperf3Report.parse(resource("connection-refused.json"));
        assertFalse(report.received());
        assertTrue(Double.isNaN(report.retransmits()));
        assertEquals("unable to connect to server: Connection refused", report.error());
    }

    @Test
    void outputThatIsNoReportHasNothing()
    {
        for (final String output : new String[] {"", "iperf3: error - unable to connect", "[1, 2]", "{\"end\": 3}"})
        {
            final Iperf3Report report = Iperf3Report.parse(output);
            assertFalse(report.received(), output);
            assertNull(report.error(), output);
        }
    }
}
