package dev.wharf.control.e2e;

import com.google.protobuf.util.JsonFormat;
import dev.wharf.control.api.v1.ListPortsResponse;
import dev.wharf.control.api.v1.Port;
import dev.wharf.control.api.v1.ShowTraceResponse;
import dev.wharf.control.api.v1.TracedPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator does first with the outside of NAT (issue 18), on a real daemon: the uplink's
 * interface cannot be attached as a port; {@code wharf capture} and {@code wharf trace} name it and
 * see the masqueraded traffic (judged by tshark: the echo leaves with the uplink's address); and a
 * port whose link is down says so in {@code port ls}. "outside" (10.99.0.1/24) is on one end of a
 * veth pair whose other end, in the root namespace, is the uplink (10.99.0.2); f1 is on
 * {@code front} (masquerade).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UplinkDiagnosticsEndToEndTest
{
    private static final String OUTSIDE_IP = "10.99.0.1";
    private static final String UPLINK_IP = "10.99.0.2";

    private Topology topology;
    private WharfDaemonProcess wharf;
    private final List<BackgroundProcess> background = new ArrayList<>();
    private String uplink;
    private String f1;

    @BeforeEach
    void setUp() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "tshark");
        topology = new Topology("hc8");
        wharf = new WharfDaemonProcess().start();
        final String outside = topology.namespace("out");
        uplink = topology.container(outside, topology.name("up"), OUTSIDE_IP + "/24", null);
        wharf.ok("uplink", "set", uplink, "--ip", UPLINK_IP + "/24", "--gateway", OUTSIDE_IP);
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        f1 = topology.namespace("f1");
        final String hostEnd = topology.container(f1, topology.name("f1"), "10.10.0.2/24", "10.10.0.1");
        wharf.ok("port", "attach", "front", hostEnd, "--ip", "10.10.0.2");
        // the router drops the first echo while it resolves the outside: ARP is done before anything is counted
        topology.exec(20, f1, "ping", "-c", "3", "-i", "0.2", "-W", "2", OUTSIDE_IP).assertOk("f1 -> outside\n" + wharf.log());
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            for (final BackgroundProcess process : background)
            {
                process.close();
            }
            if (wharf != null)
            {
                wharf.close();
            }
        }
        finally
        {
            if (topology != null)
            {
                topology.close();
            }
        }
    }

    @Test
    void theUplinksInterfaceCannotBeAttachedAsAPort()
    {
        final Host.Result refused = wharf.cli("port", "attach", "front", uplink);
        assertEquals(4, refused.exitCode(), refused.stderr());
        assertEquals("wharf: interface \"" + uplink + "\" is the uplink (address " + UPLINK_IP + "/24); a port cannot use it " +
            "(remove the uplink first: wharf uplink rm)\n", refused.stderr());
        assertTrue(f1Pings(), "the uplink still works\n" + wharf.log());
    }

    @Test
    void aCaptureOnTheUplinkSeesTheMasqueradedEchoes() throws Exception
    {
        final Path file = wharf.directory().resolve("uplink.pcap");
        final BackgroundProcess capture = BackgroundProcess.start(wharf.cliCommand("capture", uplink, "-w", file.toString(), "--count", "4"));
        background.add(capture);
        assertTrue(BackgroundProcess.await(30, () -> capture.stderr().contains("capturing on " + uplink)), capture::stderr);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (capture.isAlive() && System.nanoTime() < deadline)
        {
            f1Pings();
        }
        assertEquals(0, capture.waitFor(10), capture::stderr);
        assertTrue(capture.stderr().contains("4 frames captured, 0 lost"), capture::stderr);

        // mostly echoes; a neighbour refresh (ARP) may slip in, which the icmp filter leaves out
        final List<String> lines = Host.run(60, "tshark", "-r", file.toString(), "-o", "ip.check_checksum:TRUE", "-Y", "icmp",
                "-T", "fields", "-E", "separator=,", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type", "-e", "ip.checksum.status")
            .assertOk("tshark -r " + file).stdout().lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.contains(UPLINK_IP + "," + OUTSIDE_IP + ",8,1"), "the echo left with the uplink's address, not 10.10.0.2: " + lines);
        assertTrue(lines.contains(OUTSIDE_IP + "," + UPLINK_IP + ",0,1"), "its reply came back to the uplink's address: " + lines);
        for (final String line : lines)
        {
            assertTrue(line.equals(UPLINK_IP + "," + OUTSIDE_IP + ",8,1") || line.equals(OUTSIDE_IP + "," + UPLINK_IP + ",0,1"), line);
        }
    }

    @Test
    void aTraceOnTheUplinkSeesTheRepliesComeIn() throws Exception
    {
        assertEquals("tracing the next 4 packets received on " + uplink + "; see them with: wharf trace show\n",
            wharf.ok("trace", "start", "--port", uplink, "--count", "4"));
        final ShowTraceResponse[] shown = new ShowTraceResponse[1];
        assertTrue(BackgroundProcess.await(60, () ->
        {
            f1Pings();
            shown[0] = show();
            return shown[0].getPacketsCount() == 4;
        }), () -> "four packets recorded: " + shown[0]);
        for (final TracedPacket packet : shown[0].getPacketsList())
        {
            assertEquals(uplink, packet.getPort(), "received on the uplink: " + packet);
        }
        final TracedPacket reply = shown[0].getPacketsList().stream()
            .filter(p -> p.getSteps(0).getBefore().contains("ipv4 " + OUTSIDE_IP + " > " + UPLINK_IP) && p.getSteps(0).getBefore().contains("icmp type 0"))
            .findFirst().orElseThrow(() -> new AssertionError("no echo reply traced: " + shown[0]));
        assertEquals("done, out port " + topology.name("f1"), reply.getSteps(reply.getStepsCount() - 1).getDecision(),
            "translated back and sent to f1: " + reply);
    }

    @Test
    void aPortWhoseLinkIsDownSaysSoUntilItIsUp() throws Exception
    {
        final String ns = topology.namespace("f2");
        final String hostEnd = topology.container(ns, topology.name("f2"), "10.10.0.3/24", "10.10.0.1");
        Host.run(10, "ip", "link", "set", hostEnd, "down").assertOk("down " + hostEnd);
        wharf.ok("port", "attach", "front", hostEnd, "--ip", "10.10.0.3");
        assertEquals(List.of("down", "link down: the interface is set down"), state(hostEnd));
        assertTrue(wharf.ok("port", "ls").contains("down (link down: the interface is set down)"), wharf.ok("port", "ls"));

        Host.run(10, "ip", "link", "set", hostEnd, "up").assertOk("up " + hostEnd);
        topology.exec(ns, "ip", "link", "set", "eth0", "down").assertOk("container side down");
        assertTrue(BackgroundProcess.await(10, () -> state(hostEnd).equals(List.of("down", "link down: no carrier (a veth whose peer is down)"))),
            () -> state(hostEnd).toString());

        topology.exec(ns, "ip", "link", "set", "eth0", "up").assertOk("container side up");
        assertTrue(BackgroundProcess.await(10, () -> state(hostEnd).equals(List.of("up", ""))), () -> state(hostEnd).toString());
        assertTrue(topology.ping(ns, "10.10.0.1", 1), "it forwards\n" + wharf.log());
    }

    /** A port's state and its reason, from {@code port ls --json}. */
    private List<String> state(final String name)
    {
        try
        {
            final ListPortsResponse.Builder ports = ListPortsResponse.newBuilder();
            JsonFormat.parser().merge(wharf.ok("port", "ls", "--json"), ports);
            final Port port = ports.getPortsList().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
            return List.of(port.getState(), port.getStateReason());
        }
        catch (final com.google.protobuf.InvalidProtocolBufferException e)
        {
            throw new AssertionError(e);
        }
    }

    private boolean f1Pings()
    {
        return topology.exec(10, f1, "ping", "-c", "1", "-W", "1", OUTSIDE_IP).exitCode() == 0;
    }

    private ShowTraceResponse show()
    {
        try
        {
            final ShowTraceResponse.Builder builder = ShowTraceResponse.newBuilder();
            JsonFormat.parser().merge(wharf.ok("trace", "show", "--json"), builder);
            return builder.build();
        }
        catch (final com.google.protobuf.InvalidProtocolBufferException e)
        {
            throw new AssertionError(e);
        }
    }
}
