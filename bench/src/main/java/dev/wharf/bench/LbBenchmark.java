package dev.wharf.bench;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkPolicy;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.DropNode;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.table.NeighbourTable;
import dev.wharf.lb.LoadBalancer;
import dev.wharf.lb.ServiceKey;
import dev.wharf.lb.VirtualService;
import dev.wharf.lb.schedule.BackendWeight;
import dev.wharf.nat.ConnectionState;
import dev.wharf.nat.ConntrackTable;
import dev.wharf.nat.FlowKey;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;
import dev.wharf.nat.VirtualServices;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The load balancer on one worker's path (issue 13), in ns per packet, through the real ip4-nat-in,
 * ip4-user-rules and ip4-nat-out nodes with a {@link LoadBalancer} as nat-in's virtual services
 * (ip4-lookup's routing decision is preset, as in {@link ConntrackBenchmark}). One service, VIP
 * 10.10.0.100:80/tcp with the {@code mh} (Maglev, M = 65,537) scheduler over three backends
 * 10.10.0.11..13:8080 on network {@code front}; clients on network {@code clients} (10.0.0.0/8 here).
 * The conntrack table holds 1,000,000 established, assured LB flows (each scheduled by the balancer itself
 * at setup, carrying its backend's mark), so lookups miss the caches as a busy host's would.
 * <ul>
 * <li>{@code newConnection}: a SYN to the VIP: conntrack lookup miss, published-port and local checks, the
 *     balancer's service lookup and Maglev pick, DNAT with incremental checksums, rules, and
 *     {@link ConntrackTable#create} of the flow with the backend's mark (the balancer's connection counter
 *     included). {@code client=routed}: from another network, the destination alone translated (kube-proxy's
 *     DNAT); {@code client=hairpin}: from the backends' own network, so ip4-nat-out also translates the source
 *     to the gateway and allocates its port. Every op is a new flow: the 256 flows a batch made are looked up
 *     and removed, and its frames restored, between invocations (a {@link Level#Invocation} setup, not measured),
 *     so the same 256 tuples are new again in the next one.</li>
 * <li>{@code established}: a 64-byte TCP segment of one of the million flows ({@code direction=original}:
 *     client to VIP, DNAT to its backend; {@code reply}: backend to client, the source translated back to the
 *     VIP), a batch of 256 of different flows drawn at random (fixed seed) out of 262,144 frames cycled
 *     through. {@code restoreOnly} is the cost of putting the headers back and presenting the batch, included
 *     in {@code established}, to subtract.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true",
    "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseTransparentHugePages", // as the launcher runs the daemon: the table's tens of MB on 2 MB pages
    "-Xmx2g"})
public class LbBenchmark
{
    static final int FLOWS = ConntrackBenchmark.FLOWS;
    static final int CLIENTS = 0;
    static final int FRONT = 1;
    static final int CLIENTS_GW = 0x0A00_0001;      // 10.0.0.1
    static final int FRONT_GW = 0x0A0A_0001;        // 10.10.0.1
    static final int VIP = 0x0A0A_0064;             // 10.10.0.100
    static final int VIP_PORT = 80;
    static final int BACKEND_PORT = 8080;
    static final int[] BACKENDS = {0x0A0A_000B, 0x0A0A_000C, 0x0A0A_000D}; // 10.10.0.11..13
    static final int FIRST_PORT = 10_000;
    static final int PORTS_PER_CLIENT = 50_000;
    private static final int BATCH = PacketBatch.CAPACITY;
    private static final int BATCHES = 1024;
    private static final int FRAME = 64;
    private static final long NOW_MS = 1_000_000;

    /** A client of the prefilled million: 10.g.0.2 for group g of 50,000 ports. */
    static int client(final int flow)
    {
        return 0x0A00_0002 + ((1 + flow / PORTS_PER_CLIENT) << 16);
    }

    static int port(final int flow)
    {
        return FIRST_PORT + flow % PORTS_PER_CLIENT;
    }

    /** The NAT service and balancer with the million flows, the graph's three nodes and a worker's context. */
    @State(Scope.Thread)
    public static class Balancer
    {
        NatService nat;
        LoadBalancer lb;
        Node natIn;
        Node userRules;
        Node natOut;
        WorkerContext context;
        /** The backend each prefilled flow was scheduled to. */
        int[] backendOf;
        final PacketBatch batch = new PacketBatch();
        final int[] packets = new int[BATCH];

        @Setup(Level.Trial)
        public void setUp()
        {
            nat = new NatService(NatConfiguration.defaults().withMaxFlows(FLOWS + 65_536));
            lb = new LoadBalancer(nat);
            final ServiceKey web = new ServiceKey(VIP, VIP_PORT, ServiceKey.TCP);
            lb.addService(new VirtualService(web, "mh", 0, "web"));
            for (final int backend : BACKENDS)
            {
                lb.addBackend(web, new BackendWeight(backend, BACKEND_PORT, 1));
            }
            final NodeGraph graph = new GraphComposer()
                .arc(FeatureArc.IP4_PREROUTING)
                .node(new ConntrackBenchmark.StandIn(CoreNodes.IP4_LOOKUP, FeatureArc.IP4_POSTROUTING))
                .arc(FeatureArc.IP4_POSTROUTING)
                .node(new ConntrackBenchmark.StandIn(CoreNodes.IP4_REWRITE, null))
            // nat-in's answers to a refused connection (a VIP without backends): never taken here
            .node(new ConntrackBenchmark.StandIn(CoreNodes.TCP_RESET, null))
            .node(new ConntrackBenchmark.StandIn(CoreNodes.ICMP_ERROR, null))
                .node(new DropNode())
                .features(0, List.of(nat.feature()))
                .compose();
            natIn = graph.node(graph.nodeId("ip4-nat-in"));
            userRules = graph.node(graph.nodeId("ip4-user-rules"));
            natOut = graph.node(graph.nodeId("ip4-nat-out"));
            context = new WorkerContext(0, graph.layout());
            context.snapshot = snapshot();
            context.nowMs = NOW_MS;
            backendOf = fill(nat.table(), lb, FLOWS);
            for (int k = 0; k < BATCH; k++)
            {
                packets[k] = k;
            }
        }

        /** Presents {@code frames[first, first + 256)} as ip4-lookup leaves them: arrived on {@code in}, routed to {@code out}. */
        void present(final OffHeapFrames frames, final int first, final int in, final int out)
        {
            frames.refill(batch, first, BATCH);
            for (int i = 0; i < BATCH; i++)
            {
                batch.network[i] = in;
                batch.outNetwork[i] = out;
                batch.l3Offset[i] = 14;
                batch.l4Offset[i] = 34;
                batch.flags[i] = PacketBatch.FLAG_IPV4;
            }
        }

        int run()
        {
            natIn.process(batch, packets, BATCH, context);
            userRules.process(batch, packets, BATCH, context);
            natOut.process(batch, packets, BATCH, context);
            return batch.next[BATCH - 1];
        }
    }

    /**
     * LB flows as ip4-nat-in and ip4-nat-out would have made them for clients on {@code clients}: each
     * scheduled by the balancer, DNATed to its backend, established and assured, with its backend's mark.
     *
     * @return the backend address of each flow.
     */
    static int[] fill(final ConntrackTable table, final LoadBalancer lb, final int flows)
    {
        final int[] backendOf = new int[flows];
        final int established = ConnectionState.with(ConnectionState.FLAG_ASSURED | ConnectionState.FLAG_SEEN_REPLY, ConnectionState.ESTABLISHED);
        for (int flow = 0; flow < flows; flow++)
        {
            final long chosen = lb.schedule(CLIENTS, 6, client(flow), port(flow), VIP, VIP_PORT, NOW_MS);
            if (chosen == VirtualServices.NOT_VIRTUAL || chosen == VirtualServices.NO_BACKEND)
            {
                throw new IllegalStateException("the balancer did not schedule flow " + flow + ": " + chosen);
            }
            final int backend = VirtualServices.address(chosen);
            final int created = table.create(
                FlowKey.addresses(client(flow), VIP), FlowKey.ports(6, CLIENTS, port(flow), VIP_PORT),
                FlowKey.addresses(backend, client(flow)), FlowKey.ports(6, FRONT, VirtualServices.port(chosen), port(flow)),
                ConnectionState.withMark(established, VirtualServices.mark(chosen)), NOW_MS + 432_000_000L);
            if (created < 0)
            {
                throw new IllegalStateException("prefill failed at flow " + flow + ": " + created);
            }
            backendOf[flow] = backend;
        }
        return backendOf;
    }

    static DataplaneSnapshot snapshot()
    {
        final NetworkState[] networks = {
            new NetworkState(CLIENTS, "clients", 0x0A00_0000, 8, CLIENTS_GW, 0x02_42_00_00_00_01L, new FdbTable(64, 64), new int[0],
                NetworkPolicy.DEFAULT, false, 0, new NeighbourTable(16), new long[0]),
            new NetworkState(FRONT, "front", 0x0A0A_0000, 16, FRONT_GW, 0x02_42_00_00_00_02L, new FdbTable(64, 64), new int[0],
                NetworkPolicy.DEFAULT, false, 0, new NeighbourTable(16), new long[0])};
        return new DataplaneSnapshot(1, networks, new PortBinding[0], 1);
    }

    /** 256 SYNs to the VIP from tuples no prefilled flow has; removed again after every invocation. */
    @State(Scope.Thread)
    public static class NewConnections
    {
        /** Where the clients are: {@code routed} (network clients) or {@code hairpin} (front, the backends' own). */
        @Param({"routed", "hairpin"})
        public String client;

        int network;
        int firstClient;
        OffHeapFrames syns;

        @Setup(Level.Trial)
        public void setUp(final Balancer balancer)
        {
            final boolean hairpin = "hairpin".equals(client);
            network = hairpin ? FRONT : CLIENTS;
            // 10.0.0.2.. or 10.10.1.2..: addresses no prefilled flow comes from
            firstClient = hairpin ? 0x0A0A_0102 : 0x0A00_0002;
            syns = new OffHeapFrames(BATCH, FRAME);
            for (int f = 0; f < BATCH; f++)
            {
                ConntrackBenchmark.writeTcp(syns.frame(f), firstClient + f, VIP, 20_000 + f, VIP_PORT, 0x02);
                syns.length[f] = FRAME;
            }
            syns.keepPristine();
            balancer.present(syns, 0, network, FRONT);
            balancer.run();
            check(balancer);
            forget(balancer);
        }

        /** Every SYN of the batch scheduled to a backend and tracked: otherwise the benchmark would measure another path. */
        private void check(final Balancer balancer)
        {
            final boolean hairpin = network == FRONT;
            for (int i = 0; i < BATCH; i++)
            {
                final int destination = balancer.batch.frame(i).getInt(14 + Ipv4Flyweight.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
                final int source = balancer.batch.frame(i).getInt(14 + Ipv4Flyweight.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
                if (!isBackend(destination) || source != (hairpin ? FRONT_GW : firstClient + i) || lookup(balancer, i) == ConntrackTable.NOT_FOUND)
                {
                    throw new IllegalStateException("SYN " + i + " was not scheduled, translated and tracked: " +
                        Integer.toHexString(source) + " -> " + Integer.toHexString(destination));
                }
            }
        }

        private long lookup(final Balancer balancer, final int f)
        {
            return balancer.nat.table().lookup(FlowKey.addresses(firstClient + f, VIP), FlowKey.ports(6, network, 20_000 + f, VIP_PORT));
        }

        /** Removes the flows the previous invocation made and restores its frames (not measured). */
        @Setup(Level.Invocation)
        public void forget(final Balancer balancer)
        {
            final ConntrackTable table = balancer.nat.table();
            for (int f = 0; f < BATCH; f++)
            {
                final long handle = lookup(balancer, f);
                if (handle != ConntrackTable.NOT_FOUND)
                {
                    table.remove(ConntrackTable.flowOf(ConntrackTable.nodeOf(handle)), ConntrackTable.generationOf(handle));
                }
            }
            syns.restoreHeaders(0, BATCH, FRAME);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            syns.close();
        }
    }

    static boolean isBackend(final int address)
    {
        for (final int backend : BACKENDS)
        {
            if (backend == address)
            {
                return true;
            }
        }
        return false;
    }

    /** Segments of random flows among the million, in one direction. */
    @State(Scope.Thread)
    public static class EstablishedFlows
    {
        /** {@code original}: client to VIP (DNAT); {@code reply}: backend to client (source back to the VIP). */
        @Param({"original", "reply"})
        public String direction;

        int in;
        int out;
        OffHeapFrames frames;
        int cursor;

        @Setup(Level.Trial)
        public void setUp(final Balancer balancer)
        {
            final boolean reply = "reply".equals(direction);
            in = reply ? FRONT : CLIENTS;
            out = reply ? CLIENTS : FRONT;
            frames = new OffHeapFrames(BATCH * BATCHES, FRAME);
            final int[] flows = ConntrackBenchmark.randomFlows(BATCH * BATCHES);
            for (int f = 0; f < BATCH * BATCHES; f++)
            {
                final int flow = flows[f];
                if (reply)
                {
                    ConntrackBenchmark.writeTcp(frames.frame(f), balancer.backendOf[flow], client(flow), BACKEND_PORT, port(flow), 0x10);
                }
                else
                {
                    ConntrackBenchmark.writeTcp(frames.frame(f), client(flow), VIP, port(flow), VIP_PORT, 0x10);
                }
                frames.length[f] = FRAME;
            }
            frames.keepPristine();
            frames.restoreHeaders(0, BATCH, FRAME);
            balancer.present(frames, 0, in, out);
            balancer.run();
            for (int i = 0; i < BATCH; i++)
            {
                if ((balancer.batch.flags[i] & PacketBatch.FLAG_ESTABLISHED) == 0)
                {
                    throw new IllegalStateException("packet " + i + " did not take the established path: the benchmark would measure another");
                }
                final int rewritten = balancer.batch.frame(i).getInt(14 + (reply ? Ipv4Flyweight.SOURCE_OFFSET : Ipv4Flyweight.DESTINATION_OFFSET),
                    ByteOrder.BIG_ENDIAN);
                if (rewritten != (reply ? VIP : balancer.backendOf[flows[i]]))
                {
                    throw new IllegalStateException("packet " + i + " was not translated: " + Integer.toHexString(rewritten));
                }
            }
        }

        int next()
        {
            final int first = (cursor++ & (BATCHES - 1)) * BATCH;
            frames.restoreHeaders(first, BATCH, FRAME);
            return first;
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            frames.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int newConnection(final Balancer balancer, final NewConnections connections)
    {
        balancer.present(connections.syns, 0, connections.network, FRONT);
        return balancer.run();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int established(final Balancer balancer, final EstablishedFlows flows)
    {
        balancer.present(flows.frames, flows.next(), flows.in, flows.out);
        return balancer.run();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int restoreOnly(final Balancer balancer, final EstablishedFlows flows)
    {
        balancer.present(flows.frames, flows.next(), flows.in, flows.out);
        return balancer.batch.next[BATCH - 1];
    }
}
