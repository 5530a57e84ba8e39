package dev.wharf.control.demo;

import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.io.IcmpEchoSocket;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The demo's ping, run inside a container's namespace
 * ({@code ip netns exec NS java -cp wharf.jar dev.wharf.control.demo.DemoPing ADDRESS [COUNT]}) so that
 * the demo needs no iputils: COUNT echo requests of 56 data bytes, 200 ms apart, each waited for up to
 * 1 s, through an {@link IcmpEchoSocket} (a ping socket, or a raw socket where the namespace grants no
 * ping socket). Prints each reply with its round-trip time and a summary, as ping(8) does. Exits 0 when
 * any reply came, 1 when none did, 2 when it could not ping at all (the reason on stderr), as ping does.
 */
public final class DemoPing
{
    static final int EXIT_REPLIED = 0;
    static final int EXIT_NO_REPLY = 1;
    static final int EXIT_ERROR = 2;

    private static final int PAYLOAD_LENGTH = 56;
    private static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(1);

    private DemoPing()
    {
    }

    public static void main(final String[] args)
    {
        final int address;
        final int count;
        try
        {
            if (args.length < 1 || args.length > 2)
            {
                throw new IllegalArgumentException("expected an address and an optional count");
            }
            address = Ipv4Address.parse(args[0]);
            count = args.length == 2 ? Integer.parseInt(args[1]) : 3;
            if (count < 1)
            {
                throw new IllegalArgumentException("the count must be at least 1");
            }
        }
        catch (final IllegalArgumentException e)
        {
            System.err.println("DemoPing: " + e.getMessage() + "; usage: DemoPing ADDRESS [COUNT]");
            System.exit(EXIT_ERROR);
            return;
        }
        try
        {
            System.exit(ping(address, count));
        }
        catch (final IOException e)
        {
            System.out.flush();
            System.err.println("DemoPing: " + e.getMessage());
            System.exit(EXIT_ERROR);
        }
    }

    private static int ping(final int address, final int count) throws IOException
    {
        final String host = Ipv4Address.toString(address);
        int received = 0;
        long minNs = Long.MAX_VALUE;
        long maxNs = 0;
        long totalNs = 0;
        try (IcmpEchoSocket socket = IcmpEchoSocket.open())
        {
            System.out.println("PING " + host + ": " + PAYLOAD_LENGTH + " data bytes, over a " + socket.kind().description());
            for (int sequence = 1; sequence <= count; sequence++)
            {
                final long sentNs = System.nanoTime();
                socket.sendEchoRequest(address, sequence, PAYLOAD_LENGTH);
                int replied;
                do
                {
                    // a late reply to an earlier request is skipped: each request waits for its own
                    replied = socket.receiveEchoReply(address, sentNs + WAIT_NS);
                }
                while (replied >= 0 && replied != sequence);
                if (replied == sequence)
                {
                    final long rttNs = System.nanoTime() - sentNs;
                    received++;
                    minNs = Math.min(minNs, rttNs);
                    maxNs = Math.max(maxNs, rttNs);
                    totalNs += rttNs;
                    System.out.printf(Locale.ROOT, "%d bytes from %s: icmp_seq=%d time=%.3f ms%n", socket.replyLength(), host, sequence, rttNs / 1e6);
                }
                final long restNs = sentNs + INTERVAL_NS - System.nanoTime();
                if (sequence < count && restNs > 0)
                {
                    sleep(restNs);
                }
            }
        }
        System.out.println("--- " + host + " ping statistics ---");
        System.out.printf(Locale.ROOT, "%d packets transmitted, %d received, %d%% packet loss%n", count, received, (count - received) * 100 / count);
        if (received > 0)
        {
            System.out.printf(Locale.ROOT, "rtt min/avg/max = %.3f/%.3f/%.3f ms%n", minNs / 1e6, totalNs / 1e6 / received, maxNs / 1e6);
        }
        System.out.flush();
        return received > 0 ? EXIT_REPLIED : EXIT_NO_REPLY;
    }

    private static void sleep(final long ns)
    {
        try
        {
            TimeUnit.NANOSECONDS.sleep(ns);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
