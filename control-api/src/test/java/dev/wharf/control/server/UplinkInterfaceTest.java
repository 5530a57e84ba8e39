package dev.wharf.control.server;

import dev.wharf.control.api.v1.PortKind;
import dev.wharf.control.api.v1.ShowTraceRequest;
import dev.wharf.control.api.v1.ShowTraceResponse;
import dev.wharf.control.api.v1.StartTraceRequest;
import dev.wharf.control.api.v1.StartTraceResponse;
import dev.wharf.control.api.v1.TraceState;
import dev.wharf.control.state.UplinkSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import io.grpc.Status;
import org.agrona.BitUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The uplink's interface beside the ports (issue 18): it cannot be attached as a port, as a port's
 * interface cannot become the uplink, and trace and capture find it by the name listings show.
 */
class UplinkInterfaceTest extends ServiceTestSupport
{
    /** An ARP request for 10.99.0.2 from the outside router 10.99.0.1 (02:00:00:00:99:01), broadcast. */
    private static final byte[] ARP_FOR_UPLINK = BitUtil.fromHex(
        "ffffffffffff020000009901080600010800060400010200000099010a6300010000000000000a630002");

    private FakePortOpener.TrackedPort uplinkPort;

    @BeforeEach
    void uplink()
    {
        fixture.opener.withInterfaces("veth-up");
        createNetwork("front", "10.10.0.0/24");
        fixture.plane.uplink().set(new UplinkSpec("veth-up", Ipv4Address.parse("10.99.0.2"), 24, Ipv4Address.parse("10.99.0.1")));
        uplinkPort = fixture.opener.lastOpened();
    }

    @Test
    void theUplinksInterfaceCannotBeAttachedAsAPort()
    {
        final String message = "interface \"veth-up\" is the uplink (address 10.99.0.2/24); a port cannot use it " +
            "(remove the uplink first: wharf uplink rm)";
        assertRejected(Status.Code.FAILED_PRECONDITION, message, observer -> fixture.ports.attach(port("front", "veth-up").build(), observer));
        assertRejected(Status.Code.FAILED_PRECONDITION, message,
            observer -> fixture.ports.attach(port("front", "veth-up").setKind(PortKind.PORT_KIND_TAP).build(), observer));

        fixture.plane.uplink().remove();
        assertEquals("veth-up", attach(port("front", "veth-up").build()).getPort().getName(), "free again once the uplink is gone");
    }

    @Test
    void aPortsInterfaceCannotBecomeTheUplink()
    {
        fixture.plane.uplink().remove();
        attach(port("front", "veth-c1").build());
        final ControlException e = assertThrows(ControlException.class, () ->
            fixture.plane.uplink().set(new UplinkSpec("veth-c1", Ipv4Address.parse("10.99.0.2"), 24, Ipv4Address.parse("10.99.0.1"))));
        assertEquals("interface \"veth-c1\" is a port of network \"front\"", e.getMessage());
    }

    @Test
    void traceAndCaptureFindTheUplinkByItsInterfaceName()
    {
        final int uplinkId = fixture.dataplane.snapshot().uplink().portIds[0];
        assertEquals(uplinkId, fixture.plane.ports().portId("veth-up"), "capture's lookup");

        final TraceService trace = new TraceService(fixture.plane.ports(), fixture.dataplane);
        final RecordingObserver<StartTraceResponse> started = new RecordingObserver<>();
        trace.start(StartTraceRequest.newBuilder().setPort("veth-up").setCount(1).build(), started);
        assertEquals(TraceState.TRACE_STATE_RUNNING, started.response().getTrace().getState());
        assertEquals("veth-up", started.response().getTrace().getPort());

        uplinkPort.memory().inject(ARP_FOR_UPLINK);
        for (int i = 0; i < 4; i++)
        {
            fixture.dataplane.worker(0).doWork();
        }
        final RecordingObserver<ShowTraceResponse> shown = new RecordingObserver<>();
        trace.show(ShowTraceRequest.getDefaultInstance(), shown);
        assertEquals(1, shown.response().getPacketsCount(), shown.response().toString());
        assertEquals("veth-up", shown.response().getPackets(0).getPort());

        fixture.plane.uplink().remove();
        final ControlException gone = assertThrows(ControlException.class, () -> fixture.plane.ports().portId("veth-up"));
        assertEquals("port \"veth-up\" not found", gone.getMessage());
    }
}
