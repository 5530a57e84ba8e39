package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reports printed by wrk 4.1.0 (Debian 12) with {@code --latency} against a private nginx. */
class WrkReportTest
{
    private static final String KEEP_ALIVE = """
        Running 2s test @ http://127.0.0.1:8080/
          1 threads and 8 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency   217.54us  270.91us   4.26ms   95.66%
            Req/Sec    43.93k    11.37k   65.37k    66.67%
          Latency Distribution
             50%  155.00us
             75%  222.00us
             90%  304.00us
             99%    1.68ms
          91560 requests in 2.10s, 20.96MB read
        Requests/sec:  43599.88
        Transfer/sec:      9.98MB
        """;

    /** A run with errors: wrk prints the two extra lines only when there are some. */
    private static final String WITH_ERRORS = """
        Running 10s test @ http://10.96.0.100:80/
          2 threads and 64 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency    12.04ms   30.11ms   1.20s    97.10%
            Req/Sec     3.10k   400.12     4.00k    70.00%
          Latency Distribution
             50%    4.08ms
             75%    6.00ms
             90%   10.00ms
             99%    1.02s
          61234 requests in 10.01s, 13.71MB read
          Socket errors: connect 3, read 120, write 0, timeout 7
          Non-2xx or 3xx responses: 5
        Requests/sec:   6117.28
        Transfer/sec:      1.37MB
        """;

    @Test
    void readsTheRateTheTotalAndThePercentilesInMilliseconds()
    {
        final WrkReport report = WrkReport.parse(KEEP_ALIVE);
        assertTrue(report.completed());
        assertEquals(91_560, report.requests());
        assertEquals(2.10, report.seconds(), 1e-9);
        assertEquals(43_599.88, report.requestsPerSecond(), 1e-9);
        assertEquals(0.155, report.p50Ms(), 1e-9, "us are thousandths of a ms");
        assertEquals(1.68, report.p99Ms(), 1e-9);
        assertEquals(0, report.socketErrors(), "no Socket errors line: none");
        assertEquals(0, report.non2xx());
    }

    @Test
    void addsUpEverySocketErrorAndCountsNon2xxAnswers()
    {
        final WrkReport report = WrkReport.parse(WITH_ERRORS);
        assertEquals(3 + 120 + 0 + 7, report.socketErrors());
        assertEquals(5, report.non2xx());
        assertEquals(6_117.28, report.requestsPerSecond(), 1e-9);
        assertEquals(4.08, report.p50Ms(), 1e-9);
        assertEquals(1_020, report.p99Ms(), 1e-9, "seconds become ms");
        assertEquals(10.01, report.seconds(), 1e-9);
    }

    @Test
    void whatIsNotAReportIsNotCompleted()
    {
        final WrkReport failed = WrkReport.parse("unable to connect to 10.96.0.100:80 Connection refused\n");
        assertFalse(failed.completed());
        assertEquals(0, failed.requests());
        assertTrue(Double.isNaN(failed.requestsPerSecond()));
        assertTrue(Double.isNaN(failed.p99Ms()));
        assertFalse(WrkReport.parse("").completed());
        // the Thread Stats "Latency" line is not the distribution: without --latency there is no p99
        assertTrue(Double.isNaN(WrkReport.parse(KEEP_ALIVE.replaceAll("(?m)^\\s+\\d+%.*\\n", "")).p99Ms()));
    }
}
