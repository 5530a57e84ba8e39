package dev.wharf.control.server;

import dev.wharf.control.api.v1.ShowTraceRequest;
import dev.wharf.control.api.v1.ShowTraceResponse;
import dev.wharf.control.api.v1.StartTraceRequest;
import dev.wharf.control.api.v1.StartTraceResponse;
import dev.wharf.control.api.v1.StopTraceRequest;
import dev.wharf.control.api.v1.StopTraceResponse;
import dev.wharf.control.api.v1.TraceAction;
import dev.wharf.control.api.v1.TraceState;
import dev.wharf.control.api.v1.TraceStep;
import dev.wharf.control.api.v1.TracedPacket;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.testing.Frames;
import io.grpc.Status;
import org.agrona.BitUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trace service over a dataplane whose worker the test drives: frames injected into memory
 * ports, then what Show reports, with port ids named and decisions taken apart. Frames were made
 * by scapy: {@code Ether(src="02:00:00:00:00:01", dst=<gateway>)/IP(src="10.10.0.2", dst="10.10.0.1",
 * id=7)/ICMP(type=8, id=0x1234, seq=1)/Raw(b"wharf-trace-test")} and its ICMP echo to 10.10.0.3.
 */
class TraceServiceTest extends ServiceTestSupport
{
    private static final byte[] ECHO_TO_GATEWAY = BitUtil.fromHex(
        "02574800000102000000000108004500002c00070000400166b40a0a00020a0a0001080083e51234000177686172662d74726163652d74657374");
    /** The same echo from 10.10.0.2 to 10.10.0.3 at 02:00:00:00:00:03 (IP checksum adjusted for the address). */
    private static final byte[] ECHO_TO_C2 = BitUtil.fromHex(
        "02000000000302000000000108004500002c00070000400166b20a0a00020a0a0003080083e51234000177686172662d74726163652d74657374");

    private TraceService trace;
    private FakePortOpener.TrackedPort c1;
    private long gatewayMac;

    @BeforeEach
    void topology()
    {
        trace = new TraceService(fixture.plane.ports(), fixture.dataplane);
        gatewayMac = MacAddress.parse(createNetwork("front", "10.10.0.0/24").getNetwork().getGatewayMac());
        attach(port("front", "veth-c1").setIp("10.10.0.2").build());
        c1 = fixture.opener.lastOpened();
        attach(port("front", "veth-c2").setIp("10.10.0.3").setMac("02:00:00:00:00:03").build());
    }

    private void runWorker()
    {
        for (int i = 0; i < 4; i++)
        {
            fixture.dataplane.worker(0).doWork();
        }
    }

    private StartTraceResponse start(final String port, final int count)
    {
        final RecordingObserver<StartTraceResponse> observer = new RecordingObserver<>();
        trace.start(StartTraceRequest.newBuilder().setPort(port).setCount(count).build(), observer);
        return observer.response();
    }

    private ShowTraceResponse show()
    {
        final RecordingObserver<ShowTraceResponse> observer = new RecordingObserver<>();
        trace.show(ShowTraceRequest.getDefaultInstance(), observer);
        return observer.response();
    }

    private StopTraceResponse stop()
    {
        final RecordingObserver<StopTraceResponse> observer = new RecordingObserver<>();
        trace.stop(StopTraceRequest.getDefaultInstance(), observer);
        return observer.response();
    }

    private static List<String> nodes(final TracedPacket packet)
    {
        return packet.getStepsList().stream().map(TraceStep::getNode).toList();
    }

    @Test
    void showsEachPacketsPathWithPortsNamedAndRewritesShown()
    {
        assertEquals(TraceState.TRACE_STATE_NONE, show().getTrace().getState());
        final StartTraceResponse started = start("veth-c1", 2);
        assertEquals(TraceState.TRACE_STATE_RUNNING, started.getTrace().getState());
        assertEquals("veth-c1", started.getTrace().getPort());

        c1.memory().inject(ECHO_TO_C2);
        c1.memory().inject(Frames.withDestination(ECHO_TO_GATEWAY, gatewayMac));
        c1.memory().inject(ECHO_TO_C2);
        runWorker();

        final ShowTraceResponse response = show();
        assertEquals(TraceState.TRACE_STATE_FINISHED, response.getTrace().getState());
        assertEquals(2, response.getTrace().getRecorded());
        assertEquals(2, response.getPacketsCount(), "the budget of two is spent: " + response);

        final TracedPacket toC2 = response.getPackets(0);
        assertEquals(1, toC2.getNumber());
        assertEquals("veth-c1", toC2.getPort());
        assertEquals(0, toC2.getWorker());
        assertEquals(List.of("ethernet-input", "l2-learn", "l2-forward", "interface-output"), nodes(toC2));
        final TraceStep learn = toC2.getSteps(1);
        assertEquals(TraceAction.TRACE_ACTION_NEXT, learn.getAction());
        assertEquals("l2-forward", learn.getNextNode());
        assertEquals("-> l2-forward", learn.getDecision());
        assertTrue(learn.getBefore().contains("ipv4 10.10.0.2 > 10.10.0.3"), learn.getBefore());
        assertEquals("", learn.getAfter(), "l2-learn rewrites nothing");
        final TraceStep output = toC2.getSteps(3);
        assertEquals(TraceAction.TRACE_ACTION_DONE, output.getAction());
        assertEquals("veth-c2", output.getOutPort());
        assertEquals("done, out port veth-c2", output.getDecision());

        final TracedPacket toGateway = response.getPackets(1);
        assertEquals(List.of("ethernet-input", "l2-learn", "l2-forward", "ip4-input", "ip4-lookup", "ip4-local", "icmp-echo", "interface-output"), nodes(toGateway));
        final TraceStep echo = toGateway.getSteps(6);
        assertTrue(echo.getAfter().contains("ipv4 10.10.0.1 > 10.10.0.2") && echo.getAfter().contains("icmp type 0"), echo.getAfter());
        assertEquals("veth-c1", toGateway.getSteps(7).getOutPort(), "the answer goes back where the request came from");
    }

    @Test
    void dropsShowTheirReason()
    {
        start("", 1);
        final byte[] badChecksum = Frames.withDestination(ECHO_TO_GATEWAY, gatewayMac);
        badChecksum[24] ^= 0x55;
        c1.memory().inject(badChecksum);
        runWorker();

        final TracedPacket packet = show().getPackets(0);
        final TraceStep input = packet.getSteps(3);
        assertEquals("ip4-input", input.getNode());
        assertEquals(TraceAction.TRACE_ACTION_DROP, input.getAction());
        assertEquals("ip4-input.bad-checksum", input.getDropReason());
        assertEquals("drop: ip4-input.bad-checksum", input.getDecision());
    }

    @Test
    void onlyTheChosenPortIsTracedAndStopKeepsTheRecords()
    {
        start("veth-c2", 5);
        c1.memory().inject(ECHO_TO_C2);
        runWorker();
        assertEquals(0, show().getPacketsCount(), "nothing came in on veth-c2");

        start("veth-c1", 5);
        c1.memory().inject(ECHO_TO_C2);
        runWorker();
        final StopTraceResponse stopped = stop();
        assertEquals(TraceState.TRACE_STATE_STOPPED, stopped.getTrace().getState());
        assertEquals(1, stopped.getTrace().getRecorded());

        c1.memory().inject(ECHO_TO_C2);
        runWorker();
        final ShowTraceResponse after = show();
        assertEquals(1, after.getPacketsCount(), "nothing traced after stop, the record kept");
        assertEquals(TraceState.TRACE_STATE_STOPPED, after.getTrace().getState());
    }

    @Test
    void countDefaultsToTen()
    {
        assertEquals(10, start("", 0).getTrace().getCount());
        assertEquals("", show().getTrace().getPort());
    }

    @Test
    void refusesUnknownPortsAndCountsOutOfRange()
    {
        assertRejected(Status.Code.NOT_FOUND, "port \"veth-c9\" not found", observer ->
            trace.start(StartTraceRequest.newBuilder().setPort("veth-c9").build(), observer));
        assertRejected(Status.Code.INVALID_ARGUMENT, "trace count 10001 is out of range 1..10000", observer ->
            trace.start(StartTraceRequest.newBuilder().setCount(10_001).build(), observer));
        assertRejected(Status.Code.INVALID_ARGUMENT, "trace count 4294967295 is out of range 1..10000", observer ->
            trace.start(StartTraceRequest.newBuilder().setCount(-1).build(), observer));
        assertRejected(Status.Code.INVALID_ARGUMENT, null, observer ->
            trace.start(StartTraceRequest.newBuilder().setPort("bad/name").build(), observer));
        assertEquals(TraceState.TRACE_STATE_NONE, show().getTrace().getState(), "a refused start starts nothing");
    }
}
