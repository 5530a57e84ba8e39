package dev.wharf.control.server;

import dev.wharf.control.api.v1.Counter;
import dev.wharf.control.api.v1.FdbEntry;
import dev.wharf.control.api.v1.FdbEntryType;
import dev.wharf.control.api.v1.GetStatsRequest;
import dev.wharf.control.api.v1.GetStatsResponse;
import dev.wharf.control.api.v1.PortStats;
import dev.wharf.control.api.v1.ShowFdbRequest;
import dev.wharf.control.api.v1.ShowFdbResponse;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames injected into memory ports, the worker driven by hand, then what FDB show and stats report. */
class FdbAndStatsServiceTest extends ServiceTestSupport
{
    private FakePortOpener.TrackedPort c1;

    @BeforeEach
    void topology()
    {
        createNetwork("front", "10.10.0.0/24");
        attach(port("front", "veth-c1").setIp("10.10.0.2").build());
        c1 = fixture.opener.lastOpened();
        attach(port("front", "veth-c2").setIp("10.10.0.3").setMac("02:00:00:00:00:03").build());
    }

    /** An ARP request from 10.10.0.2 at {@code sourceMac} asking for the gateway, padded to the minimum frame. */
    private static byte[] arpRequestForGateway(final long sourceMac)
    {
        final ByteBuffer frame = ByteBuffer.allocate(60);
        frame.putShort((short)0xFFFF).putInt(0xFFFF_FFFF);
        frame.putShort((short)(sourceMac >>> 32)).putInt((int)sourceMac);
        frame.putShort((short)0x0806);
        frame.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)1);
        frame.putShort((short)(sourceMac >>> 32)).putInt((int)sourceMac).putInt(0x0A0A_0002);
        frame.putShort((short)0).putInt(0).putInt(0x0A0A_0001);
        return frame.array();
    }

    private void runWorker()
    {
        for (int i = 0; i < 4; i++)
        {
            fixture.dataplane.worker(0).doWork();
        }
    }

    private GetStatsResponse stats()
    {
        final RecordingObserver<GetStatsResponse> observer = new RecordingObserver<>();
        fixture.stats.get(GetStatsRequest.getDefaultInstance(), observer);
        return observer.response();
    }

    @Test
    void showsLearnedAndStaticEntriesWithTheirPorts()
    {
        c1.memory().inject(arpRequestForGateway(0x0200_0000_0002L));
        runWorker();

        final RecordingObserver<ShowFdbResponse> observer = new RecordingObserver<>();
        fixture.fdb.show(ShowFdbRequest.newBuilder().setNetwork("front").build(), observer);
        final List<FdbEntry> entries = observer.response().getEntriesList();
        assertEquals(2, entries.size(), entries::toString);
        assertEquals("02:00:00:00:00:02", entries.get(0).getMac());
        assertEquals("veth-c1", entries.get(0).getPort());
        assertEquals(FdbEntryType.FDB_ENTRY_TYPE_LEARNED, entries.get(0).getType());
        assertEquals("02:00:00:00:00:03", entries.get(1).getMac());
        assertEquals("veth-c2", entries.get(1).getPort());
        assertEquals(FdbEntryType.FDB_ENTRY_TYPE_STATIC, entries.get(1).getType());
    }

    @Test
    void countsPortTrafficAndNamedDrops()
    {
        c1.memory().inject(arpRequestForGateway(0x0200_0000_0002L));
        c1.memory().inject(new byte[10]);
        runWorker();

        final GetStatsResponse stats = stats();
        assertEquals(1, stats.getWorkers());
        assertEquals(List.of("veth-c1", "veth-c2"), stats.getPortsList().stream().map(PortStats::getName).toList());
        final PortStats port = stats.getPorts(0);
        assertEquals("front", port.getNetwork());
        assertEquals(2, port.getRxPackets());
        assertEquals(70, port.getRxBytes());
        assertTrue(port.getTxPackets() >= 1, "the gateway's ARP reply went out on veth-c1: " + port);
        assertTrue(stats.getCountersList().stream().anyMatch(c -> c.getName().equals("ethernet-input.runt") && c.getValue() == 1 &&
            c.getKind().equals("drop")), stats.getCountersList()::toString);
        assertTrue(stats.getCountersList().stream().anyMatch(c -> c.getName().equals("arp-input.replied") && c.getValue() == 1 &&
            c.getKind().equals("event")), "a reply sent is an event, not a drop: " + stats.getCountersList());
        for (final Counter counter : stats.getCountersList())
        {
            assertTrue(counter.getValue() != 0, "only non-zero counters: " + counter);
        }
    }

    @Test
    void framesTheKernelDroppedAreTheirOwnPortCounter()
    {
        c1.memory().inject(new byte[10]);
        c1.memory().dropInKernel(123);
        runWorker();

        final PortStats port = stats().getPorts(0);
        assertEquals(123, port.getRxKernelDrops(), port::toString);
        assertEquals(1, port.getRxPackets(), "a kernel drop never reached the switch");
        assertEquals(1, port.getRxDrops(), "only the runt, which the pipeline dropped");
        assertEquals(0, stats().getPorts(1).getRxKernelDrops());
    }

    @Test
    void anUnknownNetworkHasNoFdb()
    {
        assertRejected(Status.Code.NOT_FOUND, "network \"nope\" not found", observer ->
            fixture.fdb.show(ShowFdbRequest.newBuilder().setNetwork("nope").build(), observer));
    }
}
