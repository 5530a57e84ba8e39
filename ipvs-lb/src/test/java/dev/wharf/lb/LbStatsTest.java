package dev.wharf.lb;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.DropNode;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.lb.schedule.BackendWeight;
import dev.wharf.nat.ConnectionState;
import dev.wharf.nat.FlowKey;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;
import dev.wharf.nat.VirtualServices;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The balancer's counts as {@code ipvsadm -Ln --stats} shows them, with real ip4-nat-in nodes of two workers
 * counting the packets of marked flows: per backend and per service, summed across the workers; active and
 * inactive connections following the flows' TCP states; a reused mark starting from zero; rates from two
 * samples; and the words a trace gives a scheduling decision.
 */
class LbStatsTest
{
    private static final int VIP = Ipv4Address.parse("10.96.0.10");
    private static final int B1 = Ipv4Address.parse("10.10.0.11");
    private static final int B2 = Ipv4Address.parse("10.10.0.12");
    private static final int B3 = Ipv4Address.parse("10.10.0.13");
    private static final int CLIENT = Ipv4Address.parse("10.20.0.2");
    private static final ServiceKey WEB = new ServiceKey(VIP, 80, ServiceKey.TCP);
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int FIN_ACK = 0x11;
    private static final int SYN_ACK = 0x12;
    /** Ethernet, an IPv4 header of 20 bytes, TCP of 20. */
    private static final int L3 = 14;

    private final NatService nat = new NatService(NatConfiguration.defaults());
    private final LoadBalancer lb = new LoadBalancer(nat);
    private final Worker worker0 = new Worker(0);
    private final Worker worker1 = new Worker(1);

    /** One worker's ip4-nat-in, with the NAT feature composed as the daemon does around stand-ins. */
    private final class Worker
    {
        final Node natIn;
        final WorkerContext context;
        final PacketBatch batch = new PacketBatch();
        private final List<ByteBuffer> memory = new ArrayList<>();

        Worker(final int worker)
        {
            final NodeGraph graph = new GraphComposer()
                .arc(FeatureArc.IP4_PREROUTING)
                .node(new StandIn(CoreNodes.IP4_LOOKUP))
                .arc(FeatureArc.IP4_POSTROUTING)
                .node(new StandIn(CoreNodes.IP4_REWRITE))
                .node(new StandIn(CoreNodes.TCP_RESET))
                .node(new StandIn(CoreNodes.ICMP_ERROR))
                .node(new DropNode())
                .features(worker, List.of(nat.feature()))
                .compose();
            natIn = graph.node(graph.nodeId("ip4-nat-in"));
            context = new WorkerContext(worker, graph.layout());
            context.snapshot = new DataplaneSnapshot(1, new NetworkState[0], new PortBinding[0], 2);
            context.nowMs = 1_000_000;
        }

        /** ip4-nat-in over one frame; its next node's name. */
        void send(final byte[] frame)
        {
            batch.clear();
            final ByteBuffer buffer = ByteBuffer.allocateDirect(frame.length + 64);
            memory.add(buffer);
            final UnsafeBuffer view = new UnsafeBuffer(buffer);
            view.putBytes(64, frame);
            final int i = batch.add(view.addressOffset() + 64, frame.length, 64, 1);
            batch.network[i] = 0;
            batch.l3Offset[i] = L3;
            batch.l4Offset[i] = L3 + 20;
            batch.flags[i] = PacketBatch.FLAG_IPV4;
            natIn.process(batch, new int[] {0}, 1, context);
        }
    }

    /** A core node's stand-in: the composer needs the names the feature's nodes point at. */
    private static final class StandIn extends Node
    {
        StandIn(final String name)
        {
            super(name, new String[0], new String[0]);
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
        }
    }

    /** An Ethernet + IPv4 + TCP frame with {@code payload} bytes of data (checksums left 0: nothing here checks them). */
    private static byte[] tcp(final int source, final int sourcePort, final int destination, final int destinationPort, final int flags,
        final int payload)
    {
        final byte[] frame = new byte[L3 + 40 + payload];
        final ByteBuffer b = ByteBuffer.wrap(frame);
        b.putShort(12, (short)0x0800);
        frame[L3] = 0x45;
        b.putShort(L3 + 2, (short)(40 + payload));
        frame[L3 + 8] = 64;
        frame[L3 + 9] = 6;
        b.putInt(L3 + 12, source);
        b.putInt(L3 + 16, destination);
        b.putShort(L3 + 20, (short)sourcePort);
        b.putShort(L3 + 22, (short)destinationPort);
        frame[L3 + 32] = 0x50;
        frame[L3 + 33] = (byte)flags;
        return frame;
    }

    private void service(final String scheduler, final int... backends)
    {
        lb.addService(new VirtualService(WEB, scheduler, 0, "web"));
        for (final int backend : backends)
        {
            lb.addBackend(WEB, new BackendWeight(backend, 8080, 1));
        }
    }

    /** A flow as ip4-nat-out would have made it for the balancer's answer, in {@code state}; the answer. */
    private long track(final int clientPort, final int state)
    {
        final long answer = lb.schedule(0, ServiceKey.TCP, CLIENT, clientPort, VIP, 80, 0);
        assertTrue(nat.table().create(FlowKey.addresses(CLIENT, VIP), FlowKey.ports(6, 0, clientPort, 80),
            FlowKey.addresses(VirtualServices.address(answer), CLIENT), FlowKey.ports(6, 0, VirtualServices.port(answer), clientPort),
            ConnectionState.withMark(state, VirtualServices.mark(answer)), Long.MAX_VALUE) >= 0);
        return answer;
    }

    private ServiceView view()
    {
        return lb.services().stream().filter(s -> s.service().key().equals(WEB)).findFirst().orElseThrow();
    }

    private BackendView backend(final int address)
    {
        return view().backends().stream().filter(b -> b.address() == address).findFirst().orElseThrow();
    }

    @Test
    void packetsAndBytesAreCountedPerBackendAndSummedAcrossWorkersAndIntoTheService()
    {
        service("rr", B1, B2);
        final long toB1 = track(40_000, ConnectionState.ESTABLISHED);
        final int backendPort = VirtualServices.port(toB1);
        assertEquals(B1, VirtualServices.address(toB1));

        worker0.send(tcp(CLIENT, 40_000, VIP, 80, ACK, 100));
        worker1.send(tcp(CLIENT, 40_000, VIP, 80, ACK, 200));
        worker0.send(tcp(CLIENT, 40_000, VIP, 80, ACK, 0));
        worker1.send(tcp(B1, backendPort, CLIENT, 40_000, ACK, 1000));
        worker1.send(tcp(B1, backendPort, CLIENT, 40_000, ACK, 1000));
        worker0.send(tcp(CLIENT, 40_001, VIP, 80, SYN, 0)); // a new connection, scheduled to B2 (rr): its first packet counts

        final LbStats b1 = backend(B1).stats();
        assertEquals(3, b1.packetsIn(), "both workers' packets client to backend");
        assertEquals(3 * 40 + 300, b1.bytesIn(), "from the IPv4 header on");
        assertEquals(2, b1.packetsOut());
        assertEquals(2 * 1040, b1.bytesOut());
        assertEquals(1, b1.connections(), "scheduled");
        assertEquals(1, b1.active());
        assertEquals(0, b1.inactive());
        final LbStats b2 = backend(B2).stats();
        assertEquals(new LbStats(1, 0, 0, 1, 0, 40, 0), b2, "the SYN scheduled to B2 (no flow made: no ip4-nat-out here)");
        assertEquals(b1.plus(b2), view().stats(), "the service's totals are its backends'");
    }

    @Test
    void anUnmarkedFlowIsNotCounted()
    {
        service("rr", B1);
        final int other = Ipv4Address.parse("10.30.0.9");
        assertTrue(nat.table().create(FlowKey.addresses(CLIENT, other), FlowKey.ports(6, 0, 41_000, 80),
            FlowKey.addresses(other, CLIENT), FlowKey.ports(6, 0, 80, 41_000), ConnectionState.ESTABLISHED, Long.MAX_VALUE) >= 0);

        worker0.send(tcp(CLIENT, 41_000, other, 80, ACK, 100));

        final long[] totals = new long[4];
        nat.markTotals(0, totals);
        assertEquals(0, totals[0] + totals[1] + totals[2] + totals[3], "mark 0 (no backend) counts nothing");
        assertEquals(LbStats.ZERO, view().stats());
    }

    @Test
    void activeAndInactiveConnectionsFollowTheFlowsTcpStates()
    {
        service("rr", B1);
        final int backendPort = VirtualServices.port(track(40_000, ConnectionState.SYN_SENT));
        track(40_001, ConnectionState.ESTABLISHED);
        assertEquals(1, backend(B1).stats().active());
        assertEquals(1, backend(B1).stats().inactive(), "a connection still opening");

        worker1.send(tcp(B1, backendPort, CLIENT, 40_000, SYN_ACK, 0));
        worker0.send(tcp(CLIENT, 40_000, VIP, 80, ACK, 0));
        assertEquals(2, backend(B1).stats().active(), "its handshake done");
        assertEquals(0, backend(B1).stats().inactive());

        worker0.send(tcp(CLIENT, 40_000, VIP, 80, FIN_ACK, 0));
        assertEquals(1, backend(B1).stats().active(), "closing: inactive, as IPVS counts FIN_WAIT");
        assertEquals(1, backend(B1).stats().inactive());

        nat.flush();
        assertEquals(2, backend(B1).stats().connections());
        assertEquals(0, backend(B1).stats().active());
        assertEquals(0, backend(B1).stats().inactive(), "removed flows are neither");
    }

    @Test
    void aBackendGivenAReusedMarkStartsFromZeroAndItsServiceKeepsTheOldCounts()
    {
        service("rr", B1);
        final long first = track(40_000, ConnectionState.ESTABLISHED);
        worker0.send(tcp(CLIENT, 40_000, VIP, 80, ACK, 60));
        worker0.send(tcp(CLIENT, 40_000, VIP, 80, ACK, 60));
        final LbStats before = backend(B1).stats();
        assertEquals(2, before.packetsIn());

        lb.removeBackend(WEB, B1, 8080, 0, 0);
        nat.flush();
        lb.housekeep(0); // the mark is free once its flows are gone
        lb.addBackend(WEB, new BackendWeight(B3, 8080, 1));
        final long second = track(40_010, ConnectionState.ESTABLISHED);

        assertEquals(VirtualServices.mark(first), VirtualServices.mark(second), "the same mark, reused");
        assertEquals(new LbStats(1, 1, 0, 0, 0, 0, 0), backend(B3).stats(), "nothing of B1's: only its own connection");
        worker1.send(tcp(CLIENT, 40_010, VIP, 80, ACK, 0));
        assertEquals(1, backend(B3).stats().packetsIn());
        assertEquals(40, backend(B3).stats().bytesIn());
        final LbStats service = view().stats();
        assertEquals(3, service.packetsIn(), "the service keeps its removed backend's counts: it never goes down");
        assertEquals(2 * 100 + 40, service.bytesIn());
        assertEquals(2, service.connections());
        assertEquals(1, service.active(), "gauges: its backends' now");
    }

    @Test
    void ratesAreTheLastIntervalsFromTwoSamples()
    {
        service("rr", B1);
        track(40_000, ConnectionState.ESTABLISHED);
        lb.sampleRates(10_000);
        assertEquals(LbRates.ZERO, backend(B1).rates(), "one sample: no interval yet");

        for (int k = 0; k < 4; k++)
        {
            worker0.send(tcp(CLIENT, 40_000, VIP, 80, ACK, 60));
        }
        worker1.send(tcp(B1, 8080, CLIENT, 40_000, ACK, 0));
        track(40_001, ConnectionState.ESTABLISHED);
        lb.sampleRates(12_000);

        assertEquals(new LbRates(0.5, 2, 0.5, 200, 20), backend(B1).rates(), "per second over the 2 s since the first sample");
        assertEquals(backend(B1).rates(), view().rates());
        lb.sampleRates(14_000);
        assertEquals(LbRates.ZERO, backend(B1).rates(), "nothing in the last interval");
    }

    @Test
    void theEstimatorTakesTheIntervalBetweenTwoSamplesAndNeverGoesNegative()
    {
        final RateEstimator estimator = new RateEstimator();
        estimator.sample(1_000, new LbStats(10, 0, 0, 100, 50, 10_000, 5_000));
        estimator.sample(3_000, new LbStats(30, 0, 0, 300, 50, 30_000, 4_000));
        assertEquals(new LbRates(10, 100, 0, 10_000, 0), estimator.rates());
        estimator.sample(3_000, new LbStats(99, 0, 0, 999, 99, 99_999, 9_999));
        assertEquals(new LbRates(10, 100, 0, 10_000, 0), estimator.rates(), "no time passed: the rates stay");
        estimator.sample(3_500, new LbStats(31, 0, 0, 300, 50, 30_000, 4_000));
        assertEquals(new LbRates(2, 0, 0, 0, 0), estimator.rates(), "from the last sample taken, 3,000 ms");
    }

    @Test
    void aTracedDecisionNamesTheServiceItsSchedulerAndTheBackend()
    {
        service("rr", B1);
        final long answer = lb.schedule(0, ServiceKey.TCP, CLIENT, 40_000, VIP, 80, 0);
        assertEquals("lb: service 10.96.0.10:80/tcp (web), scheduler rr: backend 10.10.0.11:8080, mark " + VirtualServices.mark(answer),
            lb.describe(ServiceKey.TCP, VIP, 80, answer));
        assertEquals("lb: service 10.96.0.10:80/tcp (web), scheduler rr: no backend can take it, refused",
            lb.describe(ServiceKey.TCP, VIP, 80, VirtualServices.NO_BACKEND));
        assertEquals(null, lb.describe(ServiceKey.TCP, VIP, 81, answer), "no such service");

        final ServiceKey sticky = new ServiceKey(VIP, 443, ServiceKey.TCP);
        lb.addService(new VirtualService(sticky, "wrr", 60, ""));
        lb.addBackend(sticky, new BackendWeight(B2, 443, 1));
        lb.schedule(0, ServiceKey.TCP, CLIENT, 40_001, VIP, 443, 0);
        final long pinned = lb.schedule(0, ServiceKey.TCP, CLIENT, 40_002, VIP, 443, 0);
        assertTrue(VirtualServices.isPinned(pinned));
        final String text = lb.describe(ServiceKey.TCP, VIP, 443, pinned);
        assertNotNull(text);
        assertTrue(text.startsWith("lb: service 10.96.0.10:443/tcp, scheduler wrr: persistent client, kept on backend 10.10.0.12:443"), text);
    }

    @Test
    void aSourceHashServiceThatHashesThePortSpreadsOneClientsConnections()
    {
        lb.addService(new VirtualService(WEB, "sh", 0, "", ForwardingMode.NAT, true));
        final ServiceKey plain = new ServiceKey(VIP, 81, ServiceKey.TCP);
        lb.addService(new VirtualService(plain, "sh", 0, ""));
        for (final int backend : new int[] {B1, B2, B3})
        {
            lb.addBackend(WEB, new BackendWeight(backend, 8080, 1));
            lb.addBackend(plain, new BackendWeight(backend, 8080, 1));
        }
        final Set<Integer> byPort = new HashSet<>();
        final Set<Integer> byAddress = new HashSet<>();
        for (int port = 30_000; port < 30_100; port++)
        {
            byPort.add(VirtualServices.address(lb.schedule(0, ServiceKey.TCP, CLIENT, port, VIP, 80, 0)));
            byAddress.add(VirtualServices.address(lb.schedule(0, ServiceKey.TCP, CLIENT, port, VIP, 81, 0)));
        }
        assertEquals(3, byPort.size(), "--hash-port: one client over every backend");
        assertEquals(1, byAddress.size(), "sh alone: one client, one backend");
        lb.addBackend(WEB, new BackendWeight(Ipv4Address.parse("10.10.0.14"), 8080, 1));
        final Set<Integer> afterChange = new HashSet<>();
        for (int port = 30_000; port < 30_100; port++)
        {
            afterChange.add(VirtualServices.address(lb.schedule(0, ServiceKey.TCP, CLIENT, port, VIP, 80, 0)));
        }
        assertEquals(4, afterChange.size(), "rebuilt with the port still hashed");
    }
}
