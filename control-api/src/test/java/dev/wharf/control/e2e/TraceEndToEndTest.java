package dev.wharf.control.e2e;

import com.google.protobuf.util.JsonFormat;
import dev.wharf.control.api.v1.ShowTraceResponse;
import dev.wharf.control.api.v1.TraceState;
import dev.wharf.control.api.v1.TraceStep;
import dev.wharf.control.api.v1.TracedPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wharf trace} on a real daemon: two containers on one network, a trace on c1's port, one
 * ping to c2 and one to the gateway; {@code trace show} must show the nodes of both paths, and its
 * JSON must parse as the API's message.
 */
class TraceEndToEndTest
{
    private Topology topology;
    private WharfDaemonProcess wharf;
    private String c1;
    private String p1;
    private String p2;

    @BeforeEach
    void setUp() throws Exception
    {
        Host.requireRootAnd("ip", "ping");
        topology = new Topology("wtct");
        wharf = new WharfDaemonProcess().start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        c1 = topology.namespace("c1");
        final String c2 = topology.namespace("c2");
        p1 = topology.container(c1, topology.name("h1"), "10.10.0.2/24", "10.10.0.1");
        p2 = topology.container(c2, topology.name("h2"), "10.10.0.3/24", "10.10.0.1");
        wharf.ok("port", "attach", "front", p1, "--ip", "10.10.0.2");
        wharf.ok("port", "attach", "front", p2, "--ip", "10.10.0.3");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
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

    private ShowTraceResponse show() throws Exception
    {
        final ShowTraceResponse.Builder builder = ShowTraceResponse.newBuilder();
        JsonFormat.parser().merge(wharf.ok("trace", "show", "--json"), builder);
        return builder.build();
    }

    private static List<String> nodes(final TracedPacket packet)
    {
        return packet.getStepsList().stream().map(TraceStep::getNode).toList();
    }

    private static TraceStep last(final TracedPacket packet)
    {
        return packet.getSteps(packet.getStepsCount() - 1);
    }

    @Test
    void traceShowsThePathsOfAPingToAContainerAndToTheGateway() throws Exception
    {
        assertEquals("tracing the next 4 packets received on " + p1 + "; see them with: wharf trace show\n",
            wharf.ok("trace", "start", "--port", p1, "--count", "4"));
        // c1 asks ARP for c2, pings it, asks ARP for the gateway, pings it: four packets in on p1
        assertTrue(topology.ping(c1, "10.10.0.3", 1), "c1 -> c2\n" + wharf.log());
        assertTrue(topology.ping(c1, "10.10.0.1", 1), "c1 -> gateway\n" + wharf.log());
        final ShowTraceResponse[] shown = new ShowTraceResponse[1];
        assertTrue(BackgroundProcess.await(20, () ->
        {
            try
            {
                shown[0] = show();
                return shown[0].getPacketsCount() == 4;
            }
            catch (final Exception e)
            {
                throw new AssertionError(e);
            }
        }), () -> "four packets recorded: " + shown[0]);
        final ShowTraceResponse trace = shown[0];
        assertEquals(TraceState.TRACE_STATE_FINISHED, trace.getTrace().getState());

        final TracedPacket toC2 = trace.getPacketsList().stream()
            .filter(p -> p.getSteps(0).getBefore().contains("ipv4 10.10.0.2 > 10.10.0.3") && p.getSteps(0).getBefore().contains("icmp type 8"))
            .findFirst().orElseThrow(() -> new AssertionError("no echo request to c2 traced: " + trace));
        assertEquals(p1, toC2.getPort());
        // the daemon loads NAT and the overlay: l2-user-rules (no rule) and overlay-encap look at the frame and pass it on
        assertEquals(List.of("ethernet-input", "l2-learn", "l2-user-rules", "l2-forward", "overlay-encap", "interface-output"), nodes(toC2));
        assertEquals("done, out port " + p2, last(toC2).getDecision());

        final TracedPacket toGateway = trace.getPacketsList().stream()
            .filter(p -> p.getSteps(0).getBefore().contains("ipv4 10.10.0.2 > 10.10.0.1") && p.getSteps(0).getBefore().contains("icmp type 8"))
            .findFirst().orElseThrow(() -> new AssertionError("no echo request to the gateway traced: " + trace));
        assertTrue(nodes(toGateway).containsAll(List.of("ethernet-input", "l2-learn", "ip4-input", "icmp-echo", "interface-output")),
            nodes(toGateway)::toString);
        final TraceStep echo = toGateway.getStepsList().stream().filter(s -> s.getNode().equals("icmp-echo")).findFirst().orElseThrow();
        assertTrue(echo.getAfter().contains("ipv4 10.10.0.1 > 10.10.0.2") && echo.getAfter().contains("icmp type 0"),
            "icmp-echo turned the request into the reply: " + echo);
        assertEquals("done, out port " + p1, last(toGateway).getDecision());

        final String text = wharf.ok("trace", "show");
        assertTrue(text.startsWith("trace finished: 4 of 4 packets recorded (port " + p1 + ")"), text);
        for (final String node : List.of("ethernet-input", "l2-learn", "l2-forward", "interface-output", "ip4-input", "icmp-echo"))
        {
            assertTrue(text.contains("  " + node + ": "), node + " in:\n" + text);
        }
        assertTrue(text.contains("Packet 1: worker "), text);
        assertTrue(text.contains(", in " + p1 + ", +"), text);
        assertTrue(text.contains("done, out port " + p2), text);
        assertTrue(text.contains("after:  "), "a rewrite shows before and after:\n" + text);
    }

    @Test
    void anUnknownPortIsNotFound()
    {
        final Host.Result result = wharf.cli("trace", "start", "--port", "wtct-none");
        assertEquals(2, result.exitCode(), result.stderr());
        assertEquals("wharf: port \"wtct-none\" not found (see 'wharf port ls')\n", result.stderr());
    }
}
